package io.scopeguard.deletion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.scopeguard.EmbeddedOperator;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.ClusterTarget;
import io.scopeguard.api.Enforcement;
import io.scopeguard.approval.Annotations;
import io.scopeguard.flux.FluxKinds;
import io.scopeguard.flux.FluxStatus;
import io.scopeguard.kinds.Json;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.testkit.FluxObjects;
import io.scopeguard.testkit.Identities;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The revision gate on the embedded API, which calls scopeguard's webhooks as an API server would:
 * source-controller's status write of a new artifact is judged against every consumer of the source
 * before any of them can see it. Over budget: refused, recorded on the source, the consumer held
 * with the approve command, and approving it asks source-controller for the revision again. Audit:
 * published. And the delete guard stays the last line for a revision the gate never judged against
 * a consumer (it did not exist yet when the revision was published).
 */
class RevisionGateOnEmbeddedApiTest {

  private static final String NS = "gated";
  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension
  static final EmbeddedOperator SCOPEGUARD =
      new EmbeddedOperator(
          OperatorSettings.embedded().withWebhook(OperatorSettings.Webhook.onLoopback()));

  private static HttpServer artifacts;
  private static final Map<String, byte[]> SERVED = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    artifacts = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    artifacts.createContext(
        "/",
        exchange -> {
          byte[] body = SERVED.get(exchange.getRequestURI().getPath());
          exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
          if (body != null) {
            exchange.getResponseBody().write(body);
          }
          exchange.close();
        });
    artifacts.start();
    client()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    scope("gated", Enforcement.Enforce);
  }

  @AfterAll
  static void stop() {
    artifacts.stop(0);
  }

  private static KubernetesClient client() {
    return SCOPEGUARD.client();
  }

  @Test
  void aRevisionOverBudgetIsNotPublishedItsConsumerIsHeldAndApprovingItAsksForItAgain()
      throws Exception {
    client().resource(FluxObjects.gitRepository(NS, "apps", "https://example.com/apps")).create();
    assertThat(publish("apps", "main@sha1:1", 10)).isEmpty();
    kustomization("apps", "apps", "gated", null, 10);

    Optional<String> refusal = publish("apps", "main@sha1:2", 0);

    assertThat(refusal)
        .hasValueSatisfying(
            message ->
                assertThat(message)
                    .contains(
                        "admission webhook \"revision-gate.scopeguard.io\" denied the request: scopeguard: revision main@sha1:2"
                            + " of GitRepository gated/apps is not published: MassDeletion: Kustomization gated/apps revision main@sha1:2"
                            + " would delete 10 objects")
                    .contains(
                        "To let it through: kubectl -n gated annotate kustomization apps scopeguard.io/approve=main@sha1:2"));
    assertThat(Json.text(repository("apps"), "/status/artifact/revision")).contains("main@sha1:1");
    await("recorded on the source, and the consumer held")
        .atMost(WAIT)
        .until(
            () ->
                "main@sha1:2"
                        .equals(
                            FluxObjects.annotation(
                                repository("apps"), Annotations.REFUSED_REVISION))
                    && "main@sha1:2"
                        .equals(
                            FluxObjects.annotation(
                                kustomization("apps"), Annotations.SUSPENDED_TOKEN)));
    assertThat(FluxObjects.suspended(kustomization("apps"))).isTrue();
    assertThat(FluxObjects.annotation(kustomization("apps"), Annotations.SUSPENDED_REASON))
        .isEqualTo("MassDeletion");
    assertThatThrownBy(
            () ->
                FluxObjects.annotate(
                    client(),
                    FluxObjects.SOURCES,
                    "GitRepository",
                    NS,
                    "apps",
                    Annotations.REFUSED_REVISION,
                    "main@sha1:1"))
        .as("nobody but scopeguard writes that record")
        .hasMessageContaining("is written only by scopeguard");

    FluxObjects.annotate(
        client(),
        FluxObjects.KUSTOMIZATIONS,
        "Kustomization",
        NS,
        "apps",
        Annotations.APPROVE,
        "main@sha1:2");

    await("resumed, and source-controller asked for the revision again")
        .atMost(WAIT)
        .until(
            () ->
                !FluxObjects.suspended(kustomization("apps"))
                    && FluxObjects.annotation(
                            repository("apps"), Annotations.FLUX_RECONCILE_REQUESTED)
                        != null);
    assertThat(publish("apps", "main@sha1:2", 0))
        .as("the approved revision is published")
        .isEmpty();
    await("the refusal forgotten once published")
        .atMost(WAIT)
        .until(
            () -> FluxObjects.annotation(repository("apps"), Annotations.REFUSED_REVISION) == null);
  }

  @Test
  void aFixedRevisionIsPublishedAtOnceAndTheHoldStaysForAPerson() throws Exception {
    client().resource(FluxObjects.gitRepository(NS, "fixed", "https://example.com/fixed")).create();
    assertThat(publish("fixed", "main@sha1:1", 10)).isEmpty();
    kustomization("fixed", "fixed", "gated", null, 10);
    assertThat(publish("fixed", "main@sha1:2", 0)).isPresent();
    await("held")
        .atMost(WAIT)
        .until(
            () ->
                FluxObjects.suspended(kustomization("fixed"))
                    && "main@sha1:2"
                        .equals(
                            FluxObjects.annotation(
                                repository("fixed"), Annotations.REFUSED_REVISION)));

    assertThat(publish("fixed", "main@sha1:3", 10)).as("the repository fixed: published").isEmpty();

    await("the refusal forgotten, the hold re-tokened for the revision a person now approves")
        .atMost(WAIT)
        .until(
            () ->
                FluxObjects.annotation(repository("fixed"), Annotations.REFUSED_REVISION) == null
                    && "main@sha1:3"
                        .equals(
                            FluxObjects.annotation(
                                kustomization("fixed"), Annotations.SUSPENDED_TOKEN)));
    assertThat(FluxObjects.suspended(kustomization("fixed")))
        .as("nothing resumes on its own")
        .isTrue();
  }

  @Test
  void underAnAuditScopeTheRevisionIsPublished() throws Exception {
    scope("audited", Enforcement.Audit);
    client()
        .resource(FluxObjects.gitRepository(NS, "audited", "https://example.com/audited"))
        .create();
    assertThat(publish("audited", "main@sha1:1", 10)).isEmpty();
    kustomization("audited", "audited", "audited", null, 10);

    assertThat(publish("audited", "main@sha1:2", 0)).isEmpty();
  }

  @Test
  void theDeleteGuardRefusesATenantsPruneOfARevisionTheGateNeverJudgedForItsKustomization()
      throws Exception {
    client().resource(FluxObjects.gitRepository(NS, "late", "https://example.com/late")).create();
    assertThat(publish("late", "main@sha1:9", 0)).as("no consumer yet: nothing to hold").isEmpty();
    kustomization("late", "late", "gated", "reconciler", 10);
    for (int i = 0; i < 10; i++) {
      client()
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withNamespace(NS)
                  .withName("late-" + i)
                  .withLabels(
                      Map.of(
                          "kustomize.toolkit.fluxcd.io/name",
                          "late",
                          "kustomize.toolkit.fluxcd.io/namespace",
                          NS))
                  .endMetadata()
                  .build())
          .create();
    }

    assertThatThrownBy(
            () ->
                SCOPEGUARD
                    .api()
                    .clientAs("system:serviceaccount:gated:reconciler")
                    .configMaps()
                    .inNamespace(NS)
                    .withName("late-0")
                    .delete())
        .as("Flux pruning as the tenant's service account")
        .hasMessageContaining("scopeguard (MassDeletion)")
        .hasMessageContaining("would delete 10 objects");
    assertThat(client().configMaps().inNamespace(NS).withName("late-0").get()).isNotNull();
  }

  private static void scope(String name, Enforcement enforcement) {
    ClusterScope scope = new ClusterScope();
    scope.getMetadata().setName(name);
    scope.getSpec().setCluster(ClusterTarget.local());
    scope.getSpec().setEnforcement(enforcement);
    client().resource(scope).create();
  }

  /**
   * Writes a new artifact of {@code objects} ConfigMaps into the GitRepository's status as
   * source-controller does; the API server's refusal, if any.
   */
  private static Optional<String> publish(String name, String revision, int objects)
      throws Exception {
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; i < objects; i++) {
      yaml.append("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ")
          .append(name)
          .append("-")
          .append(i)
          .append(", namespace: ")
          .append(NS)
          .append("}\n");
    }
    byte[] tarGz =
        TarBuilder.gzipped()
            .file(
                "apps/kustomization.yaml",
                objects == 0 ? "resources: []\n" : "resources: [cms.yaml]\n")
            .file("apps/cms.yaml", yaml.toString())
            .gzip();
    String path =
        "/gitrepository/" + NS + "/" + name + "/" + revision.replace(':', '-') + ".tar.gz";
    SERVED.put(path, tarGz);
    Map<String, Object> artifact =
        Map.of(
            "url",
            "http://127.0.0.1:" + artifacts.getAddress().getPort() + path,
            "revision",
            revision,
            "digest",
            "sha256:"
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(tarGz)));
    try {
      SCOPEGUARD
          .api()
          .clientAs(Identities.SOURCE_CONTROLLER)
          .genericKubernetesResources(FluxObjects.SOURCES, "GitRepository")
          .inNamespace(NS)
          .withName(name)
          .subresource("status")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              Serialization.asJson(Map.of("status", Map.of("artifact", artifact))));
      return Optional.empty();
    } catch (KubernetesClientException e) {
      return Optional.of(e.getMessage());
    }
  }

  /**
   * A Kustomization of {@code repository} in the scope, whose inventory is {@code objects} of its
   * ConfigMaps.
   */
  private static void kustomization(
      String name, String repository, String scope, String serviceAccount, int objects) {
    GenericKubernetesResource k = FluxObjects.kustomization(NS, name, scope, null, repository);
    if (serviceAccount != null) {
      @SuppressWarnings("unchecked")
      Map<String, Object> spec = (Map<String, Object>) k.getAdditionalProperties().get("spec");
      spec.put("serviceAccountName", serviceAccount);
    }
    GenericKubernetesResource created = client().resource(k).create();
    List<Map<String, Object>> entries = new ArrayList<>();
    for (int i = 0; i < objects; i++) {
      entries.add(Map.of("id", NS + "_" + repository + "-" + i + "__ConfigMap", "v", "v1"));
    }
    created
        .getAdditionalProperties()
        .put("status", Map.of("inventory", Map.of("entries", entries)));
    client().resource(created).updateStatus();
    await()
        .atMost(WAIT)
        .until(
            () ->
                SCOPEGUARD
                        .operator()
                        .watched()
                        .get(FluxKinds.KUSTOMIZATION, NS, name)
                        .map(FluxStatus::inventory)
                        .map(List::size)
                        .orElse(0)
                    == objects);
  }

  private static GenericKubernetesResource repository(String name) {
    return client()
        .genericKubernetesResources(FluxObjects.SOURCES, "GitRepository")
        .inNamespace(NS)
        .withName(name)
        .get();
  }

  private static GenericKubernetesResource kustomization(String name) {
    return client()
        .genericKubernetesResources(FluxObjects.KUSTOMIZATIONS, "Kustomization")
        .inNamespace(NS)
        .withName(name)
        .get();
  }
}
