package io.scopeguard.e2e;

import static io.scopeguard.demo.IncidentAScenario.DEV;
import static io.scopeguard.demo.IncidentAScenario.NAMESPACE;
import static io.scopeguard.demo.IncidentAScenario.PROD_1;
import static io.scopeguard.demo.IncidentAScenario.PROD_2;
import static io.scopeguard.demo.IncidentAScenario.appsFor;
import static io.scopeguard.demo.IncidentBScenario.FLUX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.scopeguard.demo.FleetRepository;
import io.scopeguard.demo.IncidentAScenario;
import io.scopeguard.demo.IncidentBScenario;
import io.scopeguard.e2e.PrometheusServer.Alert;
import io.scopeguard.runtime.OperatorSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The chart's alerts ({@code helm/scopeguard/files/alerts.yaml}, as shipped) evaluated by a real
 * Prometheus that scrapes the running operator while the incidents are replayed: what an on-call
 * person would be paged with, with which labels, and that approval clears it. Takes about 80 s:
 * incident B waits out ScopeguardReconciliationSuspended's {@code for: 1m} to see it firing;
 * incident A's {@code for:} alerts are only seen pending.
 */
class PrometheusAlertsE2eTest {

  @RegisterExtension
  @Order(1)
  static final E2eCluster CLUSTER =
      new E2eCluster(settings -> settings.withWebhook(OperatorSettings.Webhook.onLoopback()));

  @RegisterExtension
  @Order(2)
  static final PrometheusServer PROMETHEUS =
      new PrometheusServer(
          AlertRulesTest.CHART.resolve("files/alerts.yaml"), () -> CLUSTER.operator().httpPort());

  private static final Duration SCRAPE_AND_EVALUATE = Duration.ofSeconds(20);

  private final IncidentBScenario incidentB = new IncidentBScenario();

  @AfterEach
  void stopStandIns() {
    incidentB.close();
  }

  @Test
  void aPreventedMassDeletionPagesWithTheResourceAndClearsOnceTheRevisionIsApproved() {
    incidentB.setUp(CLUSTER.scenario());
    incidentB.publishBenign(CLUSTER.scenario());
    incidentB.repointAtEmptyRepository(CLUSTER.scenario());

    Map<String, String> fluxSystem =
        Map.of(
            "scope",
            FleetRepository.SCOPE,
            "environment",
            "production",
            "namespace",
            FLUX,
            "kind",
            "Kustomization",
            "name",
            FLUX);
    await("the mass-deletion alerts")
        .atMost(SCRAPE_AND_EVALUATE)
        .untilAsserted(
            () -> {
              List<Alert> alerts = PROMETHEUS.alerts();
              assertThat(find(alerts, "ScopeguardMassDeletionPrevented", fluxSystem))
                  .as("%s", alerts)
                  .hasValueSatisfying(
                      alert -> {
                        assertThat(alert.state()).isEqualTo("firing");
                        assertThat(alert.labels())
                            .containsExactlyInAnyOrderEntriesOf(
                                with(
                                    fluxSystem,
                                    "alertname",
                                    "ScopeguardMassDeletionPrevented",
                                    "severity",
                                    "critical"));
                        assertThat(alert.annotations().get("summary"))
                            .isEqualTo(
                                "scopeguard stopped Kustomization flux-system/flux-system from deleting most of the cluster");
                      });
              assertThat(find(alerts, "ScopeguardReconciliationSuspended", fluxSystem))
                  .as("%s", alerts)
                  .hasValueSatisfying(
                      alert -> {
                        assertThat(alert.state()).isIn("pending", "firing");
                        assertThat(alert.labels())
                            .containsExactlyInAnyOrderEntriesOf(
                                with(
                                    fluxSystem,
                                    "alertname",
                                    "ScopeguardReconciliationSuspended",
                                    "severity",
                                    "critical",
                                    "reason",
                                    "MassDeletion"));
                      });
              assertThat(
                      find(
                          alerts, "ScopeguardWebhookDenying", Map.of("webhook", "source-revision")))
                  .as("%s", alerts)
                  .hasValueSatisfying(
                      alert -> {
                        assertThat(alert.state()).isEqualTo("firing");
                        assertThat(alert.labels())
                            .containsExactlyInAnyOrderEntriesOf(
                                Map.of(
                                    "alertname",
                                    "ScopeguardWebhookDenying",
                                    "severity",
                                    "warning",
                                    "webhook",
                                    "source-revision",
                                    "reason",
                                    "MassDeletion"));
                      });
              assertThat(alerts)
                  .as("every refusal of the revision names why")
                  .noneMatch(alert -> "Other".equals(alert.labels().get("reason")));
            });
    assertThat(PROMETHEUS.alerts())
        .as("refusals were decisions, not failures; scopeguard is up and reconciling")
        .extracting(Alert::name)
        .doesNotContain("ScopeguardWebhookFailing", "ScopeguardDown", "ScopeguardNotReconciling");

    await("the held reconciliation to page after its minute")
        .atMost(Duration.ofSeconds(75))
        .untilAsserted(
            () ->
                assertThat(
                        find(PROMETHEUS.alerts(), "ScopeguardReconciliationSuspended", fluxSystem))
                    .map(Alert::state)
                    .contains("firing"));

    incidentB.approveEmptyRevision(CLUSTER.scenario());

    await("the alerts to clear")
        .atMost(SCRAPE_AND_EVALUATE)
        .untilAsserted(
            () -> {
              List<Alert> alerts = PROMETHEUS.alerts();
              assertThat(find(alerts, "ScopeguardMassDeletionPrevented", fluxSystem))
                  .as("%s", alerts)
                  .isEmpty();
              assertThat(find(alerts, "ScopeguardReconciliationSuspended", fluxSystem))
                  .as("%s", alerts)
                  .isEmpty();
            });
  }

  /**
   * The alert is pending for the resource, with exactly its labels plus name, severity and reason.
   */
  private static void assertPending(
      List<Alert> alerts,
      String name,
      String severity,
      Map<String, String> resource,
      String reason) {
    assertThat(find(alerts, name, resource))
        .as("%s", alerts)
        .hasValueSatisfying(
            alert -> {
              assertThat(alert.state()).isEqualTo("pending");
              assertThat(alert.labels())
                  .containsExactlyInAnyOrderEntriesOf(
                      with(resource, "alertname", name, "severity", severity, "reason", reason));
            });
  }

  @Test
  void heldOnboardingKustomizationsGoPendingAndTheApprovedOneClears() {
    try (IncidentAScenario incidentA = new IncidentAScenario()) {
      incidentA.setUp(CLUSTER.scenario());
      incidentA.onboard(CLUSTER.scenario());
      incidentA.awaitHeld(CLUSTER.scenario());

      Map<String, String> prod1 =
          Map.of(
              "scope",
              PROD_1,
              "environment",
              "production",
              "namespace",
              NAMESPACE,
              "kind",
              "Kustomization",
              "name",
              appsFor(PROD_1));
      Map<String, String> prod2 =
          Map.of(
              "scope",
              PROD_2,
              "environment",
              "production",
              "namespace",
              NAMESPACE,
              "kind",
              "Kustomization",
              "name",
              appsFor(PROD_2));
      await("the scope alerts to be pending")
          .atMost(SCRAPE_AND_EVALUATE)
          .untilAsserted(
              () -> {
                List<Alert> alerts = PROMETHEUS.alerts();
                for (Map<String, String> held : List.of(prod1, prod2)) {
                  assertPending(
                      alerts,
                      "ScopeguardReconciliationSuspended",
                      "critical",
                      held,
                      "ScopeReferenceMissing");
                  assertPending(
                      alerts,
                      "ScopeguardScopeReferenceMissing",
                      "warning",
                      held,
                      "ScopeReferenceMissing");
                }
                assertThat(alerts)
                    .as("the dev Kustomization runs")
                    .noneMatch(alert -> appsFor(DEV).equals(alert.labels().get("name")));
              });

      incidentA.approve(CLUSTER.scenario(), appsFor(PROD_2));
      incidentA.awaitResumed(CLUSTER.scenario(), appsFor(PROD_2));

      await("the approved one's alerts to clear")
          .atMost(SCRAPE_AND_EVALUATE)
          .untilAsserted(
              () -> {
                List<Alert> alerts = PROMETHEUS.alerts();
                assertThat(find(alerts, "ScopeguardReconciliationSuspended", prod2))
                    .as("%s", alerts)
                    .isEmpty();
                assertThat(find(alerts, "ScopeguardReconciliationSuspended", prod1))
                    .as("the other stays held: %s", alerts)
                    .isPresent();
              });
    }
  }

  /** The alert named {@code name} whose labels include {@code labels}. */
  private static Optional<Alert> find(List<Alert> alerts, String name, Map<String, String> labels) {
    List<Alert> matching =
        alerts.stream()
            .filter(
                alert ->
                    alert.name().equals(name)
                        && alert.labels().entrySet().containsAll(labels.entrySet()))
            .toList();
    assertThat(matching).as("at most one %s for %s", name, labels).hasSizeLessThanOrEqualTo(1);
    return matching.stream().findFirst();
  }

  private static Map<String, String> with(Map<String, String> labels, String... more) {
    Map<String, String> all = new HashMap<>(labels);
    for (int i = 0; i < more.length; i += 2) {
      all.put(more[i], more[i + 1]);
    }
    return all;
  }
}
