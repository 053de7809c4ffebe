package io.scopeguard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What scopeguard observed for a {@link ClusterScope}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ClusterScopeStatus {

  @JsonPropertyDescription("The metadata.generation this status was computed for.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "Standard conditions; Ready tells whether the spec is usable, with reason and message.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription(
      "The declared cluster, for display: local, or namespace/name of the Cluster API Cluster.")
  private String cluster;

  @JsonPropertyDescription("GitOps-managed objects and reconcilers known for this cluster.")
  private InventorySummary inventory;

  @JsonPropertyDescription(
      "One row per reconciliation scopeguard holds (or, under Audit, would hold).")
  private List<HeldReconciliation> suspended = new ArrayList<>();

  @JsonPropertyDescription(
      "Approvals recorded on reconciliations under this scope: who approved what, and when.")
  private List<Approval> approvals = new ArrayList<>();

  @JsonPropertyDescription("Number of rows in suspended; shown by kubectl get.")
  private Integer suspendedCount;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions == null ? new ArrayList<>() : conditions;
  }

  public String getCluster() {
    return cluster;
  }

  public void setCluster(String cluster) {
    this.cluster = cluster;
  }

  public InventorySummary getInventory() {
    return inventory;
  }

  public void setInventory(InventorySummary inventory) {
    this.inventory = inventory;
  }

  public List<HeldReconciliation> getSuspended() {
    return suspended;
  }

  public void setSuspended(List<HeldReconciliation> suspended) {
    this.suspended = suspended == null ? new ArrayList<>() : suspended;
  }

  public List<Approval> getApprovals() {
    return approvals;
  }

  public void setApprovals(List<Approval> approvals) {
    this.approvals = approvals == null ? new ArrayList<>() : approvals;
  }

  public Integer getSuspendedCount() {
    return suspendedCount;
  }

  public void setSuspendedCount(Integer suspendedCount) {
    this.suspendedCount = suspendedCount;
  }
}
