package io.scopeguard.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.scopeguard.testkit.EmbeddedKubernetes;
import io.scopeguard.testkit.Identities;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The webhook configurations come back when they go: deleted by someone, or taken by the garbage
 * collector with a re-created owner ClusterRole (the embedded API runs no garbage collector, so the
 * test deletes them as it would), scopeguard registers them again, owned by the current owner.
 */
class WebhookReRegistrationTest {

  @Test
  void deletedConfigurationsAreRegisteredAgainOwnedByTheCurrentClusterRole() {
    try (EmbeddedKubernetes api = EmbeddedKubernetes.start()) {
      KubernetesClient client = api.clientAs(Identities.SCOPEGUARD);
      ClusterRole first = client.resource(role()).create();
      try (ScopeguardOperator scopeguard =
          ScopeguardOperator.start(
              client,
              OperatorSettings.embedded()
                  .withWebhook(
                      OperatorSettings.Webhook.onLoopback()
                          .withCertificates(Duration.ofDays(90), Duration.ofMillis(200))
                          .ownedBy("scopeguard")),
              Clock.systemUTC())) {
        assertThat(configuration(client).getMetadata().getOwnerReferences())
            .singleElement()
            .satisfies(owner -> assertThat(owner.getUid()).isEqualTo(first.getMetadata().getUid()));

        client.resource(first).delete();
        ClusterRole second = client.resource(role()).create();
        client
            .admissionRegistration()
            .v1()
            .validatingWebhookConfigurations()
            .withName("scopeguard")
            .delete();
        client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName("scopeguard")
            .delete();

        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () -> {
                  assertThat(configuration(client)).isNotNull();
                  assertThat(configuration(client).getMetadata().getOwnerReferences())
                      .singleElement()
                      .satisfies(
                          owner ->
                              assertThat(owner.getUid()).isEqualTo(second.getMetadata().getUid()));
                  assertThat(
                          client
                              .admissionRegistration()
                              .v1()
                              .mutatingWebhookConfigurations()
                              .withName("scopeguard")
                              .get())
                      .isNotNull();
                });
      }
    }
  }

  private static ClusterRole role() {
    return new ClusterRoleBuilder().withNewMetadata().withName("scopeguard").endMetadata().build();
  }

  private static ValidatingWebhookConfiguration configuration(KubernetesClient client) {
    return client
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .withName("scopeguard")
        .get();
  }
}
