package io.scopeguard.e2e;

import static io.scopeguard.demo.IncidentAScenario.DEV_CLUSTER;
import static io.scopeguard.demo.IncidentAScenario.NAMESPACE;
import static io.scopeguard.demo.IncidentAScenario.PROD_TEMPLATED;
import static io.scopeguard.demo.IncidentAScenario.PROD_UNSCOPED;
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
  static final E2eCluster CLUSTER = new E2eCluster(settings -> settings.withWebhook(OperatorSettings.Webhook.onLoopback()));

  @RegisterExtension
  @Order(2)
  static final PrometheusServer PROMETHEUS = new PrometheusServer(AlertRulesTest.CHART.resolve("files/alerts.yaml"),
      () -> CLUSTER.operator().httpPort());

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

    Map<String, String> fluxSystem = Map.of("scope", FleetRepository.SCOPE, "environment", "production",
        "namespace", FLUX, "kind", "Kustomization", "name", FLUX);
    await("the mass-deletion alerts").atMost(SCRAPE_AND_EVALUATE).untilAsserted(() -> {
      List<Alert> alerts = PROMETHEUS.alerts();
      assertThat(find(alerts, "ScopeguardMassDeletionPrevented", fluxSystem)).as("%s", alerts).hasValueSatisfying(alert -> {
        assertThat(alert.state()).isEqualTo("firing");
        assertThat(alert.labels()).containsExactlyInAnyOrderEntriesOf(with(fluxSystem,
            "alertname", "ScopeguardMassDeletionPrevented", "severity", "critical"));
        assertThat(alert.annotations().get("summary"))
            .isEqualTo("scopeguard stopped Kustomization flux-system/flux-system from deleting most of the cluster");
      });
      assertThat(find(alerts, "ScopeguardReconciliationSuspended", fluxSystem)).as("%s", alerts).hasValueSatisfying(alert -> {
        assertThat(alert.state()).isIn("pending", "firing");
        assertThat(alert.labels()).containsExactlyInAnyOrderEntriesOf(with(fluxSystem,
            "alertname", "ScopeguardReconciliationSuspended", "severity", "critical", "reason", "MassDeletion"));
      });
      assertThat(find(alerts, "ScopeguardWebhookDenying", Map.of("webhook", "prune"))).as("%s", alerts)
          .hasValueSatisfying(alert -> {
            assertThat(alert.state()).isEqualTo("firing");
            assertThat(alert.labels()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "alertname", "ScopeguardWebhookDenying", "severity", "warning", "webhook", "prune", "reason", "MassDeletion"));
          });
    });
    assertThat(PROMETHEUS.alerts()).as("refusals were decisions, not failures; scopeguard is up and reconciling")
        .extracting(Alert::name).doesNotContain("ScopeguardWebhookFailing", "ScopeguardDown", "ScopeguardNotReconciling");

    await("the held reconciliation to page after its minute").atMost(Duration.ofSeconds(75)).untilAsserted(() ->
        assertThat(find(PROMETHEUS.alerts(), "ScopeguardReconciliationSuspended", fluxSystem)).map(Alert::state)
            .contains("firing"));

    incidentB.approveEmptyRevision(CLUSTER.scenario());

    await("the alerts to clear").atMost(SCRAPE_AND_EVALUATE).untilAsserted(() -> {
      List<Alert> alerts = PROMETHEUS.alerts();
      assertThat(find(alerts, "ScopeguardMassDeletionPrevented", fluxSystem)).as("%s", alerts).isEmpty();
      assertThat(find(alerts, "ScopeguardReconciliationSuspended", fluxSystem)).as("%s", alerts).isEmpty();
    });
  }

  /** The alert is pending for the resource, with exactly its labels plus name, severity and reason. */
  private static void assertPending(List<Alert> alerts, String name, String severity, Map<String, String> resource,
      String reason) {
    assertThat(find(alerts, name, resource)).as("%s", alerts).hasValueSatisfying(alert -> {
      assertThat(alert.state()).isEqualTo("pending");
      assertThat(alert.labels()).containsExactlyInAnyOrderEntriesOf(with(resource,
          "alertname", name, "severity", severity, "reason", reason));
    });
  }

  @Test
  void heldOnboardingKustomizationsGoPendingAndTheApprovedOneClears() {
    IncidentAScenario incidentA = new IncidentAScenario();
    incidentA.setUp(CLUSTER.scenario());
    incidentA.awaitHeld(CLUSTER.scenario());

    Map<String, String> unscoped = Map.of("namespace", NAMESPACE, "kind", "Kustomization", "name", appsFor(PROD_UNSCOPED));
    Map<String, String> templated = Map.of("scope", DEV_CLUSTER, "environment", "development", "namespace", NAMESPACE,
        "kind", "Kustomization", "name", appsFor(PROD_TEMPLATED));
    await("the scope alerts to be pending").atMost(SCRAPE_AND_EVALUATE).untilAsserted(() -> {
      List<Alert> alerts = PROMETHEUS.alerts();
      assertPending(alerts, "ScopeguardReconciliationSuspended", "critical", unscoped, "ScopeReferenceMissing");
      assertPending(alerts, "ScopeguardScopeReferenceMissing", "warning", unscoped, "ScopeReferenceMissing");
      assertPending(alerts, "ScopeguardReconciliationSuspended", "critical", templated, "TargetUndeclared");
      assertPending(alerts, "ScopeguardScopeReferenceMissing", "warning", templated, "TargetUndeclared");
      assertThat(alerts).as("the dev Kustomization runs").noneMatch(alert -> appsFor(DEV_CLUSTER).equals(alert.labels().get("name")));
    });

    incidentA.approve(CLUSTER.scenario(), appsFor(PROD_TEMPLATED));
    incidentA.awaitResumed(CLUSTER.scenario(), appsFor(PROD_TEMPLATED));

    await("the approved one's alerts to clear").atMost(SCRAPE_AND_EVALUATE).untilAsserted(() -> {
      List<Alert> alerts = PROMETHEUS.alerts();
      assertThat(find(alerts, "ScopeguardReconciliationSuspended", templated)).as("%s", alerts).isEmpty();
      assertThat(find(alerts, "ScopeguardReconciliationSuspended", unscoped)).as("the other stays held: %s", alerts).isPresent();
    });
  }

  /** The alert named {@code name} whose labels include {@code labels}. */
  private static Optional<Alert> find(List<Alert> alerts, String name, Map<String, String> labels) {
    List<Alert> matching = alerts.stream()
        .filter(alert -> alert.name().equals(name) && alert.labels().entrySet().containsAll(labels.entrySet()))
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
