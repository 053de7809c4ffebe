package io.scopeguard.guard;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.kinds.GuardedKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The caches, and the API server for what they have not seen yet: a decision taken moments after
 * the ClusterScope, Cluster, Namespace or source it depends on was written (one {@code kubectl
 * apply -f dir/} holding all of them), before that object's watch event arrived. Admission and the
 * guard loop both read this way, so that they decide alike whichever event came first. Only a miss
 * is read through, each read within what is left of the deadline, on threads of its own. A read
 * that fails or is too late is no fact at all: {@link FactsUnavailable}, so admission refuses the
 * write and the guard loop retries, rather than decide on a guess.
 */
public final class ReadThroughFacts implements FactSource {

  /** What a decision could not read; it is not taken. */
  public static final class FactsUnavailable extends RuntimeException {
    FactsUnavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Reads through for one decision after another; a new {@link ReadThroughFacts} per decision. */
  public static final class Reader implements AutoCloseable {
    private final WatchedResources cached;
    private final KubernetesClient client;
    private final Clock clock;
    private final ExecutorService reads =
        Executors.newFixedThreadPool(
            4,
            runnable -> {
              Thread thread = new Thread(runnable, "scopeguard-read-through");
              thread.setDaemon(true);
              return thread;
            });

    public Reader(WatchedResources cached, KubernetesClient client, Clock clock) {
      this.cached = cached;
      this.client = client;
      this.clock = clock;
    }

    /**
     * The facts of one decision, read through until {@code budget} from now.
     *
     * @param about what is being decided, for messages
     * @param consumers whether a source's consumers are read through too (a source being created or
     *     re-pointed); otherwise they come from the caches alone
     */
    public ReadThroughFacts facts(String about, Duration budget, boolean consumers) {
      return new ReadThroughFacts(this, about, Instant.now(clock).plus(budget), consumers);
    }

    @Override
    public void close() {
      reads.shutdownNow();
    }
  }

  private final Reader reader;
  private final WatchedResources cached;
  private final String about;
  private final Instant deadline;
  private final boolean readConsumers;

  private ReadThroughFacts(Reader reader, String about, Instant deadline, boolean readConsumers) {
    this.reader = reader;
    this.cached = reader.cached;
    this.about = about;
    this.deadline = deadline;
    this.readConsumers = readConsumers;
  }

  @Override
  public Optional<GenericKubernetesResource> get(GuardedKind kind, String namespace, String name) {
    return cached.get(kind, namespace, name).or(() -> read(kind, namespace, name));
  }

  @Override
  public Optional<ClusterScope> scope(String name) {
    return cached
        .scope(name)
        .or(
            () ->
                read(
                    "ClusterScope " + name,
                    () -> reader.client.resources(ClusterScope.class).withName(name).get()));
  }

  @Override
  public List<ClusterScope> scopesDeclaring(String clusterKey) {
    List<ClusterScope> declaring = cached.scopesDeclaring(clusterKey);
    if (!declaring.isEmpty()) {
      return declaring;
    }
    return read(
            "the ClusterScopes",
            () -> reader.client.resources(ClusterScope.class).list().getItems())
        .orElse(List.of())
        .stream()
        .filter(scope -> clusterKey.equals(WatchedResources.clusterKey(scope)))
        .sorted(Comparator.comparing(scope -> scope.getMetadata().getName()))
        .toList();
  }

  @Override
  public boolean clusterExists(String namespace, String name) {
    if (cached.clusterExists(namespace, name)) {
      return true;
    }
    return cached.activeKinds().stream()
        .filter(kind -> kind.role() == GuardedKind.Role.CLUSTER)
        .anyMatch(kind -> read(kind, namespace, name).isPresent());
  }

  @Override
  public Optional<WatchedResources.Watched> source(GuardedKind.SourceRef ref) {
    return cached
        .source(ref)
        .or(
            () ->
                cached.activeKinds().stream()
                    .filter(
                        kind ->
                            kind.role() == GuardedKind.Role.SOURCE
                                && kind.kind().equals(ref.kind()))
                    .flatMap(
                        kind ->
                            read(kind, ref.namespace(), ref.name())
                                .map(r -> new WatchedResources.Watched(kind, r))
                                .stream())
                    .findFirst());
  }

  @Override
  public Optional<String> namespaceScope(String namespace) {
    if (namespace == null || cached.namespaceKnown(namespace)) {
      return cached.namespaceScope(namespace);
    }
    return read(
            "Namespace " + namespace, () -> reader.client.namespaces().withName(namespace).get())
        .map(Namespace::getMetadata)
        .map(meta -> WatchedResources.scopeLabel(meta.getLabels()));
  }

  /**
   * The cached consumers; for a source being created or re-pointed, also those in the source's own
   * namespace that the API server has and the caches do not yet.
   */
  @Override
  public List<WatchedResources.Watched> consumers(GuardedKind.SourceRef source) {
    Map<String, WatchedResources.Watched> found = new LinkedHashMap<>();
    cached.consumers(source).forEach(w -> found.put(w.resource().getMetadata().getUid(), w));
    if (!readConsumers) {
      return new ArrayList<>(found.values());
    }
    for (GuardedKind kind : cached.activeKinds()) {
      Optional<GroupVersionKind> gvk = cached.servedVersion(kind);
      if (kind.role() != GuardedKind.Role.RECONCILER || gvk.isEmpty()) {
        continue;
      }
      read(
              kind.kind() + "s in " + source.namespace(),
              () ->
                  reader
                      .client
                      .genericKubernetesResources(gvk.get().apiVersion(), gvk.get().getKind())
                      .inNamespace(source.namespace())
                      .list()
                      .getItems())
          .orElse(List.of())
          .stream()
          .filter(
              r ->
                  kind.sourceRef()
                      .apply(r)
                      .filter(ref -> ref.key().equals(source.key()))
                      .isPresent())
          .forEach(
              r ->
                  found.putIfAbsent(
                      r.getMetadata().getUid(), new WatchedResources.Watched(kind, r)));
    }
    return new ArrayList<>(found.values());
  }

  private Optional<GenericKubernetesResource> read(
      GuardedKind kind, String namespace, String name) {
    Optional<GroupVersionKind> gvk = cached.servedVersion(kind);
    if (gvk.isEmpty()) {
      return Optional.empty();
    }
    return read(
        kind.kind() + " " + (namespace == null ? "" : namespace + "/") + name,
        () -> {
          var resources =
              reader.client.genericKubernetesResources(gvk.get().apiVersion(), gvk.get().getKind());
          return namespace == null
              ? resources.withName(name).get()
              : resources.inNamespace(namespace).withName(name).get();
        });
  }

  /**
   * One read, within what is left of the deadline; absent when the API server says so, unavailable
   * otherwise.
   */
  private <T> Optional<T> read(String what, Supplier<T> read) {
    long left = Duration.between(Instant.now(reader.clock), deadline).toMillis();
    if (left <= 0) {
      throw new FactsUnavailable(
          "scopeguard could not read " + what + " for " + about + " in time", null);
    }
    CompletableFuture<T> reading = CompletableFuture.supplyAsync(read, reader.reads);
    try {
      return Optional.ofNullable(reading.get(left, TimeUnit.MILLISECONDS));
    } catch (TimeoutException e) {
      reading.cancel(true);
      throw new FactsUnavailable(
          "scopeguard could not read " + what + " for " + about + " in time", e);
    } catch (ExecutionException e) {
      String why =
          e.getCause() instanceof KubernetesClientException k
              ? "HTTP " + k.getCode() + ": " + k.getMessage()
              : String.valueOf(e.getCause());
      throw new FactsUnavailable(
          "scopeguard could not read " + what + " for " + about + " (" + why + ")", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FactsUnavailable("interrupted reading " + what + " for " + about, e);
    }
  }
}
