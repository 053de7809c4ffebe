package io.scopeguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.ClusterTarget;
import io.scopeguard.api.HeldReconciliation;
import io.scopeguard.api.SourceRule;
import io.scopeguard.approval.Annotations;
import io.scopeguard.demo.FluxObjects;
import io.scopeguard.e2e.flux.AdmissionCaller;
import io.scopeguard.e2e.flux.FleetRepository;
import io.scopeguard.e2e.flux.StandInKustomizeController;
import io.scopeguard.e2e.flux.StandInSourceController;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.webhook.PruneAdmission;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incident B replayed: production's flux-system GitRepository is re-pointed at an empty repository
 * over a fleet of about 400 objects (child Kustomizations, a HelmRelease, their workloads). A
 * stand-in kustomize-controller reconciles the instant the artifact appears and sends each prune
 * through scopeguard's admission endpoint: zero objects are lost, flux-system is suspended with
 * MassDeletion; approving the revision lets the prune happen. A benign revision passes untouched.
 */
class IncidentBReplayTest {

  static final int WEBHOOK_PORT = freePort();

  @RegisterExtension
  static final E2eCluster CLUSTER = new E2eCluster(settings -> settings.withWebhook(new OperatorSettings.Webhook(true,
      WEBHOOK_PORT, null, "https://127.0.0.1:" + WEBHOOK_PORT + PruneAdmission.PATH, Duration.ofSeconds(10),
      OperatorSettings.Webhook.FLUX_USERS, "scopeguard")));

  static StandInSourceController sourceController;
  static StandInKustomizeController kustomizeController;

  @BeforeAll
  static void flux() throws Exception {
    sourceController = new StandInSourceController();
    var webhook = CLUSTER.operator().webhook().orElseThrow();
    kustomizeController = new StandInKustomizeController(CLUSTER.client(),
        new AdmissionCaller(URI.create("https://127.0.0.1:" + webhook.port() + PruneAdmission.PATH), webhook.caPem()));
    kustomizeController.start();
  }

  @AfterAll
  static void stopFlux() {
    kustomizeController.close();
    sourceController.close();
  }

  @Test
  void anEmptyRepositoryPrunesNothingUntilARevisionIsApproved(@TempDir Path dir) throws Exception {
    var client = CLUSTER.client();
    CLUSTER.scenario().create(new NamespaceBuilder().withNewMetadata().withName("flux-system").endMetadata().build());
    ClusterScope prod = new ClusterScope();
    prod.getMetadata().setName(FleetRepository.SCOPE);
    prod.getSpec().setCluster(ClusterTarget.local());
    prod.getSpec().setEnvironment("production");
    prod.getSpec().setSources(List.of(new SourceRule("ssh://git@github.com/acme/*")));
    CLUSTER.scenario().create(prod);
    CLUSTER.scenario().create(FluxObjects.gitRepository("flux-system", "flux-system", "ssh://git@github.com/acme/prod-fleet"));
    GenericKubernetesResource root = FluxObjects.kustomization("flux-system", "flux-system", FleetRepository.SCOPE, null,
        "flux-system");
    ((Map<String, Object>) root.getAdditionalProperties().get("spec")).put("path", "./clusters/prod");
    CLUSTER.scenario().create(root);

    Path fleet = dir.resolve("fleet");
    FleetRepository.writeFleet(fleet, 0);
    sourceController.publish(client, "flux-system", "flux-system", fleet, "main@sha1:" + "a".repeat(40));
    await().atMost(Duration.ofSeconds(60)).until(() -> fleetObjects().size() >= 8 + 3 * FleetRepository.PER_CHILD);
    installHelmRelease(60);
    List<String> before = fleetObjects();
    assertThat(before).hasSizeGreaterThanOrEqualTo(398);

    Path benign = dir.resolve("benign");
    FleetRepository.writeFleet(benign, 3);
    sourceController.publish(client, "flux-system", "flux-system", benign, "main@sha1:" + "b".repeat(40));
    await().atMost(Duration.ofSeconds(60)).until(() -> fleetObjects().size() == before.size() - 3);
    assertThat(suspended("flux-system")).as("a benign revision passes untouched").isFalse();
    assertThat(suspended("apps-a")).isFalse();
    List<String> kept = fleetObjects();

    client.genericKubernetesResources(StandInSourceController.API_VERSION, "GitRepository").inNamespace("flux-system")
        .withName("flux-system").edit(repo -> {
          ((Map<String, Object>) repo.getAdditionalProperties().get("spec")).put("url", "ssh://git@github.com/acme/test-fleet");
          return repo;
        });
    Path empty = dir.resolve("empty");
    FleetRepository.writeEmpty(empty);
    String revision = "main@sha1:" + "c".repeat(40);
    sourceController.publish(client, "flux-system", "flux-system", empty, revision);

    GenericKubernetesResource held = await().atMost(Duration.ofSeconds(30)).until(() -> kustomization("flux-system"),
        k -> suspended(k) && "MassDeletion".equals(annotation(k, Annotations.SUSPENDED_REASON)));
    await().atMost(Duration.ofSeconds(30)).until(() -> kustomizeController.refusedDeletes() > 0);
    assertThat(kustomizeController.failures()).as("Flux's reconcile of the empty revision fails on refused deletes")
        .isNotEmpty();
    assertThat(fleetObjects()).as("zero objects lost").containsExactlyInAnyOrderElementsOf(kept);
    assertThat(annotation(held, Annotations.SUSPENDED_TOKEN)).isEqualTo(revision);
    HeldReconciliation row = await().atMost(Duration.ofSeconds(20)).until(() -> rows().stream()
        .filter(r -> r.getName().equals("flux-system")).findFirst().orElse(null), r -> r != null);
    assertThat(row.getReason()).isEqualTo("MassDeletion");
    assertThat(row.getRevision()).isEqualTo(revision);
    assertThat(row.getMessage())
        .contains("revision " + revision + " would delete " + kept.size() + " objects (cascade included): 8 of the 8 in its own inventory (100%)")
        .contains("over maxPercent 50% of the cluster's GitOps inventory");
    assertThat(row.getApprove()).isEqualTo("kubectl -n flux-system annotate kustomization flux-system scopeguard.io/approve="
        + revision + " --overwrite");

    client.genericKubernetesResources("kustomize.toolkit.fluxcd.io/v1", "Kustomization").inNamespace("flux-system")
        .withName("flux-system").edit(k -> {
          k.getMetadata().getAnnotations().put(Annotations.APPROVE, revision);
          return k;
        });

    await().atMost(Duration.ofSeconds(60)).until(() -> fleetObjects().isEmpty());
    assertThat(suspended("flux-system")).as("the approved revision is not held again").isFalse();
  }

  private static void installHelmRelease(int objects) {
    var client = CLUSTER.client();
    List<Map<String, Object>> entries = new ArrayList<>();
    for (int i = 0; i < objects; i++) {
      client.resource(new GenericKubernetesResourceBuilder().withApiVersion("v1").withKind("ConfigMap")
          .withNewMetadata().withNamespace("podinfo").withName("podinfo-" + i)
            .withLabels(Map.of("helm.toolkit.fluxcd.io/name", "podinfo", "helm.toolkit.fluxcd.io/namespace", "podinfo"))
          .endMetadata().build()).create();
      entries.add(Map.of("id", "podinfo_podinfo-" + i + "__ConfigMap", "v", "v1"));
    }
    var releases = client.genericKubernetesResources("helm.toolkit.fluxcd.io/v2", "HelmRelease").inNamespace("podinfo");
    GenericKubernetesResource release = releases.withName("podinfo").get();
    release.getAdditionalProperties().put("status", Map.of("inventory", Map.of("entries", entries)));
    releases.resource(release).updateStatus();
  }

  /** Every object of the fleet (workloads, namespaces, child Kustomizations, the release) that exists now. */
  private static List<String> fleetObjects() {
    var client = CLUSTER.client();
    List<String> names = new ArrayList<>();
    for (String ns : List.of("apps-a", "apps-b", "infra", "podinfo")) {
      client.apps().deployments().inNamespace(ns).list().getItems().forEach(d -> names.add("Deployment " + ns + "/" + d.getMetadata().getName()));
      client.services().inNamespace(ns).list().getItems().forEach(s -> names.add("Service " + ns + "/" + s.getMetadata().getName()));
      client.configMaps().inNamespace(ns).list().getItems().forEach(c -> names.add("ConfigMap " + ns + "/" + c.getMetadata().getName()));
      if (client.namespaces().withName(ns).get() != null) {
        names.add("Namespace " + ns);
      }
    }
    client.genericKubernetesResources("kustomize.toolkit.fluxcd.io/v1", "Kustomization").inNamespace("flux-system").list()
        .getItems().stream().filter(k -> !k.getMetadata().getName().equals("flux-system"))
        .forEach(k -> names.add("Kustomization " + k.getMetadata().getName()));
    client.genericKubernetesResources("helm.toolkit.fluxcd.io/v2", "HelmRelease").inNamespace("podinfo").list()
        .getItems().forEach(h -> names.add("HelmRelease " + h.getMetadata().getName()));
    return names;
  }

  private static GenericKubernetesResource kustomization(String name) {
    return CLUSTER.client().genericKubernetesResources("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
        .inNamespace("flux-system").withName(name).get();
  }

  private static boolean suspended(String name) {
    return suspended(kustomization(name));
  }

  private static boolean suspended(GenericKubernetesResource k) {
    Object spec = k.getAdditionalProperties().get("spec");
    return spec instanceof Map<?, ?> map && Boolean.TRUE.equals(map.get("suspend"));
  }

  private static String annotation(GenericKubernetesResource k, String name) {
    return k.getMetadata().getAnnotations() == null ? null : k.getMetadata().getAnnotations().get(name);
  }

  private static List<HeldReconciliation> rows() {
    ClusterScope scope = CLUSTER.client().resources(ClusterScope.class).withName(FleetRepository.SCOPE).get();
    return scope.getStatus() == null ? List.of() : scope.getStatus().getSuspended();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
