package io.scopeguard.deletion;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reading the raw-scalar trees {@link YamlDocs} builds. */
final class Docs {

  /** How YAML 1.1 (kustomize's configuration reader) spells true. */
  private static final Set<String> TRUE =
      Set.of("true", "True", "TRUE", "y", "Y", "yes", "Yes", "YES", "on", "On", "ON");

  private Docs() {}

  /** The scalar text of {@code field}, or "" when it is absent, null or not a scalar. */
  static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isValueNode() && !value.isNull() ? value.asText() : "";
  }

  static boolean isSet(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return !value.isMissingNode() && !value.isNull();
  }

  static boolean flag(JsonNode node, String field) {
    return TRUE.contains(text(node, field));
  }

  /** A mapping of scalars as strings; null values become "". */
  static Map<String, String> stringMap(JsonNode node) {
    Map<String, String> map = new LinkedHashMap<>();
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              e -> map.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
    }
    return map;
  }

  /**
   * A list of strings at {@code field}: absent or null is empty.
   *
   * @throws BuildFailure when it is something else, as kustomize refuses such a file
   */
  static List<String> strings(JsonNode node, String field, String where) {
    JsonNode value = node.path(field);
    List<String> result = new ArrayList<>();
    if (value.isMissingNode() || value.isNull()) {
      return result;
    }
    if (!value.isArray()) {
      throw new BuildFailure(field + " in " + where + " must be a list");
    }
    for (JsonNode item : value) {
      if (!item.isValueNode() || item.isNull()) {
        throw new BuildFailure(field + " in " + where + " must list strings");
      }
      result.add(item.asText());
    }
    return result;
  }

  /** The objects listed at {@code field}; absent or null is empty. */
  static List<JsonNode> objects(JsonNode node, String field, String where) {
    JsonNode value = node.path(field);
    List<JsonNode> result = new ArrayList<>();
    if (value.isMissingNode() || value.isNull()) {
      return result;
    }
    if (!value.isArray()) {
      throw new BuildFailure(field + " in " + where + " must be a list");
    }
    for (JsonNode item : value) {
      if (!item.isObject()) {
        throw new BuildFailure(field + " in " + where + " must list objects");
      }
      result.add(item);
    }
    return result;
  }
}
