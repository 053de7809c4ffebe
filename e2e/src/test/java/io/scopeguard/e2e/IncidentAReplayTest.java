package io.scopeguard.e2e;

import static io.scopeguard.demo.IncidentAScenario.DEV;
import static io.scopeguard.demo.IncidentAScenario.NAMESPACE;
import static io.scopeguard.demo.IncidentAScenario.PROD_1;
import static io.scopeguard.demo.IncidentAScenario.PROD_2;
import static io.scopeguard.demo.IncidentAScenario.appsFor;
import static io.scopeguard.demo.IncidentAScenario.kustomization;
import static io.scopeguard.testkit.FluxObjects.annotation;
import static io.scopeguard.testkit.FluxObjects.suspended;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.scopeguard.api.HeldReconciliation;
import io.scopeguard.approval.Annotations;
import io.scopeguard.demo.IncidentAScenario;
import io.scopeguard.demo.StandInKustomizeController;
import io.scopeguard.runtime.OperatorSettings;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Incident A replayed against a running scopeguard, with its admission in front of every write as
 * an API server puts it: the onboarding component's Kustomizations for prod-1 and prod-2 are born
 * suspended, so the stand-in kustomize-controller, which reconciles the instant each creation event
 * arrives, never applies anything there; dev-7 is applied; status, Events and metrics say what is
 * held and why; approving one resumes exactly that one.
 */
class IncidentAReplayTest {

  @RegisterExtension
  static final E2eCluster CLUSTER =
      new E2eCluster(settings -> settings.withWebhook(OperatorSettings.Webhook.onLoopback()));

  private final IncidentAScenario scenario = new IncidentAScenario();

  @AfterEach
  void stopStandIns() {
    scenario.close();
  }

  @Test
  void nothingReachesTheProdClustersAndApprovingOneReleasesExactlyThatOne() {
    scenario.setUp(CLUSTER.scenario());
    scenario.onboard(CLUSTER.scenario());
    scenario.awaitHeld(CLUSTER.scenario());
    StandInKustomizeController flux = scenario.kustomizeController();

    for (String prod : List.of(PROD_1, PROD_2)) {
      assertThat(scenario.bornSuspended(appsFor(prod)))
          .as(prod + ": the first event any controller saw")
          .isTrue();
      assertThat(
              annotation(
                  kustomization(CLUSTER.scenario(), appsFor(prod)), Annotations.SUSPENDED_REASON))
          .isEqualTo("ScopeReferenceMissing");
      HeldReconciliation row = IncidentAScenario.row(CLUSTER.scenario(), prod);
      assertThat(row.getReason()).isEqualTo("ScopeReferenceMissing");
      assertThat(row.getAction()).isEqualTo("Suspended");
      assertThat(row.getMessage())
          .contains(
              "acts on Cluster onboarding/" + prod + " (declared by ClusterScope " + prod + ")");
      assertThat(row.getApprove())
          .isEqualTo(
              "kubectl -n onboarding annotate kustomization "
                  + appsFor(prod)
                  + " scopeguard.io/approve="
                  + annotation(
                      kustomization(CLUSTER.scenario(), appsFor(prod)), Annotations.SUSPENDED_TOKEN)
                  + " --overwrite");
    }
    assertThat(scenario.bornSuspended(appsFor(DEV))).isFalse();
    assertThat(flux.appliesTo(DEV)).as("dev-7 is applied").hasSize(3);
    assertThat(workloadObjects(DEV)).as("what dev-7's API server holds").isEqualTo(3);
    assertThat(flux.appliesTo(PROD_1)).as("zero applies reach prod-1").isEmpty();
    assertThat(flux.appliesTo(PROD_2)).as("zero applies reach prod-2").isEmpty();
    assertThat(workloadObjects(PROD_1) + workloadObjects(PROD_2)).isZero();
    await("the Event admission could not write")
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(events(appsFor(PROD_1)))
                    .anySatisfy(
                        e -> {
                          assertThat(e.getType()).isEqualTo("Warning");
                          assertThat(e.getReason()).isEqualTo("ScopeReferenceMissing");
                          assertThat(e.getMessage())
                              .contains("Stored suspended by scopeguard's admission webhook")
                              .contains(
                                  "to approve: kubectl -n onboarding annotate kustomization "
                                      + appsFor(PROD_1));
                        }));
    assertThat(CLUSTER.operator().metrics().scrape())
        .containsPattern(
            "scopeguard_suspended\\{[^}]*name=\"platform-apps-prod-1\"[^}]*reason=\"ScopeReferenceMissing\""
                + "[^}]*scope=\"prod-1\"[^}]*} 1")
        .doesNotContainPattern("scopeguard_suspended\\{[^}]*name=\"platform-apps-dev-7\"");

    scenario.approve(CLUSTER.scenario(), appsFor(PROD_2));
    scenario.awaitResumed(CLUSTER.scenario(), appsFor(PROD_2));

    await("the approved one is applied")
        .atMost(Duration.ofSeconds(20))
        .until(() -> flux.appliesTo(PROD_2).size() == 3);
    assertThat(workloadObjects(PROD_2)).isEqualTo(3);
    assertThat(suspended(kustomization(CLUSTER.scenario(), appsFor(PROD_1))))
        .as("the other stays held")
        .isTrue();
    assertThat(flux.appliesTo(PROD_1)).isEmpty();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(events(appsFor(PROD_2)))
                  .anyMatch(
                      e ->
                          e.getReason().equals("Approved")
                              && e.getMessage().startsWith("Approved by kubernetes-admin"));
              assertThat(CLUSTER.operator().metrics().scrape())
                  .doesNotContainPattern(
                      "scopeguard_suspended\\{[^}]*name=\"platform-apps-prod-2\"");
            });
  }

  /** The scenario's objects in a workload cluster's own API server. */
  private int workloadObjects(String cluster) {
    KubernetesClient workload = scenario.clusters().get(cluster).client();
    return (workload.namespaces().withName("platform").get() == null ? 0 : 1)
        + workload
            .configMaps()
            .inNamespace("platform")
            .withLabel("kustomize.toolkit.fluxcd.io/name")
            .list()
            .getItems()
            .size()
        + workload.apps().deployments().inNamespace("platform").list().getItems().size();
  }

  private static List<Event> events(String name) {
    return CLUSTER.client().v1().events().inNamespace(NAMESPACE).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .toList();
  }
}
