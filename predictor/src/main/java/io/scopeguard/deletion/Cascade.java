package io.scopeguard.deletion;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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

  /**
   * One object a revision would delete.
   *
   * @param object what is deleted
   * @param via the deleted Kustomization, HelmRelease or Namespace that takes it with it; null when
   *     the revision deletes it directly
   */
  public record Deletion(ObjectId object, ObjectId via) {}

  /** The direct deletions and everything they cascade to, in discovery order, without repeats. */
  public static Set<ObjectId> expand(Collection<ObjectId> direct, Inventories inventories) {
    Set<ObjectId> all = new LinkedHashSet<>();
    trace(direct, inventories).forEach(deletion -> all.add(deletion.object()));
    return all;
  }

  /**
   * As {@link #expand}, each object with what takes it. A direct deletion is never attributed to a
   * parent, and an object in a reconciler's inventory is attributed to that Kustomization or
   * HelmRelease rather than to its deleted Namespace: what a Namespace takes is followed only once
   * no inventory is left to follow.
   */
  public static List<Deletion> trace(Collection<ObjectId> direct, Inventories inventories) {
    Map<ObjectId, Deletion> all = new LinkedHashMap<>();
    Deque<Deletion> pending = new ArrayDeque<>();
    Deque<ObjectId> namespaces = new ArrayDeque<>();
    direct.forEach(id -> pending.add(new Deletion(id, null)));
    while (!pending.isEmpty() || !namespaces.isEmpty()) {
      if (pending.isEmpty()) {
        ObjectId namespace = namespaces.poll();
        inventories
            .inNamespace(namespace.name())
            .forEach(child -> pending.add(new Deletion(child, namespace)));
        continue;
      }
      Deletion deletion = pending.poll();
      ObjectId id = deletion.object();
      if (all.putIfAbsent(id, deletion) != null) {
        continue;
      }
      if (KUSTOMIZE_GROUP.equals(id.group()) && "Kustomization".equals(id.kind())) {
        inventories
            .kustomization(id.namespace(), id.name())
            .forEach(child -> pending.add(new Deletion(child, id)));
      } else if (HELM_GROUP.equals(id.group()) && "HelmRelease".equals(id.kind())) {
        inventories
            .helmRelease(id.namespace(), id.name())
            .forEach(child -> pending.add(new Deletion(child, id)));
      } else if (id.group().isEmpty() && "Namespace".equals(id.kind())) {
        namespaces.add(id);
      }
    }
    return List.copyOf(all.values());
  }
}
