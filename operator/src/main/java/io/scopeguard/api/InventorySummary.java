package io.scopeguard.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Counts of the GitOps-managed objects and of the reconcilers known for one cluster. */
public class InventorySummary {

  @JsonPropertyDescription(
      "GitOps-managed objects in the inventories of this cluster's reconcilers.")
  private Integer objects;

  @JsonPropertyDescription("Guarded reconcilers acting on this cluster.")
  private Integer reconcilers;

  public InventorySummary() {}

  public InventorySummary(int objects, int reconcilers) {
    this.objects = objects;
    this.reconcilers = reconcilers;
  }

  public Integer getObjects() {
    return objects;
  }

  public void setObjects(Integer objects) {
    this.objects = objects;
  }

  public Integer getReconcilers() {
    return reconcilers;
  }

  public void setReconcilers(Integer reconcilers) {
    this.reconcilers = reconcilers;
  }
}
