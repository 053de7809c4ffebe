package io.scopeguard.guard;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.approval.Fingerprint;
import io.scopeguard.approval.GuardDecision;
import io.scopeguard.approval.GuardDecision.Action;
import io.scopeguard.approval.GuardDecision.Decision;
import io.scopeguard.approval.HoldState;
import io.scopeguard.approval.Tokens;
import io.scopeguard.deletion.RevisionJudge;
import io.scopeguard.scope.Reason;
import io.scopeguard.metrics.GuardMetrics;
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
 * Reconciles one guarded resource at a time: gathers facts, asks the judge, decides with the
 * approval table, and lets the actuator act. Runs on its own keyed work queue, fed by the
 * shared informers: a change to the resource, to a ClusterScope that names or declares it, or to
 * its source queues it.
 */
public final class GuardReconciler implements WatchedResources.Listener, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GuardReconciler.class);
  private static final Set<Action> HOLDING = EnumSet.of(Action.SUSPEND, Action.RESUSPEND, Action.UPDATE_HOLD, Action.KEEP);

  private final WatchedResources watched;
  private final FactFinder facts;
  private final Actuator actuator;
  private final GuardMetrics metrics;
  private final Clock clock;
  private final WorkQueue<ResourceKey> queue;

  public GuardReconciler(WatchedResources watched, FactFinder facts, Actuator actuator, GuardMetrics metrics, Clock clock,
      int threads) {
    this.watched = watched;
    this.facts = facts;
    this.actuator = actuator;
    this.metrics = metrics;
    this.clock = clock;
    this.queue = new WorkQueue<>("scopeguard-guard", threads, this::reconcile);
  }

  @Override
  public void resourceChanged(GuardedKind kind, GenericKubernetesResource before, GenericKubernetesResource after) {
    if (kind.role() == GuardedKind.Role.CLUSTER) {
      return;
    }
    GenericKubernetesResource current = after != null ? after : before;
    queue.enqueue(ResourceKey.of(kind, current));
    if (kind.role() == GuardedKind.Role.SOURCE) {
      String sourceKey = new GuardedKind.SourceRef(kind.kind(), current.getMetadata().getNamespace(),
          current.getMetadata().getName()).key();
      watched.byIndex(WatchedResources.SOURCE_INDEX, sourceKey, GuardedKind.Role.RECONCILER)
          .forEach(consumer -> queue.enqueue(ResourceKey.of(consumer.kind(), consumer.resource())));
    }
  }

  @Override
  public void scopeChanged(ClusterScope before, ClusterScope after) {
    Stream.of(before, after).filter(scope -> scope != null).forEach(scope -> {
      watched.byIndex(WatchedResources.SCOPE_INDEX, scope.getMetadata().getName(),
              GuardedKind.Role.RECONCILER, GuardedKind.Role.SOURCE)
          .forEach(w -> queue.enqueue(ResourceKey.of(w.kind(), w.resource())));
      Optional.ofNullable(WatchedResources.clusterKey(scope)).ifPresent(cluster ->
          watched.byIndex(WatchedResources.TARGET_INDEX, cluster, GuardedKind.Role.RECONCILER)
              .forEach(w -> queue.enqueue(ResourceKey.of(w.kind(), w.resource()))));
    });
  }

  /**
   * Starts acting: called once this replica leads (or at start without leader election). What
   * changed while following is judged now.
   */
  public void lead() {
    LOG.info("guard reconciling as leader: {} resources queued while following", queue.waiting());
    queue.start();
  }

  /** Stops acting at once, queued work dropped: this replica no longer leads (or is shutting down). */
  public void follow() {
    queue.stop();
  }

  void reconcile(ResourceKey key, Instant firstQueued) {
    try {
      judgeAndAct(key, firstQueued);
    } catch (RuntimeException e) {
      metrics.failed(key.kind().kind());
      throw e;
    }
  }

  private void judgeAndAct(ResourceKey key, Instant firstQueued) {
    Optional<GenericKubernetesResource> found = watched.get(key.kind(), key.namespace(), key.name());
    if (found.isEmpty()) {
      metrics.forget(key.id());
      actuator.forget(key);
      return;
    }
    GuardedKind kind = key.kind();
    GenericKubernetesResource resource = found.get();
    Judgement judgement = facts.judge(kind, resource);
    HoldState state = HoldState.of(Json.flag(resource, kind.pausePointer()), resource.getMetadata().getAnnotations());
    String fingerprint = judgement.aboutRevision() ? RevisionJudge.fingerprint(resource, judgement.revision())
        : Fingerprint.of(resource, kind.pausePointer());
    String token = judgement.aboutRevision() ? judgement.revision() : Tokens.forGeneration(resource.getMetadata().getGeneration());
    Decision decision = GuardDecision.decide(judgement.verdict(), state, judgement.enforcement(), fingerprint, token);

    String reason = judgement.verdict().isAllowed() ? "Allowed" : judgement.verdict().reason().name();
    metrics.verdict(key.id(), judgement.homeName(), reason);
    boolean violating = !judgement.verdict().isAllowed() && decision.action() != Action.NONE || state.heldByScopeguard();
    GuardMetrics.Labels held = HOLDING.contains(decision.action())
        ? labels(key, judgement, decision.reason()) : null;
    GuardMetrics.Labels violation = violating && !judgement.verdict().isAllowed() ? labels(key, judgement, reason)
        : judgement.warning() != null ? labels(key, judgement, Reason.PredictionUnknown.name()) : null;
    metrics.observe(key.id(), held, violation, judgement.enforcement().name());
    metrics.predicted(key.id(), labels(key, judgement, reason), judgement.predictedDeletions());

    actuator.apply(kind, resource, judgement, state, decision, fingerprint);
    if (decision.action() == Action.SUSPEND || decision.action() == Action.RESUSPEND) {
      metrics.detected(Duration.between(firstQueued, Instant.now(clock)));
    }
  }

  private static GuardMetrics.Labels labels(ResourceKey key, Judgement judgement, String reason) {
    return new GuardMetrics.Labels(judgement.homeName(), judgement.environment(), key.namespace(), key.kind().kind(),
        key.name(), reason);
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
