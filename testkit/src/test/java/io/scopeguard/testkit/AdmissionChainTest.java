package io.scopeguard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The embedded API's admission behaves as an API server's does where scopeguard's tests depend on
 * it: rules (operations, resources, subresources), namespace selectors, CEL match conditions on the
 * requesting user, JSON patches from mutating webhooks stored with the write, refusals worded as
 * the API server words them, and patches admitted on the object they produce.
 */
class AdmissionChainTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<JsonNode> REVIEWS = new CopyOnWriteArrayList<>();
  private static EmbeddedKubernetes api;
  private static HttpServer webhook;

  @BeforeAll
  static void start() throws Exception {
    api = EmbeddedKubernetes.start();
    webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    webhook.createContext(
        "/",
        exchange -> {
          JsonNode review = JSON.readTree(exchange.getRequestBody());
          REVIEWS.add(review);
          JsonNode request = review.get("request");
          ObjectNode response = JSON.createObjectNode().put("uid", request.get("uid").asText());
          String path = exchange.getRequestURI().getPath();
          if (path.equals("/mutate")) {
            response
                .put("allowed", true)
                .put("patchType", "JSONPatch")
                .put(
                    "patch",
                    Base64.getEncoder()
                        .encodeToString(
                            "[{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"stamped\":\"yes\"}}]"
                                .getBytes(StandardCharsets.UTF_8)));
          } else {
            boolean refuse =
                request.path("object").path("data").path("forbidden").isTextual()
                    || "DELETE".equals(request.get("operation").asText())
                    || "refuse"
                        .equals(
                            request
                                .path("object")
                                .path("status")
                                .path("artifact")
                                .path("revision")
                                .asText());
            response.put("allowed", !refuse);
            if (refuse) {
              response.putObject("status").put("code", 403).put("message", "not this one");
            }
          }
          byte[] body =
              JSON.writeValueAsBytes(
                  JSON.createObjectNode()
                      .put("apiVersion", "admission.k8s.io/v1")
                      .put("kind", "AdmissionReview")
                      .set("response", response));
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    webhook.start();
    String url = "http://127.0.0.1:" + webhook.getAddress().getPort();
    KubernetesClient admin = api.client();
    admin
        .resource(
            new NamespaceBuilder().withNewMetadata().withName("guarded").endMetadata().build())
        .create();
    admin
        .resource(
            new NamespaceBuilder().withNewMetadata().withName("excluded").endMetadata().build())
        .create();
    admin
        .resource(
            new MutatingWebhookConfigurationBuilder()
                .withNewMetadata()
                .withName("test")
                .endMetadata()
                .addNewWebhook()
                .withName("stamp.test")
                .withAdmissionReviewVersions("v1")
                .withSideEffects("None")
                .withNewClientConfig()
                .withUrl(url + "/mutate")
                .endClientConfig()
                .addNewRule()
                .withOperations("CREATE")
                .withApiGroups("")
                .withApiVersions("v1")
                .withResources("configmaps")
                .endRule()
                .withNewNamespaceSelector()
                .addNewMatchExpression()
                .withKey("kubernetes.io/metadata.name")
                .withOperator("NotIn")
                .withValues("excluded")
                .endMatchExpression()
                .endNamespaceSelector()
                .endWebhook()
                .build())
        .create();
    admin
        .resource(
            new ValidatingWebhookConfigurationBuilder()
                .withNewMetadata()
                .withName("test")
                .endMetadata()
                .addNewWebhook()
                .withName("refuse.test")
                .withAdmissionReviewVersions("v1")
                .withSideEffects("None")
                .withNewClientConfig()
                .withUrl(url + "/validate")
                .endClientConfig()
                .addNewRule()
                .withOperations("UPDATE", "DELETE")
                .withApiGroups("")
                .withApiVersions("v1")
                .withResources("configmaps")
                .endRule()
                .addNewRule()
                .withOperations("UPDATE")
                .withApiGroups("source.toolkit.fluxcd.io")
                .withApiVersions("*")
                .withResources("gitrepositories/status")
                .endRule()
                .addNewMatchCondition()
                .withName("not-the-operator")
                .withExpression("request.userInfo.username != 'system:serviceaccount:ops:operator'")
                .endMatchCondition()
                .endWebhook()
                .build())
        .create();
  }

  @AfterAll
  static void stop() {
    webhook.stop(0);
    api.close();
  }

  private static ConfigMap configMap(String namespace, String name) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .endMetadata()
        .addToData("key", "value")
        .build();
  }

  @Test
  void aMutatingWebhooksPatchIsStoredWithTheWriteAndSelectorsKeepOtherNamespacesOut() {
    ConfigMap created = api.client().resource(configMap("guarded", "stamped")).create();
    ConfigMap outside = api.client().resource(configMap("excluded", "plain")).create();

    assertThat(
            api.client()
                .configMaps()
                .inNamespace("guarded")
                .withName("stamped")
                .get()
                .getMetadata()
                .getLabels())
        .containsEntry("stamped", "yes");
    assertThat(created.getMetadata().getLabels())
        .as("the writer sees what was stored")
        .containsEntry("stamped", "yes");
    assertThat(outside.getMetadata().getLabels()).doesNotContainKey("stamped");
    JsonNode review =
        REVIEWS.stream()
            .filter(r -> "stamped".equals(r.at("/request/name").asText()))
            .findFirst()
            .orElseThrow();
    assertThat(review.at("/request/operation").asText()).isEqualTo("CREATE");
    assertThat(review.at("/request/userInfo/username").asText()).isEqualTo(Identities.ADMIN);
    assertThat(review.at("/request/resource/resource").asText()).isEqualTo("configmaps");
    assertThat(review.at("/request/oldObject").isNull()).isTrue();
  }

  @Test
  void aRefusalReachesTheWriterWordedAsTheApiServerWordsItAndNothingIsStored() {
    api.client().resource(configMap("guarded", "refused")).create();

    assertThatThrownBy(
            () ->
                api.client()
                    .configMaps()
                    .inNamespace("guarded")
                    .withName("refused")
                    .patch(
                        PatchContext.of(PatchType.JSON_MERGE), "{\"data\":{\"forbidden\":\"x\"}}"))
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403))
        .hasMessageContaining("admission webhook \"refuse.test\" denied the request: not this one");
    assertThat(api.client().configMaps().inNamespace("guarded").withName("refused").get().getData())
        .doesNotContainKey("forbidden");
    JsonNode review =
        REVIEWS.stream()
            .filter(
                r ->
                    "refused".equals(r.at("/request/name").asText())
                        && "UPDATE".equals(r.at("/request/operation").asText()))
            .findFirst()
            .orElseThrow();
    assertThat(review.at("/request/object/data/forbidden").asText())
        .as("the patch is admitted on the object it produces")
        .isEqualTo("x");
    assertThat(review.at("/request/oldObject/data/key").asText()).isEqualTo("value");
  }

  @Test
  void aMergePatchRemovesTheKeysItSetsToNullAsTheApiServerDoes() {
    ConfigMap created = configMap("excluded", "merged");
    created.getMetadata().setAnnotations(Map.of("a", "1", "b", "2"));
    api.client().resource(created).create();

    api.client()
        .configMaps()
        .inNamespace("excluded")
        .withName("merged")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"annotations\":{\"a\":null}}}");

    assertThat(
            api.client()
                .configMaps()
                .inNamespace("excluded")
                .withName("merged")
                .get()
                .getMetadata()
                .getAnnotations())
        .as("fabric8's mock alone would keep a: null")
        .containsOnlyKeys("b");
  }

  @Test
  void aMatchConditionOnTheRequestingUserDecidesWhoseWritesTheWebhookSees() {
    api.client().resource(configMap("guarded", "deleted-by-operator")).create();
    api.client().resource(configMap("guarded", "deleted-by-admin")).create();
    KubernetesClient operator = api.clientAs(Identities.serviceAccount("ops", "operator"));

    operator.configMaps().inNamespace("guarded").withName("deleted-by-operator").delete();
    assertThatThrownBy(
            () ->
                api.client()
                    .configMaps()
                    .inNamespace("guarded")
                    .withName("deleted-by-admin")
                    .delete())
        .hasMessageContaining("denied the request");

    assertThat(
            api.client().configMaps().inNamespace("guarded").withName("deleted-by-operator").get())
        .isNull();
    assertThat(api.client().configMaps().inNamespace("guarded").withName("deleted-by-admin").get())
        .isNotNull();
  }

  @Test
  void statusWritesAreTheirOwnSubresourceAndSelfReviewNamesTheUser() {
    GenericKubernetesResource repository =
        api.client()
            .resource(
                new GenericKubernetesResourceBuilder()
                    .withApiVersion("source.toolkit.fluxcd.io/v1")
                    .withKind("GitRepository")
                    .withNewMetadata()
                    .withNamespace("guarded")
                    .withName("repo")
                    .endMetadata()
                    .withAdditionalProperties(
                        Map.of("spec", Map.of("url", "https://example.com/repo")))
                    .build())
            .create();
    int before = REVIEWS.size();
    api.client()
        .resource(repository)
        .edit(
            r -> {
              r.getAdditionalProperties().put("spec", Map.of("url", "https://example.com/other"));
              return r;
            });
    assertThat(REVIEWS)
        .as("a rule on gitrepositories/status does not see the main resource")
        .hasSize(before);

    repository = api.client().resource(repository).get();
    repository
        .getAdditionalProperties()
        .put("status", Map.of("artifact", Map.of("revision", "refuse")));
    GenericKubernetesResource refused = repository;
    assertThatThrownBy(() -> api.client().resource(refused).updateStatus())
        .hasMessageContaining("not this one");
    JsonNode review = REVIEWS.get(REVIEWS.size() - 1);
    assertThat(review.at("/request/subResource").asText()).isEqualTo("status");
    assertThat(review.at("/request/object/spec/url").asText())
        .as("the whole object, with the new status")
        .isEqualTo("https://example.com/other");
    repository
        .getAdditionalProperties()
        .put("status", Map.of("artifact", Map.of("revision", "main@sha1:1")));
    api.client().resource(repository).updateStatus();
    assertThat(
            api.client()
                .resource(repository)
                .get()
                .getAdditionalProperties()
                .get("status")
                .toString())
        .contains("main@sha1:1");
    String username =
        api.clientAs("jane@example.com")
            .raw(
                "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                "POST",
                Map.of("apiVersion", "authentication.k8s.io/v1", "kind", "SelfSubjectReview"));
    assertThat(username).contains("\"username\":\"jane@example.com\"");
  }
}
