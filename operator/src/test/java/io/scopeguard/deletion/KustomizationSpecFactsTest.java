package io.scopeguard.deletion;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.scopeguard.flux.FluxKinds;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KustomizationSpecFactsTest {

  @Test
  void readsTheSpecOfAFluxKustomization() {
    GenericKubernetesResource kustomization =
        Serialization.unmarshal(
            """
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: apps, namespace: flux-system}
        spec:
          path: ./apps/production
          prune: true
          sourceRef: {kind: GitRepository, name: flux-system}
          targetNamespace: apps
          namePrefix: eu-
          nameSuffix: -1
          components: [../components/ha]
          ignoreMissingComponents: true
          patches:
            - patch: |
                - op: replace
                  path: /spec/replicas
                  value: 2
              target: {kind: Deployment, labelSelector: tier=web}
          images:
            - {name: nginx, newTag: "1.27"}
          postBuild:
            substitute: {cluster: eu-1}
            substituteFrom:
              - {kind: ConfigMap, name: cluster-vars}
        """,
            GenericKubernetesResource.class);

    KustomizationSpecFacts facts = FluxKinds.kustomizationSpec(kustomization);

    assertThat(facts.path()).isEqualTo("./apps/production");
    assertThat(facts.targetNamespace()).isEqualTo("apps");
    assertThat(facts.namePrefix()).isEqualTo("eu-");
    assertThat(facts.nameSuffix()).isEqualTo("-1");
    assertThat(facts.components()).containsExactly("../components/ha");
    assertThat(facts.ignoreMissingComponents()).isTrue();
    assertThat(facts.patches())
        .singleElement()
        .satisfies(
            patch -> {
              assertThat(patch.patch()).startsWith("- op: replace");
              assertThat(patch.target())
                  .isEqualTo(Map.of("kind", "Deployment", "labelSelector", "tier=web"));
            });
    assertThat(facts.images()).containsExactly("nginx");
    assertThat(facts.postBuild()).isTrue();
    assertThat(facts.postBuildSubstitute()).isEqualTo(Map.of("cluster", "eu-1"));
    assertThat(facts.postBuildSubstituteFrom()).isTrue();
  }

  @Test
  void aBareSpecSetsNothing() {
    GenericKubernetesResource kustomization =
        Serialization.unmarshal(
            """
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: apps, namespace: flux-system}
        spec: {prune: true, sourceRef: {kind: GitRepository, name: flux-system}}
        """,
            GenericKubernetesResource.class);

    assertThat(FluxKinds.kustomizationSpec(kustomization))
        .isEqualTo(KustomizationSpecFacts.ofPath(""));
    assertThat(KustomizationSpecFacts.ofPath("").components()).isEqualTo(List.of());
  }
}
