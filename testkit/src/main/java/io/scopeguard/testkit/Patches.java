package io.scopeguard.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.Iterator;
import java.util.Map;

/**
 * Applies a PATCH body to an object the way the embedded API's store does, to admit the result
 * before storing it.
 */
final class Patches {

  private Patches() {}

  /**
   * The object after the patch, or null for a patch type the store does not speak either (it then
   * refuses the request itself).
   */
  static JsonNode apply(JsonNode current, JsonNode patch, String contentType) {
    String type =
        contentType == null ? "application/json-patch+json" : contentType.split(";")[0].trim();
    return switch (type) {
      case "application/json-patch+json" ->
          JsonPatch.apply(patch, withParents(current.deepCopy(), patch));
      case "application/merge-patch+json" -> merge(current.deepCopy(), patch);
      default -> null;
    };
  }

  /** RFC 7386: objects merge key by key, null removes, anything else replaces. */
  static JsonNode merge(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result =
        target != null && target.isObject()
            ? (ObjectNode) target
            : JsonNodeFactory.instance.objectNode();
    Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (field.getValue().isNull()) {
        result.remove(field.getKey());
      } else {
        result.set(field.getKey(), merge(result.get(field.getKey()), field.getValue()));
      }
    }
    return result;
  }

  /**
   * Creates the missing parent objects of every path a JSON patch touches, as fabric8's mock store
   * does before applying one (a strict RFC 6902 store would refuse such a patch instead).
   */
  private static JsonNode withParents(JsonNode resource, JsonNode patch) {
    for (JsonNode operation : patch) {
      String[] parts = operation.path("path").asText().replaceAll("^/", "").split("/");
      JsonNode node = resource;
      for (int i = 0; i < parts.length - 1; i++) {
        if (node.isObject() && node.get(parts[i]) == null) {
          ((ObjectNode) node).putObject(parts[i]);
        }
        node = node.path(parts[i]);
      }
    }
    return resource;
  }
}
