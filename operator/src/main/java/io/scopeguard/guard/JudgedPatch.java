package io.scopeguard.guard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.Map;

/**
 * A JSON patch (RFC 6902) of a resource as it was judged, applied only while what the judgement
 * rests on still holds: its {@code metadata.generation} (the spec, so a spec change in between is
 * judged again) and each annotation it removes, tested at the value judged. A controller writing
 * status in between changes neither, so the write never conflicts with it, where a patch pinned to
 * the {@code resourceVersion} fails on every status write and retries.
 */
final class JudgedPatch {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final JsonNode judged;
  private final ArrayNode operations = NODES.arrayNode();
  private boolean annotationsExist;

  private JudgedPatch(GenericKubernetesResource resource) {
    this.judged = Json.tree(resource);
    Long generation = resource.getMetadata().getGeneration();
    if (generation != null) {
      operations.addObject().put("op", "test").put("path", "/metadata/generation").put("value", generation);
    }
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    annotationsExist = annotations != null;
  }

  /** A patch of {@code resource} as judged. */
  static JudgedPatch of(GenericKubernetesResource resource) {
    return new JudgedPatch(resource);
  }

  /** Sets an annotation, whatever its value. */
  JudgedPatch annotate(String name, String value) {
    if (!annotationsExist) {
      operations.addObject().put("op", "add").put("path", "/metadata/annotations").set("value", NODES.objectNode());
      annotationsExist = true;
    }
    operations.addObject().put("op", "add").put("path", "/metadata/annotations/" + escape(name)).put("value", value);
    return this;
  }

  /** Removes an annotation if the judged resource had it, and only while it still has the value judged. */
  JudgedPatch remove(String name) {
    JsonNode value = judged.path("metadata").path("annotations").path(name);
    if (value.isTextual()) {
      String path = "/metadata/annotations/" + escape(name);
      operations.addObject().put("op", "test").put("path", path).set("value", value);
      operations.addObject().put("op", "remove").put("path", path);
    }
    return this;
  }

  /** Sets the value at a JSON pointer, adding the objects above it that the judged resource lacks. */
  JudgedPatch set(String pointer, JsonNode value) {
    String[] parts = pointer.substring(1).split("/");
    StringBuilder path = new StringBuilder();
    JsonNode at = judged;
    for (int i = 0; i < parts.length - 1; i++) {
      path.append('/').append(parts[i]);
      at = at.path(parts[i].replace("~1", "/").replace("~0", "~"));
      if (!at.isObject()) {
        operations.addObject().put("op", "add").put("path", path.toString()).set("value", NODES.objectNode());
        at = NODES.objectNode();
      }
    }
    operations.addObject().put("op", "add").put("path", pointer).set("value", value);
    return this;
  }

  /** The patch, as sent. */
  String json() {
    return operations.toString();
  }

  static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }
}
