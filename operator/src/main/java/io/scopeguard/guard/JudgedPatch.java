package io.scopeguard.guard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.scopeguard.approval.Annotations;
import io.scopeguard.kinds.Json;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A JSON patch (RFC 6902) of a resource as it was judged, applied only while what the judgement
 * rests on still holds: its {@code metadata.generation} (the spec, so a spec change in between is
 * judged again), its scope label, and each annotation it removes, tested at the value judged. A
 * controller writing status in between changes neither, so the write never conflicts with it, where
 * a patch pinned to the {@code resourceVersion} fails on every status write and retries.
 *
 * <p>One exception: annotations on a resource that had none when judged. A JSON patch can only add
 * the whole annotations map, which would wipe annotations written since (a {@code flux reconcile}
 * request, say), and cannot test that there are none; so that write is a JSON merge patch without a
 * precondition. Only a hold writes annotations onto a resource that had none, and a hold landing on
 * a spec changed since is the safe direction: the change's own event has it judged again.
 */
final class JudgedPatch {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final GenericKubernetesResource judged;
  private final ArrayNode operations = NODES.arrayNode();
  private final ObjectNode merge = NODES.objectNode();
  private final boolean annotationsExist;
  private final Map<String, String> testedAnnotations = new HashMap<>();
  private boolean mergeOnly;

  private JudgedPatch(GenericKubernetesResource resource) {
    this.judged = resource;
    Long generation = resource.getMetadata().getGeneration();
    if (generation != null) {
      operations
          .addObject()
          .put("op", "test")
          .put("path", "/metadata/generation")
          .put("value", generation);
    }
    String scope =
        resource.getMetadata().getLabels() == null
            ? null
            : resource.getMetadata().getLabels().get(Annotations.SCOPE_LABEL);
    if (scope != null) {
      operations
          .addObject()
          .put("op", "test")
          .put("path", "/metadata/labels/" + escape(Annotations.SCOPE_LABEL))
          .put("value", scope);
    }
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    annotationsExist = annotations != null && !annotations.isEmpty();
  }

  /** A patch of {@code resource} as judged. */
  static JudgedPatch of(GenericKubernetesResource resource) {
    return new JudgedPatch(resource);
  }

  /** Sets an annotation, whatever its value. */
  JudgedPatch annotate(String name, String value) {
    mergeOnly |= !annotationsExist;
    merge.with("metadata").with("annotations").put(name, value);
    operations
        .addObject()
        .put("op", "add")
        .put("path", "/metadata/annotations/" + escape(name))
        .put("value", value);
    return this;
  }

  /**
   * Removes an annotation: one the judged resource had only while it still has the value judged;
   * one it did not have whatever was written since (an approval of something else, say).
   */
  JudgedPatch remove(String name) {
    String value = annotationsExist ? judged.getMetadata().getAnnotations().get(name) : null;
    String path = "/metadata/annotations/" + escape(name);
    if (value != null) {
      operations.addObject().put("op", "test").put("path", path).put("value", value);
      testedAnnotations.put(name, value);
    } else if (annotationsExist) {
      operations.addObject().put("op", "add").put("path", path).put("value", "");
    }
    if (value != null || annotationsExist) {
      operations.addObject().put("op", "remove").put("path", path);
    }
    merge.with("metadata").with("annotations").putNull(name);
    return this;
  }

  /**
   * Removes an annotation only scopeguard writes, whatever its value, without testing it: for the
   * prediction, whose value is large and which nobody else can change.
   */
  JudgedPatch drop(String name) {
    if (annotationsExist) {
      String path = "/metadata/annotations/" + escape(name);
      operations.addObject().put("op", "add").put("path", path).put("value", "");
      operations.addObject().put("op", "remove").put("path", path);
    }
    merge.with("metadata").with("annotations").putNull(name);
    return this;
  }

  /**
   * Whether {@code live} differs from the judged resource in what this patch tests (it is gone, its
   * spec or scope label changed, or an annotation tested changed): a refusal of the patch then
   * means "judge again", not a fault.
   */
  boolean changedSince(GenericKubernetesResource live) {
    if (live == null
        || !Objects.equals(
            live.getMetadata().getGeneration(), judged.getMetadata().getGeneration())) {
      return true;
    }
    Map<String, String> labels =
        live.getMetadata().getLabels() == null ? Map.of() : live.getMetadata().getLabels();
    Map<String, String> judgedLabels =
        judged.getMetadata().getLabels() == null ? Map.of() : judged.getMetadata().getLabels();
    if (!Objects.equals(
        labels.get(Annotations.SCOPE_LABEL), judgedLabels.get(Annotations.SCOPE_LABEL))) {
      return true;
    }
    Map<String, String> annotations =
        live.getMetadata().getAnnotations() == null
            ? Map.of()
            : live.getMetadata().getAnnotations();
    return testedAnnotations.entrySet().stream()
        .anyMatch(tested -> !tested.getValue().equals(annotations.get(tested.getKey())));
  }

  /**
   * Sets the value at a JSON pointer, adding the objects above it that the judged resource lacks.
   */
  JudgedPatch set(String pointer, JsonNode value) {
    String[] parts = pointer.substring(1).split("/");
    StringBuilder path = new StringBuilder();
    ObjectNode merged = merge;
    boolean exists = true;
    for (int i = 0; i < parts.length - 1; i++) {
      path.append('/').append(parts[i]);
      merged = merged.with(parts[i].replace("~1", "/").replace("~0", "~"));
      exists = exists && Json.at(judged, path.toString()).isObject();
      if (!exists) {
        operations
            .addObject()
            .put("op", "add")
            .put("path", path.toString())
            .set("value", NODES.objectNode());
      }
    }
    operations.addObject().put("op", "add").put("path", pointer).set("value", value);
    merged.set(parts[parts.length - 1].replace("~1", "/").replace("~0", "~"), value);
    return this;
  }

  /** How the patch is sent: a JSON patch, or a JSON merge patch (see the class comment). */
  PatchType type() {
    return mergeOnly ? PatchType.JSON_MERGE : PatchType.JSON;
  }

  /** The patch, as sent. */
  String json() {
    return mergeOnly ? merge.toString() : operations.toString();
  }

  static String escape(String name) {
    return name.replace("~", "~0").replace("/", "~1");
  }
}
