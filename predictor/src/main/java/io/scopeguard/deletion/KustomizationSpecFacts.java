package io.scopeguard.deletion;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the predictor needs from a Flux Kustomization's {@code spec}. Empty strings mean "not set",
 * as Flux itself treats them.
 *
 * @param path {@code spec.path}, relative to the artifact root ("" for the root)
 * @param targetNamespace replaces the top-level kustomization's {@code namespace}
 * @param namePrefix replaces the top-level kustomization's {@code namePrefix}
 * @param nameSuffix replaces the top-level kustomization's {@code nameSuffix}
 * @param components appended to the top-level kustomization's {@code components}
 * @param ignoreMissingComponents drop the listed components that do not exist
 * @param patches appended to the top-level kustomization's {@code patches}
 * @param images image names; they change no identity
 * @param postBuild whether {@code spec.postBuild} is present
 * @param postBuildSubstitute {@code spec.postBuild.substitute}
 * @param postBuildSubstituteFrom whether {@code spec.postBuild.substituteFrom} lists anything
 */
public record KustomizationSpecFacts(
    String path,
    String targetNamespace,
    String namePrefix,
    String nameSuffix,
    List<String> components,
    boolean ignoreMissingComponents,
    List<Patch> patches,
    List<String> images,
    boolean postBuild,
    Map<String, String> postBuildSubstitute,
    boolean postBuildSubstituteFrom) {

  /**
   * One entry of {@code spec.patches}.
   *
   * @param patch the patch text, strategic merge or JSON 6902
   * @param target the {@code target} selector's fields (group, version, kind, name, namespace,
   *     labelSelector, annotationSelector); empty when there is none
   */
  public record Patch(String patch, Map<String, String> target) {

    public Patch {
      patch = patch == null ? "" : patch;
      target = Map.copyOf(target == null ? Map.of() : target);
    }
  }

  public KustomizationSpecFacts {
    path = path == null ? "" : path;
    targetNamespace = targetNamespace == null ? "" : targetNamespace;
    namePrefix = namePrefix == null ? "" : namePrefix;
    nameSuffix = nameSuffix == null ? "" : nameSuffix;
    components = List.copyOf(components == null ? List.of() : components);
    patches = List.copyOf(patches == null ? List.of() : patches);
    images = List.copyOf(images == null ? List.of() : images);
    postBuildSubstitute = Map.copyOf(postBuildSubstitute == null ? Map.of() : postBuildSubstitute);
  }

  /** A spec that only sets the path. */
  public static KustomizationSpecFacts ofPath(String path) {
    return new KustomizationSpecFacts(
        path, "", "", "", List.of(), false, List.of(), List.of(), false, Map.of(), false);
  }

  /** The facts of a Kustomization's {@code spec}, as JSON or YAML tree. */
  public static KustomizationSpecFacts fromSpec(JsonNode spec) {
    List<String> components = new ArrayList<>();
    spec.path("components").forEach(c -> components.add(c.asText()));
    List<Patch> patches = new ArrayList<>();
    for (JsonNode patch : spec.path("patches")) {
      Map<String, String> target = new LinkedHashMap<>();
      patch
          .path("target")
          .fields()
          .forEachRemaining(e -> target.put(e.getKey(), e.getValue().asText()));
      patches.add(new Patch(patch.path("patch").asText(""), target));
    }
    List<String> images = new ArrayList<>();
    spec.path("images").forEach(i -> images.add(i.path("name").asText("")));
    JsonNode postBuild = spec.path("postBuild");
    Map<String, String> substitute = new LinkedHashMap<>();
    postBuild
        .path("substitute")
        .fields()
        .forEachRemaining(e -> substitute.put(e.getKey(), e.getValue().asText()));
    return new KustomizationSpecFacts(
        spec.path("path").asText(""),
        spec.path("targetNamespace").asText(""),
        spec.path("namePrefix").asText(""),
        spec.path("nameSuffix").asText(""),
        components,
        spec.path("ignoreMissingComponents").asBoolean(false),
        patches,
        images,
        postBuild.isObject(),
        substitute,
        !postBuild.path("substituteFrom").isEmpty());
  }
}
