package io.scopeguard.deletion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * kustomize's build as far as it decides which objects come out and what they are called: resources
 * (files and nested kustomizations), generators, components, patches, namespace, prefix and suffix,
 * at each level in kustomize's order, then the content hashes of generated names. Object content is
 * followed only where it matters to names (generated data) or to which objects are selected (labels
 * and annotations).
 */
final class KustomizeBuild {

  private static final String LOCAL_CONFIG = "config.kubernetes.io/local-config";
  private static final Set<String> IDENTITY_PATHS =
      Set.of("/metadata/name", "/metadata/namespace", "/kind", "/apiVersion");

  private final SourceFiles files;

  /**
   * The directories being built, outermost first: kustomize refuses to enter one of them or a
   * parent again.
   */
  private final Deque<String> visiting = new ArrayDeque<>();

  KustomizeBuild(SourceFiles files) {
    this.files = files;
  }

  /** The objects the top-level kustomization builds, with final names. */
  List<Resource> run(KustomizationFile root) {
    List<Resource> resources = accumulate(root, new ArrayList<>());
    for (Resource resource : resources) {
      if (resource.needsHash) {
        resource.storePreviousId();
        resource.setName(resource.name() + "-" + ContentHash.of(resource.doc));
      }
    }
    resources.removeIf(
        r ->
            r.annotations().containsKey(LOCAL_CONFIG)
                && !"false".equals(r.annotations().get(LOCAL_CONFIG)));
    return resources;
  }

  /** A kustomization's own build; a component adds to and transforms its parent's objects. */
  private List<Resource> accumulate(KustomizationFile k, List<Resource> objects) {
    visiting.addLast(k.dir);
    Map<String, Resource> byId = new HashMap<>();
    objects.forEach(existing -> byId.put(existing.currentId().key(), existing));
    for (String entry : k.resources()) {
      addResource(k, entry, objects, byId);
    }
    Generators generators = new Generators(files, k);
    for (JsonNode args : k.configMapGenerators()) {
      absorb(objects, generators.configMap(args));
    }
    for (JsonNode args : k.secretGenerators()) {
      absorb(objects, generators.secret(args));
    }
    for (String entry : k.components()) {
      if (SourcePaths.isRemote(entry)) {
        throw new Unpredictable("remote component " + entry + " in " + k.path);
      }
      String dir = SourcePaths.resolve(k.dir, entry, k.path);
      if (!files.isDirectory(dir)) {
        throw new BuildFailure("component " + entry + " in " + k.path + " is not a directory");
      }
      refuseCycle(dir, entry, k);
      KustomizationFile component = KustomizationFile.load(files, dir, true);
      if (!component.isComponent()) {
        throw new BuildFailure("expected kind Component for " + entry + " in " + k.path);
      }
      accumulate(component, objects);
    }
    transform(k, objects);
    visiting.removeLast();
    return objects;
  }

  private void refuseCycle(String dir, String entry, KustomizationFile k) {
    for (String visited : visiting) {
      if (SourcePaths.isSameOrAbove(dir, visited)) {
        throw new BuildFailure(
            "cycle: "
                + entry
                + " in "
                + k.path
                + " contains "
                + KustomizationFile.display(visited)
                + ", which is being built");
      }
    }
  }

  private void addResource(
      KustomizationFile k, String entry, List<Resource> objects, Map<String, Resource> byId) {
    if (SourcePaths.isRemote(entry)) {
      throw new Unpredictable("remote base " + entry + " in " + k.path);
    }
    String path = SourcePaths.resolve(k.dir, entry, k.path);
    if (files.isFile(path)) {
      appendAll(objects, ResourceFiles.read(YamlDocs.text(files, path), path), byId);
    } else if (files.isDirectory(path)) {
      refuseCycle(path, entry, k);
      KustomizationFile base = KustomizationFile.load(files, path, true);
      if (base.isComponent()) {
        throw new BuildFailure(
            entry + " in " + k.path + " is a Component; list it under components");
      }
      appendAll(objects, accumulate(base, new ArrayList<>()), byId);
    } else {
      throw new BuildFailure("resource " + entry + " in " + k.path + " does not exist");
    }
  }

  private static void append(List<Resource> objects, Resource resource) {
    Map<String, Resource> byId = new HashMap<>();
    objects.forEach(existing -> byId.put(existing.currentId().key(), existing));
    appendAll(objects, List.of(resource), byId);
  }

  /**
   * Adds objects, refusing an identity already there; {@code byId} indexes {@code objects} and is
   * kept up to date.
   */
  private static void appendAll(
      List<Resource> objects, List<Resource> added, Map<String, Resource> byId) {
    for (Resource resource : added) {
      Resource existing = byId.putIfAbsent(resource.currentId().key(), resource);
      if (existing != null) {
        throw new BuildFailure(
            "may not add resource with an already registered id: "
                + resource.currentId()
                + " (from "
                + existing.origin
                + " and "
                + resource.origin
                + ")");
      }
      objects.add(resource);
    }
  }

  /** A generated object joins the others: created, or merged into or replacing the one it names. */
  private static void absorb(List<Resource> objects, Resource generated) {
    ResId id = generated.currentId();
    List<Resource> matches =
        objects.stream().filter(r -> r.allIds().stream().anyMatch(id::sameAs)).toList();
    if (matches.isEmpty()) {
      if (generated.behavior.equals("merge") || generated.behavior.equals("replace")) {
        throw new BuildFailure(
            generated.origin + ": " + id + " does not exist; cannot " + generated.behavior);
      }
      append(objects, generated);
      return;
    }
    if (matches.size() > 1) {
      throw new BuildFailure(generated.origin + ": found multiple objects that could accept " + id);
    }
    Resource old = matches.get(0);
    if (!generated.behavior.equals("merge") && !generated.behavior.equals("replace")) {
      throw new BuildFailure(
          generated.origin + ": " + id + " exists; behavior must be merge or replace");
    }
    Map<String, String> labels = new LinkedHashMap<>(old.labels());
    labels.putAll(generated.labels());
    Map<String, String> annotations = new LinkedHashMap<>(old.annotations());
    annotations.putAll(generated.annotations());
    setOrRemove(generated, "labels", labels);
    setOrRemove(generated, "annotations", annotations);
    generated.setName(old.name());
    generated.setNamespace(old.namespace());
    generated.previousIds.clear();
    generated.previousIds.addAll(old.previousIds);
    generated.needsHash = generated.needsHash && old.needsHash;
    if (generated.behavior.equals("merge")) {
      mergeData(generated.doc, old.doc, "data");
      mergeData(generated.doc, old.doc, "binaryData");
    }
    objects.set(objects.indexOf(old), generated);
  }

  private static void setOrRemove(Resource resource, String field, Map<String, String> values) {
    if (values.isEmpty()) {
      resource.metadata().remove(field);
    } else {
      resource.setMetadataMap(field, values);
    }
  }

  private static void mergeData(ObjectNode target, ObjectNode old, String field) {
    Map<String, String> merged = new TreeMap<>(Docs.stringMap(old.path(field)));
    merged.putAll(Docs.stringMap(target.path(field)));
    target.remove(field);
    if (!merged.isEmpty()) {
      ObjectNode map = target.putObject(field);
      merged.forEach(map::put);
    }
  }

  private void transform(KustomizationFile k, List<Resource> objects) {
    for (String entry : k.patchesStrategicMerge()) {
      List<Resource> patches = ResourceFiles.tryParse(entry, k.path);
      if (patches == null) {
        String file = existingFile(k, entry, "patch");
        patches = ResourceFiles.read(YamlDocs.text(files, file), file);
      }
      for (Resource patch : patches) {
        applyStrategicMerge(objects, List.of(uniqueTarget(objects, patch, k)), patch, k.path);
      }
    }
    for (JsonNode patch : k.patches()) {
      applyPatch(k, patch, objects, false);
    }
    setNamespace(objects, k.namespace(), k.path);
    rename(objects, k.namePrefix(), true);
    rename(objects, k.nameSuffix(), false);
    Map<String, String> labels = k.labels();
    Map<String, String> annotations = k.annotations();
    for (Resource resource : objects) {
      resource.putLabels(labels);
      resource.putAnnotations(annotations);
    }
    for (JsonNode patch : k.patchesJson6902()) {
      applyPatch(k, patch, objects, true);
    }
  }

  /**
   * kustomize's namespace transformer. Besides namespacing every kind it does not know to be
   * cluster-scoped, it renames each v1 Namespace object to the namespace, so a base can ship a
   * placeholder Namespace; two Namespace objects then collide and the build fails.
   */
  private static void setNamespace(List<Resource> objects, String namespace, String where) {
    if (namespace.isEmpty()) {
      return;
    }
    for (Resource resource : objects) {
      resource.storePreviousId();
      if (!resource.currentId().kustomizeClusterScoped()) {
        resource.setNamespace(namespace);
      }
      if (resource.apiVersion().equals("v1") && resource.kind().equals("Namespace")) {
        resource.setName(namespace);
      }
    }
    Map<String, Resource> byId = new HashMap<>();
    for (Resource resource : objects) {
      Resource existing = byId.putIfAbsent(resource.currentId().key(), resource);
      if (existing != null) {
        throw new BuildFailure(
            "namespace "
                + namespace
                + " in "
                + where
                + " gives two objects the id "
                + resource.currentId()
                + " (from "
                + existing.origin
                + " and "
                + resource.origin
                + ")");
      }
    }
  }

  private static void rename(List<Resource> objects, String affix, boolean prefix) {
    for (Resource resource : objects) {
      ResId original = resource.originalId();
      boolean exempt =
          original.kind().equals("CustomResourceDefinition")
              || original.kind().equals("Namespace")
              || (original.kind().equals("APIService")
                  && original.group().equals("apiregistration.k8s.io"));
      if (exempt || affix.isEmpty()) {
        continue;
      }
      resource.storePreviousId();
      resource.setName(prefix ? affix + resource.name() : resource.name() + affix);
    }
  }

  /**
   * One entry of {@code patches}, or with {@code legacy} of {@code patchesJson6902}, which must
   * name its target and is always a JSON patch. As kustomize decides, text starting with {@code [}
   * is a JSON patch only if it is JSON; other text is one if it is a YAML sequence.
   */
  private void applyPatch(
      KustomizationFile k, JsonNode entry, List<Resource> objects, boolean legacy) {
    JsonNode options = entry.path("options");
    if (Docs.flag(options, "allowNameChange") || Docs.flag(options, "allowKindChange")) {
      throw new Unpredictable(
          "patch with "
              + (Docs.flag(options, "allowNameChange") ? "allowNameChange" : "allowKindChange")
              + " in "
              + k.path);
    }
    String inline = legacy ? Docs.text(entry, "patch") : Docs.text(entry, "patch").strip();
    String file = Docs.text(entry, "path");
    if (inline.isEmpty() == file.isEmpty()) {
      throw new BuildFailure("a patch in " + k.path + " must have exactly one of patch and path");
    }
    String where =
        inline.isEmpty() ? SourcePaths.resolve(k.dir, file, k.path) : "a patch in " + k.path;
    String text = inline.isEmpty() ? YamlDocs.text(files, existingFile(k, file, "patch")) : inline;
    if (Sops.isEncrypted(text)) {
      throw new Unpredictable("SOPS-encrypted patch " + where);
    }
    TargetSelector target = TargetSelector.of(entry.path("target"), k.path);
    if (legacy && Docs.text(entry.path("target"), "name").isEmpty()) {
      throw new BuildFailure("patchesJson6902 entry in " + k.path + " must name its target");
    }
    List<JsonNode> operations = JsonPatches.parse(text);
    if (operations != null) {
      if (target == null) {
        throw new BuildFailure("JSON patch " + where + " must have a target");
      }
      for (Resource resource : target.select(objects)) {
        if (!legacy) {
          resource.storePreviousId();
        }
        JsonPatches.apply(resource, operations, where);
      }
      return;
    }
    if (legacy) {
      throw new BuildFailure("patchesJson6902 entry " + where + " is not a JSON patch");
    }
    List<Resource> patches = ResourceFiles.read(text, where);
    if (target != null && !patches.isEmpty()) {
      if (patches.size() > 1) {
        throw new BuildFailure(
            where + ": a patch with a target must hold one strategic merge patch");
      }
      applyStrategicMerge(objects, target.select(objects), patches.get(0), where);
      return;
    }
    for (Resource patch : patches) {
      applyStrategicMerge(objects, List.of(uniqueTarget(objects, patch, k)), patch, where);
    }
  }

  private String existingFile(KustomizationFile k, String file, String what) {
    String path = SourcePaths.resolve(k.dir, file, k.path);
    if (!files.isFile(path)) {
      throw new BuildFailure(what + " file " + file + " in " + k.path + " does not exist");
    }
    return path;
  }

  private static Resource uniqueTarget(
      List<Resource> objects, Resource patch, KustomizationFile k) {
    ResId id = patch.currentId();
    List<Resource> matches =
        objects.stream().filter(r -> r.allIds().stream().anyMatch(id::sameAs)).toList();
    if (matches.size() != 1) {
      throw new BuildFailure(
          (matches.isEmpty() ? "no" : "multiple")
              + " matches for strategic merge patch "
              + id
              + " in "
              + k.path);
    }
    return matches.get(0);
  }

  /**
   * A strategic merge patch never renames without allowNameChange/allowKindChange (kustomize
   * restores name, namespace and kind); it can delete the object, and it can change labels and
   * annotations, which later selectors see.
   */
  private static void applyStrategicMerge(
      List<Resource> objects, List<Resource> targets, Resource patch, String where) {
    JsonNode directive = patch.doc.path("$patch");
    for (Resource target : targets) {
      if (target.needsHash && !onlyMetadata(patch.doc)) {
        throw new Unpredictable(
            "patch "
                + where
                + " changes the content of generated "
                + target.currentId()
                + ", and so its name hash");
      }
      if (directive.isValueNode() && directive.asText().equals("delete")) {
        objects.remove(target);
        continue;
      }
      boolean replace = directive.isValueNode() && directive.asText().equals("replace");
      for (String field : List.of("labels", "annotations")) {
        JsonNode change = patch.doc.path("metadata").path(field);
        Map<String, String> values =
            replace
                ? new LinkedHashMap<>()
                : new LinkedHashMap<>(Docs.stringMap(target.doc.path("metadata").path(field)));
        if (change.isNull()) {
          values.clear();
        }
        change
            .fields()
            .forEachRemaining(
                e -> {
                  if (e.getValue().isNull()) {
                    values.remove(e.getKey());
                  } else {
                    values.put(e.getKey(), e.getValue().asText());
                  }
                });
        setOrRemove(target, field, values);
      }
    }
  }

  /** Whether a strategic merge patch touches nothing that goes into a generated object's hash. */
  private static boolean onlyMetadata(ObjectNode patch) {
    for (var fields = patch.fieldNames(); fields.hasNext(); ) {
      String field = fields.next();
      if (!field.equals("apiVersion") && !field.equals("kind") && !field.equals("metadata")) {
        return false;
      }
    }
    return true;
  }

  /** JSON 6902 patches: parsing, and their effect on identities and labels. */
  static final class JsonPatches {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonPatches() {}

    /** The operations, or null when the text is not a JSON patch (a strategic merge patch then). */
    static List<JsonNode> parse(String text) {
      JsonNode patch;
      if (text.startsWith("[")) {
        try {
          patch = JSON.readTree(text);
        } catch (IOException e) {
          return null;
        }
      } else {
        List<JsonNode> documents;
        try {
          documents = YamlDocs.parse(text, "patch", true);
        } catch (BuildFailure e) {
          return null;
        }
        List<JsonNode> nonEmpty = documents.stream().filter(d -> d != null && !d.isNull()).toList();
        patch = nonEmpty.size() == 1 ? nonEmpty.get(0) : null;
      }
      if (patch == null || !patch.isArray()) {
        return null;
      }
      List<JsonNode> operations = new ArrayList<>();
      patch.forEach(operations::add);
      return operations;
    }

    static void apply(Resource resource, List<JsonNode> operations, String where) {
      for (JsonNode operation : operations) {
        String op = Docs.text(operation, "op");
        String path = Docs.text(operation, "path");
        if (op.equals("test")) {
          continue;
        }
        if (touchesIdentity(path)
            || (op.equals("move") && touchesIdentity(Docs.text(operation, "from")))) {
          throw new Unpredictable(
              "JSON patch "
                  + where
                  + " changes "
                  + (touchesIdentity(path) ? path : Docs.text(operation, "from"))
                  + " of "
                  + resource.currentId());
        }
        boolean metadataMap =
            isUnder(path, "/metadata/labels") || isUnder(path, "/metadata/annotations");
        if (resource.needsHash && !metadataMap) {
          throw new Unpredictable(
              "JSON patch "
                  + where
                  + " changes the content of generated "
                  + resource.currentId()
                  + ", and so its name hash");
        }
        if (metadataMap) {
          applyToMetadataMap(resource, op, path, operation.path("value"));
        }
      }
    }

    private static boolean touchesIdentity(String path) {
      if (path.isEmpty() || path.equals("/") || path.equals("/metadata")) {
        return true;
      }
      return IDENTITY_PATHS.stream().anyMatch(identity -> isUnder(path, identity));
    }

    private static boolean isUnder(String path, String prefix) {
      return path.equals(prefix) || path.startsWith(prefix + "/");
    }

    private static void applyToMetadataMap(
        Resource resource, String op, String path, JsonNode value) {
      String field = path.startsWith("/metadata/labels") ? "labels" : "annotations";
      String rest = path.substring(("/metadata/" + field).length());
      Map<String, String> values =
          new LinkedHashMap<>(Docs.stringMap(resource.doc.path("metadata").path(field)));
      if (rest.isEmpty()) {
        values =
            op.equals("remove")
                ? new LinkedHashMap<>()
                : new LinkedHashMap<>(Docs.stringMap(value));
      } else {
        String key = unescape(rest.substring(1));
        if (op.equals("remove")) {
          values.remove(key);
        } else if (op.equals("add") || op.equals("replace")) {
          values.put(key, value.isNull() ? "" : value.asText());
        }
      }
      setOrRemove(resource, field, values);
    }

    private static String unescape(String token) {
      return token.replace("~1", "/").replace("~0", "~");
    }
  }
}
