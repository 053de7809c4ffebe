package io.scopeguard.flux;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

/**
 * A reconciler's inventory as the informer caches keep it: the ids of {@code
 * status.inventory.entries} in one array, in place of the entries' maps. An inventory entry as
 * parsed costs about 250 bytes of maps besides its id; 500,000 of them (a large Cluster API
 * management cluster) are most of what scopeguard would hold. Only the ids are read (the entries'
 * {@code v} is not), and a cached object is never written back whole, only patched.
 */
public final class InventoryIds extends AbstractList<String> implements RandomAccess {

  private final String[] ids;

  private InventoryIds(String[] ids) {
    this.ids = ids;
  }

  /**
   * Replaces the resource's inventory entries by their ids, in place; a resource without an
   * inventory is left as is.
   */
  public static void compact(GenericKubernetesResource reconciler) {
    if (reconciler.getAdditionalProperties().get("status") instanceof Map<?, ?> status
        && status.get("inventory") instanceof Map<?, ?> inventory
        && inventory.get("entries") instanceof List<?> entries
        && !(entries instanceof InventoryIds)) {
      @SuppressWarnings("unchecked")
      Map<String, Object> writable = (Map<String, Object>) inventory;
      writable.put("entries", of(entries));
    }
  }

  /** The ids of parsed entries ({@code [{id, v}]}), or of ids already compacted. */
  static InventoryIds of(List<?> entries) {
    if (entries instanceof InventoryIds ids) {
      return ids;
    }
    List<String> ids = new ArrayList<>(entries.size());
    for (Object entry : entries) {
      if (entry instanceof Map<?, ?> map && map.get("id") instanceof String id && !id.isEmpty()) {
        ids.add(id);
      } else if (entry instanceof String id && !id.isEmpty()) {
        ids.add(id);
      }
    }
    return new InventoryIds(ids.toArray(String[]::new));
  }

  @Override
  public String get(int index) {
    return ids[index];
  }

  @Override
  public int size() {
    return ids.length;
  }
}
