package io.scopeguard.scope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.scopeguard.EmbeddedOperator;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.ClusterTarget;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ClusterScope reconciler writes status on an API server, and follows the Clusters it names.
 */
class ClusterScopeStatusOnEmbeddedApiTest {

  @RegisterExtension static final EmbeddedOperator SCOPEGUARD = new EmbeddedOperator();

  @BeforeAll
  static void fleetNamespace() {
    SCOPEGUARD
        .client()
        .resource(new NamespaceBuilder().withNewMetadata().withName("fleet").endMetadata().build())
        .create();
  }

  private static ClusterScope create(String name, ClusterTarget cluster) {
    ClusterScope scope = new ClusterScope();
    scope.getMetadata().setName(name);
    scope.getSpec().setCluster(cluster);
    scope.getSpec().setEnvironment("test");
    return SCOPEGUARD.client().resource(scope).create();
  }

  private static ClusterScope current(String name) {
    return SCOPEGUARD.client().resources(ClusterScope.class).withName(name).get();
  }

  private static Condition awaitReady(String name, String status, String reason) {
    return await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> current(name).readyCondition().orElse(null),
            c -> c != null && status.equals(c.getStatus()) && reason.equals(c.getReason()));
  }

  private static GenericKubernetesResource capiCluster(String name) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("cluster.x-k8s.io/v1beta2")
        .withKind("Cluster")
        .withNewMetadata()
        .withNamespace("fleet")
        .withName(name)
        .endMetadata()
        .withAdditionalProperties(Map.of("spec", Map.of()))
        .build();
  }

  @Test
  void localScopeBecomesReadyWithObservedGeneration() {
    create("local", ClusterTarget.local());

    Condition ready = awaitReady("local", "True", "Valid");

    ClusterScope scope = current("local");
    assertThat(scope.getStatus().getObservedGeneration())
        .isEqualTo(scope.getMetadata().getGeneration());
    assertThat(ready.getObservedGeneration()).isEqualTo(scope.getMetadata().getGeneration());
    assertThat(scope.getStatus().getCluster()).isEqualTo("local");
    assertThat(scope.getStatus().getSuspendedCount()).isZero();
    assertThat(ready.getMessage())
        .isEqualTo("declares the local cluster; any source; deletion budget 50%; Enforce");
  }

  @Test
  void followsTheClusterItNames() {
    create("workload-a", ClusterTarget.clusterRef("fleet", "workload-a"));
    awaitReady("workload-a", "False", "ClusterNotFound");

    SCOPEGUARD.client().resource(capiCluster("workload-a")).create();
    awaitReady("workload-a", "True", "Valid");

    SCOPEGUARD.client().resource(capiCluster("workload-a")).delete();
    Condition gone = awaitReady("workload-a", "False", "ClusterNotFound");
    assertThat(gone.getMessage()).contains("fleet/workload-a does not exist");
  }

  @Test
  void aSpecChangeIsObservedAndExplained() {
    create("budget", ClusterTarget.local());
    awaitReady("budget", "True", "Valid");

    ClusterScope edited =
        SCOPEGUARD
            .client()
            .resources(ClusterScope.class)
            .withName("budget")
            .edit(
                scope -> {
                  scope.getSpec().getDeletion().setMaxPercent(0);
                  return scope;
                });

    Condition invalid = awaitReady("budget", "False", "InvalidSpec");
    assertThat(invalid.getMessage())
        .isEqualTo("spec.deletion.maxPercent must be between 1 and 100, not 0");
    assertThat(current("budget").getStatus().getObservedGeneration())
        .isEqualTo(edited.getMetadata().getGeneration());
  }

  @Test
  void anUnchangedStatusIsNotWrittenAgain() throws InterruptedException {
    create("steady", ClusterTarget.clusterRef("fleet", "steady"));
    SCOPEGUARD.client().resource(capiCluster("steady")).create();
    awaitReady("steady", "True", "Valid");
    String version = current("steady").getMetadata().getResourceVersion();
    double reconciles = reconcileCount();

    SCOPEGUARD
        .client()
        .resource(capiCluster("steady"))
        .edit(
            c -> {
              c.getMetadata().setLabels(Map.of("touched", "yes"));
              return c;
            });

    await().atMost(Duration.ofSeconds(10)).until(() -> reconcileCount() > reconciles);
    assertThat(current("steady").getMetadata().getResourceVersion()).isEqualTo(version);
  }

  private static double reconcileCount() {
    return SCOPEGUARD
        .operator()
        .metrics()
        .registry()
        .find("operator.sdk.reconciliations.success")
        .counters()
        .stream()
        .mapToDouble(c -> c.count())
        .sum();
  }
}
