package io.scopeguard.deletion;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;

/**
 * Coverage-guided fuzzing of what scopeguard reads from a repository, every byte of it hostile: the
 * {@code .tar.gz} an artifact arrives as, the YAML in it, and the kustomize build over it. Each may
 * refuse its input (an {@link ArtifactException}, an unreadable, unknown or failing prediction);
 * none may throw anything else, hang, or spend more than its budget.
 *
 * <p>A normal test run replays the committed corpus (in {@code ArtifactFuzzTestInputs/}); fuzzing
 * runs with {@code JAZZER_FUZZ=1}, e.g. {@code JAZZER_FUZZ=1 mvn -pl operator test
 * -Dtest=ArtifactFuzzTest#yaml -Djazzer.max_duration=10m}.
 */
class ArtifactFuzzTest {

  private static final ArtifactLimits LIMITS =
      new ArtifactLimits(1 << 20, 4 << 20, 1 << 20, 2_000, 20, 100);

  @FuzzTest(maxDuration = "10m")
  void untar(byte[] gzip) {
    if (gzip == null) {
      return;
    }
    try {
      ArtifactTree tree = SafeUntar.unpack(new ByteArrayInputStream(gzip), LIMITS);
      assertThat(tree.totalBytes()).isLessThanOrEqualTo(LIMITS.maxTotalBytes());
      assertThat(tree.fileCount()).isLessThanOrEqualTo(LIMITS.maxFiles());
      tree.files()
          .forEach(
              path ->
                  assertThat(path)
                      .doesNotStartWith("/")
                      .doesNotContain("/../")
                      .doesNotStartWith("../"));
    } catch (ArtifactException refused) {
      assertThat(refused.getMessage()).isNotBlank();
    }
  }

  @FuzzTest(maxDuration = "10m")
  void yaml(String text) {
    if (text == null) {
      return;
    }
    try {
      Budgets.within(Budget.nodes(200_000), () -> YamlDocs.parse(text, "fuzzed.yaml"));
    } catch (BuildFailure | Unpredictable | Budget.OverBudget refused) {
      assertThat(refused.getMessage()).contains("fuzzed.yaml");
    }
  }

  @FuzzTest(maxDuration = "10m")
  void predict(FuzzedDataProvider data) {
    MapSourceFiles files = new MapSourceFiles();
    int count = data.consumeInt(1, 4);
    for (int i = 0; i < count; i++) {
      String path =
          data.pickValue(
              new String[] {
                "kustomization.yaml",
                "a.yaml",
                "base/kustomization.yaml",
                "base/b.yaml",
                "c/d.yml",
                "patch.yaml",
                "components/x/kustomization.yaml"
              });
      files.put(path, data.consumeString(2_000));
    }
    KustomizationSpecFacts spec =
        KustomizationSpecFacts.ofPath(data.pickValue(new String[] {"", "./", "base", "c", "../x"}));

    Prediction prediction =
        KustomizePredictor.predict(files, spec, ScopedKinds.builtIn(), Budget.nodes(200_000));

    assertThat(prediction.outcome()).isNotNull();
    if (prediction.isKnown()) {
      prediction.ids().forEach(id -> assertThat(id.name()).isNotEmpty());
    } else {
      assertThat(prediction.reason()).isNotBlank();
    }
  }
}
