package io.scopeguard.deletion;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
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
 * {@link KustomizeOracle} builds each the way Flux does with kubectl; a kubectl failure must be
 * predicted as {@code BUILD_FAILS}, a success as exactly the same identities.
 */
class KustomizeCorpusTest {

  private static final Path CORPUS = Path.of("src/test/resources/kustomize-corpus");
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final String EXPECT = "corpus.scopeguard.io/expect";
  private static final String CLUSTER_SCOPED = "corpus.scopeguard.io/cluster-scoped";

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
    Assumptions.assumeTrue(KustomizeOracle.available(),
        "kubectl is not on the PATH: the corpus is compared against `kubectl kustomize`");
    KustomizationSpecFacts spec = KustomizationSpecFacts.fromSpec(kustomization.path("spec"));
    ScopedKinds kinds = ScopedKinds.builtInAnd(annotationList(kustomization, CLUSTER_SCOPED));

    Prediction predicted = KustomizePredictor.predict(new DirectorySourceFiles(caseDir.resolve("source")), spec, kinds);
    KustomizeOracle.Result oracle = KustomizeOracle.run(caseDir.resolve("source"), spec, kinds, work);

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
}
