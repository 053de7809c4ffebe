package io.scopeguard.flux;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.api.JsonMapping;
import io.scopeguard.deletion.KustomizationSpecFacts;
import io.scopeguard.kinds.GuardedKind;
import io.scopeguard.kinds.GuardedKind.SourceRef;
import io.scopeguard.kinds.Json;
import io.scopeguard.scope.Target;
import java.util.List;
import java.util.Optional;

/**
 * The Flux kinds scopeguard guards, and how to read each: pause switch, target cluster (through
 * {@code spec.kubeConfig.secretRef}), source reference and source URL.
 */
public final class FluxKinds {

  /** The facts of a Flux Kustomization's spec the predictor reads. */
  public static KustomizationSpecFacts kustomizationSpec(GenericKubernetesResource kustomization) {
    return KustomizationSpecFacts.fromSpec(
        JsonMapping.MAPPER.valueToTree(kustomization.getAdditionalProperties().get("spec")));
  }

  public static final String KUSTOMIZE_GROUP = "kustomize.toolkit.fluxcd.io";
  public static final String HELM_GROUP = "helm.toolkit.fluxcd.io";
  public static final String SOURCE_GROUP = "source.toolkit.fluxcd.io";
  public static final String SUSPEND = "/spec/suspend";

  /** Cluster API names a workload cluster's kubeconfig Secret {@code <cluster>-kubeconfig}. */
  public static final String KUBECONFIG_SUFFIX = "-kubeconfig";

  public static final GuardedKind KUSTOMIZATION =
      GuardedKind.reconciler(
          KUSTOMIZE_GROUP,
          "Kustomization",
          "kustomizations",
          SUSPEND,
          FluxKinds::kubeConfigTarget,
          FluxKinds::kustomizationSource,
          "kustomization");
  public static final GuardedKind HELM_RELEASE =
      GuardedKind.reconciler(
          HELM_GROUP,
          "HelmRelease",
          "helmreleases",
          SUSPEND,
          FluxKinds::kubeConfigTarget,
          FluxKinds::helmReleaseSource,
          "helmrelease");
  public static final GuardedKind GIT_REPOSITORY =
      GuardedKind.source(
          SOURCE_GROUP, "GitRepository", "gitrepositories", r -> Json.text(r, "/spec/url"));
  public static final GuardedKind OCI_REPOSITORY =
      GuardedKind.source(
          SOURCE_GROUP, "OCIRepository", "ocirepositories", r -> Json.text(r, "/spec/url"));
  public static final GuardedKind HELM_REPOSITORY =
      GuardedKind.source(
          SOURCE_GROUP, "HelmRepository", "helmrepositories", r -> Json.text(r, "/spec/url"));
  public static final GuardedKind BUCKET =
      GuardedKind.source(SOURCE_GROUP, "Bucket", "buckets", FluxKinds::bucketUrl);

  /**
   * The sources whose artifacts Kustomizations apply: the revision gate judges each new one before
   * it is published.
   */
  public static final List<GuardedKind> KUSTOMIZATION_SOURCES =
      List.of(GIT_REPOSITORY, OCI_REPOSITORY, BUCKET);

  public static final List<GuardedKind> ALL =
      List.of(KUSTOMIZATION, HELM_RELEASE, GIT_REPOSITORY, OCI_REPOSITORY, HELM_REPOSITORY, BUCKET);

  private FluxKinds() {}

  /**
   * The cluster behind {@code spec.kubeConfig}: none means the local cluster; a Secret named {@code
   * <cluster>-kubeconfig} means that Cluster API cluster in the resource's namespace; anything else
   * is reported as unresolved rather than guessed.
   */
  public static Target kubeConfigTarget(GenericKubernetesResource resource) {
    JsonNode kubeConfig = Json.at(resource, "/spec/kubeConfig");
    if (kubeConfig.isMissingNode() || kubeConfig.isNull() || kubeConfig.isEmpty()) {
      return Target.LOCAL;
    }
    String secret = kubeConfig.at("/secretRef/name").asText("");
    if (!secret.isEmpty()) {
      if (secret.endsWith(KUBECONFIG_SUFFIX) && secret.length() > KUBECONFIG_SUFFIX.length()) {
        return new Target.Cluster(
            resource.getMetadata().getNamespace(),
            secret.substring(0, secret.length() - KUBECONFIG_SUFFIX.length()));
      }
      return new Target.Unresolved(
          "spec.kubeConfig.secretRef.name "
              + secret
              + " does not follow the Cluster API convention <cluster>-kubeconfig");
    }
    if (kubeConfig.has("configMapRef")) {
      return new Target.Unresolved("spec.kubeConfig.configMapRef names no Cluster API cluster");
    }
    return new Target.Unresolved("spec.kubeConfig names neither a secretRef nor a configMapRef");
  }

  static Optional<SourceRef> kustomizationSource(GenericKubernetesResource resource) {
    return ref(resource, Json.at(resource, "/spec/sourceRef"));
  }

  static Optional<SourceRef> helmReleaseSource(GenericKubernetesResource resource) {
    JsonNode spec = Json.at(resource, "/spec");
    JsonNode chartRef = spec.at("/chartRef");
    return chartRef.isMissingNode()
        ? ref(resource, spec.at("/chart/spec/sourceRef"))
        : ref(resource, chartRef);
  }

  private static Optional<SourceRef> ref(GenericKubernetesResource resource, JsonNode ref) {
    String kind = ref.at("/kind").asText("");
    String name = ref.at("/name").asText("");
    if (kind.isEmpty() || name.isEmpty()) {
      return Optional.empty();
    }
    String namespace = ref.at("/namespace").asText("");
    return Optional.of(
        new SourceRef(
            kind, namespace.isEmpty() ? resource.getMetadata().getNamespace() : namespace, name));
  }

  /**
   * A Bucket has no URL; scopeguard compares it as {@code
   * https://<endpoint>/<bucketName>[/<prefix>]} ({@code http://} when {@code spec.insecure}), so an
   * allowlist entry reads like the bucket's address.
   */
  static Optional<String> bucketUrl(GenericKubernetesResource resource) {
    JsonNode spec = Json.at(resource, "/spec");
    String endpoint = spec.at("/endpoint").asText("");
    String bucket = spec.at("/bucketName").asText("");
    if (endpoint.isEmpty() || bucket.isEmpty()) {
      return Optional.empty();
    }
    String base =
        endpoint.contains("://")
            ? endpoint
            : (spec.at("/insecure").asBoolean(false) ? "http://" : "https://") + endpoint;
    String prefix = spec.at("/prefix").asText("");
    return Optional.of(
        trimSlash(base) + "/" + bucket + (prefix.isEmpty() ? "" : "/" + trimSlash(prefix)));
  }

  private static String trimSlash(String value) {
    return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
  }
}
