package io.scopeguard.approval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.api.JsonMapping;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * A short fingerprint of what scopeguard judges in a resource: its spec without the pause switch,
 * and its scope label. Pausing and resuming (scopeguard's own writes) leave it unchanged; any other
 * change of spec or label changes it, so the resource is judged afresh.
 */
public final class Fingerprint {

  private static final ObjectMapper CANONICAL =
      JsonMapping.MAPPER.copy().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private Fingerprint() {}

  public static String of(GenericKubernetesResource resource, String pausePointer) {
    Map<String, String> labels = resource.getMetadata().getLabels();
    return of(
        resource,
        pausePointer,
        labels == null ? "" : labels.getOrDefault(Annotations.SCOPE_LABEL, ""));
  }

  /**
   * As {@link #of(GenericKubernetesResource, String)}, with the ClusterScope the resource acts
   * under (its label, or its namespace's) in place of the label alone.
   */
  public static String of(GenericKubernetesResource resource, String pausePointer, String scope) {
    JsonNode spec =
        CANONICAL.valueToTree(resource.getAdditionalProperties().getOrDefault("spec", Map.of()));
    if (spec instanceof ObjectNode object
        && pausePointer != null
        && pausePointer.startsWith("/spec/")) {
      removeAt(object, pausePointer.substring("/spec".length()));
    }
    String label = scope == null ? "" : scope;
    try {
      byte[] bytes = CANONICAL.writeValueAsBytes(CANONICAL.treeToValue(spec, Object.class));
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(bytes);
      digest.update(label.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException | JsonProcessingException e) {
      throw new IllegalStateException("cannot fingerprint " + resource.getMetadata().getName(), e);
    }
  }

  /** A short digest of some text, for binding approvals to verdicts. */
  public static String digest(String text) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void removeAt(ObjectNode node, String pointer) {
    int slash = pointer.lastIndexOf('/');
    JsonNode parent = slash == 0 ? node : node.at(pointer.substring(0, slash));
    if (parent instanceof ObjectNode object) {
      object.remove(pointer.substring(slash + 1).replace("~1", "/").replace("~0", "~"));
    }
  }
}
