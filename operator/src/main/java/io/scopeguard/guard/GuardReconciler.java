package io.scopeguard.guard;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.approval.GuardDecision.Action;
import io.scopeguard.approval.GuardDecision.Decision;
import io.scopeguard.flux.FluxStatus;
import io.scopeguard.flux.RefusedRevision;
import io.scopeguard.kinds.GuardedKind;
import io.scopeguard.metrics.GuardMetrics;
import io.scopeguard.scope.Reason;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles one guarded resource at a time: asks the {@link Decisions} what to do and lets the
 * actuator do it. Runs on its own keyed work queue, fed by the shared informers: a change to the
 * resource, to a ClusterScope that names or declares it (or its namespace's default scope), to its
 * source or consumers, or to the Cluster API Cluster it targets queues it. Where admission already
 * held a resource in the write that created or changed it, this loop adds what admission cannot
 * write: the Event, the status row (through the ClusterScope reconciler) and the metrics.
 */
public final class GuardReconciler implements WatchedResources.Listener, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GuardReconciler.class);
  private static final Set<Action> HOLDING =
      EnumSet.of(Action.SUSPEND, Action.RESUSPEND, Action.UPDATE_HOLD, Action.KEEP);

  private final WatchedResources watched;
  private final Decisions decisions;
  private final Actuator actuator;
  private final GuardMetrics metrics;
  private final Clock clock;

  /**
   * When a write refused because the resource changed since it was judged is judged again, if no
   * event came first.
   */
  private static final Duration JUDGE_AGAIN_AFTER = Duration.ofMillis(100);

  private final WorkQueue<ResourceKey> queue;

  public GuardReconciler(
      WatchedResources watched,
      Decisions decisions,
      Actuator actuator,
      GuardMetrics metrics,
      Clock clock,
      int threads) {
    this.watched = watched;
    this.decisions = decisions;
    this.actuator = actuator;
    this.metrics = metrics;
    this.clock = clock;
    this.queue = new WorkQueue<>("scopeguard-guard", threads, this::reconcile);
  }

  @Override
  public void resourceChanged(
      GuardedKind kind, GenericKubernetesResource before, GenericKubernetesResource after) {
    GenericKubernetesResource current = after != null ? after : before;
    if (kind.role() == GuardedKind.Role.CLUSTER) {
      String cluster = current.getMetadata().getNamespace() + "/" + current.getMetadata().getName();
      watched
          .byIndex(WatchedResources.TARGET_INDEX, cluster, GuardedKind.Role.RECONCILER)
          .forEach(this::enqueue);
      return;
    }
    queue.enqueue(ResourceKey.of(kind, current));
    if (kind.role() == GuardedKind.Role.SOURCE) {
      watched
          .consumers(
              new GuardedKind.SourceRef(
                  kind.kind(),
                  current.getMetadata().getNamespace(),
                  current.getMetadata().getName()))
          .forEach(this::enqueue);
    } else {
      Stream.of(before, after).filter(r -> r != null).forEach(r -> enqueueSource(kind, r));
    }
  }

  @Override
  public void scopeChanged(ClusterScope before, ClusterScope after) {
    Stream.of(before, after)
        .filter(scope -> scope != null)
        .forEach(
            scope -> {
              String name = scope.getMetadata().getName();
              watched
                  .byIndex(
                      WatchedResources.SCOPE_INDEX,
                      name,
                      GuardedKind.Role.RECONCILER,
                      GuardedKind.Role.SOURCE)
                  .forEach(this::enqueue);
              watched.namespacesDefaultingTo(name).forEach(this::enqueueNamespace);
              Optional.ofNullable(WatchedResources.clusterKey(scope))
                  .ifPresent(
                      cluster ->
                          watched
                              .byIndex(
                                  WatchedResources.TARGET_INDEX,
                                  cluster,
                                  GuardedKind.Role.RECONCILER)
                              .forEach(this::enqueue));
            });
  }

  @Override
  public void namespaceScopeChanged(String namespace, String before, String after) {
    enqueueNamespace(namespace);
  }

  private void enqueueNamespace(String namespace) {
    watched
        .byIndex(WatchedResources.NAMESPACE_INDEX, namespace, GuardedKind.Role.RECONCILER)
        .forEach(this::enqueue);
  }

  /**
   * Queues a resource and, for a reconciler, its source: a source is judged against its consumers'
   * scopes.
   */
  private void enqueue(WatchedResources.Watched watched) {
    queue.enqueue(ResourceKey.of(watched.kind(), watched.resource()));
    if (watched.kind().role() == GuardedKind.Role.RECONCILER) {
      enqueueSource(watched.kind(), watched.resource());
    }
  }

  private void enqueueSource(GuardedKind kind, GenericKubernetesResource reconciler) {
    kind.sourceRef()
        .apply(reconciler)
        .flatMap(watched::source)
        .ifPresent(source -> queue.enqueue(ResourceKey.of(source.kind(), source.resource())));
  }

  /**
   * Starts acting: called once this replica leads (or at start without leader election). What
   * changed while following is judged now.
   */
  public void lead() {
    LOG.info("guard reconciling as leader: {} resources queued while following", queue.waiting());
    queue.start();
  }

  /**
   * Stops acting at once, queued work dropped: this replica no longer leads (or is shutting down).
   */
  public void follow() {
    queue.stop();
  }

  void reconcile(ResourceKey key, Instant firstQueued) {
    try {
      judgeAndAct(key, firstQueued);
    } catch (Actuator.ChangedSinceJudged e) {
      LOG.info("{}: changed since it was judged ({}); judging it again", key, e.getMessage());
      queue.enqueueAfter(key, JUDGE_AGAIN_AFTER);
    } catch (RuntimeException e) {
      metrics.failed(key.kind().kind());
      throw e;
    }
  }

  private void judgeAndAct(ResourceKey key, Instant firstQueued) {
    Optional<GenericKubernetesResource> found =
        watched.get(key.kind(), key.namespace(), key.name());
    if (found.isEmpty()) {
      metrics.forget(key.id());
      actuator.forget(key);
      return;
    }
    GuardedKind kind = key.kind();
    GenericKubernetesResource resource = found.get();
    Decisions.Decided decided = decisions.decide(kind, resource);
    Judgement judgement = decided.judgement();
    Decision decision = decided.decision();

    String reason =
        judgement.verdict().isAllowed() ? "Allowed" : judgement.verdict().reason().name();
    if (judgement.verdict().isAllowed() && LOG.isDebugEnabled()) {
      LOG.atDebug()
          .addKeyValue("resource", key.toString())
          .addKeyValue("action", "allowed")
          .addKeyValue("revision", judgement.revision())
          .addKeyValue("deleting", judgement.predictedDeletions())
          .log("{}: allowed: {}", key, judgement.verdict().message());
    }
    metrics.verdict(key.id(), judgement.homeName(), reason);
    boolean violating =
        !judgement.verdict().isAllowed() && decision.action() != Action.NONE
            || decided.state().heldByScopeguard();
    GuardMetrics.Labels held =
        HOLDING.contains(decision.action()) ? labels(key, judgement, decision.reason()) : null;
    GuardMetrics.Labels violation =
        violating && !judgement.verdict().isAllowed()
            ? labels(key, judgement, reason)
            : judgement.warning() != null
                ? labels(key, judgement, Reason.PredictionUnknown.name())
                : null;
    metrics.observe(key.id(), held, violation, judgement.enforcement().name());
    metrics.predicted(key.id(), labels(key, judgement, reason), judgement.predictedDeletions());

    if (actuator.apply(
        kind, resource, judgement, decided.state(), decision, decided.fingerprint())) {
      metrics.detected(
          decision.action() == Action.KEEP
              ? Duration.ZERO
              : Duration.between(firstQueued, Instant.now(clock)));
    }
    if (kind.role() == GuardedKind.Role.SOURCE) {
      refusal(kind, resource);
    }
  }

  /**
   * A revision the gate refused on this source: told in an Event while it is pending, cleared once
   * the source published it or source-controller stopped trying it.
   */
  private void refusal(GuardedKind kind, GenericKubernetesResource source) {
    Optional<RefusedRevision> recorded = RefusedRevision.of(source);
    if (recorded.isEmpty()) {
      return;
    }
    String revision = recorded.get().artifact().revision();
    if (RefusedRevision.pending(source, Instant.now(clock)).isEmpty()) {
      boolean published =
          FluxStatus.artifact(source).map(a -> a.revision().equals(revision)).orElse(false);
      actuator.clearRefused(
          kind,
          source,
          published
              ? "published"
              : "not tried again for " + RefusedRevision.FORGOTTEN_AFTER.toMinutes() + " minutes");
      return;
    }
    PublicationRefusal refusal =
        PublicationRefusal.of(
            Decisions.subject(kind, source),
            revision,
            decisions.decideNewRevision(kind, source, recorded.get().artifact()));
    if (refusal.refused()) {
      actuator.tellRefused(
          kind,
          source,
          revision,
          refusal.message(),
          refusal.trips().get(0).decided().judgement().home());
    }
  }

  private static GuardMetrics.Labels labels(ResourceKey key, Judgement judgement, String reason) {
    return new GuardMetrics.Labels(
        judgement.homeName(),
        judgement.environment(),
        key.namespace(),
        key.kind().kind(),
        key.name(),
        reason);
  }

  /** Whether nothing is queued or being judged. */
  public boolean idle() {
    return queue.idle();
  }

  @Override
  public void close() {
    queue.close();
  }
}
