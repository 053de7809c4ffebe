package io.scopeguard.deletion;

import java.util.Set;

/**
 * An object identity as kustomize compares them while it builds: group, version and kind must be
 * equal, and namespaces are compared the way kustomize does, with an empty namespace equal to
 * {@code default} and no namespace at all for the kinds kustomize's built-in schema knows to be
 * cluster-scoped (it assumes every other kind is namespaced).
 */
record ResId(String group, String version, String kind, String name, String namespace) {

  static final String NOT_NAMESPACEABLE = "_non_namespaceable_";

  /** The apiVersion/kind pairs kustomize's built-in schema marks cluster-scoped. */
  private static final Set<String> KUSTOMIZE_CLUSTER_SCOPED =
      Set.of(
          "admissionregistration.k8s.io/v1/MutatingWebhookConfiguration",
          "admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration",
          "admissionregistration.k8s.io/v1beta1/MutatingWebhookConfiguration",
          "admissionregistration.k8s.io/v1beta1/ValidatingWebhookConfiguration",
          "apiextensions.k8s.io/v1/CustomResourceDefinition",
          "apiextensions.k8s.io/v1beta1/CustomResourceDefinition",
          "apiregistration.k8s.io/v1/APIService",
          "apiregistration.k8s.io/v1beta1/APIService",
          "certificates.k8s.io/v1/CertificateSigningRequest",
          "certificates.k8s.io/v1beta1/CertificateSigningRequest",
          "flowcontrol.apiserver.k8s.io/v1beta1/FlowSchema",
          "flowcontrol.apiserver.k8s.io/v1beta1/PriorityLevelConfiguration",
          "networking.k8s.io/v1/IngressClass",
          "networking.k8s.io/v1beta1/IngressClass",
          "node.k8s.io/v1/RuntimeClass",
          "node.k8s.io/v1beta1/RuntimeClass",
          "policy/v1beta1/PodSecurityPolicy",
          "rbac.authorization.k8s.io/v1/ClusterRole",
          "rbac.authorization.k8s.io/v1/ClusterRoleBinding",
          "rbac.authorization.k8s.io/v1beta1/ClusterRole",
          "rbac.authorization.k8s.io/v1beta1/ClusterRoleBinding",
          "scheduling.k8s.io/v1/PriorityClass",
          "scheduling.k8s.io/v1beta1/PriorityClass",
          "storage.k8s.io/v1/CSIDriver",
          "storage.k8s.io/v1/CSINode",
          "storage.k8s.io/v1/StorageClass",
          "storage.k8s.io/v1/VolumeAttachment",
          "storage.k8s.io/v1beta1/CSIDriver",
          "storage.k8s.io/v1beta1/CSINode",
          "storage.k8s.io/v1beta1/StorageClass",
          "storage.k8s.io/v1beta1/VolumeAttachment",
          "/v1/ComponentStatus",
          "/v1/Namespace",
          "/v1/Node",
          "/v1/NodeProxyOptions",
          "/v1/PersistentVolume");

  static ResId of(String apiVersion, String kind, String name, String namespace) {
    int slash = apiVersion.indexOf('/');
    return new ResId(
        slash < 0 ? "" : apiVersion.substring(0, slash),
        slash < 0 ? apiVersion : apiVersion.substring(slash + 1),
        kind,
        name,
        namespace);
  }

  /** Whether kustomize leaves this kind without a namespace. */
  static boolean kustomizeClusterScoped(String group, String version, String kind) {
    return KUSTOMIZE_CLUSTER_SCOPED.contains(group + "/" + version + "/" + kind);
  }

  boolean kustomizeClusterScoped() {
    return kustomizeClusterScoped(group, version, kind);
  }

  String effectiveNamespace() {
    if (kustomizeClusterScoped()) {
      return NOT_NAMESPACEABLE;
    }
    return namespace.isEmpty() ? "default" : namespace;
  }

  /** kustomize's {@code ResId.Equals}. */
  boolean sameAs(ResId other) {
    return key().equals(other.key());
  }

  /** Equal for exactly the identities {@link #sameAs} finds equal. */
  String key() {
    return group + "/" + version + "/" + kind + "/" + effectiveNamespace() + "/" + name;
  }

  @Override
  public String toString() {
    return kind
        + (group.isEmpty() ? "" : "." + group)
        + " "
        + (namespace.isEmpty() ? "" : namespace + "/")
        + name;
  }
}
