package io.scopeguard.deletion;

import java.util.Set;

/** Kubernetes' own cluster-scoped kinds, by group and kind. */
final class BuiltInScopedKinds implements ScopedKinds {

  static final BuiltInScopedKinds INSTANCE = new BuiltInScopedKinds();

  private static final Set<String> KINDS =
      Set.of(
          "Namespace",
          "Node",
          "PersistentVolume",
          "ComponentStatus",
          "ClusterRole.rbac.authorization.k8s.io",
          "ClusterRoleBinding.rbac.authorization.k8s.io",
          "CustomResourceDefinition.apiextensions.k8s.io",
          "APIService.apiregistration.k8s.io",
          "StorageClass.storage.k8s.io",
          "CSIDriver.storage.k8s.io",
          "CSINode.storage.k8s.io",
          "VolumeAttachment.storage.k8s.io",
          "VolumeAttributesClass.storage.k8s.io",
          "PriorityClass.scheduling.k8s.io",
          "ValidatingWebhookConfiguration.admissionregistration.k8s.io",
          "MutatingWebhookConfiguration.admissionregistration.k8s.io",
          "ValidatingAdmissionPolicy.admissionregistration.k8s.io",
          "ValidatingAdmissionPolicyBinding.admissionregistration.k8s.io",
          "MutatingAdmissionPolicy.admissionregistration.k8s.io",
          "MutatingAdmissionPolicyBinding.admissionregistration.k8s.io",
          "IngressClass.networking.k8s.io",
          "IPAddress.networking.k8s.io",
          "ServiceCIDR.networking.k8s.io",
          "RuntimeClass.node.k8s.io",
          "CertificateSigningRequest.certificates.k8s.io",
          "ClusterTrustBundle.certificates.k8s.io",
          "FlowSchema.flowcontrol.apiserver.k8s.io",
          "PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io",
          "PodSecurityPolicy.policy",
          "DeviceClass.resource.k8s.io",
          "ResourceSlice.resource.k8s.io",
          "DeviceTaintRule.resource.k8s.io",
          "StorageVersion.internal.apiserver.k8s.io",
          "StorageVersionMigration.storagemigration.k8s.io",
          "VolumeSnapshotClass.snapshot.storage.k8s.io",
          "VolumeSnapshotContent.snapshot.storage.k8s.io",
          "TokenReview.authentication.k8s.io",
          "SelfSubjectReview.authentication.k8s.io",
          "SubjectAccessReview.authorization.k8s.io",
          "SelfSubjectAccessReview.authorization.k8s.io",
          "SelfSubjectRulesReview.authorization.k8s.io");

  private BuiltInScopedKinds() {}

  @Override
  public boolean isClusterScoped(String group, String kind) {
    return KINDS.contains(ScopedKinds.key(group, kind));
  }
}
