package io.scopeguard.kinds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.scopeguard.api.JsonMapping;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reading fields of generic resources by JSON pointer, and building merge patches for them. */
public final class Json {

  private Json() {}

  public static JsonNode tree(GenericKubernetesResource resource) {
    return JsonMapping.MAPPER.valueToTree(resource);
  }

  /**
   * The node at a JSON pointer, reached by walking the resource's own maps: a large status (an
   * inventory of thousands of entries) is never converted to read one field elsewhere.
   */
  public static JsonNode at(GenericKubernetesResource resource, String pointer) {
    String[] parts = pointer.substring(1).split("/", 2);
    String first = unescape(parts[0]);
    Object root =
        "metadata".equals(first)
            ? resource.getMetadata()
            : "apiVersion".equals(first) || "kind".equals(first)
                ? null
                : resource.getAdditionalProperties().get(first);
    if (root == null) {
      return "apiVersion".equals(first) || "kind".equals(first)
          ? tree(resource).at(pointer)
          : MissingNode.getInstance();
    }
    Object current = root;
    if (parts.length > 1 && !(current instanceof ObjectMeta)) {
      for (String raw : parts[1].split("/")) {
        String part = unescape(raw);
        if (current instanceof Map<?, ?> map) {
          current = map.get(part);
        } else if (current instanceof List<?> list
            && part.matches("\\d+")
            && Integer.parseInt(part) < list.size()) {
          current = list.get(Integer.parseInt(part));
        } else {
          current = null;
        }
        if (current == null) {
          return MissingNode.getInstance();
        }
      }
      return JsonMapping.MAPPER.valueToTree(current);
    }
    JsonNode node = JsonMapping.MAPPER.valueToTree(root);
    return parts.length > 1 ? node.at("/" + parts[1]) : node;
  }

  /** The text at a JSON pointer, if present and not blank. */
  public static Optional<String> text(GenericKubernetesResource resource, String pointer) {
    JsonNode node = at(resource, pointer);
    return node.isMissingNode() || node.isNull() || node.asText().isBlank()
        ? Optional.empty()
        : Optional.of(node.asText());
  }

  /** The boolean at a JSON pointer; false when absent. */
  public static boolean flag(GenericKubernetesResource resource, String pointer) {
    return at(resource, pointer).asBoolean(false);
  }

  /**
   * Sets {@code value} at {@code pointer} inside {@code patch}, creating the objects on the way.
   */
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
