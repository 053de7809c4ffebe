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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The predictor against golden files on a corpus of real layouts ({@code
 * src/test/resources/kustomize-corpus/<case>/}).
 *
 * <p>Each case holds the artifact in {@code source/} and, in {@code flux.yaml}, one or more Flux
 * Kustomizations over it (none means one named {@code root} with {@code path: ""}); the annotation
 * {@code corpus.scopeguard.io/cluster-scoped} names the cluster-scoped kinds the cluster already
 * knows. {@code expected.txt} holds, per Kustomization (a {@code # <name>} line), the inventory ids
 * Flux's build yields, sorted, or {@code BUILD_FAILS}. The predictor is checked against it
 * everywhere; where kubectl runs, {@link KustomizeOracle} re-derives it the way Flux builds and the
 * test fails if kustomize disagrees with the file, naming its version. {@code -Dupdate-golden}
 * rewrites the files from kubectl.
 */
class KustomizeCorpusTest {

  private static final Path CORPUS = Path.of("src/test/resources/kustomize-corpus");
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final String CLUSTER_SCOPED = "corpus.scopeguard.io/cluster-scoped";
  private static final String BUILD_FAILS = "BUILD_FAILS";

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(CORPUS)) {
      for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
        for (JsonNode kustomization : fluxKustomizations(dir)) {
          cases.add(
              Arguments.of(dir.getFileName() + "/" + name(kustomization), dir, kustomization));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void predictorMatchesTheGoldenFile(String name, Path caseDir, JsonNode kustomization)
      throws Exception {
    Prediction predicted =
        KustomizePredictor.predict(
            new DirectorySourceFiles(caseDir.resolve("source")),
            spec(kustomization),
            kinds(kustomization));

    assertThat(predicted.outcome())
        .as("%s: %s", name, predicted)
        .isIn(Prediction.Outcome.KNOWN, Prediction.Outcome.BUILD_FAILS);
    assertThat(outcome(predicted))
        .as("%s against %s", name, caseDir.resolve("expected.txt"))
        .isEqualTo(expected(caseDir).get(name(kustomization)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void kustomizeAgreesWithTheGoldenFile(
      String name, Path caseDir, JsonNode kustomization, @TempDir Path work) throws Exception {
    Assumptions.assumeTrue(
        KustomizeOracle.available(),
        "kubectl is not on the PATH: the golden files are not re-derived with `kubectl kustomize`");
    KustomizeOracle.Result built =
        KustomizeOracle.run(
            caseDir.resolve("source"), spec(kustomization), kinds(kustomization), work);
    List<String> derived = built.failure() != null ? List.of(BUILD_FAILS) : ids(built.ids());

    if (Boolean.getBoolean("update-golden")) {
      Map<String, List<String>> golden = new LinkedHashMap<>(expectedOrEmpty(caseDir));
      golden.put(name(kustomization), derived);
      write(caseDir, golden);
      return;
    }
    assertThat(derived)
        .as(
            "%s: %s derives other identities than %s (kubectl's error: %s)",
            name,
            KustomizeOracle.kustomizeVersion(),
            caseDir.resolve("expected.txt"),
            built.failure())
        .isEqualTo(expected(caseDir).get(name(kustomization)));
  }

  @Test
  void corpusHoldsAtLeastTenLayoutsEachWithItsGoldenFile() throws IOException {
    try (Stream<Path> dirs = Files.list(CORPUS)) {
      List<Path> cases = dirs.filter(Files::isDirectory).toList();
      assertThat(cases).hasSizeGreaterThanOrEqualTo(10);
      assertThat(cases).allSatisfy(dir -> assertThat(dir.resolve("expected.txt")).exists());
    }
  }

  private static List<String> outcome(Prediction predicted) {
    return predicted.isKnown() ? ids(predicted.ids()) : List.of(predicted.outcome().name());
  }

  private static List<String> ids(Set<ObjectId> ids) {
    return ids.stream().map(ObjectId::inventoryId).sorted().toList();
  }

  private static KustomizationSpecFacts spec(JsonNode kustomization) {
    return KustomizationSpecFacts.fromSpec(kustomization.path("spec"));
  }

  private static ScopedKinds kinds(JsonNode kustomization) {
    String value =
        kustomization.path("metadata").path("annotations").path(CLUSTER_SCOPED).asText("");
    return ScopedKinds.builtInAnd(
        value.isBlank() ? List.of() : Arrays.stream(value.split(",")).map(String::trim).toList());
  }

  private static String name(JsonNode kustomization) {
    return kustomization.path("metadata").path("name").asText();
  }

  /**
   * The golden file: a {@code # <name>} line per Kustomization, then its ids (or {@code
   * BUILD_FAILS}), one per line.
   */
  private static Map<String, List<String>> expected(Path caseDir) throws IOException {
    Map<String, List<String>> expected = expectedOrEmpty(caseDir);
    assertThat(expected)
        .as(
            "%s (run with -Dupdate-golden and kubectl to write it)",
            caseDir.resolve("expected.txt"))
        .isNotEmpty();
    return expected;
  }

  private static Map<String, List<String>> expectedOrEmpty(Path caseDir) throws IOException {
    Path file = caseDir.resolve("expected.txt");
    Map<String, List<String>> expected = new LinkedHashMap<>();
    if (!Files.exists(file)) {
      return expected;
    }
    List<String> current = null;
    for (String line : Files.readAllLines(file)) {
      if (line.startsWith("# ")) {
        current = new ArrayList<>();
        expected.put(line.substring(2).trim(), current);
      } else if (!line.isBlank() && current != null) {
        current.add(line.trim());
      }
    }
    return expected;
  }

  private static synchronized void write(Path caseDir, Map<String, List<String>> golden)
      throws IOException {
    StringBuilder text = new StringBuilder();
    golden.forEach(
        (name, ids) -> {
          text.append("# ").append(name).append('\n');
          ids.forEach(id -> text.append(id).append('\n'));
        });
    Files.writeString(caseDir.resolve("expected.txt"), text.toString());
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
    try (MappingIterator<JsonNode> documents =
        YAML.readerFor(JsonNode.class).readValues(flux.toFile())) {
      while (documents.hasNext()) {
        JsonNode document = documents.next();
        if (document != null && document.isObject()) {
          kustomizations.add(document);
        }
      }
    }
    return kustomizations;
  }
}
