package io.scopeguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * One row of {@code status.approvals}: who approved a reconciliation under this scope, and when.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Approval extends ReconciliationRef {

  @JsonPropertyDescription("The token given, while it is still on the resource.")
  private String token;

  @JsonPropertyDescription(
      "Who added or changed the approve annotation, as the admission webhook recorded it.")
  private String approvedBy;

  @JsonPropertyDescription("When (RFC 3339).")
  private String approvedAt;

  public String getToken() {
    return token;
  }

  public void setToken(String token) {
    this.token = token;
  }

  public String getApprovedBy() {
    return approvedBy;
  }

  public void setApprovedBy(String approvedBy) {
    this.approvedBy = approvedBy;
  }

  public String getApprovedAt() {
    return approvedAt;
  }

  public void setApprovedAt(String approvedAt) {
    this.approvedAt = approvedAt;
  }
}
