package io.scopeguard.deletion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What a revision's prune takes with it: child Kustomizations, HelmReleases, Namespaces,
 * transitively.
 */
class CascadeTest {

  static ObjectId id(String inventoryId) {
    return ObjectId.parse(inventoryId);
  }

  /**
   * Inventories of a small fleet: apps (a child Kustomization) owns a Namespace holding a
   * HelmRelease.
   */
  static final Cascade.Inventories FLEET =
      new Cascade.Inventories() {
        final Map<String, List<ObjectId>> kustomizations =
            Map.of(
                "flux-system/apps",
                    List.of(
                        id("_apps__Namespace"),
                        id("apps_web_apps_Deployment"),
                        id("apps_podinfo_helm.toolkit.fluxcd.io_HelmRelease")),
                "flux-system/orphaning", List.of());
        final Map<String, List<ObjectId>> releases =
            Map.of(
                "apps/podinfo",
                List.of(id("apps_podinfo_apps_Deployment"), id("apps_podinfo__Service")));

        @Override
        public List<ObjectId> kustomization(String namespace, String name) {
          return kustomizations.getOrDefault(namespace + "/" + name, List.of());
        }

        @Override
        public List<ObjectId> helmRelease(String namespace, String name) {
          return releases.getOrDefault(namespace + "/" + name, List.of());
        }

        @Override
        public List<ObjectId> inNamespace(String namespace) {
          return namespace.equals("apps")
              ? List.of(
                  id("apps_web_apps_Deployment"),
                  id("apps_settings__ConfigMap"),
                  id("apps_podinfo_helm.toolkit.fluxcd.io_HelmRelease"))
              : List.of();
        }
      };

  @Test
  void aPrunedChildKustomizationTakesItsInventoryTheNamespaceAndTheRelease() {
    Set<ObjectId> all =
        Cascade.expand(
            List.of(id("flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization")), FLEET);

    assertThat(all)
        .extracting(ObjectId::inventoryId)
        .containsExactlyInAnyOrder(
            "flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization",
            "_apps__Namespace",
            "apps_web_apps_Deployment",
            "apps_podinfo_helm.toolkit.fluxcd.io_HelmRelease",
            "apps_settings__ConfigMap",
            "apps_podinfo_apps_Deployment",
            "apps_podinfo__Service");
  }

  @Test
  void ordinaryObjectsAndChildrenThatDeleteNothingCascadeNowhere() {
    assertThat(
            Cascade.expand(
                List.of(
                    id("apps_web_apps_Deployment"),
                    id("flux-system_orphaning_kustomize.toolkit.fluxcd.io_Kustomization")),
                FLEET))
        .hasSize(2);
  }

  @Test
  void eachObjectCountsOnceWhateverPathReachesIt() {
    Set<ObjectId> all =
        Cascade.expand(
            List.of(
                id("_apps__Namespace"),
                id("apps_podinfo_helm.toolkit.fluxcd.io_HelmRelease"),
                id("apps_web_apps_Deployment")),
            FLEET);

    assertThat(all).hasSize(6);
  }

  @Test
  void eachObjectIsAttributedToWhatTakesItAndDirectDeletionsToNothing() {
    List<Cascade.Deletion> traced =
        Cascade.trace(
            List.of(
                id("flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization"),
                id("apps_settings__ConfigMap")),
            FLEET);

    assertThat(traced)
        .extracting(d -> d.object().inventoryId(), d -> d.via() == null ? "" : d.via().name())
        .containsExactly(
            tuple("flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization", ""),
            tuple("apps_settings__ConfigMap", ""),
            tuple("_apps__Namespace", "apps"),
            tuple("apps_web_apps_Deployment", "apps"),
            tuple("apps_podinfo_helm.toolkit.fluxcd.io_HelmRelease", "apps"),
            tuple("apps_podinfo_apps_Deployment", "podinfo"),
            tuple("apps_podinfo__Service", "podinfo"));
  }

  @Test
  void anObjectInAnInventoryIsTakenByItsReconcilerNotByItsDeletedNamespace() {
    List<Cascade.Deletion> traced =
        Cascade.trace(
            List.of(
                id("_apps__Namespace"),
                id("flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization")),
            FLEET);

    assertThat(traced)
        .filteredOn(d -> d.object().name().equals("web"))
        .singleElement()
        .extracting(d -> d.via().kind() + " " + d.via().name())
        .isEqualTo("Kustomization apps");
    assertThat(traced)
        .filteredOn(d -> d.object().name().equals("settings"))
        .singleElement()
        .extracting(d -> d.via().kind() + " " + d.via().name())
        .as("what no inventory holds goes with its Namespace")
        .isEqualTo("Namespace apps");
  }
}
