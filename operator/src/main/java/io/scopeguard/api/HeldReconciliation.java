package io.scopeguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * One row of {@code status.suspended}: a reconciliation scopeguard holds, why, and how to approve
 * it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HeldReconciliation extends ReconciliationRef {

  @JsonPropertyDescription("Reason code, e.g. ScopeReferenceMissing or MassDeletion.")
  private String reason;

  private String message;

  @JsonPropertyDescription("The revision judged, when the reason is about a revision.")
  private String revision;

  @JsonPropertyDescription("When scopeguard first held it (RFC 3339).")
  private String since;

  @JsonPropertyDescription("The command that approves exactly what was judged.")
  private String approve;

  @JsonPropertyDescription(
      "Suspended (Enforce) or Recorded (Audit: the violation is recorded, nothing suspended).")
  private String action;

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getRevision() {
    return revision;
  }

  public void setRevision(String revision) {
    this.revision = revision;
  }

  public String getSince() {
    return since;
  }

  public void setSince(String since) {
    this.since = since;
  }

  public String getApprove() {
    return approve;
  }

  public void setApprove(String approve) {
    this.approve = approve;
  }

  public String getAction() {
    return action;
  }

  public void setAction(String action) {
    this.action = action;
  }
}
