package io.scopeguard.flux;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.kinds.Json;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What Flux writes in its objects that the mass-deletion guard reads: artifacts and inventories.
 */
public final class FluxStatus {

  /** A source's current artifact ({@code status.artifact}). */
  public record Artifact(String url, String revision, String digest) {}

  private FluxStatus() {}

  /** The artifact a source serves now, if it has one with a URL, revision and digest. */
  public static Optional<Artifact> artifact(GenericKubernetesResource source) {
    JsonNode artifact = Json.at(source, "/status/artifact");
    String url = artifact.at("/url").asText("");
    String revision = artifact.at("/revision").asText("");
    String digest = artifact.at("/digest").asText("");
    return url.isEmpty() || revision.isEmpty() || digest.isEmpty()
        ? Optional.empty()
        : Optional.of(new Artifact(url, revision, digest));
  }

  /**
   * The inventory ids ({@code status.inventory.entries[].id}) of a Kustomization or HelmRelease,
   * read straight from the resource's maps; an object from the informer caches holds them already
   * compacted ({@link InventoryIds}), and is read without a copy.
   */
  public static List<String> inventory(GenericKubernetesResource reconciler) {
    if (reconciler.getAdditionalProperties().get("status") instanceof Map<?, ?> status
        && status.get("inventory") instanceof Map<?, ?> inventory
        && inventory.get("entries") instanceof List<?> entries) {
      return InventoryIds.of(entries);
    }
    return List.of();
  }

  public static boolean prune(GenericKubernetesResource kustomization) {
    return Json.flag(kustomization, "/spec/prune");
  }

  public static boolean suspended(GenericKubernetesResource resource) {
    return Json.flag(resource, FluxKinds.SUSPEND);
  }

  /** {@code spec.deletionPolicy}; MirrorPrune when unset. */
  public static String deletionPolicy(GenericKubernetesResource kustomization) {
    return Json.text(kustomization, "/spec/deletionPolicy").orElse("MirrorPrune");
  }

  /** The revision Flux last applied, or empty. */
  public static Optional<String> lastAppliedRevision(GenericKubernetesResource reconciler) {
    return Json.text(reconciler, "/status/lastAppliedRevision");
  }

  /**
   * Whether deleting this Kustomization deletes its inventory: not when suspended or empty;
   * MirrorPrune only with {@code prune: true}; Delete and WaitForTermination always; Orphan never.
   */
  public static boolean deletingDeletesInventory(GenericKubernetesResource kustomization) {
    if (suspended(kustomization) || inventory(kustomization).isEmpty()) {
      return false;
    }
    return switch (deletionPolicy(kustomization)) {
      case "Delete", "WaitForTermination" -> true;
      case "Orphan" -> false;
      default -> prune(kustomization);
    };
  }
}
