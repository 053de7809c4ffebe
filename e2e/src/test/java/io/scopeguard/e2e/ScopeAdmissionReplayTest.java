package io.scopeguard.e2e;

import static io.scopeguard.testkit.FluxObjects.annotation;
import static io.scopeguard.testkit.FluxObjects.suspended;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.ClusterTarget;
import io.scopeguard.api.SourceRule;
import io.scopeguard.approval.Annotations;
import io.scopeguard.capi.ClusterApi;
import io.scopeguard.demo.StandInKustomizeController;
import io.scopeguard.demo.StandInSourceController;
import io.scopeguard.demo.WorkloadClusters;
import io.scopeguard.guard.Crds;
import io.scopeguard.guard.OnboardingKinds;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.testkit.EmbeddedKubernetes;
import io.scopeguard.testkit.FluxObjects;
import io.scopeguard.testkit.Identities;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The scope gate in the writes around incident A, each against controllers that act the instant an
 * event arrives (stand-in Flux controllers, reading {@code spec.suspend} only from the event): a
 * scoped Kustomization re-pointed at another cluster, a HelmRelease and an onboarding resource
 * created without scope, a GitRepository re-pointed at a location its consumer's scope does not
 * allow, and a Kustomization applied together with its ClusterScope. Admission sits in front of
 * every write as an API server puts it.
 */
class ScopeAdmissionReplayTest {

  private static final String NS = "retarget";
  private static final String ONBOARDING_CRD =
      "/crds/onboarding.example.com_clusteronboardings.yaml";
  private static final String APPS_URL = "ssh://git@github.com/acme/platform-apps";
  private static final String ELSEWHERE_URL = "ssh://git@github.com/someone-else/apps";

  @RegisterExtension
  static final E2eCluster CLUSTER =
      new E2eCluster(
          settings ->
              settings
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
                          "e2e")));

  private static WorkloadClusters clusters;
  private static StandInSourceController source;
  private static StandInKustomizeController flux;
  private static String clusterApiVersion;
  private static final Map<String, Boolean> BORN_SUSPENDED = new ConcurrentHashMap<>();
  private static Watch watch;

  @BeforeAll
  static void fleet() throws Exception {
    KubernetesClient client = CLUSTER.client();
    clusterApiVersion = Crds.servedKind(client, ClusterApi.CLUSTERS_CRD).orElseThrow().apiVersion();
    clusters = new WorkloadClusters();
    source = new StandInSourceController(CLUSTER.clientAs(Identities.SOURCE_CONTROLLER)).start();
    flux =
        new StandInKustomizeController(
                CLUSTER.clientAs(Identities.KUSTOMIZE_CONTROLLER), CLUSTER::clientAs)
            .start();
    CLUSTER
        .scenario()
        .create(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build());
    for (String cluster : List.of("dev-7", "prod-1")) {
      clusters.register(CLUSTER.scenario(), clusterApiVersion, NS, cluster);
    }
    ClusterScope dev = scope("retarget-dev-7", "dev-7");
    CLUSTER.scenario().create(dev);
    Path apps = Files.createTempDirectory("retarget-apps");
    Files.createDirectories(apps.resolve("apps"));
    Files.writeString(apps.resolve("apps/kustomization.yaml"), "resources: [settings.yaml]\n");
    Files.writeString(
        apps.resolve("apps/settings.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: platform-settings, namespace: default}\ndata: {tier: dev}\n");
    source.push(APPS_URL, apps, "main@sha1:" + "e".repeat(40));
    source.push(ELSEWHERE_URL, apps, "main@sha1:" + "f".repeat(40));
    CLUSTER.scenario().create(FluxObjects.gitRepository(NS, "platform-apps", APPS_URL));
    await().atMost(Duration.ofSeconds(30)).until(() -> source.fetched().contains(APPS_URL));
    watch =
        CLUSTER
            .client()
            .genericKubernetesResources(FluxObjects.KUSTOMIZATIONS, "Kustomization")
            .inNamespace(NS)
            .watch(firstEvents());
    CLUSTER.client().resource(EmbeddedKubernetes.readCrd(ONBOARDING_CRD)).createOr(c -> c.update());
  }

  @AfterAll
  static void stop() {
    if (watch != null) {
      watch.close();
    }
    if (flux != null) {
      flux.close();
    }
    if (source != null) {
      source.close();
    }
    if (clusters != null) {
      clusters.close();
    }
  }

  private static ClusterScope scope(String name, String cluster) {
    ClusterScope scope = new ClusterScope();
    scope.getMetadata().setName(name);
    scope.getSpec().setCluster(ClusterTarget.clusterRef(NS, cluster));
    scope.getSpec().setSources(List.of(new SourceRule("ssh://git@github.com/acme/platform-*")));
    return scope;
  }

  private static Watcher<GenericKubernetesResource> firstEvents() {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, GenericKubernetesResource resource) {
        BORN_SUSPENDED.putIfAbsent(resource.getMetadata().getName(), suspended(resource));
      }

      @Override
      public void onClose(WatcherException cause) {}
    };
  }

  @Test
  void aScopedKustomizationRetargetedAtAnUndeclaredClusterIsStoredSuspendedAndNothingReachesIt() {
    CLUSTER
        .client()
        .resource(
            FluxObjects.kustomization(
                NS, "platform-apps", "retarget-dev-7", "dev-7", "platform-apps"))
        .create();
    await("dev-7 applied")
        .atMost(Duration.ofSeconds(30))
        .until(() -> flux.appliesTo("dev-7").size() == 1);

    GenericKubernetesResource retargeted =
        CLUSTER
            .client()
            .genericKubernetesResources(FluxObjects.KUSTOMIZATIONS, "Kustomization")
            .inNamespace(NS)
            .withName("platform-apps")
            .edit(
                k -> {
                  spec(k)
                      .put("kubeConfig", Map.of("secretRef", Map.of("name", "prod-1-kubeconfig")));
                  return k;
                });

    assertThat(suspended(retargeted))
        .as("stored suspended in the write that re-points it")
        .isTrue();
    assertThat(annotation(retargeted, Annotations.SUSPENDED_REASON)).isEqualTo("TargetUndeclared");
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> flux.appliesTo("prod-1").isEmpty());
    assertThat(
            clusters
                .get("prod-1")
                .client()
                .configMaps()
                .inNamespace("default")
                .withName("platform-settings")
                .get())
        .as("zero applies to prod-1")
        .isNull();
    assertThat(flux.failures()).noneMatch(f -> f.contains("platform-apps:"));
  }

  @Test
  void aHelmReleaseAndAnOnboardingResourceWithoutScopeAreBornSuspended() {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                CLUSTER.operator().watched().activeKinds().stream()
                    .anyMatch(k -> k.kind().equals("ClusterOnboarding")));
    KubernetesClient onboarding =
        CLUSTER.clientAs(Identities.serviceAccount("onboarding", "onboarding-operator"));

    GenericKubernetesResource release =
        onboarding
            .resource(
                new GenericKubernetesResourceBuilder()
                    .withApiVersion(FluxObjects.HELM_RELEASES)
                    .withKind("HelmRelease")
                    .withNewMetadata()
                    .withNamespace(NS)
                    .withName("platform-agent")
                    .endMetadata()
                    .withAdditionalProperties(
                        Map.of(
                            "spec",
                            Map.of(
                                "interval",
                                "5m",
                                "kubeConfig",
                                Map.of("secretRef", Map.of("name", "prod-1-kubeconfig")))))
                    .build())
            .create();
    GenericKubernetesResource onboarded =
        onboarding
            .resource(
                new GenericKubernetesResourceBuilder()
                    .withApiVersion("onboarding.example.com/v1")
                    .withKind("ClusterOnboarding")
                    .withNewMetadata()
                    .withNamespace(NS)
                    .withName("prod-1")
                    .endMetadata()
                    .withAdditionalProperties(Map.of("spec", Map.of("clusterName", "prod-1")))
                    .build())
            .create();
    CLUSTER.scenario().remember(release);
    CLUSTER.scenario().remember(onboarded);

    assertThat(suspended(release)).isTrue();
    assertThat(annotation(release, Annotations.SUSPENDED_REASON))
        .isEqualTo("ScopeReferenceMissing");
    assertThat(onboarded.getAdditionalProperties().get("spec")).asString().contains("paused=true");
    assertThat(annotation(onboarded, Annotations.SUSPENDED_REASON))
        .isEqualTo("ScopeReferenceMissing");
  }

  @Test
  void aSourceRepointedAtALocationItsConsumersScopeDoesNotAllowIsNeverFetched() {
    CLUSTER.scenario().create(FluxObjects.gitRepository(NS, "shared", APPS_URL));
    CLUSTER
        .client()
        .resource(
            FluxObjects.kustomization(NS, "shared-consumer", "retarget-dev-7", "dev-7", "shared"))
        .create();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> source.fetched().stream().filter(APPS_URL::equals).count() >= 2);

    GenericKubernetesResource repointed =
        CLUSTER
            .client()
            .genericKubernetesResources(FluxObjects.SOURCES, "GitRepository")
            .inNamespace(NS)
            .withName("shared")
            .edit(
                r -> {
                  spec(r).put("url", ELSEWHERE_URL);
                  return r;
                });

    assertThat(suspended(repointed)).isTrue();
    assertThat(annotation(repointed, Annotations.SUSPENDED_REASON)).isEqualTo("SourceOutOfScope");
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> !source.fetched().contains(ELSEWHERE_URL));
  }

  @Test
  void aKustomizationAppliedInOneListWithItsClusterScopeIsNotHeld() {
    clusters.register(CLUSTER.scenario(), clusterApiVersion, NS, "qa-3");
    ClusterScope qa = scope("retarget-qa-3", "qa-3");
    GenericKubernetesResource apps =
        FluxObjects.kustomization(
            NS, "platform-apps-qa-3", "retarget-qa-3", "qa-3", "platform-apps");

    // one request list, as kubectl apply -f dir/ sends it: the ClusterScope first, the
    // Kustomization moments later
    CLUSTER
        .client()
        .resourceList(
            Serialization.unmarshal(Serialization.asJson(qa), GenericKubernetesResource.class),
            apps)
        .create();
    CLUSTER.scenario().remember(qa);
    CLUSTER.scenario().remember(apps);

    await("qa-3 applied")
        .atMost(Duration.ofSeconds(30))
        .until(() -> flux.appliesTo("qa-3").size() == 1);
    assertThat(BORN_SUSPENDED.get("platform-apps-qa-3")).isFalse();
    assertThat(annotation(CLUSTER.client().resource(apps).get(), Annotations.SUSPENDED_REASON))
        .isNull();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource resource) {
    return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
  }
}
