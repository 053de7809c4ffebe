package io.scopeguard.flux;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The informer caches keep an inventory as its ids: read the same as the parsed entries, in order.
 */
class InventoryIdsTest {

  private static GenericKubernetesResource kustomization(String statusJson) {
    GenericKubernetesResource k =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("kustomize.toolkit.fluxcd.io/v1")
            .withKind("Kustomization")
            .withNewMetadata()
            .withNamespace("apps")
            .withName("web")
            .endMetadata()
            .build();
    if (statusJson != null) {
      k.getAdditionalProperties()
          .put("status", Serialization.unmarshal(statusJson, LinkedHashMap.class));
    }
    return k;
  }

  @Test
  void aCompactedInventoryReadsAsTheEntriesDid() {
    GenericKubernetesResource k =
        kustomization(
            "{\"inventory\":{\"entries\":[{\"id\":\"apps_web__Service\",\"v\":\"v1\"},"
                + "{\"id\":\"apps_web_apps_Deployment\",\"v\":\"v1\"},{\"v\":\"v1\"},{\"id\":\"\",\"v\":\"v1\"}]},\"lastAppliedRevision\":\"r1\"}");
    List<String> parsed = FluxStatus.inventory(k);

    InventoryIds.compact(k);

    assertThat(FluxStatus.inventory(k))
        .isEqualTo(parsed)
        .containsExactly("apps_web__Service", "apps_web_apps_Deployment");
    @SuppressWarnings("unchecked")
    Map<String, Object> status = (Map<String, Object>) k.getAdditionalProperties().get("status");
    assertThat(status).containsEntry("lastAppliedRevision", "r1");
    assertThat(((Map<?, ?>) status.get("inventory")).get("entries"))
        .isInstanceOf(InventoryIds.class);
    InventoryIds.compact(k);
    assertThat(FluxStatus.inventory(k)).isEqualTo(parsed);
  }

  @Test
  void aResourceWithoutAnInventoryIsLeftAsItIs() {
    GenericKubernetesResource none = kustomization(null);
    GenericKubernetesResource empty = kustomization("{\"inventory\":{}}");

    InventoryIds.compact(none);
    InventoryIds.compact(empty);

    assertThat(none.getAdditionalProperties()).doesNotContainKey("status");
    assertThat(FluxStatus.inventory(none)).isEmpty();
    assertThat(FluxStatus.inventory(empty)).isEmpty();
  }
}
