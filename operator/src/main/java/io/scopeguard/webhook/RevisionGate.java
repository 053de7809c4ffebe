package io.scopeguard.webhook;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.DeletionBudget;
import io.scopeguard.api.Enforcement;
import io.scopeguard.approval.ApproveCommand;
import io.scopeguard.approval.HoldState;
import io.scopeguard.deletion.UnknownPolicy;
import io.scopeguard.flux.FluxIdentities;
import io.scopeguard.flux.FluxKinds;
import io.scopeguard.guard.Decisions;
import io.scopeguard.guard.Judgement;
import io.scopeguard.guard.ReadThroughFacts;
import io.scopeguard.guard.RevisionJudge;
import io.scopeguard.guard.WatchedResources;
import io.scopeguard.scope.Reason;
import java.time.Duration;
import java.util.Optional;

/**
 * The delete guard's decision for one DELETE of an object a Kustomization manages. It is a prune
 * when it comes from an identity that Kustomization acts as (its controller, the service account it
 * impersonates); a prune passes only when the revision the Kustomization applies was judged within
 * budget, or a person approved exactly that revision, or its ClusterScope only audits. A revision
 * not judged yet is judged on the spot, joining any judgement already in flight for it, within a
 * bounded time; an artifact that cannot be read, and a judgement that does not finish in time, are
 * refused (a valid build that cannot be predicted follows the configured policy). A Kustomization
 * the caches have not seen is read through to the API server, and refused while unknown. Anyone
 * else's delete (a person's {@code kubectl delete}, a Kustomization's finalizer once a person
 * deleted it) is theirs to make.
 */
public final class RevisionGate implements PruneGate, AutoCloseable {

  private final WatchedResources watched;
  private final Decisions decisions;
  private final RevisionJudge judge;
  private final UnknownPolicy unknownPolicy;
  private final FluxIdentities flux;
  private final Duration timeout;
  private final Duration readBudget;

  /**
   * @param timeout how long a revision not judged yet may take to judge, within the webhook's
   *     timeout
   * @param readBudget how long what the caches have not seen may take to read
   */
  public RevisionGate(
      WatchedResources watched,
      Decisions decisions,
      RevisionJudge judge,
      UnknownPolicy unknownPolicy,
      FluxIdentities flux,
      Duration timeout,
      Duration readBudget) {
    this.watched = watched;
    this.decisions = decisions;
    this.judge = judge;
    this.unknownPolicy = unknownPolicy;
    this.flux = flux;
    this.timeout = timeout;
    this.readBudget = readBudget;
  }

  @Override
  public String refusal(String ownerNamespace, String ownerName, String object, String user) {
    String owner = "Kustomization " + ownerNamespace + "/" + ownerName;
    Optional<GenericKubernetesResource> found;
    try {
      found =
          decisions
              .facts("the prune of " + object, readBudget, false)
              .get(FluxKinds.KUSTOMIZATION, ownerNamespace, ownerName);
    } catch (ReadThroughFacts.FactsUnavailable e) {
      return flux.mayActIn(ownerNamespace, user)
          ? e.getMessage() + "; its prunes wait until it can be read"
          : null;
    }
    if (found.isEmpty()) {
      return flux.mayActIn(ownerNamespace, user)
          ? "scopeguard: "
              + owner
              + ", which manages "
              + object
              + ", is not known to scopeguard yet; its prunes wait until it is (Flux retries)"
          : null;
    }
    GenericKubernetesResource kustomization = found.get();
    if (!flux.of(kustomization).contains(user)
        || kustomization.getMetadata().getDeletionTimestamp() != null) {
      return null;
    }
    Judgement scope = decisions.judgeScope(FluxKinds.KUSTOMIZATION, kustomization, watched);
    if (scope.enforcement() == Enforcement.Audit) {
      return null;
    }
    DeletionBudget budget =
        scope
            .home()
            .map(ClusterScope::getSpec)
            .map(spec -> spec.getDeletion())
            .orElseGet(DeletionBudget::new);
    Optional<RevisionJudge.Judged> judged;
    try {
      judged = judge.await(kustomization, judge.judging(kustomization, budget), timeout);
    } catch (RuntimeException e) {
      return "scopeguard could not judge the pending revision of "
          + owner
          + " ("
          + e.getMessage()
          + "); refused to be safe (deleting "
          + object
          + ")";
    }
    if (judged.isEmpty() || judged.get().verdict().isAllowed()) {
      return null;
    }
    RevisionJudge.Judged revision = judged.get();
    String fingerprint = RevisionJudge.fingerprint(kustomization, revision.revision());
    HoldState state = HoldState.of(false, kustomization.getMetadata().getAnnotations());
    if (state.approves(revision.verdict().reason(), fingerprint)) {
      return null;
    }
    if (revision.verdict().reason() == Reason.PredictionUnknown
        && !revision.unreadable()
        && unknownPolicy == UnknownPolicy.Allow) {
      return null;
    }
    return "scopeguard ("
        + revision.verdict().reason()
        + "): "
        + revision.verdict().message()
        + " (deleting "
        + object
        + "). To let this revision through: "
        + ApproveCommand.of(
            FluxKinds.KUSTOMIZATION.kubectlName(), ownerNamespace, ownerName, revision.revision());
  }

  @Override
  public void close() {
    // the judging threads belong to the RevisionJudge, which the operator closes
  }
}
