package io.scopeguard.deletion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One object while kustomize builds: its document, every identity it had before (kustomize matches
 * patches and generator merges against any of them), and for generated ConfigMaps and Secrets
 * whether a content hash is still to be appended to the name.
 */
final class Resource {

  final ObjectNode doc;

  /** Where the object comes from, for messages: a file or a generator. */
  final String origin;

  final List<ResId> previousIds = new ArrayList<>();
  boolean needsHash;

  /** For generated objects: create, merge or replace. */
  String behavior = "";

  Resource(ObjectNode doc, String origin) {
    this.doc = doc;
    this.origin = origin;
  }

  String apiVersion() {
    return Docs.text(doc, "apiVersion");
  }

  String kind() {
    return Docs.text(doc, "kind");
  }

  String name() {
    return Docs.text(doc.path("metadata"), "name");
  }

  String namespace() {
    return Docs.text(doc.path("metadata"), "namespace");
  }

  void setName(String name) {
    metadata().put("name", name);
  }

  void setNamespace(String namespace) {
    if (namespace.isEmpty()) {
      metadata().remove("namespace");
    } else {
      metadata().put("namespace", namespace);
    }
  }

  ResId currentId() {
    return ResId.of(apiVersion(), kind(), name(), namespace());
  }

  ResId originalId() {
    return previousIds.isEmpty() ? currentId() : previousIds.get(0);
  }

  List<ResId> allIds() {
    List<ResId> ids = new ArrayList<>(previousIds);
    ids.add(currentId());
    return ids;
  }

  /** kustomize records a previous identity before each transformation that may rename. */
  void storePreviousId() {
    previousIds.add(currentId());
  }

  Map<String, String> labels() {
    return Docs.stringMap(doc.path("metadata").path("labels"));
  }

  Map<String, String> annotations() {
    return Docs.stringMap(doc.path("metadata").path("annotations"));
  }

  void putLabels(Map<String, String> labels) {
    putAll("labels", labels);
  }

  void putAnnotations(Map<String, String> annotations) {
    putAll("annotations", annotations);
  }

  void setMetadataMap(String field, Map<String, String> values) {
    ObjectNode map = metadata().putObject(field);
    values.forEach(map::put);
  }

  private void putAll(String field, Map<String, String> values) {
    if (values.isEmpty()) {
      return;
    }
    Map<String, String> merged =
        new LinkedHashMap<>(Docs.stringMap(doc.path("metadata").path(field)));
    merged.putAll(values);
    setMetadataMap(field, merged);
  }

  ObjectNode metadata() {
    JsonNode metadata = doc.get("metadata");
    return metadata instanceof ObjectNode object ? object : doc.putObject("metadata");
  }

  @Override
  public String toString() {
    return currentId() + " from " + origin;
  }
}
