package io.scopeguard.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

/** Reads fields of the objects the stand-in controllers watch, by JSON pointer, as a controller reads its typed API. */
final class Fields {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Fields() {}

  static JsonNode at(GenericKubernetesResource resource, String pointer) {
    return JSON.valueToTree(resource).at(pointer);
  }

  /** The text at a pointer, or null when absent. */
  static String text(GenericKubernetesResource resource, String pointer) {
    JsonNode node = at(resource, pointer);
    return node.isMissingNode() || node.isNull() ? null : node.asText();
  }

  /** The boolean at a pointer; false when absent. */
  static boolean flag(GenericKubernetesResource resource, String pointer) {
    return at(resource, pointer).asBoolean(false);
  }
}
