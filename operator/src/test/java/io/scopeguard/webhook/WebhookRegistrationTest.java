package io.scopeguard.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WebhookRegistrationTest {

  static final Set<String> FLUX = Set.of("system:serviceaccount:flux-system:kustomize-controller");
  static final java.util.List<String> GROUPS = java.util.List.of("kustomize.toolkit.fluxcd.io", "source.toolkit.fluxcd.io");

  @Test
  void inClusterItIsNarrowAndPointsAtTheService() {
    var configuration = new WebhookRegistration("scopeguard", "scopeguard-system", FLUX, 10,
        "scopeguard-system/scopeguard-webhook:443", null, GROUPS);
    ValidatingWebhook webhook = configuration.configuration("PEM").getWebhooks().get(0);
    ValidatingWebhook resume = configuration.configuration("PEM").getWebhooks().get(1);
    assertThat(resume.getName()).isEqualTo("resume-guard.scopeguard.io");
    assertThat(resume.getRules().get(0).getOperations()).containsExactly("UPDATE");
    assertThat(resume.getRules().get(0).getApiGroups()).containsExactlyElementsOf(GROUPS);
    assertThat(resume.getMatchConditions().get(0).getExpression())
        .isEqualTo("has(oldObject.metadata.annotations) && 'scopeguard.io/suspended-reason' in oldObject.metadata.annotations");
    assertThat(resume.getClientConfig().getService().getPath()).isEqualTo("/validate/resume");
    var approvals = configuration.mutatingConfiguration("PEM").getWebhooks().get(0);
    assertThat(approvals.getRules().get(0).getOperations()).containsExactly("CREATE", "UPDATE");
    assertThat(approvals.getClientConfig().getService().getPath()).isEqualTo("/mutate/approval");

    assertThat(webhook.getFailurePolicy()).isEqualTo("Fail");
    assertThat(webhook.getTimeoutSeconds()).isEqualTo(10);
    assertThat(webhook.getRules()).singleElement().satisfies(rule -> assertThat(rule.getOperations()).containsExactly("DELETE"));
    assertThat(webhook.getObjectSelector().getMatchExpressions()).singleElement().satisfies(e -> {
      assertThat(e.getKey()).isEqualTo("kustomize.toolkit.fluxcd.io/name");
      assertThat(e.getOperator()).isEqualTo("Exists");
    });
    assertThat(webhook.getNamespaceSelector().getMatchExpressions().get(0).getValues())
        .containsExactly("kube-system", "scopeguard-system");
    assertThat(webhook.getMatchConditions()).singleElement().satisfies(c ->
        assertThat(c.getExpression()).isEqualTo("request.userInfo.username in ['system:serviceaccount:flux-system:kustomize-controller']"));
    assertThat(webhook.getClientConfig().getService().getName()).isEqualTo("scopeguard-webhook");
    assertThat(webhook.getClientConfig().getService().getPath()).isEqualTo("/validate/prune");
    assertThat(new String(Base64.getDecoder().decode(webhook.getClientConfig().getCaBundle()), StandardCharsets.UTF_8))
        .isEqualTo("PEM");
  }

  @Test
  void withCertManagerTheCaIsInjected() {
    var registration = new WebhookRegistration("scopeguard", "scopeguard-system", FLUX, 10,
        "scopeguard-system/scopeguard-webhook:443", null, GROUPS, "scopeguard-webhook-tls");

    assertThat(registration.configuration("PEM").getMetadata().getAnnotations())
        .containsEntry("cert-manager.io/inject-ca-from", "scopeguard-system/scopeguard-webhook-tls");
    assertThat(registration.mutatingConfiguration("PEM").getMetadata().getAnnotations())
        .containsEntry("cert-manager.io/inject-ca-from", "scopeguard-system/scopeguard-webhook-tls");
    assertThat(new WebhookRegistration("scopeguard", "scopeguard-system", FLUX, 10, "scopeguard-system/scopeguard-webhook:443",
        null, GROUPS).configuration("PEM").getMetadata().getAnnotations()).isNullOrEmpty();
  }

  @Test
  void outOfClusterItPointsAtAUrl() {
    ValidatingWebhook webhook = new WebhookRegistration("scopeguard", "scopeguard-system", FLUX, 5, null,
        "https://10.0.0.5:9443/validate/prune", GROUPS).configuration("PEM").getWebhooks().get(0);

    assertThat(webhook.getClientConfig().getService()).isNull();
    assertThat(webhook.getClientConfig().getUrl()).isEqualTo("https://10.0.0.5:9443/validate/prune", GROUPS);
  }
}
