package io.scopeguard.webhook;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchConditionBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperationsBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfigBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.scopeguard.approval.Annotations;
import io.scopeguard.flux.FluxKinds;
import io.scopeguard.kinds.GuardedKind;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The webhook configurations scopeguard registers, each narrow so that it never sits in the path of
 * ordinary traffic, and never in kube-system or scopeguard's own namespace:
 *
 * <ul>
 *   <li>validating: the delete guard (DELETEs of objects carrying Flux's owner label, whoever sends
 *       them: Flux prunes as the tenant's service account under multi-tenancy), the resume guard
 *       (UPDATEs of objects scopeguard holds), and the revision gate (status writes that publish a
 *       new artifact revision of a source Kustomizations apply, whoever sends them);
 *   <li>mutating: the approver record (writes touching the approve annotation), and the scope gate
 *       (CREATE and UPDATE of the guarded kinds' main resource, never their status).
 * </ul>
 *
 * Scopeguard's own writes reach none but the delete guard and the revision gate (it deletes nothing
 * and writes no source's status). The API server reaches them through a Service in-cluster, or a
 * URL (with the CA scopeguard generated) when scopeguard runs outside the cluster.
 *
 * @param name name of both configurations
 * @param ownNamespace scopeguard's namespace (excluded)
 * @param timeoutSeconds how long the API server waits for an answer (1-30)
 * @param service the Service in front of scopeguard ({@code namespace/name:port}), or null
 * @param url the URL of the endpoint when there is no Service, or null
 * @param guarded the guarded kinds (reconcilers and sources)
 * @param self the user scopeguard's own requests come from
 * @param scopeFailurePolicy the scope gate's failure policy, {@code Fail} or {@code Ignore}
 * @param certManagerCertificate the cert-manager Certificate whose CA is injected, or null
 */
public record WebhookRegistration(
    String name,
    String ownNamespace,
    int timeoutSeconds,
    String service,
    String url,
    List<GuardedKind> guarded,
    String self,
    String scopeFailurePolicy,
    String certManagerCertificate) {

  private Map<String, String> annotations() {
    return certManagerCertificate == null
        ? Map.of()
        : Map.of("cert-manager.io/inject-ca-from", ownNamespace + "/" + certManagerCertificate);
  }

  public static final String WEBHOOK_NAME = "prune-guard.scopeguard.io";
  public static final String RESUME_WEBHOOK = "resume-guard.scopeguard.io";
  public static final String APPROVAL_WEBHOOK = "approvals.scopeguard.io";
  public static final String SCOPE_WEBHOOK = "scope-guard.scopeguard.io";
  public static final String REVISION_WEBHOOK = "revision-gate.scopeguard.io";

  /** The configuration for the given CA bundle (PEM). */
  public ValidatingWebhookConfiguration configuration(String caPem) {
    return new ValidatingWebhookConfigurationBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("app.kubernetes.io/managed-by", "scopeguard")
        .addToAnnotations(annotations())
        .endMetadata()
        .addNewWebhook()
        .withName(WEBHOOK_NAME)
        .withAdmissionReviewVersions("v1")
        .withSideEffects("None")
        .withFailurePolicy("Fail")
        .withTimeoutSeconds(timeoutSeconds)
        .withClientConfig(clientConfig(caPem, PruneAdmission.PATH))
        .withRules(rule(List.of("*"), "DELETE"))
        .withObjectSelector(
            new LabelSelectorBuilder()
                .addNewMatchExpression()
                .withKey(PruneAdmission.OWNER_NAME)
                .withOperator("Exists")
                .endMatchExpression()
                .build())
        .withNamespaceSelector(excluded())
        .endWebhook()
        .addNewWebhook()
        .withName(RESUME_WEBHOOK)
        .withAdmissionReviewVersions("v1")
        .withSideEffects("None")
        .withFailurePolicy("Fail")
        .withTimeoutSeconds(timeoutSeconds)
        .withClientConfig(clientConfig(caPem, ResumeAdmission.PATH))
        .withRules(rule(groups(), "UPDATE"))
        .withNamespaceSelector(excluded())
        .addNewMatchCondition()
        .withName("held-by-scopeguard")
        .withExpression(
            "has(oldObject.metadata.annotations) && '"
                + Annotations.SUSPENDED_REASON
                + "' in oldObject.metadata.annotations")
        .endMatchCondition()
        .addToMatchConditions(notSelf())
        .endWebhook()
        .addNewWebhook()
        .withName(REVISION_WEBHOOK)
        .withAdmissionReviewVersions("v1")
        .withSideEffects("NoneOnDryRun")
        .withFailurePolicy("Fail")
        .withTimeoutSeconds(timeoutSeconds)
        .withClientConfig(clientConfig(caPem, SourceRevisionAdmission.PATH))
        .withRules(
            new RuleWithOperationsBuilder()
                .withOperations("UPDATE")
                .withApiGroups(FluxKinds.SOURCE_GROUP)
                .withApiVersions("*")
                .withResources(
                    FluxKinds.KUSTOMIZATION_SOURCES.stream()
                        .map(kind -> kind.plural() + "/status")
                        .sorted()
                        .toList())
                .withScope("Namespaced")
                .build())
        .withNamespaceSelector(excluded())
        .addNewMatchCondition()
        .withName("new-revision-or-refused-one-claimed")
        .withExpression(NEW_REVISION + " || " + REFUSED_CLAIMED)
        .endMatchCondition()
        .endWebhook()
        .build();
  }

  /** A status write that publishes another artifact revision than the one stored. */
  static final String NEW_REVISION =
      "(has(object.status) && has(object.status.artifact)"
          + " && has(object.status.artifact.revision) && (!has(oldObject.status) || !has(oldObject.status.artifact)"
          + " || !has(oldObject.status.artifact.revision) || object.status.artifact.revision != oldObject.status.artifact.revision))";

  /** A status write on a source with a refused revision whose conditions name it. */
  static final String REFUSED_CLAIMED =
      "(has(object.metadata.annotations) && '"
          + Annotations.REFUSED_REVISION
          + "' in object.metadata.annotations && has(object.status) && has(object.status.conditions)"
          + " && object.status.conditions.exists(c, has(c.message) && c.message.contains(object.metadata.annotations['"
          + Annotations.REFUSED_REVISION
          + "'])))";

  /** The mutating configuration that records who approved. */
  public MutatingWebhookConfiguration mutatingConfiguration(String caPem) {
    String annotations =
        "has(object.metadata.annotations) && ('"
            + Annotations.APPROVE
            + "' in object.metadata.annotations || '"
            + Annotations.APPROVED_BY
            + "' in object.metadata.annotations || '"
            + Annotations.APPROVED_AT
            + "' in object.metadata.annotations)";
    String removed =
        "request.operation == 'UPDATE' && has(oldObject.metadata.annotations) && '"
            + Annotations.APPROVED_BY
            + "' in oldObject.metadata.annotations";
    return new MutatingWebhookConfigurationBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("app.kubernetes.io/managed-by", "scopeguard")
        .addToAnnotations(annotations())
        .endMetadata()
        .addNewWebhook()
        .withName(APPROVAL_WEBHOOK)
        .withAdmissionReviewVersions("v1")
        .withSideEffects("None")
        .withFailurePolicy("Fail")
        .withReinvocationPolicy("IfNeeded")
        .withTimeoutSeconds(timeoutSeconds)
        .withClientConfig(clientConfig(caPem, ApprovalAdmission.PATH))
        .withRules(rule(groups(), "CREATE", "UPDATE"))
        .withNamespaceSelector(excluded())
        .addNewMatchCondition()
        .withName("approval-annotations")
        .withExpression("(" + annotations + ") || (" + removed + ")")
        .endMatchCondition()
        .addToMatchConditions(notSelf())
        .endWebhook()
        .addNewWebhook()
        .withName(SCOPE_WEBHOOK)
        .withAdmissionReviewVersions("v1")
        .withSideEffects("None")
        .withFailurePolicy(scopeFailurePolicy)
        .withReinvocationPolicy("IfNeeded")
        .withTimeoutSeconds(timeoutSeconds)
        .withClientConfig(clientConfig(caPem, ScopeAdmission.PATH))
        .withRules(
            guarded.stream()
                .map(GuardedKind::group)
                .distinct()
                .sorted()
                .map(
                    group ->
                        new RuleWithOperationsBuilder()
                            .withOperations("CREATE", "UPDATE")
                            .withApiGroups(group)
                            .withApiVersions("*")
                            .withResources(
                                guarded.stream()
                                    .filter(k -> k.group().equals(group))
                                    .map(GuardedKind::plural)
                                    .sorted()
                                    .toList())
                            .withScope("*")
                            .build())
                .toList())
        .withNamespaceSelector(excluded())
        .addToMatchConditions(notSelf())
        .endWebhook()
        .build();
  }

  private List<String> groups() {
    return guarded.stream().map(GuardedKind::group).distinct().sorted().toList();
  }

  /** Scopeguard's own writes (a hold, a resume after approval) are not sent to its webhooks. */
  private MatchCondition notSelf() {
    return new MatchConditionBuilder()
        .withName("not-scopeguard")
        .withExpression("request.userInfo.username != '" + self.replace("'", "") + "'")
        .build();
  }

  /** Every resource and version of {@code groups}, for {@code operations}. */
  private static RuleWithOperations rule(List<String> groups, String... operations) {
    return new RuleWithOperationsBuilder()
        .withOperations(operations)
        .withApiGroups(groups)
        .withApiVersions("*")
        .withResources("*")
        .withScope("*")
        .build();
  }

  private LabelSelector excluded() {
    return new LabelSelectorBuilder()
        .addNewMatchExpression()
        .withKey("kubernetes.io/metadata.name")
        .withOperator("NotIn")
        .withValues(List.of("kube-system", ownNamespace))
        .endMatchExpression()
        .build();
  }

  private WebhookClientConfig clientConfig(String caPem, String path) {
    WebhookClientConfigBuilder config =
        new WebhookClientConfigBuilder()
            .withCaBundle(
                Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8)));
    if (service != null) {
      String[] namespaceAndRest = service.split("/", 2);
      String[] nameAndPort = namespaceAndRest[1].split(":", 2);
      return config
          .withNewService()
          .withNamespace(namespaceAndRest[0])
          .withName(nameAndPort[0])
          .withPort(nameAndPort.length > 1 ? Integer.parseInt(nameAndPort[1]) : 443)
          .withPath(path)
          .endService()
          .build();
    }
    return config
        .withUrl(url.replace(PruneAdmission.PATH, "").replaceAll("/+$", "") + path)
        .build();
  }

  /**
   * Creates the configurations, or replaces the ones there, owned by {@code owner} when given: the
   * garbage collector deletes them with it, so no failure-policy-Fail webhook outlives scopeguard.
   */
  public void apply(KubernetesClient client, String caPem, OwnerReference owner) {
    ValidatingWebhookConfiguration validating = configuration(caPem);
    MutatingWebhookConfiguration mutating = mutatingConfiguration(caPem);
    if (owner != null) {
      validating.getMetadata().setOwnerReferences(List.of(owner));
      mutating.getMetadata().setOwnerReferences(List.of(owner));
    }
    client.resource(validating).createOr(existing -> existing.update());
    client.resource(mutating).createOr(existing -> existing.update());
  }

  /**
   * Whether both configurations are registered, owned by {@code owner} (or by nothing when it is
   * null). False after someone deleted them, or after the owner was re-created and the garbage
   * collector took them with the old one.
   */
  public boolean registered(KubernetesClient client, OwnerReference owner) {
    List<OwnerReference> expected = owner == null ? List.of() : List.of(owner);
    return Stream.of(
            client
                .admissionRegistration()
                .v1()
                .validatingWebhookConfigurations()
                .withName(name)
                .get(),
            client
                .admissionRegistration()
                .v1()
                .mutatingWebhookConfigurations()
                .withName(name)
                .get())
        .allMatch(
            configuration ->
                configuration != null
                    && expected.equals(configuration.getMetadata().getOwnerReferences()));
  }

  /**
   * A reference to the ClusterRole {@code name} as owner (no blockOwnerDeletion, which would need
   * permission on the owner's finalizers), or null when there is no such ClusterRole.
   */
  public static OwnerReference ownerClusterRole(KubernetesClient client, String name) {
    ClusterRole role = client.rbac().clusterRoles().withName(name).get();
    return role == null
        ? null
        : new OwnerReferenceBuilder()
            .withApiVersion("rbac.authorization.k8s.io/v1")
            .withKind("ClusterRole")
            .withName(name)
            .withUid(role.getMetadata().getUid())
            .build();
  }
}
