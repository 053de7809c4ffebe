package io.scopeguard.deletion;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random base/component/overlay layouts, predicted and built by {@link KustomizeOracle}: they must
 * agree whenever the predictor answers. The mix favours what interacts: namespaces (also "default"
 * and none), prefixes and suffixes at every level, generators with merge and replace,
 * label-selected deletions, local-config objects, cluster-scoped and unknown kinds, Flux's spec
 * overrides. {@code -Dkustomize.differential.iterations} and {@code -Dkustomize.differential.seed}
 * explore more.
 */
class KustomizeDifferentialTest {

  private final Random random = new Random(Long.getLong("kustomize.differential.seed", 20261121L));

  @Test
  void predictorAgreesWithKubectlOnRandomLayouts(@TempDir Path work) throws Exception {
    Assumptions.assumeTrue(KustomizeOracle.available(), "kubectl is not on the PATH");
    List<String> mismatches = new ArrayList<>();
    int answered = 0;
    int iterations = Integer.getInteger("kustomize.differential.iterations", 60);
    for (int i = 0; i < iterations; i++) {
      MapSourceFiles files = layout();
      String spec =
          "{path: overlay"
              + maybe(", targetNamespace: " + pick("flux", "apps"))
              + maybe(", namePrefix: f-")
              + maybe(", nameSuffix: -z")
              + "}";
      KustomizationSpecFacts facts =
          KustomizationSpecFacts.fromSpec(YamlDocs.parse(spec, "spec").get(0));

      Prediction predicted = KustomizePredictor.predict(files, facts, ScopedKinds.builtIn());
      KustomizeOracle.Result built =
          KustomizeOracle.run(
              files, facts, ScopedKinds.builtIn(), Files.createDirectory(work.resolve("run" + i)));

      if (predicted.outcome() == Prediction.Outcome.KNOWN
          || predicted.outcome() == Prediction.Outcome.BUILD_FAILS) {
        answered++;
      }
      boolean agree =
          switch (predicted.outcome()) {
            case KNOWN -> built.failure() == null && built.ids().equals(predicted.ids());
            case BUILD_FAILS -> built.failure() != null;
            case UNKNOWN, UNREADABLE -> true;
          };
      if (!agree) {
        StringBuilder report = new StringBuilder("layout " + i + " with spec " + spec + "\n");
        files
            .paths()
            .forEach(p -> report.append("--- ").append(p).append('\n').append(files.read(p)));
        report
            .append("predicted ")
            .append(predicted)
            .append(' ')
            .append(predicted.ids())
            .append('\n');
        report.append("kubectl ").append(built.failure() != null ? built.failure() : built.ids());
        mismatches.add(report.toString());
      }
    }
    assertThat(mismatches).isEmpty();
    assertThat(answered)
        .as(
            "layouts the predictor answered (not Unknown) of %d: a predictor that answers nothing agrees"
                + " with everything",
            iterations)
        .isGreaterThanOrEqualTo(iterations * ANSWERED_FLOOR_PERCENT / 100);
  }

  /** The share of random layouts the predictor must answer: it answers all of today's seed's 60. */
  private static final int ANSWERED_FLOOR_PERCENT = 90;

  private MapSourceFiles layout() {
    MapSourceFiles files = new MapSourceFiles();
    List<String> resources = new ArrayList<>();
    for (int j = 0, n = 1 + random.nextInt(4); j < n; j++) {
      files.put("base/r" + j + ".yaml", resource(j));
      resources.add("r" + j + ".yaml");
    }
    files.put(
        "base/kustomization.yaml",
        "resources: " + resources + "\n" + generators("") + transformers());
    boolean component = random.nextBoolean();
    if (component) {
      files.put(
          "comp/kustomization.yaml",
          "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
              + maybe("resources: [c.yaml]\n")
              + generators("merge")
              + transformers());
      files.put("comp/c.yaml", resource(9));
    }
    files.put(
        "overlay/kustomization.yaml",
        "resources: [../base"
            + maybe(", o.yaml")
            + "]\n"
            + (component ? "components: [../comp]\n" : "")
            + generators(pick("merge", "replace"))
            + transformers());
    files.put("overlay/o.yaml", resource(5));
    return files;
  }

  private String resource(int index) {
    String kind =
        pick("ConfigMap", "Deployment", "Namespace", "ClusterRole", "Widget", "Service", "Secret");
    String apiVersion =
        switch (kind) {
          case "Deployment" -> "apps/v1";
          case "ClusterRole" -> "rbac.authorization.k8s.io/v1";
          case "Widget" -> "example.com/v1";
          default -> "v1";
        };
    String namespace = pick("", "", "", "default", "apps", "other");
    String labels = pick("", "{tier: web}", "{tier: db, del: 'yes'}", "{del: 'no'}");
    return "apiVersion: "
        + apiVersion
        + "\nkind: "
        + kind
        + "\nmetadata:\n  name: r"
        + index
        + pick("", "", "x")
        + (namespace.isEmpty() ? "" : "\n  namespace: " + namespace)
        + (labels.isEmpty() ? "" : "\n  labels: " + labels)
        + pick("", "", "", "\n  annotations: {config.kubernetes.io/local-config: 'true'}")
        + "\n";
  }

  private String generators(String behavior) {
    StringBuilder out = new StringBuilder();
    if (random.nextBoolean()) {
      out.append("configMapGenerator:\n");
      for (String name : List.of("g1", "g2")) {
        if (random.nextBoolean()) {
          out.append("- name: ").append(name).append('\n');
          if (!behavior.isEmpty()) {
            out.append("  behavior: ")
                .append(pick(behavior, behavior, behavior, "create"))
                .append('\n');
          }
          out.append("  literals: [").append(pick("A=1", "A=2, B=<x>", "C=\"q\"")).append("]\n");
          out.append(maybe("  options: {disableNameSuffixHash: true}\n"));
          out.append(maybe("  namespace: " + pick("apps", "other") + "\n"));
        }
      }
    }
    if (random.nextBoolean()) {
      out.append("secretGenerator:\n- name: s1\n");
      if (!behavior.isEmpty()) {
        out.append("  behavior: ").append(pick(behavior, behavior, "create")).append('\n');
      }
      out.append("  literals: [").append(pick("P=1", "P=" + "0123456789".repeat(8))).append("]\n");
    }
    return out.toString();
  }

  private String transformers() {
    StringBuilder out = new StringBuilder();
    out.append(maybe("namespace: " + pick("apps", "default", "team") + "\n"));
    out.append(maybe("namePrefix: " + pick("p-", "q-") + "\n"));
    out.append(maybe("nameSuffix: " + pick("-s", "-t") + "\n"));
    out.append(maybe("commonLabels: {added: " + pick("x", "'yes'") + "}\n"));
    if (random.nextBoolean()) {
      out.append("patches:\n");
      out.append(
          pick(
              "- target: {labelSelector: del=yes}\n  patch: |\n    apiVersion: v1\n    kind: Any\n    metadata: {name: any}\n    $patch: delete\n",
              "- target: {kind: ConfigMap}\n  patch: |\n    - op: add\n      path: /metadata/annotations\n      value: {touched: 'yes'}\n",
              "- target: {name: 'r[0-9]'}\n  patch: |\n    apiVersion: v1\n    kind: Any\n    metadata: {name: any, labels: {del: 'yes'}}\n",
              "- target: {kind: Deployment}\n  patch: |\n    - op: add\n      path: /metadata/labels\n      value: {del: 'yes'}\n"));
      out.append(
          maybe(
              "- target: {labelSelector: del=yes}\n  patch: |\n    apiVersion: v1\n    kind: Any\n"
                  + "    metadata: {name: any}\n    $patch: delete\n"));
    }
    return out.toString();
  }

  private String pick(String... options) {
    return options[random.nextInt(options.length)];
  }

  private String maybe(String text) {
    return random.nextBoolean() ? text : "";
  }
}
