package io.scopeguard.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.scopeguard.flux.FluxKinds;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The resume guard and approver identity over real HTTPS, with reviews shaped like the API
 * server's.
 */
class ResumeAndApprovalHttpsTest {

  static HttpsAdmission admission;

  @BeforeAll
  static void start() throws Exception {
    admission =
        new HttpsAdmission(
            Map.of(
                ResumeAdmission.PATH, new ResumeAdmission(FluxKinds.ALL),
                ApprovalAdmission.PATH,
                    new ApprovalAdmission(
                        Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC))));
  }

  @AfterAll
  static void stop() {
    admission.close();
  }

  static String kustomization(boolean suspend, String annotations) {
    return """
        {"apiVersion":"kustomize.toolkit.fluxcd.io/v1","kind":"Kustomization",
         "metadata":{"name":"apps","namespace":"fleet","annotations":{%s}},
         "spec":{"prune":true,"suspend":%s}}"""
        .formatted(annotations, suspend);
  }

  static final String HELD =
      "\"scopeguard.io/suspended-reason\":\"TargetUndeclared\",\"scopeguard.io/suspended-token\":\"3-7f2a1c\"";

  static String review(String operation, String user, String oldObject, String object) {
    return """
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
          "uid":"b1b7c0de-0000-4000-8000-000000000001",
          "kind":{"group":"kustomize.toolkit.fluxcd.io","version":"v1","kind":"Kustomization"},
          "resource":{"group":"kustomize.toolkit.fluxcd.io","version":"v1","resource":"kustomizations"},
          "name":"apps","namespace":"fleet","operation":"%s",
          "userInfo":{"username":"%s","groups":["system:authenticated"]},
          "oldObject":%s,"object":%s,"dryRun":false}}
        """
        .formatted(operation, user, oldObject, object);
  }

  static JsonNode resume(String user, String oldObject, String object) throws Exception {
    return admission.response(ResumeAdmission.PATH, review("UPDATE", user, oldObject, object));
  }

  @Test
  void resumingAHeldResourceWithoutApprovalIsRefusedWithTheApproveCommand() throws Exception {
    JsonNode response =
        resume("alice@example.com", kustomization(true, HELD), kustomization(false, HELD));

    assertThat(response.at("/allowed").asBoolean()).isFalse();
    assertThat(response.at("/status/code").asInt()).isEqualTo(403);
    assertThat(response.at("/status/message").asText())
        .isEqualTo(
            "scopeguard holds Kustomization fleet/apps"
                + " (TargetUndeclared) and it cannot be resumed without an approval; to approve:"
                + " kubectl -n fleet annotate kustomization apps scopeguard.io/approve=3-7f2a1c --overwrite");
  }

  @Test
  void everyAnswerIsCountedAndTimedAndDenialsCarryTheirReason() throws Exception {
    double denied =
        admission
            .registry
            .counter(
                "scopeguard.admission.denials", "webhook", "resume", "reason", "TargetUndeclared")
            .count();
    resume("alice@example.com", kustomization(true, HELD), kustomization(false, HELD));

    assertThat(
            admission
                .registry
                .counter(
                    "scopeguard.admission.denials",
                    "webhook",
                    "resume",
                    "reason",
                    "TargetUndeclared")
                .count())
        .isEqualTo(denied + 1);
    assertThat(
            admission
                .registry
                .find("scopeguard.admission.requests")
                .tag("webhook", "resume")
                .tag("allowed", "false")
                .counter())
        .isNotNull();
    assertThat(
            admission
                .registry
                .find("scopeguard.admission")
                .tag("webhook", "resume")
                .timer()
                .count())
        .isPositive();
  }

  @Test
  void everyDenialSeriesIsExportedAtZeroBeforeTheFirstDenial() throws Exception {
    try (HttpsAdmission fresh =
        new HttpsAdmission(Map.of(ResumeAdmission.PATH, new ResumeAdmission(FluxKinds.ALL)))) {
      for (String reason : List.of("MassDeletion", "TargetUndeclared", "NotJudged", "Error")) {
        assertThat(
                fresh
                    .registry
                    .find("scopeguard.admission.denials")
                    .tag("webhook", "resume")
                    .tag("reason", reason)
                    .counter())
            .as("denials for %s", reason)
            .isNotNull()
            .satisfies(counter -> assertThat(counter.count()).isZero());
      }
    }
  }

  @Test
  void aParentReApplyingSuspendFalseIsRefusedToo() throws Exception {
    JsonNode response =
        resume(
            "system:serviceaccount:flux-system:kustomize-controller",
            kustomization(true, HELD),
            kustomization(false, HELD));

    assertThat(response.at("/allowed").asBoolean()).isFalse();
  }

  @Test
  void removingTheHoldWithoutApprovalIsRefused() throws Exception {
    JsonNode response =
        resume("alice@example.com", kustomization(true, HELD), kustomization(true, "\"a\":\"b\""));

    assertThat(response.at("/allowed").asBoolean()).isFalse();
    assertThat(response.at("/status/message").asText())
        .contains("its hold annotations cannot be changed without an approval");
  }

  @Test
  void resumingWithTheRightApprovalIsAllowed() throws Exception {
    String approved = HELD + ",\"scopeguard.io/approve\":\"3-7f2a1c\"";

    assertThat(
            resume(
                    "system:serviceaccount:scopeguard-system:scopeguard",
                    kustomization(true, approved),
                    kustomization(false, "\"scopeguard.io/approved-spec\":\"x\""))
                .at("/allowed")
                .asBoolean())
        .isTrue();
  }

  @Test
  void aStaleApprovalDoesNotCount() throws Exception {
    String stale = HELD + ",\"scopeguard.io/approve\":\"2-000000\"";

    assertThat(
            resume("alice@example.com", kustomization(true, stale), kustomization(false, stale))
                .at("/allowed")
                .asBoolean())
        .isFalse();
  }

  @Test
  void aPersonsOwnSuspensionIsLeftAlone() throws Exception {
    assertThat(
            resume(
                    "alice@example.com",
                    kustomization(true, "\"a\":\"b\""),
                    kustomization(false, "\"a\":\"b\""))
                .at("/allowed")
                .asBoolean())
        .isTrue();
  }

  @Test
  void otherChangesToAHeldResourcePass() throws Exception {
    assertThat(
            resume(
                    "alice@example.com",
                    kustomization(true, HELD),
                    kustomization(true, HELD + ",\"note\":\"x\""))
                .at("/allowed")
                .asBoolean())
        .isTrue();
  }

  static JsonNode approval(String user, String oldAnnotations, String newAnnotations)
      throws Exception {
    return admission.response(
        ApprovalAdmission.PATH,
        review(
            "UPDATE",
            user,
            kustomization(true, oldAnnotations),
            kustomization(true, newAnnotations)));
  }

  static JsonNode patch(JsonNode response) throws Exception {
    assertThat(response.at("/allowed").asBoolean()).isTrue();
    assertThat(response.at("/patchType").asText()).isEqualTo("JSONPatch");
    return Serialization.jsonMapper()
        .readTree(
            new String(
                Base64.getDecoder().decode(response.at("/patch").asText()),
                StandardCharsets.UTF_8));
  }

  @Test
  void anApprovalRecordsWhoAndWhen() throws Exception {
    JsonNode patch =
        patch(
            approval("alice@example.com", HELD, HELD + ",\"scopeguard.io/approve\":\"3-7f2a1c\""));

    assertThat(Serialization.asJson(patch))
        .isEqualTo(
            "[{\"op\":\"add\",\"path\":\"/metadata/annotations/scopeguard.io~1approved-by\","
                + "\"value\":\"alice@example.com\"},{\"op\":\"add\",\"path\":\"/metadata/annotations/scopeguard.io~1approved-at\","
                + "\"value\":\"2026-11-21T10:00:00Z\"}]");
  }

  @Test
  void aForgedApproverIsOverwrittenWithTheRealOne() throws Exception {
    JsonNode patch =
        patch(
            approval(
                "mallory@example.com",
                HELD,
                HELD
                    + ",\"scopeguard.io/approve\":\"3-7f2a1c\",\"scopeguard.io/approved-by\":\"alice@example.com\""));

    assertThat(patch.get(0).at("/op").asText()).isEqualTo("replace");
    assertThat(patch.get(0).at("/value").asText()).isEqualTo("mallory@example.com");
  }

  @Test
  void anApproverCannotBeRewrittenLaterOrRemoved() throws Exception {
    String recorded =
        HELD
            + ",\"scopeguard.io/approve\":\"3-7f2a1c\",\"scopeguard.io/approved-by\":\"alice@example.com\","
            + "\"scopeguard.io/approved-at\":\"2026-11-21T09:00:00Z\"";

    JsonNode rewritten =
        patch(approval("mallory@example.com", recorded, recorded.replace("alice@", "boss@")));
    assertThat(rewritten)
        .singleElement()
        .satisfies(
            op -> {
              assertThat(op.at("/op").asText()).isEqualTo("replace");
              assertThat(op.at("/value").asText()).isEqualTo("alice@example.com");
            });

    JsonNode removed =
        patch(
            approval(
                "mallory@example.com",
                recorded,
                HELD
                    + ",\"scopeguard.io/approve\":\"3-7f2a1c\",\"scopeguard.io/approved-at\":\"2026-11-21T09:00:00Z\""));
    assertThat(removed)
        .singleElement()
        .satisfies(op -> assertThat(op.at("/op").asText()).isEqualTo("add"));
  }

  @Test
  void nothingToRecordMeansNoPatch() throws Exception {
    JsonNode response = approval("alice@example.com", HELD, HELD + ",\"note\":\"x\"");

    assertThat(response.at("/allowed").asBoolean()).isTrue();
    assertThat(response.has("patch")).isFalse();
  }
}
