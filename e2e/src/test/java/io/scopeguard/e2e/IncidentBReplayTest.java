package io.scopeguard.e2e;

import static io.scopeguard.demo.IncidentBScenario.EMPTY_REVISION;
import static io.scopeguard.demo.IncidentBScenario.FLUX;
import static io.scopeguard.demo.IncidentBScenario.fleetObjects;
import static io.scopeguard.demo.IncidentBScenario.kustomization;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.api.HeldReconciliation;
import io.scopeguard.approval.Annotations;
import io.scopeguard.demo.IncidentBScenario;
import io.scopeguard.kinds.Json;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.testkit.FluxObjects;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Incident B replayed (the demo's {@code incident-b}), asserted: a benign revision passes
 * untouched; re-pointing flux-system at an empty repository over ~400 objects loses zero objects
 * (the revision gate refuses to publish the empty revision, so kustomize-controller never sees it),
 * flux-system is held with MassDeletion and the right counts; approving that revision publishes it
 * and lets the prune happen.
 */
class IncidentBReplayTest {

  @RegisterExtension
  static final E2eCluster CLUSTER =
      new E2eCluster(settings -> settings.withWebhook(OperatorSettings.Webhook.onLoopback()));

  private final IncidentBScenario scenario = new IncidentBScenario();

  @AfterEach
  void stopStandIns() {
    scenario.close();
  }

  @Test
  void anEmptyRepositoryPrunesNothingUntilItsRevisionIsApproved() {
    int fleet = scenario.setUp(CLUSTER.scenario());
    assertThat(fleet).as("the fleet").isGreaterThanOrEqualTo(398);

    int afterBenign = scenario.publishBenign(CLUSTER.scenario());
    assertThat(afterBenign).isEqualTo(fleet - 3);
    assertThat(FluxObjects.suspended(kustomization(CLUSTER.client(), FLUX)))
        .as("a benign revision passes untouched")
        .isFalse();
    List<String> kept = fleetObjects(CLUSTER.client());

    HeldReconciliation row = scenario.repointAtEmptyRepository(CLUSTER.scenario());

    assertThat(fleetObjects(CLUSTER.client()))
        .as("zero objects lost")
        .containsExactlyInAnyOrderElementsOf(kept);
    assertThat(scenario.kustomizeController().deletes())
        .as("only the benign revision's 3 deletes went through")
        .isEqualTo(3);
    assertThat(scenario.kustomizeController().refusedDeletes())
        .as(
            "the empty revision never reached kustomize-controller,"
                + " so it never tried a delete the prune guard had to refuse")
        .isZero();
    assertThat(scenario.sourceController().failures())
        .as("source-controller's status write was refused")
        .anyMatch(
            failure ->
                failure.contains("revision-gate.scopeguard.io")
                    && failure.contains(EMPTY_REVISION));
    assertThat(
            Json.text(
                scenario.sourceController().repository(FLUX, FLUX), "/status/artifact/revision"))
        .as("the GitRepository still serves the benign revision")
        .contains("main@sha1:" + "b".repeat(40));
    GenericKubernetesResource held = kustomization(CLUSTER.client(), FLUX);
    assertThat(FluxObjects.annotation(held, Annotations.SUSPENDED_REASON))
        .isEqualTo("MassDeletion");
    assertThat(FluxObjects.annotation(held, Annotations.SUSPENDED_TOKEN)).isEqualTo(EMPTY_REVISION);
    assertThat(row.getReason()).isEqualTo("MassDeletion");
    assertThat(row.getRevision()).isEqualTo(EMPTY_REVISION);
    assertThat(row.getMessage())
        .contains(
            "revision "
                + EMPTY_REVISION
                + " would delete "
                + kept.size()
                + " objects (cascade included): 8 of the 8 in its own inventory (100%)")
        .contains("over maxPercent 50% of the cluster's GitOps inventory");
    assertThat(row.getApprove())
        .isEqualTo(
            "kubectl -n flux-system annotate kustomization flux-system scopeguard.io/approve="
                + EMPTY_REVISION
                + " --overwrite");
    assertThat(CLUSTER.operator().metrics().scrape())
        .as("the prediction, as Prometheus sees it")
        .containsPattern(
            "scopeguard_predicted_deletions\\{[^}]*kind=\"Kustomization\",name=\"flux-system\","
                + "namespace=\"flux-system\"[^}]*\\} "
                + kept.size()
                + "\\.0");

    scenario.approveEmptyRevision(CLUSTER.scenario());

    assertThat(fleetObjects(CLUSTER.client())).as("the approved prune went through").isEmpty();
    assertThat(
            Json.text(
                scenario.sourceController().repository(FLUX, FLUX), "/status/artifact/revision"))
        .as("the approved revision was published")
        .contains(EMPTY_REVISION);
    assertThat(FluxObjects.suspended(kustomization(CLUSTER.client(), FLUX)))
        .as("the approved revision is not held again")
        .isFalse();
  }
}
