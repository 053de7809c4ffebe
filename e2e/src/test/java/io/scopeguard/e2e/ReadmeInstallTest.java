package io.scopeguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.e2e.chart.HelmChart;
import io.scopeguard.e2e.chart.Manifests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's "Install on a cluster (Helm)" section, as written: its {@code helm install} flags
 * render the image it names with two replicas and the Lease it tells to look at, and its first
 * ClusterScope becomes Ready under a running scopeguard.
 */
class ReadmeInstallTest {

  @RegisterExtension static final E2eCluster CLUSTER = new E2eCluster();

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  /** What a user puts in place of the README's placeholder. */
  private static final String REGISTRY = "registry.example.com/platform";

  private static String installSection() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    int start = readme.indexOf("## Install on a cluster (Helm)");
    assertThat(start).as("the README has an install section").isNotNegative();
    int end = readme.indexOf("\n## ", start + 1);
    String section = readme.substring(start, end < 0 ? readme.length() : end);
    Matcher block = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL).matcher(section);
    assertThat(block.find()).as("a shell block").isTrue();
    return block.group(1).replace("\\\n", " ").replace("<registry>", REGISTRY);
  }

  private static String helmInstall(String commands) {
    return commands
        .lines()
        .filter(line -> line.startsWith("helm install "))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void theHelmInstallCommandRendersTheImageItNamesWithTwoReplicasAndTheLeaseItShows()
      throws Exception {
    String commands = installSection();
    List<String> words = List.of(helmInstall(commands).trim().split("\\s+"));
    assertThat(words.subList(0, 4))
        .containsExactly("helm", "install", "scopeguard", "helm/scopeguard");
    String namespace = words.get(words.indexOf("-n") + 1);
    Map<String, String> sets = new LinkedHashMap<>();
    for (int i = 0; i < words.size(); i++) {
      if (words.get(i).equals("--set")) {
        String[] keyValue = words.get(i + 1).split("=", 2);
        sets.put(keyValue[0], keyValue[1]);
      }
    }
    assertThat(ROOT.resolve(words.get(3))).isEqualTo(HelmChart.DIR);
    assertThat(words.get(2)).isEqualTo(HelmChart.RELEASE);
    assertThat(namespace).isEqualTo(HelmChart.NAMESPACE);
    Map<String, Object> values = new LinkedHashMap<>();
    sets.forEach((key, value) -> put(values, key.split("\\."), value));
    Manifests objects = HelmChart.template(Serialization.asYaml(values));

    Deployment deployment = objects.one(Deployment.class);
    assertThat(deployment.getMetadata().getName())
        .as("the name `rollout status` waits for")
        .isEqualTo(
            commands
                .lines()
                .filter(l -> l.contains("rollout status"))
                .findFirst()
                .orElseThrow()
                .replaceAll(".*deployment/(\\S+).*", "$1"));
    assertThat(deployment.getMetadata().getNamespace()).isEqualTo(namespace);
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo(REGISTRY + "/scopeguard:0.1.0");
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    String lease =
        commands
            .lines()
            .filter(l -> l.contains("get lease"))
            .findFirst()
            .orElseThrow()
            .replaceAll(".*get lease (\\S+).*", "$1");
    Role role = objects.one(Role.class);
    assertThat(role.getRules())
        .anySatisfy(
            rule -> {
              assertThat(rule.getResources()).containsExactly("leases");
              assertThat(rule.getResourceNames()).containsExactly(lease);
            });
  }

  /** {@code --set a.b=c} as the values file {@code a: {b: c}}. */
  @SuppressWarnings("unchecked")
  private static void put(Map<String, Object> values, String[] path, String value) {
    Map<String, Object> level = values;
    for (int i = 0; i < path.length - 1; i++) {
      level =
          (Map<String, Object>)
              level.computeIfAbsent(path[i], key -> new LinkedHashMap<String, Object>());
    }
    level.put(path[path.length - 1], value);
  }

  @Test
  void theFirstClusterScopeBecomesReady() throws Exception {
    String commands = installSection();
    Matcher heredoc = Pattern.compile("<<'YAML'\\n(.*?)\\nYAML", Pattern.DOTALL).matcher(commands);
    assertThat(heredoc.find()).isTrue();
    ClusterScope scope =
        CLUSTER.scenario().create(Serialization.unmarshal(heredoc.group(1), ClusterScope.class));

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              ClusterScope now = CLUSTER.client().resource(scope).get();
              assertThat(now.getStatus()).isNotNull();
              assertThat(now.getStatus().getConditions())
                  .anySatisfy(
                      condition -> {
                        assertThat(condition.getType()).isEqualTo(ClusterScope.READY);
                        assertThat(condition.getStatus()).isEqualTo("True");
                      });
            });
  }
}
