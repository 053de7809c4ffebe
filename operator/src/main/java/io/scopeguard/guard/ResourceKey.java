package io.scopeguard.guard;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.kinds.GuardedKind;

/** Identity of one watched object: its kind, namespace (null when cluster-scoped) and name. */
public record ResourceKey(GuardedKind kind, String namespace, String name) {

  public static ResourceKey of(GuardedKind kind, GenericKubernetesResource resource) {
    return new ResourceKey(
        kind, resource.getMetadata().getNamespace(), resource.getMetadata().getName());
  }

  /** Stable text identity, e.g. {@code Kustomization.kustomize.toolkit.fluxcd.io/apps/podinfo}. */
  public String id() {
    return kind.id() + "/" + (namespace == null ? "" : namespace + "/") + name;
  }

  @Override
  public String toString() {
    return kind.kind() + " " + (namespace == null ? "" : namespace + "/") + name;
  }
}
