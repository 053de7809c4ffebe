package io.scopeguard.deletion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Objects read from YAML the way kustomize reads a resource file: every document, empty ones
 * skipped, {@code *List} kinds with {@code items} expanded, each object required to have a kind and
 * (unless it is a list) a name.
 */
final class ResourceFiles {

  private ResourceFiles() {}

  /**
   * The objects in {@code text}.
   *
   * @throws BuildFailure when kustomize would refuse the text
   * @throws Unpredictable when it is SOPS-encrypted
   */
  static List<Resource> read(String text, String where) {
    Deque<JsonNode> pending = new ArrayDeque<>();
    int index = 0;
    for (JsonNode document : YamlDocs.parse(text, where)) {
      index++;
      if (document == null || document.isNull() || (document.isObject() && document.isEmpty())) {
        continue;
      }
      if (!document.isObject()) {
        throw new BuildFailure("document " + index + " in " + where + " is not a YAML mapping");
      }
      if (document.path("sops").isObject()) {
        throw new Unpredictable("SOPS-encrypted file " + where);
      }
      pending.add(document);
    }
    List<Resource> resources = new ArrayList<>();
    while (!pending.isEmpty()) {
      ObjectNode object = (ObjectNode) pending.removeFirst();
      String kind = Docs.text(object, "kind");
      if (kind.isEmpty()) {
        throw new BuildFailure("missing kind in an object in " + where);
      }
      if (kind.endsWith("List") && object.has("items")) {
        JsonNode items = object.get("items");
        if (items.isArray()) {
          for (JsonNode item : items) {
            if (item.isObject() && !item.isEmpty()) {
              pending.addLast(item);
            } else if (!item.isNull() && !item.isObject()) {
              throw new BuildFailure("an item of " + kind + " in " + where + " is not an object");
            }
          }
        } else if (!items.isNull()) {
          throw new BuildFailure("expected array in " + kind + "/items in " + where);
        }
        continue;
      }
      if (!kind.endsWith("List") && Docs.text(object.path("metadata"), "name").isEmpty()) {
        throw new BuildFailure("missing metadata.name in " + kind + " in " + where);
      }
      resources.add(new Resource(object, where));
    }
    return resources;
  }

  /** The objects in {@code text}, or null when it is not YAML objects (for example a file name). */
  static List<Resource> tryParse(String text, String where) {
    try {
      List<Resource> resources = read(text, where);
      return resources.isEmpty() ? null : resources;
    } catch (BuildFailure e) {
      return null;
    }
  }
}
