package io.scopeguard.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.scopeguard.EmbeddedOperator;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.ClusterTarget;
import io.scopeguard.api.Enforcement;
import io.scopeguard.api.SourceRule;
import io.scopeguard.approval.Annotations;
import io.scopeguard.guard.OnboardingKinds;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.testkit.EmbeddedKubernetes;
import io.scopeguard.testkit.FluxObjects;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The scope gate in the write itself: the embedded API puts scopeguard's admission webhooks in
 * front of every write, as a real API server does, so what a controller's watch delivers first is
 * what was stored. Each test works in its own namespace.
 */
class ScopeAdmissionOnEmbeddedApiTest {

  static final String ONBOARDING_CRD = "/crds/onboarding.example.com_clusteronboardings.yaml";

  @RegisterExtension
  static final EmbeddedOperator SCOPEGUARD =
      new EmbeddedOperator(
          OperatorSettings.embedded()
              .withWebhook(OperatorSettings.Webhook.onLoopback())
              .withOnboardingKinds(
                  OnboardingKinds.parse(
                      List.of(
                          new OnboardingKinds.Entry(
                              "onboarding.example.com",
                              "ClusterOnboarding",
                              "clusteronboardings",
                              "/spec/paused",
                              "/spec/clusterName")),
                      "test")));

  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(15);

  private final String ns = "adm" + SEQUENCE.incrementAndGet();

  private static KubernetesClient client() {
    return SCOPEGUARD.client();
  }

  private String namespace(Map<String, String> labels) {
    client()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(ns)
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
    return ns;
  }

  private static ClusterScope scope(
      String name, ClusterTarget cluster, Enforcement enforcement, String... sources) {
    ClusterScope scope = new ClusterScope();
    scope.getMetadata().setName(name);
    scope.getSpec().setCluster(cluster);
    scope.getSpec().setEnforcement(enforcement);
    scope.getSpec().setSources(Arrays.stream(sources).map(SourceRule::new).toList());
    return scope;
  }

  private GenericKubernetesResource kustomization(String name) {
    return client()
        .genericKubernetesResources(FluxObjects.KUSTOMIZATIONS, "Kustomization")
        .inNamespace(ns)
        .withName(name)
        .get();
  }

  private static boolean suspended(GenericKubernetesResource resource, String field) {
    return resource.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec
        && Boolean.TRUE.equals(spec.get(field));
  }

  private static String annotation(GenericKubernetesResource resource, String name) {
    return resource.getMetadata().getAnnotations() == null
        ? null
        : resource.getMetadata().getAnnotations().get(name);
  }

  /**
   * Every state of a kind's objects in this namespace that a controller's watch would deliver, in
   * order.
   */
  private Watch watch(String apiVersion, String kind, List<GenericKubernetesResource> seen) {
    return client()
        .genericKubernetesResources(apiVersion, kind)
        .inNamespace(ns)
        .watch(
            new Watcher<>() {
              @Override
              public void eventReceived(Action action, GenericKubernetesResource resource) {
                seen.add(resource);
              }

              @Override
              public void onClose(WatcherException cause) {}
            });
  }

  @Test
  void aReconcilerWithoutItsScopeIsBornSuspendedSoNoControllerEverSeesItRunning() {
    namespace(Map.of());
    List<GenericKubernetesResource> seen = new CopyOnWriteArrayList<>();
    try (Watch ignored = watch(FluxObjects.KUSTOMIZATIONS, "Kustomization", seen)) {
      GenericKubernetesResource created =
          client().resource(FluxObjects.kustomization(ns, "unscoped", null, null, "repo")).create();

      assertThat(suspended(created, "suspend")).as("the writer gets back what was stored").isTrue();
      assertThat(annotation(created, Annotations.SUSPENDED_REASON))
          .isEqualTo("ScopeReferenceMissing");
      assertThat(annotation(created, Annotations.SUSPENDED_TOKEN)).matches("1-[0-9a-f]{6}");
      await().atMost(WAIT).until(() -> !seen.isEmpty());
      assertThat(suspended(seen.get(0), "suspend"))
          .as("the first event any controller receives")
          .isTrue();
    }
    await("the guard loop adds the Event admission could not write")
        .atMost(WAIT)
        .until(
            () ->
                client().v1().events().inNamespace(ns).list().getItems().stream()
                    .anyMatch(
                        e ->
                            "ScopeReferenceMissing".equals(e.getReason())
                                && e.getMessage()
                                    .contains(
                                        "Stored suspended by scopeguard's"
                                            + " admission webhook")));
    assertThat(SCOPEGUARD.operator().metrics().scrape())
        .containsPattern(
            "scopeguard_suspended\\{[^}]*name=\"unscoped\"[^}]*reason=\"ScopeReferenceMissing\"[^}]*} 1");
    assertThat(client().v1().events().inNamespace(ns).list().getItems())
        .as("told once")
        .filteredOn(e -> "ScopeReferenceMissing".equals(e.getReason()))
        .hasSize(1);
  }

  @Test
  void aScopeCreatedInTheSameApplyIsNoReasonToHold() {
    namespace(Map.of());
    String scopeName = ns + "-local";
    client().resource(scope(scopeName, ClusterTarget.local(), Enforcement.Enforce)).create();
    GenericKubernetesResource created =
        client().resource(FluxObjects.kustomization(ns, "apps", scopeName, null, "repo")).create();

    assertThat(suspended(created, "suspend")).isFalse();
    assertThat(annotation(created, Annotations.SUSPENDED_REASON)).isNull();
  }

  @Test
  void retargetingAScopedReconcilerAtAnUndeclaredClusterHoldsItInThatWrite() {
    namespace(Map.of());
    String dev = ns + "-dev-7";
    createCluster("dev-7");
    createCluster("prod-1");
    client()
        .resource(scope(dev, ClusterTarget.clusterRef(ns, "dev-7"), Enforcement.Enforce))
        .create();
    client()
        .resource(FluxObjects.kustomization(ns, "platform-apps", dev, "dev-7", "repo"))
        .create();
    assertThat(suspended(kustomization("platform-apps"), "suspend")).isFalse();

    GenericKubernetesResource retargeted =
        client()
            .genericKubernetesResources(FluxObjects.KUSTOMIZATIONS, "Kustomization")
            .inNamespace(ns)
            .withName("platform-apps")
            .edit(
                k -> {
                  spec(k)
                      .put("kubeConfig", Map.of("secretRef", Map.of("name", "prod-1-kubeconfig")));
                  return k;
                });

    assertThat(suspended(retargeted, "suspend")).isTrue();
    assertThat(annotation(retargeted, Annotations.SUSPENDED_REASON)).isEqualTo("TargetUndeclared");
    assertThat(annotation(retargeted, Annotations.SUSPENDED_TOKEN)).startsWith("2-");
  }

  @Test
  void itsOwnAnnotationsAreWrittenOnlyByScopeguard() {
    namespace(Map.of());
    client().resource(FluxObjects.kustomization(ns, "held", null, null, "repo")).create();
    String token = annotation(kustomization("held"), Annotations.SUSPENDED_TOKEN);

    assertThatThrownBy(
            () ->
                FluxObjects.annotate(
                    client(),
                    FluxObjects.KUSTOMIZATIONS,
                    "Kustomization",
                    ns,
                    "held",
                    Annotations.SUSPENDED_TOKEN,
                    "forged"))
        .hasMessageContaining(
            "denied the request: scopeguard: scopeguard.io/suspended-token is written only by scopeguard");
    GenericKubernetesResource forgedApproval =
        FluxObjects.kustomization(ns, "forged", null, null, "repo");
    forgedApproval
        .getMetadata()
        .setAnnotations(Map.of(Annotations.APPROVED_SPEC, "0123456789abcdef/0123456789ab"));
    assertThatThrownBy(() -> client().resource(forgedApproval).create())
        .hasMessageContaining("scopeguard.io/approved-spec is written only by scopeguard");
    assertThat(annotation(kustomization("held"), Annotations.SUSPENDED_TOKEN)).isEqualTo(token);
    assertThat(kustomization("forged")).isNull();
  }

  @Test
  void anApprovalResumesAndIsNotHeldAgainWhileAFixedLabelAloneResumesNothing() {
    namespace(Map.of());
    String scopeName = ns + "-local";
    client().resource(scope(scopeName, ClusterTarget.local(), Enforcement.Enforce)).create();
    client().resource(FluxObjects.kustomization(ns, "approved", null, null, "repo")).create();
    client().resource(FluxObjects.kustomization(ns, "fixed", null, null, "repo")).create();
    String token = annotation(kustomization("approved"), Annotations.SUSPENDED_TOKEN);
    String fixedToken = annotation(kustomization("fixed"), Annotations.SUSPENDED_TOKEN);

    FluxObjects.annotate(
        client(),
        FluxObjects.KUSTOMIZATIONS,
        "Kustomization",
        ns,
        "approved",
        Annotations.APPROVE,
        token);
    GenericKubernetesResource fixed =
        client()
            .genericKubernetesResources(FluxObjects.KUSTOMIZATIONS, "Kustomization")
            .inNamespace(ns)
            .withName("fixed")
            .edit(
                k -> {
                  k.getMetadata().getLabels().put(FluxObjects.SCOPE_LABEL, scopeName);
                  return k;
                });

    await()
        .atMost(WAIT)
        .until(
            () ->
                !suspended(kustomization("approved"), "suspend")
                    && annotation(kustomization("approved"), Annotations.SUSPENDED_REASON) == null);
    assertThat(annotation(kustomization("approved"), Annotations.APPROVED_BY))
        .isEqualTo("kubernetes-admin");
    FluxObjects.annotate(
        client(), FluxObjects.KUSTOMIZATIONS, "Kustomization", ns, "approved", "team", "payments");
    assertThat(suspended(kustomization("approved"), "suspend"))
        .as("the approved judgement is not held again")
        .isFalse();
    FluxObjects.setSpec(
        client(), FluxObjects.KUSTOMIZATIONS, "Kustomization", ns, "approved", "interval", "5m");
    assertThat(annotation(kustomization("approved"), Annotations.SUSPENDED_REASON))
        .as("a changed spec is another judgement: held again at once")
        .isEqualTo("ScopeReferenceMissing");
    assertThat(suspended(fixed, "suspend"))
        .as("fixing the label resumes nothing; that is a person's decision")
        .isTrue();
    assertThat(annotation(fixed, Annotations.SUSPENDED_TOKEN))
        .as("a new token for what is now judged")
        .isNotEqualTo(fixedToken);
    assertThat(annotation(fixed, Annotations.SUSPENDED_REASON)).isEqualTo("ScopeReferenceMissing");
  }

  @Test
  void auditRecordsAndPatchesNothing() {
    namespace(Map.of());
    String scopeName = ns + "-audit";
    createCluster("prod-1");
    client().resource(scope(scopeName, ClusterTarget.local(), Enforcement.Audit)).create();

    GenericKubernetesResource created =
        client()
            .resource(FluxObjects.kustomization(ns, "apps", scopeName, "prod-1", "repo"))
            .create();

    assertThat(suspended(created, "suspend")).isFalse();
    assertThat(annotation(created, Annotations.SUSPENDED_REASON)).isNull();
  }

  @Test
  void aNamespaceLabelNamesTheDefaultScopeAndTheResourcesOwnLabelWins() {
    String scopeName = ns + "-flux";
    client().resource(scope(scopeName, ClusterTarget.local(), Enforcement.Enforce)).create();
    namespace(Map.of(FluxObjects.SCOPE_LABEL, scopeName));

    GenericKubernetesResource bootstrapped =
        client()
            .resource(FluxObjects.kustomization(ns, "flux-system", null, null, "flux-system"))
            .create();
    GenericKubernetesResource ownLabel =
        client()
            .resource(FluxObjects.kustomization(ns, "own", "no-such-scope", null, "flux-system"))
            .create();

    assertThat(suspended(bootstrapped, "suspend"))
        .as("flux bootstrap writes no label; its namespace names the scope")
        .isFalse();
    assertThat(annotation(ownLabel, Annotations.SUSPENDED_REASON)).isEqualTo("ScopeNotFound");
  }

  @Test
  void aSourceRepointedAtALocationItsConsumersScopeDoesNotAllowIsStoredSuspended() {
    namespace(Map.of());
    String scopeName = ns + "-prod";
    client()
        .resource(
            scope(
                scopeName,
                ClusterTarget.local(),
                Enforcement.Enforce,
                "ssh://git@github.com/acme/prod-*"))
        .create();
    client()
        .resource(FluxObjects.gitRepository(ns, "fleet", "ssh://git@github.com/acme/prod-fleet"))
        .create();
    client().resource(FluxObjects.kustomization(ns, "apps", scopeName, null, "fleet")).create();

    GenericKubernetesResource repointed =
        client()
            .genericKubernetesResources(FluxObjects.SOURCES, "GitRepository")
            .inNamespace(ns)
            .withName("fleet")
            .edit(
                r -> {
                  spec(r).put("url", "ssh://git@github.com/acme/test-fleet");
                  return r;
                });

    assertThat(suspended(repointed, "suspend")).isTrue();
    assertThat(annotation(repointed, Annotations.SUSPENDED_REASON)).isEqualTo("SourceOutOfScope");
    GenericKubernetesResource disallowedAtCreation =
        client()
            .resource(FluxObjects.gitRepository(ns, "other", "https://example.com/other"))
            .create();
    assertThat(suspended(disallowedAtCreation, "suspend"))
        .as("no consumer yet: nothing forbids it")
        .isFalse();
  }

  @Test
  void aHelmReleaseAndAnOnboardingResourceWithoutScopeAreBornSuspendedToo() {
    namespace(Map.of());
    client().resource(EmbeddedKubernetes.readCrd(ONBOARDING_CRD)).createOr(c -> c.update());
    await()
        .atMost(WAIT)
        .until(
            () ->
                SCOPEGUARD.operator().watched().activeKinds().stream()
                    .anyMatch(k -> k.kind().equals("ClusterOnboarding")));

    GenericKubernetesResource release =
        client()
            .resource(
                new GenericKubernetesResourceBuilder()
                    .withApiVersion(FluxObjects.HELM_RELEASES)
                    .withKind("HelmRelease")
                    .withNewMetadata()
                    .withNamespace(ns)
                    .withName("podinfo")
                    .endMetadata()
                    .withAdditionalProperties(Map.of("spec", Map.of("interval", "5m")))
                    .build())
            .create();
    GenericKubernetesResource onboarding =
        client()
            .resource(
                new GenericKubernetesResourceBuilder()
                    .withApiVersion("onboarding.example.com/v1")
                    .withKind("ClusterOnboarding")
                    .withNewMetadata()
                    .withNamespace(ns)
                    .withName("prod-2")
                    .endMetadata()
                    .withAdditionalProperties(Map.of("spec", Map.of("clusterName", "prod-2")))
                    .build())
            .create();

    assertThat(suspended(release, "suspend")).isTrue();
    assertThat(annotation(release, Annotations.SUSPENDED_REASON))
        .isEqualTo("ScopeReferenceMissing");

    assertThat(suspended(onboarding, "paused")).as("the kind's own pause switch").isTrue();
    assertThat(annotation(onboarding, Annotations.SUSPENDED_REASON))
        .isEqualTo("ScopeReferenceMissing");
  }

  private void createCluster(String name) {
    client()
        .resource(
            new GenericKubernetesResourceBuilder()
                .withApiVersion("cluster.x-k8s.io/v1beta2")
                .withKind("Cluster")
                .withNewMetadata()
                .withNamespace(ns)
                .withName(name)
                .endMetadata()
                .withAdditionalProperties(Map.of("spec", Map.of("paused", false)))
                .build())
        .create();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource resource) {
    return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
  }
}
