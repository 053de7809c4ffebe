package io.scopeguard.approval;

import io.scopeguard.api.Enforcement;
import io.scopeguard.scope.Verdict;

/**
 * What to do with a guarded resource, given the verdict and its hold state. Pure; the table in
 * {@link #decide} is the whole approval policy:
 *
 * <ul>
 *   <li>nothing resumes on its own, not even when the reason goes away;
 *   <li>the approve token resumes only the exact thing judged; an approved spec is not judged
 *       again;
 *   <li>a resource a person paused is never touched; one flipped back while held is suspended
 *       again;
 *   <li>a hold whose reason changes is re-tokened, so an approval for the old reason approves
 *       nothing;
 *   <li>Audit records and never suspends anything new (a hold made under Enforce stays until
 *       approved).
 * </ul>
 */
public final class GuardDecision {

  /** What the actuator does. */
  public enum Action {
    /** Leave the resource as it is (allowed, approved, or paused by a person). */
    NONE,
    /** Audit: record the violation; do not touch the resource. */
    RECORD,
    /** Pause it and annotate why. */
    SUSPEND,
    /** It is held and someone turned its pause switch off: pause it again. */
    RESUSPEND,
    /**
     * It is held and what was judged changed: re-annotate (reason, token, fingerprint), keep
     * paused.
     */
    UPDATE_HOLD,
    /** It is held and nothing changed (a wrong approval, if any, is reported). */
    KEEP,
    /** The right token was given: resume and remember the approved spec. */
    RESUME
  }

  /**
   * @param action what to do
   * @param reason the reason to record (the verdict's, or the hold's when the verdict no longer
   *     fails)
   * @param token the approve token for the hold
   */
  public record Decision(Action action, String reason, String token, String approval) {}

  private GuardDecision() {}

  /**
   * What an approval is bound to. A revision (MassDeletion, PredictionUnknown) is approved as such:
   * its fingerprint already carries the revision. A scope reason is approved together with the
   * facts the verdict rests on (its reason and binding: target, scope, source URL), never its
   * wording, so a later change of facts is judged again while a reworded message approves the same
   * thing.
   */
  public static String approvalKey(Verdict verdict, String fingerprint) {
    if (verdict.isAllowed() || HoldState.aboutRevision(verdict.reason().name())) {
      return fingerprint;
    }
    return fingerprint
        + "/"
        + Fingerprint.digest(verdict.reason().name() + "|" + verdict.binding());
  }

  /**
   * @param verdict the judge's verdict
   * @param state the resource's hold state
   * @param enforcement the enforcement of the scope it is judged under
   * @param fingerprint fingerprint of what is judged now (spec without the pause switch and scope
   *     label; for MassDeletion also the revision)
   * @param token the token for a new hold: the generation for scope reasons, the revision for
   *     MassDeletion
   */
  public static Decision decide(
      Verdict verdict, HoldState state, Enforcement enforcement, String fingerprint, String token) {
    String reason = verdict.isAllowed() ? null : verdict.reason().name();
    String approval = approvalKey(verdict, fingerprint);
    if (!state.heldByScopeguard()) {
      if (verdict.isAllowed() || state.approves(verdict.reason(), approval)) {
        return new Decision(Action.NONE, reason, null, null);
      }
      if (enforcement == Enforcement.Audit) {
        return new Decision(Action.RECORD, reason, token, null);
      }
      if (state.paused()) {
        return new Decision(Action.NONE, reason, null, null);
      }
      return new Decision(Action.SUSPEND, reason, token, null);
    }
    boolean judgedChanged = !fingerprint.equals(state.heldSpec());
    boolean reasonChanged = reason != null && !reason.equals(state.heldReason());
    if (!judgedChanged
        && !reasonChanged
        && state.heldToken() != null
        && state.heldToken().equals(state.approve())) {
      return new Decision(
          Action.RESUME,
          state.heldReason(),
          state.heldToken(),
          verdict.isAllowed() ? null : approval);
    }
    if (judgedChanged || reasonChanged) {
      return new Decision(
          Action.UPDATE_HOLD, reason == null ? state.heldReason() : reason, token, null);
    }
    if (!state.paused()) {
      return new Decision(Action.RESUSPEND, state.heldReason(), state.heldToken(), null);
    }
    return new Decision(Action.KEEP, state.heldReason(), state.heldToken(), null);
  }
}
