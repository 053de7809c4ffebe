package io.scopeguard.deletion;

import java.util.Collection;
import java.util.Set;

/**
 * Which kinds are cluster-scoped. kustomize sets a namespace on every kind it does not know to be
 * cluster-scoped; the API server ignores it for cluster-scoped kinds, so Flux's inventory records
 * those with an empty namespace. The predictor asks this to do the same.
 */
@FunctionalInterface
public interface ScopedKinds {

  boolean isClusterScoped(String group, String kind);

  /** Kubernetes' own cluster-scoped kinds. */
  static ScopedKinds builtIn() {
    return BuiltInScopedKinds.INSTANCE;
  }

  /**
   * The built-in kinds plus {@code clusterScoped}, each written {@code Kind.group} (or just {@code
   * Kind} for the core group), e.g. the cluster-scoped CRDs installed on the cluster.
   */
  static ScopedKinds builtInAnd(Collection<String> clusterScoped) {
    Set<String> extra = Set.copyOf(clusterScoped);
    return builtIn().or((group, kind) -> extra.contains(key(group, kind)));
  }

  /** Cluster-scoped when either this or {@code other} says so. */
  default ScopedKinds or(ScopedKinds other) {
    return (group, kind) -> isClusterScoped(group, kind) || other.isClusterScoped(group, kind);
  }

  /** {@code Kind.group}, or {@code Kind} for the core group. */
  static String key(String group, String kind) {
    return group == null || group.isEmpty() ? kind : kind + "." + group;
  }
}
