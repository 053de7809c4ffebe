package io.scopeguard.guard;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.scopeguard.api.ClusterScope;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caches, and the API server for what they have not seen yet: admission judges objects
 * written moments after the ClusterScope, Cluster, Namespace or source they refer to (one
 * {@code kubectl apply -f dir/} holding all of them), before any watch event for those arrived.
 * Only a miss is read through, and only until the deadline (the webhook's own timeout, less a
 * margin); a read that fails or comes too late counts as absent, so the verdict fails closed and
 * says what was missing.
 */
public final class ReadThroughFacts implements FactSource {

  private static final Logger LOG = LoggerFactory.getLogger(ReadThroughFacts.class);

  private final WatchedResources cached;
  private final KubernetesClient client;
  private final Clock clock;
  private final Instant deadline;

  /**
   * @param client a client whose request timeout fits the webhook's timeout
   * @param deadline after this, misses are not read through
   */
  public ReadThroughFacts(WatchedResources cached, KubernetesClient client, Clock clock, Instant deadline) {
    this.cached = cached;
    this.client = client;
    this.clock = clock;
    this.deadline = deadline;
  }

  @Override
  public Optional<ClusterScope> scope(String name) {
    return cached.scope(name).or(() -> read("ClusterScope " + name,
        () -> client.resources(ClusterScope.class).withName(name).get()));
  }

  @Override
  public List<ClusterScope> scopesDeclaring(String clusterKey) {
    List<ClusterScope> declaring = cached.scopesDeclaring(clusterKey);
    if (!declaring.isEmpty()) {
      return declaring;
    }
    return read("ClusterScopes declaring " + clusterKey, () -> client.resources(ClusterScope.class).list().getItems())
        .orElse(List.of()).stream()
        .filter(scope -> clusterKey.equals(WatchedResources.clusterKey(scope)))
        .sorted(Comparator.comparing(scope -> scope.getMetadata().getName()))
        .toList();
  }

  @Override
  public boolean clusterExists(String namespace, String name) {
    if (cached.clusterExists(namespace, name)) {
      return true;
    }
    return cached.activeKinds().stream().filter(kind -> kind.role() == GuardedKind.Role.CLUSTER)
        .anyMatch(kind -> get(kind, namespace, name).isPresent());
  }

  @Override
  public Optional<WatchedResources.Watched> source(GuardedKind.SourceRef ref) {
    return cached.source(ref).or(() -> cached.activeKinds().stream()
        .filter(kind -> kind.role() == GuardedKind.Role.SOURCE && kind.kind().equals(ref.kind()))
        .flatMap(kind -> get(kind, ref.namespace(), ref.name()).map(r -> new WatchedResources.Watched(kind, r)).stream())
        .findFirst());
  }

  @Override
  public Optional<String> namespaceScope(String namespace) {
    if (namespace == null || cached.namespaceKnown(namespace)) {
      return cached.namespaceScope(namespace);
    }
    return read("Namespace " + namespace, () -> client.namespaces().withName(namespace).get())
        .map(Namespace::getMetadata).map(meta -> WatchedResources.scopeLabel(meta.getLabels()));
  }

  /** The cached consumers, and those in the source's own namespace that the API server has and the cache does not yet. */
  @Override
  public List<WatchedResources.Watched> consumers(GuardedKind.SourceRef source) {
    Map<String, WatchedResources.Watched> found = new LinkedHashMap<>();
    cached.consumers(source).forEach(w -> found.put(w.resource().getMetadata().getUid(), w));
    for (GuardedKind kind : cached.activeKinds()) {
      if (kind.role() != GuardedKind.Role.RECONCILER) {
        continue;
      }
      Optional<GroupVersionKind> gvk = cached.servedVersion(kind);
      if (gvk.isEmpty()) {
        continue;
      }
      read(kind.kind() + "s in " + source.namespace(), () -> client.genericKubernetesResources(gvk.get().apiVersion(),
          gvk.get().getKind()).inNamespace(source.namespace()).list().getItems()).orElse(List.of()).stream()
          .filter(r -> kind.sourceRef().apply(r).filter(ref -> ref.key().equals(source.key())).isPresent())
          .forEach(r -> found.putIfAbsent(r.getMetadata().getUid(), new WatchedResources.Watched(kind, r)));
    }
    return new ArrayList<>(found.values());
  }

  private Optional<GenericKubernetesResource> get(GuardedKind kind, String namespace, String name) {
    Optional<GroupVersionKind> gvk = cached.servedVersion(kind);
    if (gvk.isEmpty()) {
      return Optional.empty();
    }
    return read(kind.kind() + " " + namespace + "/" + name, () -> {
      var resources = client.genericKubernetesResources(gvk.get().apiVersion(), gvk.get().getKind());
      return namespace == null ? resources.withName(name).get() : resources.inNamespace(namespace).withName(name).get();
    });
  }

  private <T> Optional<T> read(String what, Supplier<T> read) {
    if (Instant.now(clock).isAfter(deadline)) {
      LOG.info("read-through of {} skipped: past the admission deadline; judged as absent", what);
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(read.get()).filter(Objects::nonNull);
    } catch (KubernetesClientException e) {
      LOG.warn("read-through of {} failed ({}); judged as absent", what, e.getMessage());
      return Optional.empty();
    }
  }
}
