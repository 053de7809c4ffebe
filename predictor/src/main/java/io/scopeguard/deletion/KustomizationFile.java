package io.scopeguard.deletion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One kustomization (or component) file: where it is and what it says, checked the way kustomize
 * checks it before it builds anything.
 */
final class KustomizationFile {

  static final List<String> FILE_NAMES =
      List.of("kustomization.yaml", "kustomization.yml", "Kustomization");

  private static final Set<String> FIELDS =
      Set.of(
          "apiVersion",
          "kind",
          "metadata",
          "openapi",
          "namePrefix",
          "nameSuffix",
          "namespace",
          "commonLabels",
          "labels",
          "commonAnnotations",
          "patchesStrategicMerge",
          "patchesJson6902",
          "patches",
          "images",
          "imageTags",
          "replacements",
          "replicas",
          "vars",
          "sortOptions",
          "resources",
          "components",
          "crds",
          "bases",
          "configMapGenerator",
          "secretGenerator",
          "helmGlobals",
          "helmCharts",
          "helmChartInflationGenerator",
          "generatorOptions",
          "configurations",
          "generators",
          "transformers",
          "validators",
          "buildMetadata");

  /** Fields whose effect on names and namespaces scopeguard does not model. */
  private static final Map<String, String> UNPREDICTABLE =
      Map.of(
          "replacements", "replacements",
          "helmCharts", "helmCharts",
          "helmChartInflationGenerator", "helmChartInflationGenerator",
          "helmGlobals", "helmGlobals",
          "configurations", "custom transformer configurations",
          "generators", "generator plugins",
          "transformers", "transformer plugins",
          "validators", "validator plugins",
          "openapi", "a custom OpenAPI schema");

  final String dir;
  final String path;
  final ObjectNode content;

  KustomizationFile(String dir, String path, ObjectNode content) {
    this.dir = dir;
    this.path = path;
    this.content = content;
  }

  /** The kustomization file directly in {@code dir}, if there is one. */
  static String find(SourceFiles files, String dir) {
    List<String> found = new ArrayList<>();
    for (String name : FILE_NAMES) {
      String candidate = SourcePaths.join(dir, name);
      if (files.isFile(candidate)) {
        found.add(candidate);
      }
    }
    if (found.size() > 1) {
      throw new BuildFailure(
          "found multiple kustomization files in " + display(dir) + ": " + found);
    }
    return found.isEmpty() ? null : found.get(0);
  }

  /**
   * Reads the kustomization in {@code dir}.
   *
   * @param strict kustomize refuses unknown fields; Flux rewrites the top-level file through its
   *     own types first, which silently drops them there
   */
  static KustomizationFile load(SourceFiles files, String dir, boolean strict) {
    String path = find(files, dir);
    if (path == null) {
      throw new BuildFailure(
          "no kustomization.yaml, kustomization.yml or Kustomization in " + display(dir));
    }
    List<JsonNode> documents = YamlDocs.parse(YamlDocs.text(files, path), path);
    JsonNode first =
        documents.stream().filter(d -> d != null && !d.isNull()).findFirst().orElse(null);
    ObjectNode content;
    if (first == null) {
      content = JsonNodeFactory.instance.objectNode();
    } else if (first instanceof ObjectNode object) {
      content = object;
    } else {
      throw new BuildFailure("invalid Kustomization in " + path + ": not a mapping");
    }
    KustomizationFile file = new KustomizationFile(dir, path, content);
    file.check(strict);
    return file;
  }

  private void check(boolean strict) {
    if (strict) {
      content
          .fieldNames()
          .forEachRemaining(
              field -> {
                if (!FIELDS.contains(field)) {
                  throw new BuildFailure(
                      "invalid Kustomization in " + path + ": unknown field \"" + field + "\"");
                }
              });
    }
    String kind = Docs.text(content, "kind");
    String apiVersion = Docs.text(content, "apiVersion");
    if (!kind.isEmpty() && !kind.equals("Kustomization") && !kind.equals("Component")) {
      throw new BuildFailure(path + ": kind should be Kustomization or Component");
    }
    String required =
        isComponent() ? "kustomize.config.k8s.io/v1alpha1" : "kustomize.config.k8s.io/v1beta1";
    if (!apiVersion.isEmpty() && !apiVersion.equals(required)) {
      throw new BuildFailure(
          path
              + ": apiVersion for "
              + (isComponent() ? "Component" : "Kustomization")
              + " should be "
              + required);
    }
    if (strict && isEmpty()) {
      throw new BuildFailure(path + ": kustomization.yaml is empty");
    }
    UNPREDICTABLE.forEach(
        (field, construct) -> {
          JsonNode value = content.path(field);
          if (!value.isMissingNode()
              && !value.isNull()
              && !(value.isContainerNode() && value.isEmpty())) {
            throw new Unpredictable(construct + " in " + path);
          }
        });
  }

  private boolean isEmpty() {
    for (var fields = content.fields(); fields.hasNext(); ) {
      var field = fields.next();
      if (!field.getKey().equals("apiVersion")
          && !field.getKey().equals("kind")
          && !field.getValue().isNull()) {
        return false;
      }
    }
    return true;
  }

  boolean isComponent() {
    return Docs.text(content, "kind").equals("Component");
  }

  List<String> resources() {
    List<String> resources = Docs.strings(content, "resources", path);
    resources.addAll(Docs.strings(content, "bases", path));
    return resources;
  }

  List<String> components() {
    return Docs.strings(content, "components", path);
  }

  String namespace() {
    return Docs.text(content, "namespace");
  }

  String namePrefix() {
    return Docs.text(content, "namePrefix");
  }

  String nameSuffix() {
    return Docs.text(content, "nameSuffix");
  }

  List<JsonNode> configMapGenerators() {
    return Docs.objects(content, "configMapGenerator", path);
  }

  List<JsonNode> secretGenerators() {
    return Docs.objects(content, "secretGenerator", path);
  }

  JsonNode generatorOptions() {
    return content.path("generatorOptions");
  }

  List<String> patchesStrategicMerge() {
    return Docs.strings(content, "patchesStrategicMerge", path);
  }

  List<JsonNode> patches() {
    return Docs.objects(content, "patches", path);
  }

  List<JsonNode> patchesJson6902() {
    return Docs.objects(content, "patchesJson6902", path);
  }

  /** Labels set on every object: {@code commonLabels} and every {@code labels[].pairs}. */
  Map<String, String> labels() {
    Map<String, String> labels = Docs.stringMap(content.path("commonLabels"));
    for (JsonNode label : Docs.objects(content, "labels", path)) {
      labels.putAll(Docs.stringMap(label.path("pairs")));
    }
    return labels;
  }

  Map<String, String> annotations() {
    return Docs.stringMap(content.path("commonAnnotations"));
  }

  static String display(String dir) {
    return dir.isEmpty() ? "the source root" : dir;
  }
}
