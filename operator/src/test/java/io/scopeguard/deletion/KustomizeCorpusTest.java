package io.scopeguard.deletion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The predictor against {@code kubectl kustomize} on a corpus of real layouts
 * ({@code src/test/resources/kustomize-corpus/<case>/}).
 *
 * <p>Each case holds the artifact in {@code source/} and, in {@code flux.yaml}, one or more Flux
 * Kustomizations over it (none means one with {@code path: ""}). Their annotations give what the
 * case expects ({@code corpus.scopeguard.io/expect}: an object count or {@code BUILD_FAILS}) and
 * the cluster-scoped kinds the cluster already knows ({@code corpus.scopeguard.io/cluster-scoped}).
 *
 * <p>The oracle does what kustomize-controller does around kustomize, on a copy of the artifact:
 * if the path has no kustomization file it writes the one Flux generates (every {@code *.yaml} /
 * {@code *.yml} below it, a subdirectory with its own kustomization file as one entry, or
 * {@code namespace: _placeholder} when there is nothing); then it writes the spec's
 * {@code targetNamespace}, {@code namePrefix} and {@code nameSuffix} over the top-level
 * kustomization's {@code namespace}, {@code namePrefix} and {@code nameSuffix} and appends its
 * {@code patches} and {@code components}, as Flux rewrites that file; then it runs
 * {@code kubectl kustomize --load-restrictor LoadRestrictionsNone} (Flux builds without load
 * restrictions) and reads the identities off the output, dropping the namespace of cluster-scoped
 * kinds (built-in, from the annotation, or defined by a cluster-scoped CRD in the output). A kubectl
 * failure must be predicted as {@code BUILD_FAILS}, a success as exactly the same identities.
 */
class KustomizeCorpusTest {

  private static final Path CORPUS = Path.of("src/test/resources/kustomize-corpus");
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final String EXPECT = "corpus.scopeguard.io/expect";
  private static final String CLUSTER_SCOPED = "corpus.scopeguard.io/cluster-scoped";
  private static boolean kubectl;

  @BeforeAll
  static void findKubectl() {
    try {
      Process process = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      kubectl = process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      kubectl = false;
    }
  }

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(CORPUS)) {
      for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
        for (JsonNode kustomization : fluxKustomizations(dir)) {
          cases.add(Arguments.of(dir.getFileName() + "/" + kustomization.path("metadata").path("name").asText(), dir,
              kustomization));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void predictorMatchesKustomize(String name, Path caseDir, JsonNode kustomization, @TempDir Path work)
      throws Exception {
    Assumptions.assumeTrue(kubectl, "kubectl is not on the PATH: the corpus is compared against `kubectl kustomize`");
    KustomizationSpecFacts spec = KustomizationSpecFacts.fromSpec(kustomization.path("spec"));
    ScopedKinds kinds = ScopedKinds.builtInAnd(annotationList(kustomization, CLUSTER_SCOPED));

    Prediction predicted = KustomizePredictor.predict(new DirectorySourceFiles(caseDir.resolve("source")), spec, kinds);
    Oracle oracle = oracle(caseDir.resolve("source"), spec, kinds, work);

    if (oracle.failure() != null) {
      assertThat(predicted.outcome()).as("kubectl failed: %s", oracle.failure()).isEqualTo(Prediction.Outcome.BUILD_FAILS);
    } else {
      assertThat(predicted.outcome()).as("%s", predicted).isEqualTo(Prediction.Outcome.KNOWN);
      assertThat(ids(predicted.ids())).containsExactlyElementsOf(ids(oracle.ids()));
    }
    String outcome = predicted.isKnown() ? String.valueOf(predicted.ids().size()) : predicted.outcome().name();
    assertThat(outcome).as("annotation %s of %s", EXPECT, name)
        .isEqualTo(kustomization.path("metadata").path("annotations").path(EXPECT).asText(""));
  }

  @Test
  void corpusHoldsAtLeastTenLayouts() throws IOException {
    try (Stream<Path> dirs = Files.list(CORPUS)) {
      assertThat(dirs.filter(Files::isDirectory).count()).isGreaterThanOrEqualTo(10);
    }
  }

  private record Oracle(Set<ObjectId> ids, String failure) {}

  private static Oracle oracle(Path source, KustomizationSpecFacts spec, ScopedKinds kinds, Path work)
      throws IOException, InterruptedException {
    Path artifact = work.resolve("artifact");
    copy(source, artifact);
    Path dir = artifact.resolve(SourcePaths.clamp(spec.path()));
    if (!Files.isDirectory(dir)) {
      return new Oracle(Set.of(), "kustomization path not found");
    }
    Path kustomizationFile = kustomizationFile(dir);
    if (kustomizationFile == null) {
      kustomizationFile = dir.resolve("kustomization.yaml");
      Files.writeString(kustomizationFile, YAML.writeValueAsString(generated(dir)));
    }
    rewrite(kustomizationFile, spec);

    Path out = work.resolve("out.yaml");
    Path err = work.resolve("err.txt");
    Process process = new ProcessBuilder("kubectl", "kustomize", "--load-restrictor", "LoadRestrictionsNone",
        dir.toString()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("kubectl kustomize did not finish within 60s");
    }
    if (process.exitValue() != 0) {
      return new Oracle(Set.of(), Files.readString(err).strip());
    }
    return new Oracle(identities(Files.readString(out), kinds), null);
  }

  /** The kustomization Flux writes into a directory without one. */
  private static ObjectNode generated(Path dir) throws IOException {
    List<String> resources = new ArrayList<>();
    scan(dir, dir, resources);
    ObjectNode kustomization = YAML.createObjectNode();
    kustomization.put("apiVersion", "kustomize.config.k8s.io/v1beta1");
    kustomization.put("kind", "Kustomization");
    if (resources.isEmpty()) {
      kustomization.put("namespace", "_placeholder");
    } else {
      ArrayNode list = kustomization.putArray("resources");
      resources.forEach(list::add);
    }
    return kustomization;
  }

  private static void scan(Path root, Path dir, List<String> resources) throws IOException {
    List<Path> children;
    try (Stream<Path> list = Files.list(dir)) {
      children = list.sorted().toList();
    }
    for (Path child : children) {
      String relative = "./" + root.relativize(child).toString().replace('\\', '/');
      if (Files.isDirectory(child)) {
        if (kustomizationFile(child) != null) {
          resources.add(relative);
        } else {
          scan(root, child, resources);
        }
      } else if (child.toString().endsWith(".yaml") || child.toString().endsWith(".yml")) {
        resources.add(relative);
      }
    }
  }

  /** The spec's fields written into the top-level kustomization, as Flux does. */
  private static void rewrite(Path file, KustomizationSpecFacts spec) throws IOException {
    boolean changes = !spec.targetNamespace().isEmpty() || !spec.namePrefix().isEmpty()
        || !spec.nameSuffix().isEmpty() || !spec.patches().isEmpty() || !spec.components().isEmpty();
    if (!changes) {
      return;
    }
    ObjectNode kustomization = (ObjectNode) YAML.readTree(file.toFile());
    if (!spec.targetNamespace().isEmpty()) {
      kustomization.put("namespace", spec.targetNamespace());
    }
    if (!spec.namePrefix().isEmpty()) {
      kustomization.put("namePrefix", spec.namePrefix());
    }
    if (!spec.nameSuffix().isEmpty()) {
      kustomization.put("nameSuffix", spec.nameSuffix());
    }
    for (KustomizationSpecFacts.Patch patch : spec.patches()) {
      ArrayNode patches = kustomization.has("patches") ? (ArrayNode) kustomization.get("patches")
          : kustomization.putArray("patches");
      ObjectNode entry = patches.addObject();
      entry.put("patch", patch.patch());
      if (!patch.target().isEmpty()) {
        ObjectNode target = entry.putObject("target");
        patch.target().forEach(target::put);
      }
    }
    for (String component : spec.components()) {
      if (spec.ignoreMissingComponents() && !Files.exists(file.getParent().resolve(component))) {
        continue;
      }
      ArrayNode components = kustomization.has("components") ? (ArrayNode) kustomization.get("components")
          : kustomization.putArray("components");
      components.add(component);
    }
    Files.writeString(file, YAML.writeValueAsString(kustomization));
  }

  private static Set<ObjectId> identities(String output, ScopedKinds kinds) throws IOException {
    List<JsonNode> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(output)) {
      while (documents.hasNext()) {
        JsonNode document = documents.next();
        if (document != null && document.isObject()) {
          objects.add(document);
        }
      }
    }
    Set<String> clusterScopedCrds = new HashSet<>();
    for (JsonNode object : objects) {
      if (object.path("kind").asText().equals("CustomResourceDefinition")
          && object.path("spec").path("scope").asText().equals("Cluster")) {
        clusterScopedCrds.add(ScopedKinds.key(object.path("spec").path("group").asText(),
            object.path("spec").path("names").path("kind").asText()));
      }
    }
    Set<ObjectId> ids = new TreeSet<>();
    for (JsonNode object : objects) {
      String apiVersion = object.path("apiVersion").asText();
      String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
      String kind = object.path("kind").asText();
      boolean clusterScoped = kinds.isClusterScoped(group, kind) || clusterScopedCrds.contains(ScopedKinds.key(group, kind));
      ids.add(new ObjectId(clusterScoped ? "" : object.path("metadata").path("namespace").asText(""),
          object.path("metadata").path("name").asText(), group, kind));
    }
    return ids;
  }

  private static List<String> ids(Set<ObjectId> ids) {
    return ids.stream().map(ObjectId::inventoryId).sorted().toList();
  }

  private static List<JsonNode> fluxKustomizations(Path caseDir) throws IOException {
    Path flux = caseDir.resolve("flux.yaml");
    List<JsonNode> kustomizations = new ArrayList<>();
    if (!Files.exists(flux)) {
      ObjectNode kustomization = YAML.createObjectNode();
      kustomization.putObject("metadata").put("name", "root");
      kustomization.putObject("spec");
      kustomizations.add(kustomization);
      return kustomizations;
    }
    try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(flux.toFile())) {
      while (documents.hasNext()) {
        JsonNode document = documents.next();
        if (document != null && document.isObject()) {
          kustomizations.add(document);
        }
      }
    }
    return kustomizations;
  }

  private static List<String> annotationList(JsonNode kustomization, String annotation) {
    String value = kustomization.path("metadata").path("annotations").path(annotation).asText("");
    return value.isBlank() ? List.of() : Arrays.stream(value.split(",")).map(String::trim).toList();
  }

  private static Path kustomizationFile(Path dir) {
    for (String name : KustomizationFile.FILE_NAMES) {
      if (Files.isRegularFile(dir.resolve(name))) {
        return dir.resolve(name);
      }
    }
    return null;
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : paths.toList()) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
