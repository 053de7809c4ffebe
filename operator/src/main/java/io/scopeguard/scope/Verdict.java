package io.scopeguard.scope;

/**
 * What the judge decided about one guarded resource.
 *
 * @param reason why it must be held, or null when it may proceed
 * @param message one sentence a person reads in status and Events
 */
public record Verdict(Reason reason, String message) {

  public static Verdict allowed(String message) {
    return new Verdict(null, message);
  }

  public static Verdict held(Reason reason, String message) {
    return new Verdict(reason, message);
  }

  public boolean isAllowed() {
    return reason == null;
  }
}
