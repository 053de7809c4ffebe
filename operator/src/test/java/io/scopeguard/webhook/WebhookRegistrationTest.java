package io.scopeguard.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.scopeguard.flux.FluxKinds;
import io.scopeguard.kinds.GuardedKind;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookRegistrationTest {

  static final List<String> GROUPS =
      List.of("kustomize.toolkit.fluxcd.io", "source.toolkit.fluxcd.io");
  static final List<GuardedKind> KINDS =
      List.of(FluxKinds.KUSTOMIZATION, FluxKinds.GIT_REPOSITORY, FluxKinds.BUCKET);
  static final String SELF = "system:serviceaccount:scopeguard-system:scopeguard";

  private static WebhookRegistration registration(String service, String url, String certManager) {
    return new WebhookRegistration(
        "scopeguard", "scopeguard-system", 10, service, url, KINDS, SELF, "Fail", certManager);
  }

  @Test
  void inClusterItIsNarrowAndPointsAtTheService() {
    var configuration = registration("scopeguard-system/scopeguard-webhook:443", null, null);
    ValidatingWebhook webhook = configuration.configuration("PEM").getWebhooks().get(0);
    ValidatingWebhook resume = configuration.configuration("PEM").getWebhooks().get(1);
    assertThat(resume.getName()).isEqualTo("resume-guard.scopeguard.io");
    assertThat(resume.getRules().get(0).getOperations()).containsExactly("UPDATE");
    assertThat(resume.getRules().get(0).getApiGroups()).containsExactlyElementsOf(GROUPS);
    assertThat(resume.getMatchConditions().get(1).getExpression())
        .isEqualTo("request.userInfo.username != '" + SELF + "'");
    assertThat(resume.getMatchConditions().get(0).getExpression())
        .isEqualTo(
            "has(oldObject.metadata.annotations) && 'scopeguard.io/suspended-reason' in oldObject.metadata.annotations");
    assertThat(resume.getClientConfig().getService().getPath()).isEqualTo("/validate/resume");
    var approvals = configuration.mutatingConfiguration("PEM").getWebhooks().get(0);
    assertThat(approvals.getRules().get(0).getOperations()).containsExactly("CREATE", "UPDATE");
    assertThat(approvals.getClientConfig().getService().getPath()).isEqualTo("/mutate/approval");

    assertThat(webhook.getFailurePolicy()).isEqualTo("Fail");
    assertThat(webhook.getTimeoutSeconds()).isEqualTo(10);
    assertThat(webhook.getRules())
        .singleElement()
        .satisfies(rule -> assertThat(rule.getOperations()).containsExactly("DELETE"));
    assertThat(webhook.getObjectSelector().getMatchExpressions())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getKey()).isEqualTo("kustomize.toolkit.fluxcd.io/name");
              assertThat(e.getOperator()).isEqualTo("Exists");
            });
    assertThat(webhook.getNamespaceSelector().getMatchExpressions().get(0).getValues())
        .containsExactly("kube-system", "scopeguard-system");
    assertThat(webhook.getMatchConditions())
        .as(
            "every DELETE of a Flux-managed object, whoever sends it: Flux prunes as"
                + " the tenant's service account under multi-tenancy")
        .isNullOrEmpty();
    assertThat(webhook.getClientConfig().getService().getName()).isEqualTo("scopeguard-webhook");
    assertThat(webhook.getClientConfig().getService().getPath()).isEqualTo("/validate/prune");
    assertThat(
            new String(
                Base64.getDecoder().decode(webhook.getClientConfig().getCaBundle()),
                StandardCharsets.UTF_8))
        .isEqualTo("PEM");
  }

  @Test
  void withCertManagerTheCaIsInjected() {
    var registration =
        registration("scopeguard-system/scopeguard-webhook:443", null, "scopeguard-webhook-tls");

    assertThat(registration.configuration("PEM").getMetadata().getAnnotations())
        .containsEntry(
            "cert-manager.io/inject-ca-from", "scopeguard-system/scopeguard-webhook-tls");
    assertThat(registration.mutatingConfiguration("PEM").getMetadata().getAnnotations())
        .containsEntry(
            "cert-manager.io/inject-ca-from", "scopeguard-system/scopeguard-webhook-tls");
    assertThat(
            registration("scopeguard-system/scopeguard-webhook:443", null, null)
                .configuration("PEM")
                .getMetadata()
                .getAnnotations())
        .isNullOrEmpty();
  }

  @Test
  void outOfClusterItPointsAtAUrl() {
    WebhookRegistration registration =
        registration(null, "https://10.0.0.5:9443/validate/prune", null);
    ValidatingWebhook webhook = registration.configuration("PEM").getWebhooks().get(0);

    assertThat(webhook.getClientConfig().getService()).isNull();
    assertThat(webhook.getClientConfig().getUrl())
        .isEqualTo("https://10.0.0.5:9443/validate/prune");
    assertThat(
            registration
                .mutatingConfiguration("PEM")
                .getWebhooks()
                .get(1)
                .getClientConfig()
                .getUrl())
        .isEqualTo("https://10.0.0.5:9443/mutate/scope");
  }

  @Test
  void theScopeGateSeesOnlyTheGuardedKindsMainResourceAndNeverScopeguardsOwnWrites() {
    var scope =
        registration("scopeguard-system/scopeguard-webhook:443", null, null)
            .mutatingConfiguration("PEM")
            .getWebhooks()
            .get(1);

    assertThat(scope.getName()).isEqualTo("scope-guard.scopeguard.io");
    assertThat(scope.getFailurePolicy()).isEqualTo("Fail");
    assertThat(scope.getRules())
        .hasSize(2)
        .allSatisfy(
            rule -> {
              assertThat(rule.getOperations()).containsExactly("CREATE", "UPDATE");
              assertThat(rule.getResources()).noneMatch(r -> r.contains("/") || r.equals("*"));
            });
    assertThat(scope.getRules().get(0).getApiGroups())
        .containsExactly("kustomize.toolkit.fluxcd.io");
    assertThat(scope.getRules().get(0).getResources()).containsExactly("kustomizations");
    assertThat(scope.getRules().get(1).getResources())
        .containsExactly("buckets", "gitrepositories");
    assertThat(scope.getMatchConditions())
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.getExpression())
                    .isEqualTo("request.userInfo.username != '" + SELF + "'"));
    assertThat(scope.getNamespaceSelector().getMatchExpressions().get(0).getValues())
        .containsExactly("kube-system", "scopeguard-system");
  }

  @Test
  void
      theRevisionGateSeesOnlyStatusWritesOfTheSourcesKustomizationsApplyThatPublishARevisionOrClaimARefusedOne() {
    var gate =
        registration("scopeguard-system/scopeguard-webhook:443", null, null)
            .configuration("PEM")
            .getWebhooks()
            .stream()
            .filter(w -> w.getName().equals(WebhookRegistration.REVISION_WEBHOOK))
            .findFirst()
            .orElseThrow();

    assertThat(gate.getFailurePolicy())
        .as("fail closed: no revision is published unjudged")
        .isEqualTo("Fail");
    assertThat(gate.getSideEffects())
        .as("it records a refusal, never on a dry run")
        .isEqualTo("NoneOnDryRun");
    assertThat(gate.getRules())
        .singleElement()
        .satisfies(
            rule -> {
              assertThat(rule.getOperations()).containsExactly("UPDATE");
              assertThat(rule.getApiGroups()).containsExactly("source.toolkit.fluxcd.io");
              assertThat(rule.getResources())
                  .containsExactly(
                      "buckets/status", "gitrepositories/status", "ocirepositories/status");
            });
    assertThat(gate.getMatchConditions())
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.getExpression())
                    .contains(
                        "object.status.artifact.revision != oldObject.status.artifact.revision")
                    .contains("'scopeguard.io/refused-revision' in object.metadata.annotations"));
    assertThat(gate.getClientConfig().getService().getPath())
        .isEqualTo(SourceRevisionAdmission.PATH);
  }
}
