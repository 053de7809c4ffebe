package io.scopeguard.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.scopeguard.EmbeddedOperator;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.ClusterTarget;
import io.scopeguard.api.Enforcement;
import io.scopeguard.api.HeldReconciliation;
import io.scopeguard.api.SourceRule;
import io.scopeguard.approval.Annotations;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.testkit.EmbeddedKubernetes;
import io.scopeguard.testkit.FluxObjects;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The scope guard's lifecycle on an API server: what people do to held resources and scopes, and
 * what scopeguard does in return. Each test works in its own namespace and ClusterScope.
 */
class GuardOnEmbeddedApiTest {

  static final String ONBOARDING_CRD = "/crds/onboarding.example.com_clusteronboardings.yaml";

  @RegisterExtension
  static final EmbeddedOperator SCOPEGUARD =
      new EmbeddedOperator(
          OperatorSettings.embedded()
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

  private final String ns = "t" + SEQUENCE.incrementAndGet();

  private static KubernetesClient client() {
    return SCOPEGUARD.client();
  }

  private String namespace() {
    client()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .createOr(n -> n.update());
    return ns;
  }

  private static ClusterScope scope(
      String name, ClusterTarget cluster, Enforcement enforcement, String... sources) {
    ClusterScope scope = new ClusterScope();
    scope.getMetadata().setName(name);
    scope.getSpec().setCluster(cluster);
    scope.getSpec().setEnforcement(enforcement);
    scope.getSpec().setSources(Arrays.stream(sources).map(SourceRule::new).toList());
    return client().resource(scope).create();
  }

  private Resource<GenericKubernetesResource> kustomization(String name) {
    return client()
        .genericKubernetesResources("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
        .inNamespace(ns)
        .withName(name);
  }

  private GenericKubernetesResource awaitKustomization(
      String name, Predicate<GenericKubernetesResource> condition) {
    return await()
        .atMost(WAIT)
        .until(() -> kustomization(name).get(), k -> k != null && condition.test(k));
  }

  private static boolean paused(GenericKubernetesResource resource, String field) {
    Object spec = resource.getAdditionalProperties().get("spec");
    return spec instanceof Map<?, ?> map && Boolean.TRUE.equals(map.get(field));
  }

  private static String annotation(GenericKubernetesResource resource, String name) {
    return resource.getMetadata().getAnnotations() == null
        ? null
        : resource.getMetadata().getAnnotations().get(name);
  }

  private static Predicate<GenericKubernetesResource> heldFor(String reason) {
    return k -> paused(k, "suspend") && reason.equals(annotation(k, Annotations.SUSPENDED_REASON));
  }

  private void setSuspend(String name, boolean value) {
    FluxObjects.setSpec(
        client(), "kustomize.toolkit.fluxcd.io/v1", "Kustomization", ns, name, "suspend", value);
  }

  private void annotate(String name, String key, String value) {
    FluxObjects.annotate(
        client(), "kustomize.toolkit.fluxcd.io/v1", "Kustomization", ns, name, key, value);
  }

  private static List<HeldReconciliation> rows(String scope) {
    return await()
        .atMost(WAIT)
        .until(
            () -> client().resources(ClusterScope.class).withName(scope).get(),
            s -> s != null && s.getStatus() != null)
        .getStatus()
        .getSuspended();
  }

  @Test
  void deletingAScopeHoldsWhatActedUnderIt() {
    String ns = namespace();
    ClusterScope local = scope(ns + "-local", ClusterTarget.local(), Enforcement.Enforce);
    client()
        .resource(
            FluxObjects.kustomization(ns, "apps", local.getMetadata().getName(), null, "repo"))
        .create();
    await()
        .during(Duration.ofMillis(500))
        .atMost(WAIT)
        .until(() -> !paused(kustomization("apps").get(), "suspend"));

    client().resource(local).delete();

    awaitKustomization("apps", heldFor("ScopeNotFound"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                client().v1().events().inNamespace(ns).list().getItems().stream()
                    .anyMatch(
                        e ->
                            "ScopeNotFound".equals(e.getReason())
                                && e.getMessage()
                                    .contains(
                                        "names ClusterScope "
                                            + ns
                                            + "-local, which does not exist")));
  }

  @Test
  void aTargetClusterThatDisappearsHoldsItsReconcilersAtOnceNotAtTheNextResync() {
    String ns = namespace();
    String scopeName = ns + "-edge";
    client().resource(FluxObjects.capiCluster("cluster.x-k8s.io/v1beta2", ns, "edge-1")).create();
    scope(scopeName, ClusterTarget.clusterRef(ns, "edge-1"), Enforcement.Enforce);
    client().resource(FluxObjects.kustomization(ns, "apps", scopeName, "edge-1", "repo")).create();
    await()
        .during(Duration.ofMillis(500))
        .atMost(WAIT)
        .until(() -> !paused(kustomization("apps").get(), "suspend"));

    client()
        .genericKubernetesResources("cluster.x-k8s.io/v1beta2", "Cluster")
        .inNamespace(ns)
        .withName("edge-1")
        .delete();

    GenericKubernetesResource held = awaitKustomization("apps", heldFor("TargetUndeclared"));
    assertThat(rows(scopeName))
        .singleElement()
        .satisfies(
            row ->
                assertThat(row.getMessage())
                    .contains("no Cluster API Cluster " + ns + "/edge-1 exists"));
    assertThat(annotation(held, Annotations.SUSPENDED_REASON)).isEqualTo("TargetUndeclared");
  }

  @Test
  void fixingTheScopeDoesNotResumeButSaysTheReasonIsGone() {
    String ns = namespace();
    String scopeName = ns + "-late";
    client().resource(FluxObjects.kustomization(ns, "apps", scopeName, null, "repo")).create();
    awaitKustomization("apps", heldFor("ScopeNotFound"));

    scope(scopeName, ClusterTarget.local(), Enforcement.Enforce);

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(rows(scopeName))
                    .filteredOn(r -> r.getNamespace().equals(ns))
                    .singleElement()
                    .satisfies(
                        row -> {
                          assertThat(row.getReason()).isEqualTo("ScopeNotFound");
                          assertThat(row.getMessage())
                              .startsWith("the reason no longer holds")
                              .contains("approve to resume");
                        }));
    assertThat(paused(kustomization("apps").get(), "suspend")).isTrue();
  }

  @Test
  void flippingAHeldResourceBackSuspendsItAgain() {
    String ns = namespace();
    client().resource(FluxObjects.kustomization(ns, "apps", null, null, "repo")).create();
    awaitKustomization("apps", heldFor("ScopeReferenceMissing"));

    setSuspend("apps", false);

    awaitKustomization("apps", heldFor("ScopeReferenceMissing"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                client().v1().events().inNamespace(ns).list().getItems().stream()
                    .anyMatch(
                        e ->
                            e.getMessage()
                                .contains(
                                    "Was resumed while held; suspended again by scopeguard")));
  }

  @Test
  void aResourceAPersonPausedIsLeftAloneUntilThePersonResumesIt() {
    String ns = namespace();
    GenericKubernetesResource paused = FluxObjects.kustomization(ns, "apps", null, null, "repo");
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) paused.getAdditionalProperties().get("spec");
    spec.put("suspend", true);
    client().resource(paused).create();

    await()
        .during(Duration.ofMillis(700))
        .atMost(WAIT)
        .until(() -> annotation(kustomization("apps").get(), Annotations.SUSPENDED_REASON) == null);

    setSuspend("apps", false);
    awaitKustomization("apps", heldFor("ScopeReferenceMissing"));
  }

  @Test
  void aWrongTokenChangesNothingAndStatusSaysWhy() {
    String ns = namespace();
    String scopeName = ns + "-dev";
    scope(scopeName, ClusterTarget.clusterRef(ns, "dev"), Enforcement.Enforce);
    client().resource(FluxObjects.kustomization(ns, "apps", scopeName, "prod", "repo")).create();
    GenericKubernetesResource held = awaitKustomization("apps", heldFor("TargetUndeclared"));
    String token = annotation(held, Annotations.SUSPENDED_TOKEN);

    annotate("apps", Annotations.APPROVE, token + "0");

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(rows(scopeName))
                    .singleElement()
                    .satisfies(
                        row ->
                            // The embedded API calls no admission webhooks, so no approved-by is
                            // recorded here.
                            assertThat(row.getMessage())
                                .endsWith(
                                    "approval "
                                        + token
                                        + "0 by an unrecorded user ignored: it does not match the token "
                                        + token)));
    assertThat(paused(kustomization("apps").get(), "suspend")).isTrue();

    annotate("apps", Annotations.APPROVE, token);
    awaitKustomization(
        "apps", k -> !paused(k, "suspend") && annotation(k, Annotations.SUSPENDED_REASON) == null);
  }

  @Test
  void auditRecordsTheViolationAndSuspendsNothing() {
    String ns = namespace();
    String scopeName = ns + "-audit";
    scope(scopeName, ClusterTarget.local(), Enforcement.Audit, "ssh://git@github.com/acme/allowed");
    client()
        .resource(FluxObjects.gitRepository(ns, "repo", "ssh://git@github.com/acme/other"))
        .create();
    client().resource(FluxObjects.kustomization(ns, "apps", scopeName, null, "repo")).create();

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(rows(scopeName))
                    .filteredOn(r -> r.getNamespace().equals(ns))
                    .as("the Kustomization, and the source its scope does not allow")
                    .hasSize(2)
                    .allSatisfy(
                        row -> {
                          assertThat(row.getAction()).isEqualTo("Recorded");
                          assertThat(row.getReason()).isEqualTo("SourceOutOfScope");
                          assertThat(row.getMessage())
                              .contains("ssh://git@github.com/acme/other")
                              .endsWith("(Audit: not suspended)");
                        }));
    assertThat(
            paused(
                client()
                    .genericKubernetesResources("source.toolkit.fluxcd.io/v1", "GitRepository")
                    .inNamespace(ns)
                    .withName("repo")
                    .get(),
                "suspend"))
        .isFalse();
    assertThat(paused(kustomization("apps").get(), "suspend")).isFalse();
    assertThat(annotation(kustomization("apps").get(), Annotations.SUSPENDED_REASON)).isNull();
    assertThat(SCOPEGUARD.operator().metrics().scrape())
        .containsPattern(
            "scopeguard_violations\\{[^}]*enforcement=\"Audit\"[^}]*namespace=\""
                + ns
                + "\"[^}]*reason=\"SourceOutOfScope\"");
  }

  @Test
  void repointingTheSourceHoldsItsConsumers() {
    String ns = namespace();
    String scopeName = ns + "-src";
    scope(
        scopeName,
        ClusterTarget.local(),
        Enforcement.Enforce,
        "ssh://git@github.com/acme/prod-fleet");
    client()
        .resource(FluxObjects.gitRepository(ns, "repo", "ssh://git@github.com/acme/prod-fleet"))
        .create();
    client().resource(FluxObjects.kustomization(ns, "apps", scopeName, null, "repo")).create();
    await()
        .during(Duration.ofMillis(500))
        .atMost(WAIT)
        .until(() -> !paused(kustomization("apps").get(), "suspend"));

    FluxObjects.setSpec(
        client(),
        "source.toolkit.fluxcd.io/v1",
        "GitRepository",
        ns,
        "repo",
        "url",
        "ssh://git@github.com/acme/empty");

    awaitKustomization("apps", heldFor("SourceOutOfScope"));
    GenericKubernetesResource repo =
        client()
            .genericKubernetesResources("source.toolkit.fluxcd.io/v1", "GitRepository")
            .inNamespace(ns)
            .withName("repo")
            .get();
    assertThat(annotation(repo, Annotations.SUSPENDED_REASON))
        .as(
            "the source is held too: its consumer's scope does not"
                + " allow the new location, so it is never fetched")
        .isEqualTo("SourceOutOfScope");
    assertThat(paused(repo, "suspend")).isTrue();
    assertThat(rows(scopeName))
        .filteredOn(r -> r.getNamespace().equals(ns))
        .extracting(HeldReconciliation::getKind)
        .as("listed under the consumer's ClusterScope")
        .containsExactlyInAnyOrder("GitRepository", "Kustomization");
  }

  @Test
  void aLabelledSourceIsCheckedAgainstItsScope() {
    String ns = namespace();
    String scopeName = ns + "-srcl";
    scope(scopeName, ClusterTarget.local(), Enforcement.Enforce, "oci://ghcr.io/acme/*");
    GenericKubernetesResource repo =
        FluxObjects.gitRepository(ns, "repo", "https://github.com/someone/else");
    repo.getMetadata().setLabels(Map.of(Annotations.SCOPE_LABEL, scopeName));
    client().resource(repo).create();

    await()
        .atMost(WAIT)
        .until(
            () ->
                client()
                    .genericKubernetesResources("source.toolkit.fluxcd.io/v1", "GitRepository")
                    .inNamespace(ns)
                    .withName("repo")
                    .get(),
            r ->
                paused(r, "suspend")
                    && "SourceOutOfScope".equals(annotation(r, Annotations.SUSPENDED_REASON)));
  }

  @Test
  void statusListsWhoApprovedWhat() {
    String ns = namespace();
    String scopeName = ns + "-appr";
    scope(scopeName, ClusterTarget.local(), Enforcement.Enforce);
    client().resource(FluxObjects.kustomization(ns, "apps", scopeName, null, "repo")).create();
    // The embedded API calls no admission webhooks: set what the mutating webhook records.
    annotate("apps", Annotations.APPROVED_BY, "alice@example.com");
    annotate("apps", Annotations.APPROVED_AT, "2026-11-21T10:00:00Z");

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        client()
                            .resources(ClusterScope.class)
                            .withName(scopeName)
                            .get()
                            .getStatus()
                            .getApprovals())
                    .singleElement()
                    .satisfies(
                        approval -> {
                          assertThat(approval.getKind()).isEqualTo("Kustomization");
                          assertThat(approval.getNamespace()).isEqualTo(ns);
                          assertThat(approval.getName()).isEqualTo("apps");
                          assertThat(approval.getApprovedBy()).isEqualTo("alice@example.com");
                          assertThat(approval.getApprovedAt()).isEqualTo("2026-11-21T10:00:00Z");
                        }));
  }

  @Test
  void aRestartLosesNothing() {
    String ns = namespace();
    client().resource(FluxObjects.kustomization(ns, "apps", null, null, "repo")).create();
    String token =
        annotation(
            awaitKustomization("apps", heldFor("ScopeReferenceMissing")),
            Annotations.SUSPENDED_TOKEN);

    SCOPEGUARD.restart();

    GenericKubernetesResource after = kustomization("apps").get();
    assertThat(annotation(after, Annotations.SUSPENDED_TOKEN)).isEqualTo(token);
    annotate("apps", Annotations.APPROVE, token);
    awaitKustomization("apps", k -> !paused(k, "suspend"));
    await().atMost(WAIT).until(() -> SCOPEGUARD.operator().guardIdle());
    assertThat(paused(kustomization("apps").get(), "suspend"))
        .as("the approval holds after the restart")
        .isFalse();
  }

  @Test
  void anOnboardingKindInstalledLaterIsGuardedThroughItsPauseSwitch() {
    String ns = namespace();
    SCOPEGUARD
        .client()
        .resource(EmbeddedKubernetes.readCrd(ONBOARDING_CRD))
        .createOr(c -> c.update());
    await()
        .atMost(WAIT)
        .until(
            () ->
                SCOPEGUARD.operator().watched().activeKinds().stream()
                    .anyMatch(k -> k.kind().equals("ClusterOnboarding")));
    var onboardings =
        client()
            .genericKubernetesResources("onboarding.example.com/v1", "ClusterOnboarding")
            .inNamespace(ns);
    GenericKubernetesResource onboarding =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("onboarding.example.com/v1")
            .withKind("ClusterOnboarding")
            .withNewMetadata()
            .withNamespace(ns)
            .withName("prod")
            .endMetadata()
            .withAdditionalProperties(
                Map.of("spec", Map.of("clusterName", "prod-1", "paused", false)))
            .build();
    onboardings.resource(onboarding).create();

    GenericKubernetesResource held =
        await()
            .atMost(WAIT)
            .until(() -> onboardings.withName("prod").get(), o -> paused(o, "paused"));
    assertThat(annotation(held, Annotations.SUSPENDED_REASON)).isEqualTo("ScopeReferenceMissing");
  }
}
