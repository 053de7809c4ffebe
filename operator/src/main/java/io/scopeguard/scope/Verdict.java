package io.scopeguard.scope;

/**
 * What a judge decided about one guarded resource.
 *
 * @param reason why it must be held, or null when it may proceed
 * @param message one sentence a person reads in status and Events
 * @param binding the facts the verdict rests on (the target, the scope, the source URL, the
 *     revision), never its wording: an approval is bound to these, so that a reworded message
 *     approves the same thing and a change of facts is judged afresh; null when allowed
 * @param scope the ClusterScope the verdict is about when it is not the resource's own (a source
 *     held because a consumer's scope does not allow it), else null
 */
public record Verdict(Reason reason, String message, String binding, String scope) {

  public static Verdict allowed(String message) {
    return new Verdict(null, message, null, null);
  }

  public static Verdict held(Reason reason, String message, String binding) {
    return new Verdict(reason, message, binding, null);
  }

  /** The same verdict, about ClusterScope {@code scope}. */
  public Verdict about(String scope) {
    return new Verdict(reason, message, binding, scope);
  }

  public boolean isAllowed() {
    return reason == null;
  }
}
