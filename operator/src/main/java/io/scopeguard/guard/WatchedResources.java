package io.scopeguard.guard;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.approval.Annotations;
import io.scopeguard.flux.InventoryIds;
import io.scopeguard.kinds.GuardedKind;
import io.scopeguard.scope.ClusterScopeValidator;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shared informers on everything scopeguard watches but does not own (guarded kinds, sources,
 * Cluster API clusters, ClusterScopes, Namespaces), with indexes by scope label, target cluster,
 * source and namespace. It is the {@link FactSource} every decision reads.
 *
 * <p>A kind whose CRD is not installed is skipped with one log line; a watch on CRDs starts its
 * informer when the CRD appears and stops it when the CRD goes.
 */
public final class WatchedResources implements FactSource, AutoCloseable {

  /**
   * The informer cache of a guarded kind: each object is kept without its {@code managedFields}
   * (nothing here reads them) and with its inventory compacted to ids ({@link InventoryIds}), as it
   * arrives, so the event handlers see the same compact object.
   */
  private static final class CompactStore extends BasicItemStore<GenericKubernetesResource> {
    CompactStore() {
      super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public GenericKubernetesResource put(String key, GenericKubernetesResource resource) {
      resource.getMetadata().setManagedFields(null);
      InventoryIds.compact(resource);
      return super.put(key, resource);
    }
  }

  /** Guarded resources by their {@code scopeguard.io/scope} label. */
  public static final String SCOPE_INDEX = "scope";

  /** Reconcilers by the key of the cluster they act on. */
  public static final String TARGET_INDEX = "target";

  /** Reconcilers by the key of their source. */
  public static final String SOURCE_INDEX = "source";

  /** ClusterScopes by the key of the cluster they declare. */
  public static final String CLUSTER_INDEX = "cluster";

  /** Guarded resources by their namespace. */
  public static final String NAMESPACE_INDEX = "ns";

  private static final Logger LOG = LoggerFactory.getLogger(WatchedResources.class);
  private static final long RESYNC_MILLIS = Duration.ofMinutes(10).toMillis();

  /**
   * Told about every change to a watched object (for ClusterScopes: creation, deletion and spec
   * changes).
   */
  public interface Listener {
    default void resourceChanged(
        GuardedKind kind, GenericKubernetesResource before, GenericKubernetesResource after) {}

    default void scopeChanged(ClusterScope before, ClusterScope after) {}

    /**
     * A Namespace's {@code scopeguard.io/scope} label (the default scope of its reconcilers)
     * changed.
     */
    default void namespaceScopeChanged(String namespace, String before, String after) {}
  }

  private final KubernetesClient client;
  private final List<GuardedKind> kinds;
  private final Map<GuardedKind, SharedIndexInformer<GenericKubernetesResource>> informers =
      new ConcurrentHashMap<>();
  private final Map<GuardedKind, GroupVersionKind> served = new ConcurrentHashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, UrlChange> previousUrls = new ConcurrentHashMap<>();
  private SharedIndexInformer<ClusterScope> scopes;
  private SharedIndexInformer<CustomResourceDefinition> crds;
  private SharedIndexInformer<Namespace> namespaces;

  public WatchedResources(KubernetesClient client, List<GuardedKind> kinds) {
    this.client = client;
    this.kinds = List.copyOf(kinds);
  }

  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  /** Starts the informers and waits (up to {@code timeout}) for their first lists. */
  public void start(Duration timeout) {
    scopes = client.resources(ClusterScope.class).runnableInformer(RESYNC_MILLIS);
    scopes.addIndexers(
        Map.of(
            CLUSTER_INDEX,
            scope -> {
              String key = clusterKey(scope);
              return key == null ? List.of() : List.of(key);
            }));
    scopes.addEventHandler(
        handler(
            (before, after) -> {
              if (before == null
                  || after == null
                  || !Objects.equals(
                      before.getMetadata().getGeneration(), after.getMetadata().getGeneration())) {
                listeners.forEach(l -> isolated(() -> l.scopeChanged(before, after)));
              }
            }));
    scopes.start();
    namespaces = client.namespaces().runnableInformer(RESYNC_MILLIS);
    namespaces.addIndexers(
        Map.of(
            SCOPE_INDEX,
            namespace ->
                Optional.ofNullable(namespace.getMetadata().getLabels())
                    .map(labels -> labels.get(Annotations.SCOPE_LABEL))
                    .map(List::of)
                    .orElse(List.of())));
    namespaces.addEventHandler(
        handler(
            (before, after) -> {
              String was = before == null ? null : scopeLabel(before.getMetadata().getLabels());
              String is = after == null ? null : scopeLabel(after.getMetadata().getLabels());
              if (!Objects.equals(was, is)) {
                String name = (after != null ? after : before).getMetadata().getName();
                listeners.forEach(l -> isolated(() -> l.namespaceScopeChanged(name, was, is)));
              }
            }));
    namespaces.start();
    crds = client.apiextensions().v1().customResourceDefinitions().runnableInformer(0);
    crds.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(CustomResourceDefinition crd) {
            kindOf(crd).ifPresent(kind -> startKind(kind, crd));
          }

          @Override
          public void onUpdate(CustomResourceDefinition before, CustomResourceDefinition after) {
            kindOf(after).ifPresent(kind -> startKind(kind, after));
          }

          @Override
          public void onDelete(CustomResourceDefinition crd, boolean unknownFinalState) {
            kindOf(crd)
                .ifPresent(
                    kind -> {
                      stopKind(kind);
                      LOG.info("{}: CRD removed; stopped watching", kind);
                    });
          }
        });
    crds.start();
    awaitSynced(timeout);
    // The handlers above run asynchronously; start the kinds already installed before reporting.
    crds.getStore().list().forEach(crd -> kindOf(crd).ifPresent(kind -> startKind(kind, crd)));
    awaitSynced(timeout);
    kinds.stream()
        .filter(kind -> !informers.containsKey(kind))
        .forEach(kind -> LOG.info("{}: CRD not installed; skipped until it appears", kind));
  }

  private void awaitSynced(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (notSynced() != null) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "informers did not sync within " + timeout.toSeconds() + "s: " + notSynced());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while informers sync", e);
      }
    }
  }

  private Optional<GuardedKind> kindOf(CustomResourceDefinition crd) {
    return kinds.stream()
        .filter(
            kind ->
                kind.group().equals(crd.getSpec().getGroup())
                    && kind.kind().equals(crd.getSpec().getNames().getKind()))
        .findFirst();
  }

  private synchronized void startKind(GuardedKind kind, CustomResourceDefinition crd) {
    Optional<GroupVersionKind> version = Crds.servedKind(crd);
    if (version.isEmpty() || version.get().equals(served.get(kind))) {
      return;
    }
    stopKind(kind);
    GroupVersionKind gvk = version.get();
    if (!kind.plural().equals(crd.getSpec().getNames().getPlural())) {
      LOG.error(
          "{}: configured with plural {}, but its CRD names it {}: the scope gate's admission rule misses it;"
              + " fix the configuration",
          kind,
          kind.plural(),
          crd.getSpec().getNames().getPlural());
    }
    if (kind.pausePointer() != null
        && !Crds.keepsBoolean(crd, gvk.getVersion(), kind.pausePointer())) {
      LOG.error(
          "{}: its CRD's schema ({}) has no boolean at {}: the API server prunes the pause switch, so a hold"
              + " cannot stick; fix pausePath",
          kind,
          gvk.getVersion(),
          kind.pausePointer());
    }
    SharedIndexInformer<GenericKubernetesResource> informer =
        client
            .genericKubernetesResources(gvk.apiVersion(), gvk.getKind())
            .inAnyNamespace()
            .runnableInformer(RESYNC_MILLIS);
    informer.itemStore(new CompactStore());
    informer.addIndexers(indexers(kind));
    informer.addEventHandler(
        handler(
            (before, after) -> {
              if (kind.role() == GuardedKind.Role.SOURCE) {
                rememberUrl(kind, before, after);
              }
              listeners.forEach(l -> isolated(() -> l.resourceChanged(kind, before, after)));
            }));
    informers.put(kind, informer);
    served.put(kind, gvk);
    informer.start();
    LOG.info("{}: watching version {}", kind, gvk.getVersion());
  }

  private synchronized void stopKind(GuardedKind kind) {
    SharedIndexInformer<GenericKubernetesResource> informer = informers.remove(kind);
    served.remove(kind);
    if (informer != null) {
      informer.stop();
    }
  }

  private static Map<String, Function<GenericKubernetesResource, List<String>>> indexers(
      GuardedKind kind) {
    Map<String, Function<GenericKubernetesResource, List<String>>> indexers = new HashMap<>();
    indexers.put(
        SCOPE_INDEX,
        resource ->
            Optional.ofNullable(scopeLabel(resource.getMetadata().getLabels()))
                .map(List::of)
                .orElse(List.of()));
    indexers.put(
        NAMESPACE_INDEX,
        resource ->
            resource.getMetadata().getNamespace() == null
                ? List.of()
                : List.of(resource.getMetadata().getNamespace()));
    if (kind.role() == GuardedKind.Role.RECONCILER) {
      indexers.put(TARGET_INDEX, resource -> List.of(kind.target().apply(resource).key()));
      indexers.put(
          SOURCE_INDEX,
          resource ->
              kind.sourceRef().apply(resource).map(ref -> List.of(ref.key())).orElse(List.of()));
    }
    return indexers;
  }

  private interface Change<T> {
    void apply(T before, T after);
  }

  private static void isolated(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.error("a watcher failed on an event; the others still get it", e);
    }
  }

  private static <T extends HasMetadata> ResourceEventHandler<T> handler(Change<T> change) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        change.apply(null, obj);
      }

      @Override
      public void onUpdate(T before, T after) {
        change.apply(before, after);
      }

      @Override
      public void onDelete(T obj, boolean unknownFinalState) {
        change.apply(obj, null);
      }
    };
  }

  /** Null when every informer has its first list; otherwise the ones still listing. */
  public String notSynced() {
    List<String> pending = new ArrayList<>();
    if (scopes == null || !scopes.hasSynced()) {
      pending.add("ClusterScope");
    }
    if (crds == null || !crds.hasSynced()) {
      pending.add("CustomResourceDefinition");
    }
    if (namespaces == null || !namespaces.hasSynced()) {
      pending.add("Namespace");
    }
    informers.forEach(
        (kind, informer) -> {
          if (!informer.hasSynced()) {
            pending.add(kind.kind());
          }
        });
    return pending.isEmpty() ? null : String.join(", ", pending);
  }

  /** Every kind scopeguard judges and may pause (reconcilers and sources), installed or not. */
  public List<GuardedKind> guardedKinds() {
    return kinds.stream().filter(kind -> kind.role() != GuardedKind.Role.CLUSTER).toList();
  }

  /** The kinds being watched now (their CRDs are installed). */
  public List<GuardedKind> activeKinds() {
    return kinds.stream().filter(informers::containsKey).toList();
  }

  /** Cluster-scoped custom kinds installed on the cluster, as {@code Kind.group}. */
  public List<String> clusterScopedKinds() {
    return crds == null
        ? List.of()
        : crds.getStore().list().stream()
            .filter(crd -> "Cluster".equals(crd.getSpec().getScope()))
            .map(crd -> crd.getSpec().getNames().getKind() + "." + crd.getSpec().getGroup())
            .toList();
  }

  /** The version being watched for a kind, if its CRD is installed. */
  public Optional<GroupVersionKind> servedVersion(GuardedKind kind) {
    return Optional.ofNullable(served.get(kind));
  }

  @Override
  public Optional<GenericKubernetesResource> get(GuardedKind kind, String namespace, String name) {
    SharedIndexInformer<GenericKubernetesResource> informer = informers.get(kind);
    if (informer == null) {
      return Optional.empty();
    }
    String key = namespace == null ? name : namespace + "/" + name;
    return Optional.ofNullable(informer.getStore().getByKey(key));
  }

  /** Objects of the given roles found in {@code index} under {@code key}, with their kinds. */
  public List<Watched> byIndex(String index, String key, GuardedKind.Role... roles) {
    List<GuardedKind.Role> wanted = List.of(roles);
    return informers.entrySet().stream()
        .filter(entry -> wanted.contains(entry.getKey().role()))
        .filter(entry -> entry.getValue().getIndexer().getIndexers().containsKey(index))
        .flatMap(
            entry ->
                entry.getValue().getIndexer().byIndex(index, key).stream()
                    .map(resource -> new Watched(entry.getKey(), resource)))
        .toList();
  }

  /** Every cached object of a kind. */
  public List<GenericKubernetesResource> byIndexAll(GuardedKind kind) {
    SharedIndexInformer<GenericKubernetesResource> informer = informers.get(kind);
    return informer == null ? List.of() : informer.getStore().list();
  }

  /** A watched object with its kind. */
  public record Watched(GuardedKind kind, GenericKubernetesResource resource) {}

  /** The {@code scopeguard.io/scope} label's value, or null when absent or blank. */
  public static String scopeLabel(Map<String, String> labels) {
    String value = labels == null ? null : labels.get(Annotations.SCOPE_LABEL);
    return value == null || value.isBlank() ? null : value;
  }

  @Override
  public Optional<String> namespaceScope(String namespace) {
    if (namespace == null || namespaces == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(namespaces.getStore().getByKey(namespace))
        .map(ns -> scopeLabel(ns.getMetadata().getLabels()));
  }

  /** Whether the Namespace is in the cache (a miss may be a Namespace created moments ago). */
  public boolean namespaceKnown(String namespace) {
    return namespaces != null && namespaces.getStore().getByKey(namespace) != null;
  }

  /** Namespaces whose label names this ClusterScope as the default of their reconcilers. */
  public List<String> namespacesDefaultingTo(String scope) {
    return namespaces == null
        ? List.of()
        : namespaces.getIndexer().byIndex(SCOPE_INDEX, scope).stream()
            .map(ns -> ns.getMetadata().getName())
            .toList();
  }

  @Override
  public List<Watched> consumers(GuardedKind.SourceRef source) {
    return byIndex(SOURCE_INDEX, source.key(), GuardedKind.Role.RECONCILER);
  }

  /**
   * Where a source pointed before its last change of {@code spec.url}, when this process saw the
   * change: what {@code explain} shows as the source change behind a held revision.
   */
  public Optional<UrlChange> previousUrl(GuardedKind.SourceRef ref) {
    return Optional.ofNullable(previousUrls.get(ref.key()));
  }

  /**
   * A source's last change of URL that this process saw.
   *
   * @param from where it pointed before
   * @param at when the change was seen
   */
  public record UrlChange(String from, Instant at) {}

  private void rememberUrl(
      GuardedKind kind, GenericKubernetesResource before, GenericKubernetesResource after) {
    GenericKubernetesResource either = after != null ? after : before;
    String key =
        new GuardedKind.SourceRef(
                kind.kind(), either.getMetadata().getNamespace(), either.getMetadata().getName())
            .key();
    if (after == null) {
      previousUrls.remove(key);
      return;
    }
    Optional<String> was = before == null ? Optional.empty() : kind.sourceUrl().apply(before);
    Optional<String> now = kind.sourceUrl().apply(after);
    if (was.isPresent() && !was.equals(now)) {
      previousUrls.put(
          key, new UrlChange(was.get(), Instant.now().truncatedTo(ChronoUnit.SECONDS)));
    }
  }

  @Override
  public Optional<Watched> source(GuardedKind.SourceRef ref) {
    return kinds.stream()
        .filter(kind -> kind.role() == GuardedKind.Role.SOURCE && kind.kind().equals(ref.kind()))
        .flatMap(
            kind -> get(kind, ref.namespace(), ref.name()).map(r -> new Watched(kind, r)).stream())
        .findFirst();
  }

  @Override
  public Optional<ClusterScope> scope(String name) {
    return Optional.ofNullable(scopes.getStore().getByKey(name));
  }

  public List<ClusterScope> allScopes() {
    return scopes.getStore().list();
  }

  @Override
  public List<ClusterScope> scopesDeclaring(String clusterKey) {
    return scopes.getIndexer().byIndex(CLUSTER_INDEX, clusterKey).stream()
        .sorted(Comparator.comparing(scope -> scope.getMetadata().getName()))
        .toList();
  }

  /** Whether Cluster API's Cluster kind is watched (its CRD is installed). */
  public boolean clusterApiInstalled() {
    return kinds.stream()
        .anyMatch(kind -> kind.role() == GuardedKind.Role.CLUSTER && informers.containsKey(kind));
  }

  @Override
  public boolean clusterExists(String namespace, String name) {
    return kinds.stream()
        .filter(kind -> kind.role() == GuardedKind.Role.CLUSTER)
        .anyMatch(kind -> get(kind, namespace, name).isPresent());
  }

  /**
   * The key of the cluster a ClusterScope declares ({@code local} or {@code namespace/name}), or
   * null.
   */
  public static String clusterKey(ClusterScope scope) {
    return ClusterScopeValidator.clusterDisplay(scope.getSpec());
  }

  @Override
  public void close() {
    if (crds != null) {
      crds.stop();
    }
    informers.keySet().forEach(this::stopKind);
    if (namespaces != null) {
      namespaces.stop();
    }
    if (scopes != null) {
      scopes.stop();
    }
  }
}
