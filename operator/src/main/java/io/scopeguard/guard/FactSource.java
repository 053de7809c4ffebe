package io.scopeguard.guard;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.kinds.GuardedKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What the {@link Decisions} read about the cluster besides the resource judged: the informer
 * caches ({@link WatchedResources}), or, in admission, the caches with a read-through to the API
 * server for what they have not seen yet ({@link ReadThroughFacts}).
 */
public interface FactSource {

  /** A watched object of a kind. */
  Optional<GenericKubernetesResource> get(GuardedKind kind, String namespace, String name);

  /** The ClusterScope of this name. */
  Optional<ClusterScope> scope(String name);

  /**
   * ClusterScopes declaring the cluster with this key ({@code local} or {@code namespace/name}), by
   * name.
   */
  List<ClusterScope> scopesDeclaring(String clusterKey);

  /** Whether Cluster API has this Cluster. */
  boolean clusterExists(String namespace, String name);

  /** The source a reconciler refers to, if watched and present. */
  Optional<WatchedResources.Watched> source(GuardedKind.SourceRef ref);

  /**
   * The ClusterScope a Namespace names for the reconcilers in it (its {@code scopeguard.io/scope}
   * label).
   */
  Optional<String> namespaceScope(String namespace);

  /** The reconcilers delivering from a source. */
  List<WatchedResources.Watched> consumers(GuardedKind.SourceRef source);

  /**
   * These facts, with {@code known} as the current state of that ClusterScope whatever they say.
   */
  default FactSource withScope(ClusterScope known) {
    FactSource facts = this;
    String name = known.getMetadata().getName();
    return new FactSource() {
      @Override
      public Optional<ClusterScope> scope(String scope) {
        return name.equals(scope) ? Optional.of(known) : facts.scope(scope);
      }

      @Override
      public List<ClusterScope> scopesDeclaring(String clusterKey) {
        List<ClusterScope> declaring = new ArrayList<>(facts.scopesDeclaring(clusterKey));
        declaring.removeIf(s -> s.getMetadata().getName().equals(name));
        if (clusterKey.equals(WatchedResources.clusterKey(known))) {
          declaring.add(known);
        }
        declaring.sort(Comparator.comparing(s -> s.getMetadata().getName()));
        return declaring;
      }

      @Override
      public Optional<GenericKubernetesResource> get(
          GuardedKind kind, String namespace, String resource) {
        return facts.get(kind, namespace, resource);
      }

      @Override
      public boolean clusterExists(String namespace, String cluster) {
        return facts.clusterExists(namespace, cluster);
      }

      @Override
      public Optional<WatchedResources.Watched> source(GuardedKind.SourceRef ref) {
        return facts.source(ref);
      }

      @Override
      public Optional<String> namespaceScope(String namespace) {
        return facts.namespaceScope(namespace);
      }

      @Override
      public List<WatchedResources.Watched> consumers(GuardedKind.SourceRef source) {
        return facts.consumers(source);
      }
    };
  }
}
