package io.scopeguard.deletion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code kubectl kustomize} wrapped to build the way kustomize-controller builds, for comparing
 * with the predictor.
 *
 * <p>On a copy of the artifact: if the path has no kustomization file, write the one Flux generates
 * (every {@code *.yaml} / {@code *.yml} below it, a subdirectory with its own kustomization file as
 * one entry, or {@code namespace: _placeholder} when there is nothing); write the spec's {@code
 * targetNamespace}, {@code namePrefix} and {@code nameSuffix} over the top-level kustomization's
 * {@code namespace}, {@code namePrefix} and {@code nameSuffix} and append its {@code patches} and
 * {@code components}, as Flux rewrites that file; run {@code kubectl kustomize --load-restrictor
 * LoadRestrictionsNone} (Flux builds without load restrictions) with a timeout; read the identities
 * off the output, dropping the namespace of cluster-scoped kinds (those of {@code kinds} or of a
 * cluster-scoped CRD in the output). {@code postBuild} substitution is not emulated.
 */
final class KustomizeOracle {

  private static final YAMLMapper YAML = new YAMLMapper();
  private static Boolean available;

  private KustomizeOracle() {}

  /**
   * The build's outcome.
   *
   * @param ids the identities, when kubectl succeeded
   * @param failure kubectl's error, or null when it succeeded
   */
  record Result(Set<ObjectId> ids, String failure) {}

  /** The kustomize version kubectl carries ({@code kubectl version --client}), for reports. */
  static String kustomizeVersion() {
    try {
      Process process =
          new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      process.waitFor(30, TimeUnit.SECONDS);
      return out.lines()
          .filter(line -> line.startsWith("Kustomize Version"))
          .findFirst()
          .orElse(out.lines().findFirst().orElse("kubectl (version unknown)"))
          .trim();
    } catch (IOException e) {
      return "kubectl (version unknown: " + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "kubectl (version unknown)";
    }
  }

  /** Whether {@code kubectl} runs here. */
  static synchronized boolean available() {
    if (available == null) {
      try {
        Process process =
            new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        available = process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
      } catch (IOException e) {
        available = false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        available = false;
      }
    }
    return available;
  }

  /**
   * What Flux's build of {@code source} with {@code spec} yields according to kubectl.
   *
   * @param work an empty scratch directory
   */
  static Result run(Path source, KustomizationSpecFacts spec, ScopedKinds kinds, Path work)
      throws IOException, InterruptedException {
    Path artifact = work.resolve("artifact");
    copy(source, artifact);
    return build(artifact, spec, kinds, work);
  }

  /** As {@link #run(Path, KustomizationSpecFacts, ScopedKinds, Path)}, for files held in memory. */
  static Result run(
      MapSourceFiles source, KustomizationSpecFacts spec, ScopedKinds kinds, Path work)
      throws IOException, InterruptedException {
    Path artifact = work.resolve("artifact");
    Files.createDirectories(artifact);
    for (String path : source.paths()) {
      Files.createDirectories(artifact.resolve(path).getParent());
      Files.write(artifact.resolve(path), source.readBytes(path));
    }
    return build(artifact, spec, kinds, work);
  }

  private static Result build(
      Path artifact, KustomizationSpecFacts spec, ScopedKinds kinds, Path work)
      throws IOException, InterruptedException {
    Path dir = artifact.resolve(SourcePaths.clamp(spec.path()));
    if (!Files.isDirectory(dir)) {
      return new Result(Set.of(), "kustomization path not found");
    }
    Path kustomizationFile = kustomizationFile(dir);
    if (kustomizationFile == null) {
      kustomizationFile = dir.resolve("kustomization.yaml");
      Files.writeString(kustomizationFile, YAML.writeValueAsString(generated(dir)));
    }
    rewrite(kustomizationFile, spec);

    Path out = work.resolve("out.yaml");
    Path err = work.resolve("err.txt");
    Process process =
        new ProcessBuilder(
                "kubectl", "kustomize", "--load-restrictor", "LoadRestrictionsNone", dir.toString())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("kubectl kustomize did not finish within 60s");
    }
    if (process.exitValue() != 0) {
      return new Result(Set.of(), Files.readString(err).strip());
    }
    return new Result(identities(Files.readString(out), kinds), null);
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
    boolean changes =
        !spec.targetNamespace().isEmpty()
            || !spec.namePrefix().isEmpty()
            || !spec.nameSuffix().isEmpty()
            || !spec.patches().isEmpty()
            || !spec.components().isEmpty();
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
      ArrayNode patches =
          kustomization.has("patches")
              ? (ArrayNode) kustomization.get("patches")
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
      ArrayNode components =
          kustomization.has("components")
              ? (ArrayNode) kustomization.get("components")
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
        clusterScopedCrds.add(
            ScopedKinds.key(
                object.path("spec").path("group").asText(),
                object.path("spec").path("names").path("kind").asText()));
      }
    }
    Set<ObjectId> ids = new TreeSet<>();
    for (JsonNode object : objects) {
      String apiVersion = object.path("apiVersion").asText();
      String group =
          apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
      String kind = object.path("kind").asText();
      boolean clusterScoped =
          kinds.isClusterScoped(group, kind)
              || clusterScopedCrds.contains(ScopedKinds.key(group, kind));
      ids.add(
          new ObjectId(
              clusterScoped ? "" : object.path("metadata").path("namespace").asText(""),
              object.path("metadata").path("name").asText(),
              group,
              kind));
    }
    return ids;
  }

  static Path kustomizationFile(Path dir) {
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
