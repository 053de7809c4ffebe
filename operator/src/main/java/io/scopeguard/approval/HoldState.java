package io.scopeguard.approval;

import io.scopeguard.scope.Reason;
import java.util.Map;

/**
 * What a guarded resource says about its hold, read from its pause switch and annotations.
 *
 * @param paused whether its pause switch is on
 * @param heldReason the reason scopeguard holds it, or null when scopeguard does not
 * @param heldAt when scopeguard first held it
 * @param heldToken the token that approves the hold
 * @param heldSpec fingerprint of what was judged when it was held
 * @param approve the token a person gave, or null
 * @param approvedSpec fingerprint of a spec a person approved earlier for a scope reason, or null
 * @param approvedRevision fingerprint of a spec and revision a person approved for MassDeletion, or
 *     null
 */
public record HoldState(
    boolean paused,
    String heldReason,
    String heldAt,
    String heldToken,
    String heldSpec,
    String approve,
    String approvedSpec,
    String approvedRevision) {

  public static HoldState of(boolean paused, Map<String, String> annotations) {
    Map<String, String> a = annotations == null ? Map.of() : annotations;
    return new HoldState(
        paused,
        a.get(Annotations.SUSPENDED_REASON),
        a.get(Annotations.SUSPENDED_AT),
        a.get(Annotations.SUSPENDED_TOKEN),
        a.get(Annotations.SUSPENDED_SPEC),
        a.get(Annotations.APPROVE),
        a.get(Annotations.APPROVED_SPEC),
        a.get(Annotations.APPROVED_REVISION));
  }

  /**
   * Whether a person already approved exactly this judgement (fingerprint) for this kind of reason.
   */
  public boolean approves(Reason reason, String fingerprint) {
    return fingerprint.equals(aboutRevision(reason) ? approvedRevision : approvedSpec);
  }

  /** The annotation that records an approval for this kind of reason. */
  public static String approvalAnnotation(String reason) {
    return aboutRevision(reason) ? Annotations.APPROVED_REVISION : Annotations.APPROVED_SPEC;
  }

  /** Whether a reason is about a source revision (its token is the revision), not about scope. */
  public static boolean aboutRevision(String reason) {
    return Reason.MassDeletion.name().equals(reason)
        || Reason.PredictionUnknown.name().equals(reason);
  }

  private static boolean aboutRevision(Reason reason) {
    return reason != null && aboutRevision(reason.name());
  }

  /** Whether scopeguard holds the resource (as opposed to a person having paused it). */
  public boolean heldByScopeguard() {
    return heldReason != null;
  }

  /** Whether a person gave a token that is not the one this hold needs. */
  public boolean approvalMismatch() {
    return heldByScopeguard() && approve != null && !approve.equals(heldToken);
  }
}
