package io.scopeguard.e2e;

import static io.scopeguard.testkit.FluxObjects.annotation;
import static io.scopeguard.testkit.FluxObjects.suspended;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.ClusterTarget;
import io.scopeguard.api.HeldReconciliation;
import io.scopeguard.api.SourceRule;
import io.scopeguard.approval.Annotations;
import io.scopeguard.capi.ClusterApi;
import io.scopeguard.demo.StandInKustomizeController;
import io.scopeguard.demo.StandInSourceController;
import io.scopeguard.demo.WorkloadClusters;
import io.scopeguard.flux.FluxStatus;
import io.scopeguard.guard.Crds;
import io.scopeguard.kinds.Json;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.testkit.EmbeddedKubernetes;
import io.scopeguard.testkit.FluxObjects;
import io.scopeguard.testkit.Identities;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The revision gate replayed with Flux-faithful stand-ins: source-controller publishes each
 * revision by writing status through scopeguard's admission as an API server would (progress
 * conditions, final conditions, then the artifact; a refused write is retried with its backoff),
 * and kustomize-controller reconciles on the artifact event at once, applying and pruning on the
 * target cluster: the management cluster itself, or a Cluster API workload cluster (a second
 * embedded API server) through its kubeconfig Secret, which scopeguard's webhooks never see.
 */
class RevisionGateReplayTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String FLEET = "fleet";

  @RegisterExtension
  static final E2eCluster CLUSTER =
      new E2eCluster(settings -> settings.withWebhook(OperatorSettings.Webhook.onLoopback()));

  private static StandInSourceController source;
  private static StandInKustomizeController flux;
  private static WorkloadClusters workloads;
  private static Path repositories;

  @BeforeAll
  static void standIns() throws IOException {
    source = new StandInSourceController(CLUSTER.clientAs(Identities.SOURCE_CONTROLLER)).start();
    flux =
        new StandInKustomizeController(
                CLUSTER.clientAs(Identities.KUSTOMIZE_CONTROLLER), CLUSTER::clientAs)
            .start();
    workloads = new WorkloadClusters();
    repositories = Files.createTempDirectory("revision-gate");
    CLUSTER
        .scenario()
        .create(new NamespaceBuilder().withNewMetadata().withName(FLEET).endMetadata().build());
  }

  @AfterAll
  static void stop() {
    if (flux != null) {
      flux.close();
    }
    if (source != null) {
      source.close();
    }
    if (workloads != null) {
      workloads.close();
    }
  }

  private static KubernetesClient client() {
    return CLUSTER.client();
  }

  @Test
  void emptyingAWorkloadClustersRepositoryDeletesNothingThereUntilApprovedAndABenignRevisionPasses()
      throws IOException {
    var clusterKind = Crds.servedKind(client(), ClusterApi.CLUSTERS_CRD).orElseThrow();
    EmbeddedKubernetes prod1 =
        workloads.register(CLUSTER.scenario(), clusterKind.apiVersion(), FLEET, "prod-1");
    scope("prod-1", ClusterTarget.clusterRef(FLEET, "prod-1"));
    scope("management", ClusterTarget.local());
    // the management cluster's own GitOps inventory, larger than prod-1's: prod-1's budget must not
    // count it
    kustomization("management", "mgmt-apps", null, configMaps("mgmt-apps", "v1", "mgmt", 300), "1");
    await("the management cluster's apps applied")
        .atMost(WAIT)
        .until(() -> inventory("mgmt-apps") == 300);

    kustomization(
        "prod-1", "prod-1-apps", "prod-1", configMaps("prod-1-apps", "v1", "apps", 204), "1");
    await("prod-1's apps applied on prod-1")
        .atMost(WAIT)
        .until(() -> configMaps(prod1.client(), "apps") == 204 && inventory("prod-1-apps") == 204);

    source.push(url("prod-1-apps"), configMaps("prod-1-apps", "v2", "apps", 205), revision("2"));
    await("a benign revision passes untouched")
        .atMost(WAIT)
        .until(
            () ->
                configMaps(prod1.client(), "apps") == 205
                    && revision("2").equals(published("prod-1-apps"))
                    && inventory("prod-1-apps") == 205);
    assertThat(suspended(kustomization("prod-1-apps"))).isFalse();

    int deletesBefore = flux.deletes() + flux.refusedDeletes();
    source.push(url("prod-1-apps"), configMaps("prod-1-apps", "empty", "apps", 0), revision("3"));

    HeldReconciliation row =
        await("held with MassDeletion")
            .atMost(WAIT)
            .until(() -> row("prod-1", "prod-1-apps"), Optional::isPresent)
            .orElseThrow();
    GenericKubernetesResource held = kustomization("prod-1-apps");
    assertThat(annotation(held, Annotations.SUSPENDED_REASON)).isEqualTo("MassDeletion");
    assertThat(annotation(held, Annotations.SUSPENDED_TOKEN)).isEqualTo(revision("3"));
    assertThat(row.getMessage())
        .contains(
            "would delete 205 objects: 205 of the 205 in its own inventory (100%), 205 of"
                + " the cluster's 205 GitOps-managed objects (100%)");
    assertThat(row.getApprove())
        .isEqualTo(
            "kubectl -n fleet annotate kustomization prod-1-apps scopeguard.io/approve="
                + revision("3")
                + " --overwrite");
    await("source-controller retried and was refused again")
        .atMost(WAIT)
        .until(
            () ->
                source.failures().stream()
                        .filter(
                            f ->
                                f.startsWith(FLEET + "/prod-1-apps")
                                    && f.contains("revision-gate.scopeguard.io"))
                        .count()
                    >= 2);
    assertThat(configMaps(prod1.client(), "apps"))
        .as("zero objects deleted on prod-1")
        .isEqualTo(205);
    assertThat(flux.deletes() + flux.refusedDeletes())
        .as("kustomize-controller never saw the empty revision")
        .isEqualTo(deletesBefore);
    GenericKubernetesResource repository = source.repository(FLEET, "prod-1-apps");
    assertThat(Json.text(repository, "/status/artifact/revision"))
        .as("flux get sources: REVISION")
        .contains(revision("2"));
    assertThat(readyMessage(repository))
        .as("flux get sources: MESSAGE never claims the refused revision stored")
        .isEqualTo("building artifact: new upstream revision '" + revision("3") + "'");
    assertThat(client().v1().events().inNamespace(FLEET).list().getItems())
        .anySatisfy(
            event -> {
              assertThat(event.getReason()).isEqualTo("RevisionRefused");
              assertThat(event.getInvolvedObject().getName()).isEqualTo("prod-1-apps");
              assertThat(event.getMessage())
                  .contains(
                      "revision "
                          + revision("3")
                          + " of GitRepository fleet/prod-1-apps is not"
                          + " published")
                  .contains("scopeguard.io/approve=" + revision("3"));
            });

    long approved = System.nanoTime();
    FluxObjects.annotate(
        client(),
        FluxObjects.KUSTOMIZATIONS,
        "Kustomization",
        FLEET,
        "prod-1-apps",
        Annotations.APPROVE,
        revision("3"));
    await("the approved revision published")
        .atMost(WAIT)
        .until(() -> revision("3").equals(published("prod-1-apps")));
    System.out.printf(
        "revision gate: approved revision published %.2f s after the approval (%d status writes of it"
            + " refused before)%n",
        (System.nanoTime() - approved) / 1e9,
        source.failures().stream().filter(f -> f.startsWith(FLEET + "/prod-1-apps")).count());
    await("and pruned on prod-1").atMost(WAIT).until(() -> configMaps(prod1.client(), "apps") == 0);
    assertThat(suspended(kustomization("prod-1-apps"))).isFalse();
    assertThat(configMaps(client(), "mgmt")).as("the management cluster untouched").isEqualTo(300);
  }

  @Test
  void aLocalRevisionOverBudgetAppliesNothingEither() throws IOException {
    scope("local", ClusterTarget.local());
    kustomization(
        "local", "local-apps", null, configMaps("local-apps", "v1", "local-apps", 10), "1");
    await("applied").atMost(WAIT).until(() -> inventory("local-apps") == 10);
    Path replaced = configMaps("local-apps", "replaced", "local-apps", 0);
    Files.writeString(
        replaced.resolve("apps/configmaps.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: new-0," + " namespace: local-apps}\n");
    Files.writeString(
        replaced.resolve("apps/kustomization.yaml"), "resources: [configmaps.yaml]\n");

    source.push(url("local-apps"), replaced, revision("2"));

    await("held")
        .atMost(WAIT)
        .until(
            () ->
                "MassDeletion"
                    .equals(annotation(kustomization("local-apps"), Annotations.SUSPENDED_REASON)));
    await("source-controller refused")
        .atMost(WAIT)
        .until(
            () ->
                source.failures().stream()
                    .anyMatch(
                        f -> f.startsWith(FLEET + "/local-apps") && f.contains(revision("2"))));
    assertThat(flux.applies())
        .as("no object of the over-budget revision applied")
        .noneMatch(applied -> applied.contains("local-apps/new-0"));
    assertThat(client().configMaps().inNamespace("local-apps").withName("new-0").get()).isNull();
    assertThat(configMaps(client(), "local-apps")).isEqualTo(10);
  }

  @Test
  void rePointingAKustomizationsPathAtAnEmptyFolderIsStoredSuspended() throws IOException {
    scope("paths", ClusterTarget.local());
    Path repo = configMaps("paths", "v1", "paths", 10);
    Files.createDirectories(repo.resolve("empty"));
    Files.writeString(repo.resolve("empty/kustomization.yaml"), "resources: []\n");
    kustomization("paths", "paths", null, repo, "1");
    await("applied").atMost(WAIT).until(() -> inventory("paths") == 10);

    int deletesBefore = flux.deletes();
    FluxObjects.setSpec(
        client(), FluxObjects.KUSTOMIZATIONS, "Kustomization", FLEET, "paths", "path", "./empty");

    GenericKubernetesResource stored = kustomization("paths");
    assertThat(suspended(stored)).as("stored suspended in the write that re-pointed it").isTrue();
    assertThat(annotation(stored, Annotations.SUSPENDED_REASON)).isEqualTo("MassDeletion");
    assertThat(annotation(stored, Annotations.SUSPENDED_TOKEN)).isEqualTo(revision("1"));
    await("listed").atMost(WAIT).until(() -> row("paths", "paths").isPresent());
    assertThat(row("paths", "paths").orElseThrow().getMessage())
        .contains("would delete 10 objects");
    assertThat(configMaps(client(), "paths")).isEqualTo(10);
    assertThat(flux.deletes()).isEqualTo(deletesBefore);
  }

  @Test
  void aSharedSourceWaitsForTheConsumerItTripsAndThenReachesEveryConsumer() throws IOException {
    scope("shared", ClusterTarget.local());
    Path repo = repositories.resolve("shared-v1");
    writeConfigMaps(repo.resolve("a"), "shared-a", 10);
    writeConfigMaps(repo.resolve("b"), "shared-b", 10);
    source.push(url("shared"), repo, revision("1"));
    for (String consumer : List.of("a", "b")) {
      GenericKubernetesResource k =
          FluxObjects.kustomization(FLEET, "shared-" + consumer, "shared", null, "shared");
      spec(k).put("path", "./" + consumer);
      CLUSTER.scenario().create(k);
    }
    CLUSTER.scenario().create(FluxObjects.gitRepository(FLEET, "shared", url("shared")));
    await("both applied")
        .atMost(WAIT)
        .until(() -> inventory("shared-a") == 10 && inventory("shared-b") == 10);

    Path v2 = repositories.resolve("shared-v2");
    writeConfigMaps(v2.resolve("a"), "shared-a", 0);
    writeConfigMaps(v2.resolve("b"), "shared-b", 11);
    source.push(url("shared"), v2, revision("2"));

    await("a held")
        .atMost(WAIT)
        .until(
            () ->
                "MassDeletion"
                    .equals(annotation(kustomization("shared-a"), Annotations.SUSPENDED_REASON)));
    await("source-controller retried")
        .atMost(WAIT)
        .until(
            () ->
                source.failures().stream().filter(f -> f.startsWith(FLEET + "/shared:")).count()
                    >= 2);
    assertThat(FluxStatus.lastAppliedRevision(kustomization("shared-b")))
        .as("b waits: the revision is not published")
        .contains(revision("1"));
    assertThat(suspended(kustomization("shared-b")))
        .as("b is not held: it would delete nothing")
        .isFalse();

    long approved = System.nanoTime();
    FluxObjects.annotate(
        client(),
        FluxObjects.KUSTOMIZATIONS,
        "Kustomization",
        FLEET,
        "shared-a",
        Annotations.APPROVE,
        revision("2"));
    await("both on the new revision")
        .atMost(WAIT)
        .until(
            () -> configMaps(client(), "shared-b") == 11 && configMaps(client(), "shared-a") == 0);
    System.out.printf(
        "revision gate, shared source: both consumers applied the revision %.2f s after the approval%n",
        (System.nanoTime() - approved) / 1e9);
  }

  /** A ClusterScope allowing acme's repositories, with the default deletion budget. */
  private static void scope(String name, ClusterTarget target) {
    ClusterScope scope = new ClusterScope();
    scope.getMetadata().setName(name);
    scope.getSpec().setCluster(target);
    scope.getSpec().setSources(List.of(new SourceRule("ssh://git@github.com/acme/*")));
    CLUSTER.scenario().create(scope);
  }

  /**
   * A GitRepository of its own name at revision {@code r} of {@code dir}, and a Kustomization
   * applying {@code ./apps}.
   */
  private static void kustomization(String scope, String name, String cluster, Path dir, String r) {
    source.push(url(name), dir, revision(r));
    CLUSTER.scenario().create(FluxObjects.kustomization(FLEET, name, scope, cluster, name));
    CLUSTER.scenario().create(FluxObjects.gitRepository(FLEET, name, url(name)));
  }

  private static Path configMaps(String repository, String version, String namespace, int count)
      throws IOException {
    Path dir = repositories.resolve(repository + "-" + version);
    writeConfigMaps(dir.resolve("apps"), namespace, count);
    return dir;
  }

  private static void writeConfigMaps(Path dir, String namespace, int count) throws IOException {
    Files.createDirectories(dir);
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; i < count; i++) {
      yaml.append("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-")
          .append(i)
          .append(", namespace: ")
          .append(namespace)
          .append("}\ndata: {key: value}\n");
    }
    Files.writeString(dir.resolve("configmaps.yaml"), yaml.toString());
    Files.writeString(
        dir.resolve("kustomization.yaml"),
        count == 0 ? "resources: []\n" : "resources: [configmaps.yaml]\n");
  }

  private static String url(String repository) {
    return "ssh://git@github.com/acme/" + repository;
  }

  private static String revision(String r) {
    return "main@sha1:" + r.repeat(40);
  }

  private static String published(String repository) {
    return Json.text(source.repository(FLEET, repository), "/status/artifact/revision")
        .orElse(null);
  }

  private static String readyMessage(GenericKubernetesResource repository) {
    for (var condition : Json.at(repository, "/status/conditions")) {
      if ("Ready".equals(condition.path("type").asText())) {
        return condition.path("message").asText();
      }
    }
    return null;
  }

  private static int configMaps(KubernetesClient cluster, String namespace) {
    return cluster
        .configMaps()
        .inNamespace(namespace)
        .withLabel("kustomize.toolkit.fluxcd.io/name")
        .list()
        .getItems()
        .size();
  }

  private static int inventory(String name) {
    GenericKubernetesResource k = kustomization(name);
    return k == null ? 0 : FluxStatus.inventory(k).size();
  }

  private static GenericKubernetesResource kustomization(String name) {
    return client()
        .genericKubernetesResources(FluxObjects.KUSTOMIZATIONS, "Kustomization")
        .inNamespace(FLEET)
        .withName(name)
        .get();
  }

  private static Optional<HeldReconciliation> row(String scope, String name) {
    ClusterScope found = client().resources(ClusterScope.class).withName(scope).get();
    return found == null || found.getStatus() == null
        ? Optional.empty()
        : found.getStatus().getSuspended().stream()
            .filter(r -> name.equals(r.getName()))
            .findFirst();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource resource) {
    return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
  }
}
