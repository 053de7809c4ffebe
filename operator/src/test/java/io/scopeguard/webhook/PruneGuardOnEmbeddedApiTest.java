package io.scopeguard.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.scopeguard.EmbeddedOperator;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.testkit.Identities;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The delete guard judges a DELETE by who sends it as the owning Kustomization would: a prune by an
 * identity its reconciler may act as, while that Kustomization is not known, is refused until it is
 * (Flux retries); a person's delete, or another namespace's service account's, is not a prune of
 * that Kustomization and passes. The embedded API calls the webhook as the API server would.
 */
class PruneGuardOnEmbeddedApiTest {

  @RegisterExtension
  static final EmbeddedOperator SCOPEGUARD =
      new EmbeddedOperator(
          OperatorSettings.embedded().withWebhook(OperatorSettings.Webhook.onLoopback()));

  private static KubernetesClient client() {
    return SCOPEGUARD.client();
  }

  @BeforeAll
  static void orphans() {
    client()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName("orphans").endMetadata().build())
        .create();
    for (String name : new String[] {"by-controller", "by-tenant", "by-person", "by-stranger"}) {
      client()
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withNamespace("orphans")
                  .withName(name)
                  .withLabels(
                      Map.of(
                          "kustomize.toolkit.fluxcd.io/name",
                          "ghost",
                          "kustomize.toolkit.fluxcd.io/namespace",
                          "orphans"))
                  .endMetadata()
                  .build())
          .create();
    }
  }

  @Test
  void aPruneForAKustomizationScopeguardDoesNotKnowWaitsUntilItDoes() {
    assertThatThrownBy(
            () ->
                SCOPEGUARD
                    .api()
                    .clientAs(Identities.KUSTOMIZE_CONTROLLER)
                    .configMaps()
                    .inNamespace("orphans")
                    .withName("by-controller")
                    .delete())
        .hasMessageContaining(
            "scopeguard: Kustomization orphans/ghost, which manages ConfigMap orphans/by-controller, is not"
                + " known to scopeguard yet; its prunes wait until it is (Flux retries)");
    assertThatThrownBy(
            () ->
                SCOPEGUARD
                    .api()
                    .clientAs("system:serviceaccount:orphans:reconciler")
                    .configMaps()
                    .inNamespace("orphans")
                    .withName("by-tenant")
                    .delete())
        .as("a service account of its namespace, which Flux may be impersonating for it")
        .hasMessageContaining("not known");

    assertThat(client().configMaps().inNamespace("orphans").withName("by-controller").get())
        .isNotNull();
    assertThat(client().configMaps().inNamespace("orphans").withName("by-tenant").get())
        .isNotNull();
  }

  @Test
  void aPersonsDeleteOrAnotherNamespacesIsNotAPrune() {
    client().configMaps().inNamespace("orphans").withName("by-person").delete();
    SCOPEGUARD
        .api()
        .clientAs("system:serviceaccount:elsewhere:deployer")
        .configMaps()
        .inNamespace("orphans")
        .withName("by-stranger")
        .delete();

    assertThat(client().configMaps().inNamespace("orphans").withName("by-person").get()).isNull();
    assertThat(client().configMaps().inNamespace("orphans").withName("by-stranger").get()).isNull();
  }
}
