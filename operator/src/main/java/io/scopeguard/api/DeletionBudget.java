package io.scopeguard.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** How much one reconciliation may delete before scopeguard holds it. */
public class DeletionBudget {

  public static final int DEFAULT_MAX_PERCENT = 50;
  public static final int DEFAULT_MAX_OBJECTS = 0;
  public static final int DEFAULT_MIN_INVENTORY = 10;

  @Min(1)
  @Max(100)
  @Default("50")
  @JsonPropertyDescription(
      "Trip when one reconciliation would delete more than this percentage of the inventory (1-100).")
  private Integer maxPercent = DEFAULT_MAX_PERCENT;

  @Min(0)
  @Default("0")
  @JsonPropertyDescription(
      "Also trip above this absolute number of deletions; 0 turns the absolute limit off.")
  private Integer maxObjects = DEFAULT_MAX_OBJECTS;

  @Min(0)
  @Default("10")
  @JsonPropertyDescription("Inventories smaller than this are judged by maxObjects only.")
  private Integer minInventory = DEFAULT_MIN_INVENTORY;

  public Integer getMaxPercent() {
    return maxPercent;
  }

  public void setMaxPercent(Integer maxPercent) {
    this.maxPercent = maxPercent == null ? DEFAULT_MAX_PERCENT : maxPercent;
  }

  public Integer getMaxObjects() {
    return maxObjects;
  }

  public void setMaxObjects(Integer maxObjects) {
    this.maxObjects = maxObjects == null ? DEFAULT_MAX_OBJECTS : maxObjects;
  }

  public Integer getMinInventory() {
    return minInventory;
  }

  public void setMinInventory(Integer minInventory) {
    this.minInventory = minInventory == null ? DEFAULT_MIN_INVENTORY : minInventory;
  }
}
