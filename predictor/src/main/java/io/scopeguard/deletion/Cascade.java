package io.scopeguard.deletion;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Adds to a revision's direct deletions everything they take with them: a pruned Kustomization
 * deletes its own inventory (per its prune and deletionPolicy), a pruned HelmRelease uninstalls its
 * release, a pruned Namespace deletes everything in it. Followed transitively. Pure: the cluster's
 * inventories come in through {@link Inventories}.
 */
public final class Cascade {

  /** The inventories the cascade follows, read from caches. */
  public interface Inventories {
    /**
     * What deleting this Kustomization deletes (empty when it deletes nothing or does not exist).
     */
    List<ObjectId> kustomization(String namespace, String name);

    /** What deleting this HelmRelease uninstalls (empty when suspended or not found). */
    List<ObjectId> helmRelease(String namespace, String name);

    /** The GitOps-managed objects in a namespace. */
    List<ObjectId> inNamespace(String namespace);
  }

  public static final String KUSTOMIZE_GROUP = "kustomize.toolkit.fluxcd.io";
  public static final String HELM_GROUP = "helm.toolkit.fluxcd.io";

  private Cascade() {}

  /** The direct deletions and everything they cascade to, in discovery order, without repeats. */
  public static Set<ObjectId> expand(Collection<ObjectId> direct, Inventories inventories) {
    Set<ObjectId> all = new LinkedHashSet<>();
    Deque<ObjectId> pending = new ArrayDeque<>(direct);
    while (!pending.isEmpty()) {
      ObjectId id = pending.poll();
      if (!all.add(id)) {
        continue;
      }
      if (KUSTOMIZE_GROUP.equals(id.group()) && "Kustomization".equals(id.kind())) {
        pending.addAll(inventories.kustomization(id.namespace(), id.name()));
      } else if (HELM_GROUP.equals(id.group()) && "HelmRelease".equals(id.kind())) {
        pending.addAll(inventories.helmRelease(id.namespace(), id.name()));
      } else if (id.group().isEmpty() && "Namespace".equals(id.kind())) {
        pending.addAll(inventories.inNamespace(id.name()));
      }
    }
    return all;
  }
}
