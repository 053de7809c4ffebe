package io.scopeguard.scope;

/**
 * The outcome of validating a ClusterScope: usable or not, with the reason code and the message
 * that go into its Ready condition.
 */
public record ScopeValidation(boolean valid, String reason, String message) {

  public static final String VALID = "Valid";
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String CLUSTER_API_MISSING = "ClusterApiMissing";
  public static final String CLUSTER_NOT_FOUND = "ClusterNotFound";

  static ScopeValidation valid(String message) {
    return new ScopeValidation(true, VALID, message);
  }

  static ScopeValidation invalid(String reason, String message) {
    return new ScopeValidation(false, reason, message);
  }
}
