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
import io.scopeguard.api.Enforcement;
import io.scopeguard.api.HeldReconciliation;
import io.scopeguard.api.SourceRule;
import io.scopeguard.approval.Annotations;
import io.scopeguard.demo.StandInKustomizeController;
import io.scopeguard.demo.StandInSourceController;
import io.scopeguard.flux.FluxStatus;
import io.scopeguard.kinds.Json;
import io.scopeguard.runtime.OperatorSettings;
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
 * What fails closed, against stand-in Flux controllers that reconcile the instant an artifact
 * appears and send every write through scopeguard's admission: a tenant's Kustomization that prunes
 * as the tenant's service account (Flux's multi-tenancy) loses nothing to an empty repository; a
 * YAML alias bomb is unreadable within a second, and the revision after it is judged and held as
 * usual; and an Audit scope records a mass deletion and refuses none of its prunes.
 */
class FailClosedReplayTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int OBJECTS = 120;

  @RegisterExtension
  static final E2eCluster CLUSTER =
      new E2eCluster(settings -> settings.withWebhook(OperatorSettings.Webhook.onLoopback()));

  private static StandInSourceController source;
  private static StandInKustomizeController flux;
  private static Path repositories;

  @BeforeAll
  static void standIns() throws IOException {
    source = new StandInSourceController(CLUSTER.clientAs(Identities.SOURCE_CONTROLLER)).start();
    flux =
        new StandInKustomizeController(
                CLUSTER.clientAs(Identities.KUSTOMIZE_CONTROLLER), CLUSTER::clientAs)
            .start();
    repositories = Files.createTempDirectory("fail-closed");
  }

  @AfterAll
  static void stop() {
    if (flux != null) {
      flux.close();
    }
    if (source != null) {
      source.close();
    }
  }

  private static KubernetesClient client() {
    return CLUSTER.client();
  }

  /**
   * A namespace with its ClusterScope (the local cluster), a repository of {@value #OBJECTS}
   * ConfigMaps at {@code ssh://git@github.com/acme/<ns>}, and a Kustomization applying it, applied.
   */
  private static void fleet(String ns, Enforcement enforcement, String serviceAccount)
      throws IOException {
    CLUSTER
        .scenario()
        .create(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build());
    ClusterScope scope = new ClusterScope();
    scope.getMetadata().setName(ns);
    scope.getSpec().setCluster(ClusterTarget.local());
    scope.getSpec().setEnforcement(enforcement);
    scope.getSpec().setSources(List.of(new SourceRule("ssh://git@github.com/acme/*")));
    CLUSTER.scenario().create(scope);
    source.push(url(ns), configMaps(ns, "full", OBJECTS), "main@sha1:" + "1".repeat(40));
    GenericKubernetesResource k = FluxObjects.kustomization(ns, "apps", ns, null, "apps");
    if (serviceAccount != null) {
      spec(k).put("serviceAccountName", serviceAccount);
    }
    CLUSTER.scenario().create(k);
    CLUSTER.scenario().create(FluxObjects.gitRepository(ns, "apps", url(ns)));
    await(ns + " applied")
        .atMost(WAIT)
        .until(() -> configMapsIn(ns) == OBJECTS && inventory(ns) == OBJECTS);
  }

  private static String url(String ns) {
    return "ssh://git@github.com/acme/" + ns;
  }

  private static Path configMaps(String ns, String name, int count) throws IOException {
    Path dir = repositories.resolve(ns + "-" + name);
    Files.createDirectories(dir.resolve("apps"));
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; i < count; i++) {
      yaml.append("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-")
          .append(i)
          .append(", namespace: ")
          .append(ns)
          .append("}\ndata: {key: value}\n");
    }
    Files.writeString(dir.resolve("apps/configmaps.yaml"), yaml.toString());
    Files.writeString(dir.resolve("apps/kustomization.yaml"), "resources: [configmaps.yaml]\n");
    return dir;
  }

  private static int configMapsIn(String ns) {
    return client()
        .configMaps()
        .inNamespace(ns)
        .withLabel("kustomize.toolkit.fluxcd.io/name", "apps")
        .list()
        .getItems()
        .size();
  }

  private static int inventory(String ns) {
    GenericKubernetesResource k = kustomization(ns);
    return k == null ? 0 : FluxStatus.inventory(k).size();
  }

  private static GenericKubernetesResource kustomization(String ns) {
    return client()
        .genericKubernetesResources(FluxObjects.KUSTOMIZATIONS, "Kustomization")
        .inNamespace(ns)
        .withName("apps")
        .get();
  }

  private static Optional<HeldReconciliation> row(String ns) {
    ClusterScope scope = client().resources(ClusterScope.class).withName(ns).get();
    return scope == null || scope.getStatus() == null
        ? Optional.empty()
        : scope.getStatus().getSuspended().stream()
            .filter(r -> ns.equals(r.getNamespace()))
            .findFirst();
  }

  @Test
  void aTenantsPruneAsItsOwnServiceAccountIsJudgedAndAnEmptyRepositoryDeletesNothing()
      throws IOException {
    fleet("tenant-a", Enforcement.Enforce, "reconciler");
    Path empty = configMaps("tenant-a", "empty", 0);
    source.push("ssh://git@github.com/acme/tenant-a-empty", empty, "main@sha1:" + "2".repeat(40));

    FluxObjects.setSpec(
        client(),
        FluxObjects.SOURCES,
        "GitRepository",
        "tenant-a",
        "apps",
        "url",
        "ssh://git@github.com/acme/tenant-a-empty");

    await("held")
        .atMost(WAIT)
        .until(
            () ->
                "MassDeletion"
                        .equals(annotation(kustomization("tenant-a"), Annotations.SUSPENDED_REASON))
                    && row("tenant-a").isPresent());
    assertThat(configMapsIn("tenant-a"))
        .as("zero of the tenant's objects deleted")
        .isEqualTo(OBJECTS);
    assertThat(Json.text(source.repository("tenant-a", "apps"), "/status/artifact/revision"))
        .as(
            "the revision gate judged the tenant's Kustomization as it acts and did not publish the empty revision")
        .contains("main@sha1:" + "1".repeat(40));
    // Were it published (the gate out of the path), the prune guard would refuse the tenant's
    // deletes as its service account: RevisionGateOnEmbeddedApiTest shows that on its own.
    assertThat(row("tenant-a").orElseThrow().getMessage())
        .contains("would delete 120 objects: 120 of the 120 in its own inventory (100%)");
  }

  @Test
  void anAliasBombIsUnreadableWithinASecondAndTheEmptyRevisionAfterItIsHeldForWhatItDeletes()
      throws IOException {
    fleet("bombs", Enforcement.Enforce, null);
    Path bomb = configMaps("bombs", "bomb", OBJECTS);
    Files.writeString(
        bomb.resolve("apps/kustomization.yaml"), "resources: [configmaps.yaml, lol.yaml]\n");
    Files.writeString(
        bomb.resolve("apps/lol.yaml"),
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: lol, namespace: bombs}
        data:
          a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
          b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
          c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
          d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
          e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
          f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
          g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
          h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
          i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
        """);

    long published = System.nanoTime();
    source.push(url("bombs"), bomb, "main@sha1:" + "3".repeat(40));

    await("the bomb judged unreadable and held")
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                "PredictionUnknown"
                    .equals(annotation(kustomization("bombs"), Annotations.SUSPENDED_REASON)));
    double seconds = (System.nanoTime() - published) / 1e9;
    System.out.printf(
        "alias bomb: held unreadable %.3f s after its revision was pushed%n", seconds);
    // a second on an idle machine; three allowed here so that a loaded CI host does not fail it
    assertThat(seconds)
        .as("unreadable within seconds of the artifact, not a judging thread lost to it")
        .isLessThan(3.0);
    await()
        .atMost(WAIT)
        .until(
            () -> row("bombs").filter(r -> r.getReason().equals("PredictionUnknown")).isPresent());
    assertThat(row("bombs").orElseThrow().getMessage())
        .contains(
            "cannot read its artifact: YAML aliases in apps/lol.yaml"
                + " expand to more than 100,000 nodes");

    source.push(url("bombs"), configMaps("bombs", "emptied", 0), "main@sha1:" + "4".repeat(40));

    await("the empty revision held for what it deletes")
        .atMost(WAIT)
        .until(
            () ->
                "MassDeletion"
                        .equals(annotation(kustomization("bombs"), Annotations.SUSPENDED_REASON))
                    && row("bombs").filter(r -> r.getReason().equals("MassDeletion")).isPresent());
    assertThat(annotation(kustomization("bombs"), Annotations.SUSPENDED_TOKEN))
        .isEqualTo("main@sha1:" + "4".repeat(40));
    assertThat(configMapsIn("bombs")).isEqualTo(OBJECTS);
  }

  @Test
  void anAuditScopeRecordsAMassDeletionAndRefusesNoneOfItsPrunes() throws IOException {
    fleet("audited", Enforcement.Audit, null);

    source.push(url("audited"), configMaps("audited", "emptied", 0), "main@sha1:" + "5".repeat(40));

    await("pruned").atMost(WAIT).until(() -> configMapsIn("audited") == 0);
    // Once pruned, nothing violates any more, so the status row (current violations) is gone again;
    // what records the audited deletion for good is its Event and the verdict counter.
    await("recorded")
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(client().v1().events().inNamespace("audited").list().getItems())
                  .anySatisfy(
                      e -> {
                        assertThat(e.getReason()).isEqualTo("MassDeletion");
                        assertThat(e.getMessage())
                            .startsWith("Audit: Kustomization audited/apps revision main@sha1:5555")
                            .contains("would delete 120 objects")
                            .endsWith("enforces Audit: nothing suspended");
                      });
              assertThat(CLUSTER.operator().metrics().scrape())
                  .containsPattern(
                      "scopeguard_verdicts_total\\{reason=\"MassDeletion\",scope=\"audited\"} [1-9]");
            });
    assertThat(suspended(kustomization("audited"))).isFalse();
    assertThat(flux.failures()).noneMatch(f -> f.startsWith("audited/"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec(GenericKubernetesResource resource) {
    return (Map<String, Object>) resource.getAdditionalProperties().get("spec");
  }
}
