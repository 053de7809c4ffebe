package io.scopeguard.e2e;

import static io.scopeguard.demo.IncidentAScenario.DEV_CLUSTER;
import static io.scopeguard.demo.IncidentAScenario.NAMESPACE;
import static io.scopeguard.demo.IncidentAScenario.PROD_TEMPLATED;
import static io.scopeguard.demo.IncidentAScenario.PROD_UNSCOPED;
import static io.scopeguard.testkit.FluxObjects.annotation;
import static io.scopeguard.demo.IncidentAScenario.appsFor;
import static io.scopeguard.demo.IncidentAScenario.kustomization;
import static io.scopeguard.testkit.FluxObjects.suspended;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.HeldReconciliation;
import io.scopeguard.approval.Annotations;
import io.scopeguard.demo.IncidentAScenario;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Incident A replayed against a running scopeguard: the dev Kustomization runs, the two prod ones
 * are suspended with their reasons, status, Events and metrics say so, and approving one with the
 * token shown resumes exactly that one.
 */
class IncidentAReplayTest {

  @RegisterExtension static final E2eCluster CLUSTER = new E2eCluster();

  private final IncidentAScenario scenario = new IncidentAScenario();

  @Test
  void theTwoProdKustomizationsAreHeldAndOneIsReleasedByApproval() {
    scenario.setUp(CLUSTER.scenario());
    scenario.awaitHeld(CLUSTER.scenario());

    GenericKubernetesResource dev = kustomization(CLUSTER.scenario(), appsFor(DEV_CLUSTER));
    GenericKubernetesResource unscoped = kustomization(CLUSTER.scenario(), appsFor(PROD_UNSCOPED));
    GenericKubernetesResource templated = kustomization(CLUSTER.scenario(), appsFor(PROD_TEMPLATED));
    assertThat(suspended(dev)).as("dev runs").isFalse();
    assertThat(annotation(dev, Annotations.SUSPENDED_REASON)).isNull();
    assertThat(annotation(unscoped, Annotations.SUSPENDED_REASON)).isEqualTo("ScopeReferenceMissing");
    assertThat(annotation(templated, Annotations.SUSPENDED_REASON)).isEqualTo("TargetUndeclared");
    assertThat(annotation(templated, Annotations.SUSPENDED_AT)).isNotBlank();
    String token = annotation(templated, Annotations.SUSPENDED_TOKEN);

    HeldReconciliation row = devScope().getStatus().getSuspended().stream()
        .filter(r -> r.getName().equals(appsFor(PROD_TEMPLATED))).findFirst().orElseThrow();
    assertThat(row.getReason()).isEqualTo("TargetUndeclared");
    assertThat(row.getAction()).isEqualTo("Suspended");
    assertThat(row.getMessage()).contains("Cluster onboarding/prod-us-1, which no ClusterScope declares");
    assertThat(row.getApprove()).isEqualTo("kubectl -n onboarding annotate kustomization apps-prod-us-1 scopeguard.io/approve="
        + token + " --overwrite");
    assertThat(devScope().getStatus().getInventory().getReconcilers()).as("dev's cluster has one reconciler").isEqualTo(1);

    assertThat(events(appsFor(PROD_UNSCOPED))).anySatisfy(e -> {
      assertThat(e.getType()).isEqualTo("Warning");
      assertThat(e.getReason()).isEqualTo("ScopeReferenceMissing");
      assertThat(e.getMessage()).contains("Suspended by scopeguard; to approve: kubectl -n onboarding annotate");
    });
    assertThat(CLUSTER.operator().metrics().scrape())
        .containsPattern("scopeguard_suspended\\{[^}]*name=\"apps-prod-eu-1\"[^}]*reason=\"ScopeReferenceMissing\"[^}]*} 1")
        .containsPattern("scopeguard_suspended\\{[^}]*name=\"apps-prod-us-1\"[^}]*reason=\"TargetUndeclared\"[^}]*scope=\"dev-eu-1\"[^}]*} 1")
        .doesNotContainPattern("scopeguard_suspended\\{[^}]*name=\"apps-dev-eu-1\"");

    scenario.approve(CLUSTER.scenario(), appsFor(PROD_TEMPLATED));
    scenario.awaitResumed(CLUSTER.scenario(), appsFor(PROD_TEMPLATED));

    assertThat(suspended(kustomization(CLUSTER.scenario(), appsFor(PROD_UNSCOPED)))).as("the other stays held").isTrue();
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(devScope().getStatus().getSuspended()).noneMatch(r -> r.getName().equals(appsFor(PROD_TEMPLATED)));
      assertThat(events(appsFor(PROD_TEMPLATED))).anyMatch(e -> e.getReason().equals("Approved"));
      assertThat(CLUSTER.operator().metrics().scrape()).doesNotContainPattern("scopeguard_suspended\\{[^}]*name=\"apps-prod-us-1\"");
    });
    assertThat(suspended(kustomization(CLUSTER.scenario(), appsFor(PROD_TEMPLATED))))
        .as("an approved spec is not judged again").isFalse();
  }

  private static ClusterScope devScope() {
    return CLUSTER.client().resources(ClusterScope.class).withName(DEV_CLUSTER).get();
  }

  private static List<Event> events(String name) {
    return CLUSTER.client().v1().events().inNamespace(NAMESPACE).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
  }
}
