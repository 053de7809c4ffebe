package io.scopeguard.guard;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.api.DeletionBudget;
import io.scopeguard.approval.Fingerprint;
import io.scopeguard.deletion.ArtifactException;
import io.scopeguard.deletion.ArtifactFetcher;
import io.scopeguard.deletion.ArtifactTree;
import io.scopeguard.deletion.Budget;
import io.scopeguard.deletion.Budgets;
import io.scopeguard.deletion.Cascade;
import io.scopeguard.deletion.DeletionBudgetJudge;
import io.scopeguard.deletion.DeletionReport;
import io.scopeguard.deletion.KustomizePredictor;
import io.scopeguard.deletion.ObjectId;
import io.scopeguard.deletion.Prediction;
import io.scopeguard.deletion.ScopedKinds;
import io.scopeguard.flux.FluxKinds;
import io.scopeguard.flux.FluxStatus;
import io.scopeguard.flux.RefusedRevision;
import io.scopeguard.kinds.GuardedKind;
import io.scopeguard.kinds.Json;
import io.scopeguard.scope.Reason;
import io.scopeguard.scope.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Judges the revision a Kustomization is about to apply: fetches its source's artifact (digest
 * verified, limits enforced), predicts what Flux would apply, takes the inventory minus the
 * prediction (only with {@code prune: true}), follows the cascade, and weighs the result against
 * the deletion budget, for the Kustomization's own inventory and the cluster's GitOps inventory.
 *
 * <p>There is one judgement per Kustomization, revision, spec, inventory and budget at a time,
 * whoever asks (the guard loop, the admission gates, the status report): a second caller waits on
 * the first one's judgement, and the artifact of a revision is fetched once for all its consumers.
 * Every judgement runs on the judging threads within a budget of time and YAML nodes; one over its
 * budget is unreadable, and a judgement that does not finish never holds up a later revision of the
 * same Kustomization (another key) or any other.
 */
public final class RevisionJudge implements AutoCloseable {

  /**
   * One judged revision.
   *
   * @param revision the source revision judged
   * @param verdict allowed, or MassDeletion / PredictionUnknown with the message a person reads
   * @param deleting how many objects it would delete, cascade included (0 when unknown)
   * @param unreadable whether the artifact could not be read within bounds (not fetched, digest
   *     wrong, an unpack limit or the judging budget broken): its prunes are refused whatever the
   *     policy for valid builds that cannot be predicted
   * @param report what a held revision would delete, cascade included, and the source change behind
   *     it; null when the revision is allowed or its deletions are unknown
   */
  public record Judged(
      String revision, Verdict verdict, int deleting, boolean unreadable, DeletionReport report) {

    static Judged unreadable(String subject, String revision, String why) {
      return new Judged(
          revision,
          Verdict.held(
              Reason.PredictionUnknown,
              subject + " revision " + revision + ": cannot read its artifact: " + why,
              "revision=" + revision),
          0,
          true,
          null);
    }
  }

  /**
   * Judgements kept (one per key); an unreadable one only briefly, so that a passing fault is read
   * again.
   */
  private static final int JUDGEMENTS = 32_768;

  private static final Duration UNREADABLE_KEPT = Duration.ofSeconds(15);
  private static final Duration JUDGEMENT_KEPT = Duration.ofHours(1);

  /** Unpacked artifacts kept for the other consumers of the same revision. */
  private static final long ARTIFACT_BYTES = 64L << 20;

  private static final Duration ARTIFACT_KEPT = Duration.ofMinutes(2);

  /**
   * YAML nodes one judgement may read, aliases expanded: about what a 10,000-object repository
   * needs, twice over.
   */
  public static final long NODE_BUDGET = Budgets.DEFAULT_NODES;

  /**
   * Threads judging for the guard loop and the status report: one core is left to admission, so
   * that a backlog (the re-judgement of a whole fleet after a leader change) never slows the
   * judgement a write waits for. Few threads also bound the memory judgements hold.
   */
  private static final int THREADS =
      Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors() - 1));

  /** Threads judging what an admission review waits for (see {@link #answeringAdmission}). */
  private static final int ADMISSION_THREADS = 2;

  private static final ThreadLocal<Boolean> ANSWERING_ADMISSION =
      ThreadLocal.withInitial(() -> false);

  private final Clock clock;
  private final WatchedResources watched;
  private final ArtifactFetcher fetcher;
  private final Duration timeBudget;
  private final long nodeBudget;
  private final ExecutorService judging =
      Executors.newFixedThreadPool(
          THREADS,
          runnable -> {
            Thread thread = new Thread(runnable, "scopeguard-judge");
            thread.setDaemon(true);
            return thread;
          });
  private final ExecutorService admissionJudging =
      Executors.newFixedThreadPool(
          ADMISSION_THREADS,
          runnable -> {
            Thread thread = new Thread(runnable, "scopeguard-judge-admission");
            thread.setDaemon(true);
            return thread;
          });
  private final ExecutorService fetching =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "scopeguard-fetch");
            thread.setDaemon(true);
            return thread;
          });
  private final AsyncCache<String, Judged> judgements;
  private final AsyncCache<String, ArtifactTree> artifacts;

  public RevisionJudge(WatchedResources watched, ArtifactFetcher fetcher) {
    this(watched, fetcher, Duration.ofSeconds(5), Budgets.DEFAULT_NODES);
  }

  /**
   * @param timeBudget how long one judgement may take
   * @param nodeBudget how many YAML nodes one judgement may read (aliases expanded)
   */
  public RevisionJudge(
      WatchedResources watched, ArtifactFetcher fetcher, Duration timeBudget, long nodeBudget) {
    this(watched, fetcher, timeBudget, nodeBudget, Clock.systemUTC());
  }

  /**
   * @param clock tells whether a refused revision is still pending
   */
  public RevisionJudge(
      WatchedResources watched,
      ArtifactFetcher fetcher,
      Duration timeBudget,
      long nodeBudget,
      Clock clock) {
    this.clock = clock;
    this.watched = watched;
    this.fetcher = fetcher;
    this.timeBudget = timeBudget;
    this.nodeBudget = nodeBudget;
    this.judgements =
        Caffeine.newBuilder()
            .maximumSize(JUDGEMENTS)
            .executor(Runnable::run)
            .expireAfter(
                new Expiry<String, Judged>() {
                  @Override
                  public long expireAfterCreate(String key, Judged judged, long now) {
                    return (judged.unreadable() ? UNREADABLE_KEPT : JUDGEMENT_KEPT).toNanos();
                  }

                  @Override
                  public long expireAfterUpdate(String key, Judged judged, long now, long current) {
                    return expireAfterCreate(key, judged, now);
                  }

                  @Override
                  public long expireAfterRead(String key, Judged judged, long now, long current) {
                    return current;
                  }
                })
            .buildAsync();
    this.artifacts =
        Caffeine.newBuilder()
            .executor(Runnable::run)
            .maximumWeight(ARTIFACT_BYTES)
            .weigher(
                (String key, ArtifactTree tree) ->
                    (int) Math.min(Integer.MAX_VALUE, tree.totalBytes()))
            .expireAfterWrite(ARTIFACT_KEPT)
            .buildAsync();
  }

  /**
   * What an approval of {@code revision} is bound to: the spec, the scope label and the revision.
   */
  public static String fingerprint(GenericKubernetesResource kustomization, String revision) {
    return Fingerprint.of(kustomization, FluxKinds.SUSPEND) + "@" + revision;
  }

  /**
   * The source revision this Kustomization would apply next: the one its source keeps trying to
   * publish while scopeguard's revision gate refuses it, else its source's artifact; empty when its
   * source has none.
   */
  public Optional<FluxStatus.Artifact> pendingArtifact(GenericKubernetesResource kustomization) {
    return FluxKinds.KUSTOMIZATION
        .sourceRef()
        .apply(kustomization)
        .flatMap(watched::source)
        .flatMap(
            source ->
                RefusedRevision.pending(source.resource(), clock.instant())
                    .map(RefusedRevision::artifact)
                    .or(() -> FluxStatus.artifact(source.resource())));
  }

  /**
   * The judgement of the pending revision, started if nobody started it; empty when there is none
   * (no source, or no artifact yet).
   */
  public CompletableFuture<Optional<Judged>> judging(
      GenericKubernetesResource kustomization, DeletionBudget budget) {
    return pendingArtifact(kustomization)
        .map(artifact -> judging(kustomization, artifact, budget))
        .orElseGet(() -> CompletableFuture.completedFuture(Optional.empty()));
  }

  /**
   * The judgement of {@code artifact} as this Kustomization (its spec and inventory) would apply
   * it, started if nobody started it: a revision its source is about to publish, or the current one
   * under a spec about to be written.
   */
  public CompletableFuture<Optional<Judged>> judging(
      GenericKubernetesResource kustomization,
      FluxStatus.Artifact artifact,
      DeletionBudget budget) {
    String key = key(kustomization, artifact, budget);
    List<String> inventory = FluxStatus.inventory(kustomization);
    ExecutorService executor = ANSWERING_ADMISSION.get() ? admissionJudging : judging;
    return judgements
        .get(
            key,
            (k, ignored) ->
                CompletableFuture.supplyAsync(
                    () -> judge(kustomization, artifact, inventory, budget), executor))
        .thenApply(Optional::of);
  }

  /**
   * Runs {@code answer}, the answer to an admission review: the judgements it starts run on threads
   * of their own, ahead of whatever the guard loop has queued.
   */
  public static <T> T answeringAdmission(Supplier<T> answer) {
    ANSWERING_ADMISSION.set(true);
    try {
      return answer.get();
    } finally {
      ANSWERING_ADMISSION.set(false);
    }
  }

  /**
   * Judges the pending revision, waiting for a judgement in flight rather than starting another;
   * empty when there is none. One that does not finish within the judging budget is unreadable.
   */
  public Optional<Judged> judge(GenericKubernetesResource kustomization, DeletionBudget budget) {
    return await(kustomization, judging(kustomization, budget), timeout());
  }

  /**
   * How long a caller with no deadline of its own waits for a judgement: the judging budget and a
   * second.
   */
  public Duration timeout() {
    return timeBudget.plusSeconds(1);
  }

  /** As {@link #judge(GenericKubernetesResource, DeletionBudget)}, for a given artifact. */
  public Judged judge(
      GenericKubernetesResource kustomization,
      FluxStatus.Artifact artifact,
      DeletionBudget budget,
      Duration timeout) {
    return await(kustomization, artifact, judging(kustomization, artifact, budget), timeout)
        .orElseThrow();
  }

  /**
   * Waits up to {@code timeout} for a judgement; past it the revision is unreadable for this caller
   * (the judgement goes on, and the next caller gets its result).
   */
  public Optional<Judged> await(
      GenericKubernetesResource kustomization,
      CompletableFuture<Optional<Judged>> judgement,
      Duration timeout) {
    return await(kustomization, pendingArtifact(kustomization).orElse(null), judgement, timeout);
  }

  private Optional<Judged> await(
      GenericKubernetesResource kustomization,
      FluxStatus.Artifact artifact,
      CompletableFuture<Optional<Judged>> judgement,
      Duration timeout) {
    try {
      return judgement.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return Optional.ofNullable(artifact)
          .map(
              a ->
                  Judged.unreadable(
                      subject(kustomization),
                      a.revision(),
                      "judging took longer than " + timeout.toSeconds() + " s"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while judging " + subject(kustomization), e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "judging " + subject(kustomization) + " failed: " + e.getCause(), e.getCause());
    }
  }

  /**
   * The verdict already reached for the pending revision, without judging: empty when there is no
   * pending revision, null-wrapped when it has not been judged yet ({@code
   * Optional.of(Optional.empty())}).
   */
  public Optional<Optional<Judged>> known(
      GenericKubernetesResource kustomization, DeletionBudget budget) {
    Optional<FluxStatus.Artifact> artifact = pendingArtifact(kustomization);
    if (artifact.isEmpty()) {
      return Optional.empty();
    }
    CompletableFuture<Judged> judged =
        judgements.getIfPresent(key(kustomization, artifact.get(), budget));
    return Optional.of(
        judged != null && judged.isDone() && !judged.isCompletedExceptionally()
            ? Optional.of(judged.join())
            : Optional.empty());
  }

  private static String key(
      GenericKubernetesResource kustomization,
      FluxStatus.Artifact artifact,
      DeletionBudget budget) {
    return kustomization.getMetadata().getUid()
        + "@"
        + artifact.revision()
        + "#"
        + Fingerprint.of(kustomization, FluxKinds.SUSPEND)
        + "#"
        + FluxStatus.inventory(kustomization).hashCode()
        + "#"
        + budget.getMaxPercent()
        + "/"
        + budget.getMaxObjects()
        + "/"
        + budget.getMinInventory();
  }

  private Judged judge(
      GenericKubernetesResource kustomization,
      FluxStatus.Artifact artifact,
      List<String> inventory,
      DeletionBudget budget) {
    String subject = subject(kustomization);
    String revision = artifact.revision();
    if (!FluxStatus.prune(kustomization) || inventory.isEmpty()) {
      return new Judged(
          revision,
          Verdict.allowed(subject + " revision " + revision + " prunes nothing"),
          0,
          false,
          null);
    }
    long deadline = System.nanoTime() + timeBudget.toNanos();
    Prediction prediction;
    try {
      ArtifactTree tree = artifact(artifact);
      prediction =
          KustomizePredictor.predict(
              tree.asSourceFiles(),
              FluxKinds.kustomizationSpec(kustomization),
              scopedKinds(),
              Budget.of(
                  nodeBudget, () -> System.nanoTime() > deadline, timeBudget.toSeconds() + " s"));
    } catch (ArtifactException e) {
      return Judged.unreadable(subject, revision, e.getMessage());
    }
    switch (prediction.outcome()) {
      case UNREADABLE:
        return Judged.unreadable(subject, revision, prediction.reason());
      case UNKNOWN:
        return new Judged(
            revision,
            Verdict.held(
                Reason.PredictionUnknown,
                subject
                    + " revision "
                    + revision
                    + ": cannot predict what it would delete: "
                    + prediction.reason(),
                "revision=" + revision),
            0,
            false,
            null);
      case BUILD_FAILS:
        return new Judged(
            revision,
            Verdict.allowed(
                subject
                    + " revision "
                    + revision
                    + " does not build ("
                    + prediction.reason()
                    + "); Flux prunes nothing"),
            0,
            false,
            null);
      default:
        break;
    }
    Set<ObjectId> direct = new LinkedHashSet<>();
    for (String id : inventory) {
      ObjectId object = ObjectId.parse(id);
      if (!prediction.ids().contains(object)) {
        direct.add(object);
      }
    }
    List<Cascade.Deletion> traced = Cascade.trace(direct, new CachedInventories(watched));
    List<String> named = new ArrayList<>(traced.size());
    traced.forEach(deletion -> named.add(deletion.object().toString()));
    int cluster = clusterInventory(kustomization);
    Verdict verdict =
        DeletionBudgetJudge.judge(
            subject, revision, direct.size(), named, inventory.size(), cluster, budget);
    DeletionReport report =
        verdict.isAllowed()
            ? null
            : DeletionReport.of(
                subject, revision, sourceChange(kustomization), traced, inventory.size(), cluster);
    return new Judged(revision, verdict, traced.size(), false, report);
  }

  /** The kustomization's source as scopeguard sees it now, and what it applied last. */
  private DeletionReport.SourceChange sourceChange(GenericKubernetesResource kustomization) {
    String applied = Json.text(kustomization, "/status/lastAppliedRevision").orElse(null);
    return FluxKinds.KUSTOMIZATION
        .sourceRef()
        .apply(kustomization)
        .map(
            ref -> {
              String url =
                  watched
                      .source(ref)
                      .flatMap(source -> source.kind().sourceUrl().apply(source.resource()))
                      .orElse(null);
              Optional<WatchedResources.UrlChange> change = watched.previousUrl(ref);
              return new DeletionReport.SourceChange(
                  ref.kind(),
                  ref.namespace(),
                  ref.name(),
                  url,
                  change.map(WatchedResources.UrlChange::from).orElse(null),
                  change.map(c -> c.at().toString()).orElse(null),
                  applied);
            })
        .orElse(null);
  }

  /**
   * The unpacked artifact, fetched once for every consumer of the revision judged at about the same
   * time.
   */
  private ArtifactTree artifact(FluxStatus.Artifact artifact) throws ArtifactException {
    try {
      return artifacts
          .get(
              artifact.url() + "#" + artifact.digest(),
              (key, executor) ->
                  CompletableFuture.supplyAsync(
                      () -> {
                        try {
                          return fetcher.fetch(artifact.url(), artifact.digest());
                        } catch (ArtifactException e) {
                          throw new CompletionException(e);
                        }
                      },
                      fetching))
          .join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof ArtifactException cause) {
        throw cause;
      }
      throw e;
    }
  }

  private static String subject(GenericKubernetesResource kustomization) {
    return "Kustomization "
        + kustomization.getMetadata().getNamespace()
        + "/"
        + kustomization.getMetadata().getName();
  }

  private ScopedKinds scopedKinds() {
    return ScopedKinds.builtInAnd(watched.clusterScopedKinds());
  }

  /**
   * Objects in the GitOps inventories of every reconciler acting on the same cluster. Summed: an
   * object belongs to one inventory (Flux's owner labels name one owner).
   */
  private int clusterInventory(GenericKubernetesResource kustomization) {
    String target = FluxKinds.KUSTOMIZATION.target().apply(kustomization).key();
    return watched
        .byIndex(WatchedResources.TARGET_INDEX, target, GuardedKind.Role.RECONCILER)
        .stream()
        .mapToInt(w -> FluxStatus.inventory(w.resource()).size())
        .sum();
  }

  @Override
  public void close() {
    judging.shutdownNow();
    admissionJudging.shutdownNow();
    fetching.shutdownNow();
  }

  /** The cascade's view of the cluster: the inventories in the shared informer caches. */
  private record CachedInventories(WatchedResources watched) implements Cascade.Inventories {
    @Override
    public List<ObjectId> kustomization(String namespace, String name) {
      return watched
          .get(FluxKinds.KUSTOMIZATION, namespace, name)
          .filter(FluxStatus::deletingDeletesInventory)
          .map(k -> FluxStatus.inventory(k).stream().map(ObjectId::parse).toList())
          .orElse(List.of());
    }

    @Override
    public List<ObjectId> helmRelease(String namespace, String name) {
      return watched
          .get(FluxKinds.HELM_RELEASE, namespace, name)
          .filter(h -> !FluxStatus.suspended(h))
          .map(h -> FluxStatus.inventory(h).stream().map(ObjectId::parse).toList())
          .orElse(List.of());
    }

    @Override
    public List<ObjectId> inNamespace(String namespace) {
      Set<ObjectId> inside = new LinkedHashSet<>();
      for (GuardedKind kind : List.of(FluxKinds.KUSTOMIZATION, FluxKinds.HELM_RELEASE)) {
        for (GenericKubernetesResource reconciler : watched.byIndexAll(kind)) {
          FluxStatus.inventory(reconciler).stream()
              .map(ObjectId::parse)
              .filter(id -> namespace.equals(id.namespace()))
              .forEach(inside::add);
        }
      }
      return List.copyOf(inside);
    }
  }
}
