package io.scopeguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One row of {@code status.approvals}: who approved a reconciliation under this scope, and when. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Approval {

  private String kind;
  private String namespace;
  private String name;

  @JsonPropertyDescription("The token given, while it is still on the resource.")
  private String token;

  @JsonPropertyDescription("Who added or changed the approve annotation, as the admission webhook recorded it.")
  private String approvedBy;

  @JsonPropertyDescription("When (RFC 3339).")
  private String approvedAt;

  public String getKind() {
    return kind;
  }

  public void setKind(String kind) {
    this.kind = kind;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

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
