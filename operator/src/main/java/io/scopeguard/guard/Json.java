package io.scopeguard.guard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Optional;

/** Reading fields of generic resources by JSON pointer, and building merge patches for them. */
public final class Json {

  private Json() {}

  public static JsonNode tree(GenericKubernetesResource resource) {
    return Serialization.jsonMapper().valueToTree(resource);
  }

  /** The text at a JSON pointer, if present and not blank. */
  public static Optional<String> text(GenericKubernetesResource resource, String pointer) {
    JsonNode node = tree(resource).at(pointer);
    return node.isMissingNode() || node.isNull() || node.asText().isBlank() ? Optional.empty() : Optional.of(node.asText());
  }

  /** The boolean at a JSON pointer; false when absent. */
  public static boolean flag(GenericKubernetesResource resource, String pointer) {
    return tree(resource).at(pointer).asBoolean(false);
  }

  /** Sets {@code value} at {@code pointer} inside {@code patch}, creating the objects on the way. */
  public static void put(ObjectNode patch, String pointer, JsonNode value) {
    String[] parts = pointer.substring(1).split("/");
    ObjectNode node = patch;
    for (int i = 0; i < parts.length - 1; i++) {
      String part = unescape(parts[i]);
      node = node.has(part) ? (ObjectNode) node.get(part) : node.putObject(part);
    }
    node.set(unescape(parts[parts.length - 1]), value);
  }

  public static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  private static String unescape(String part) {
    return part.replace("~1", "/").replace("~0", "~");
  }
}
