package io.scopeguard.deletion;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.DeletionBudget;
import io.scopeguard.approval.ApproveCommand;
import io.scopeguard.approval.HoldState;
import io.scopeguard.flux.FluxKinds;
import io.scopeguard.guard.Decisions;
import io.scopeguard.guard.WatchedResources;
import io.scopeguard.runtime.OperatorSettings.UnknownPolicy;
import io.scopeguard.scope.Reason;
import io.scopeguard.webhook.PruneGate;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The webhook's view of a Kustomization's pending revision: a Flux delete passes only when that
 * revision has been judged within budget, or a person approved exactly it. A revision not judged
 * yet is judged on the spot (shared with the guard through {@link RevisionJudge}'s cache), within
 * a bounded time; what cannot be judged in time is refused.
 */
public final class RevisionGate implements PruneGate, AutoCloseable {

  private final WatchedResources watched;
  private final Decisions decisions;
  private final RevisionJudge judge;
  private final UnknownPolicy unknownPolicy;
  private final Duration timeout;
  private final ExecutorService judging = Executors.newFixedThreadPool(2, runnable -> {
    Thread thread = new Thread(runnable, "scopeguard-gate");
    thread.setDaemon(true);
    return thread;
  });

  public RevisionGate(WatchedResources watched, RevisionJudge judge, UnknownPolicy unknownPolicy, Duration timeout) {
    this.watched = watched;
    this.decisions = new Decisions(watched);
    this.judge = judge;
    this.unknownPolicy = unknownPolicy;
    this.timeout = timeout;
  }

  @Override
  public String refusal(String ownerNamespace, String ownerName, String object) {
    Optional<GenericKubernetesResource> found = watched.get(FluxKinds.KUSTOMIZATION, ownerNamespace, ownerName);
    if (found.isEmpty() || found.get().getMetadata().getDeletionTimestamp() != null) {
      return null;
    }
    GenericKubernetesResource kustomization = found.get();
    DeletionBudget budget = decisions.judgeScope(FluxKinds.KUSTOMIZATION, kustomization, watched).home()
        .map(ClusterScope::getSpec).map(spec -> spec.getDeletion()).orElseGet(DeletionBudget::new);
    Optional<Optional<RevisionJudge.Judged>> known = judge.known(kustomization, budget);
    if (known.isEmpty()) {
      return null;
    }
    Optional<RevisionJudge.Judged> judged = known.get();
    try {
      if (judged.isEmpty()) {
        Future<Optional<RevisionJudge.Judged>> pending = judging.submit(() -> judge.judge(kustomization, budget));
        try {
          judged = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          pending.cancel(true);
          throw e;
        }
      }
    } catch (TimeoutException e) {
      return "scopeguard: the pending revision of Kustomization " + ownerNamespace + "/" + ownerName
          + " is not judged yet; its deletes wait until it is (deleting " + object + ")";
    } catch (Exception e) {
      return "scopeguard could not judge the pending revision of Kustomization " + ownerNamespace + "/" + ownerName
          + " (" + e.getMessage() + "); refused to be safe";
    }
    if (judged.isEmpty() || judged.get().verdict().isAllowed()) {
      return null;
    }
    RevisionJudge.Judged revision = judged.get();
    String fingerprint = RevisionJudge.fingerprint(kustomization, revision.revision());
    HoldState state = HoldState.of(false, kustomization.getMetadata().getAnnotations());
    if (state.approves(Reason.MassDeletion, fingerprint)) {
      return null;
    }
    if (revision.verdict().reason() == Reason.PredictionUnknown && unknownPolicy == UnknownPolicy.Allow) {
      return null;
    }
    return "scopeguard (" + revision.verdict().reason() + "): " + revision.verdict().message() + " (deleting " + object
        + "). To let this revision through: "
        + ApproveCommand.of(FluxKinds.KUSTOMIZATION.kubectlName(), ownerNamespace, ownerName, revision.revision());
  }

  @Override
  public void close() {
    judging.shutdownNow();
  }
}
