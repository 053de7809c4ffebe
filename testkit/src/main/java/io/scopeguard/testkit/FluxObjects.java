package io.scopeguard.testkit;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the Flux and Cluster API objects tests and scenarios create, as a person or a tool would
 * write them: names, labels and fields are spelt out as in a manifest, not taken from scopeguard's
 * own constants, so that a test checks the contract rather than the code.
 */
public final class FluxObjects {

  /** The label naming the ClusterScope a resource acts under. */
  public static final String SCOPE_LABEL = "scopeguard.io/scope";

  public static final String KUSTOMIZATIONS = "kustomize.toolkit.fluxcd.io/v1";
  public static final String SOURCES = "source.toolkit.fluxcd.io/v1";
  public static final String HELM_RELEASES = "helm.toolkit.fluxcd.io/v2";

  private FluxObjects() {}

  public static GenericKubernetesResource gitRepository(String namespace, String name, String url) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(SOURCES)
        .withKind("GitRepository")
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .endMetadata()
        .withAdditionalProperties(
            Map.of("spec", Map.of("url", url, "interval", "1m", "ref", Map.of("branch", "main"))))
        .build();
  }

  /**
   * A Kustomization delivering from a GitRepository.
   *
   * @param scope the {@code scopeguard.io/scope} label, or null for none
   * @param cluster the Cluster API cluster it targets through {@code <cluster>-kubeconfig}, or null
   *     for the local cluster
   */
  public static GenericKubernetesResource kustomization(
      String namespace, String name, String scope, String cluster, String gitRepository) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("interval", "10m");
    spec.put("path", "./apps");
    spec.put("prune", true);
    spec.put("sourceRef", Map.of("kind", "GitRepository", "name", gitRepository));
    if (cluster != null) {
      spec.put("kubeConfig", Map.of("secretRef", Map.of("name", cluster + "-kubeconfig")));
    }
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(KUSTOMIZATIONS)
        .withKind("Kustomization")
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .withLabels(scope == null ? Map.of() : Map.of(SCOPE_LABEL, scope))
        .endMetadata()
        .withAdditionalProperties(Map.of("spec", spec))
        .build();
  }

  /**
   * Sets an annotation as {@code kubectl annotate --overwrite} does: a JSON merge patch without a
   * resource version, so it never conflicts with scopeguard's own writes.
   */
  public static void annotate(
      KubernetesClient client,
      String apiVersion,
      String kind,
      String namespace,
      String name,
      String key,
      String value) {
    client
        .genericKubernetesResources(apiVersion, kind)
        .inNamespace(namespace)
        .withName(name)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            Serialization.asJson(Map.of("metadata", Map.of("annotations", Map.of(key, value)))));
  }

  /** Sets {@code spec.<field>} the same way. */
  public static void setSpec(
      KubernetesClient client,
      String apiVersion,
      String kind,
      String namespace,
      String name,
      String field,
      Object value) {
    client
        .genericKubernetesResources(apiVersion, kind)
        .inNamespace(namespace)
        .withName(name)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            Serialization.asJson(Map.of("spec", Map.of(field, value))));
  }

  /** Whether a Flux object's {@code spec.suspend} is on. */
  public static boolean suspended(GenericKubernetesResource resource) {
    Object spec = resource.getAdditionalProperties().get("spec");
    return spec instanceof Map<?, ?> map && Boolean.TRUE.equals(map.get("suspend"));
  }

  /** An annotation's value, or null. */
  public static String annotation(GenericKubernetesResource resource, String name) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(name);
  }

  public static GenericKubernetesResource capiCluster(
      String apiVersion, String namespace, String name) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(apiVersion)
        .withKind("Cluster")
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .endMetadata()
        .withAdditionalProperties(Map.of("spec", Map.of("paused", false)))
        .build();
  }
}
