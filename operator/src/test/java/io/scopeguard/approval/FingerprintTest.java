package io.scopeguard.approval;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

class FingerprintTest {

  private static GenericKubernetesResource k(String labels, String spec) {
    return Serialization.unmarshal(
        """
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {namespace: fleet, name: apps, labels: {%s}, annotations: {a: b}}
        spec: {%s}
        """
            .formatted(labels, spec),
        GenericKubernetesResource.class);
  }

  private static String of(GenericKubernetesResource resource) {
    return Fingerprint.of(resource, "/spec/suspend");
  }

  @Test
  void pausingAndAnnotatingDoNotChangeIt() {
    String base = of(k("scopeguard.io/scope: dev", "path: ./apps, prune: true"));

    assertThat(of(k("scopeguard.io/scope: dev", "path: ./apps, prune: true, suspend: true")))
        .isEqualTo(base);
    assertThat(of(k("scopeguard.io/scope: dev", "prune: true, path: ./apps")))
        .as("key order")
        .isEqualTo(base);
  }

  @Test
  void anyOtherSpecChangeOrAnotherScopeChangesIt() {
    String base = of(k("scopeguard.io/scope: dev", "path: ./apps, prune: true"));

    assertThat(of(k("scopeguard.io/scope: dev", "path: ./apps, prune: false"))).isNotEqualTo(base);
    assertThat(of(k("scopeguard.io/scope: prod", "path: ./apps, prune: true"))).isNotEqualTo(base);
    assertThat(of(k("other: x", "path: ./apps, prune: true"))).isNotEqualTo(base);
  }
}
