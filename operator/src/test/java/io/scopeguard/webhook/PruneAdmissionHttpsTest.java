package io.scopeguard.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLHandshakeException;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The delete guard's real HTTPS endpoint, called with AdmissionReviews shaped like the API
 * server's.
 */
class PruneAdmissionHttpsTest {

  static final String KUSTOMIZE_CONTROLLER =
      "system:serviceaccount:flux-system:kustomize-controller";

  static final List<String> asked = new CopyOnWriteArrayList<>();
  static String refusal;
  static HttpsAdmission admission;

  @BeforeAll
  static void start() throws Exception {
    PruneGate gate =
        (namespace, name, object, user) -> {
          asked.add(namespace + "/" + name + " " + object + " by " + user);
          if ("boom".equals(name)) {
            throw new IllegalStateException("artifact server unreachable");
          }
          return refusal;
        };
    admission = new HttpsAdmission(Map.of(PruneAdmission.PATH, new PruneAdmission(gate)));
  }

  @AfterAll
  static void stop() {
    admission.close();
  }

  static String review(String operation, String user, String labels) {
    return """
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
          "uid":"705ab4f5-6393-11e8-b7cc-42010a800002",
          "kind":{"group":"apps","version":"v1","kind":"Deployment"},
          "resource":{"group":"apps","version":"v1","resource":"deployments"},
          "requestKind":{"group":"apps","version":"v1","kind":"Deployment"},
          "requestResource":{"group":"apps","version":"v1","resource":"deployments"},
          "name":"podinfo","namespace":"apps","operation":"%s",
          "userInfo":{"username":"%s","groups":["system:serviceaccounts","system:authenticated"]},
          "object":null,
          "oldObject":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"podinfo","namespace":"apps","labels":{%s}}},
          "dryRun":false,
          "options":{"apiVersion":"meta.k8s.io/v1","kind":"DeleteOptions","propagationPolicy":"Background"}}}
        """
        .formatted(operation, user, labels);
  }

  static final String OWNED =
      "\"kustomize.toolkit.fluxcd.io/name\":\"flux-system\",\"kustomize.toolkit.fluxcd.io/namespace\":\"flux-system\"";

  static HttpResponse<String> post(String body) throws Exception {
    return admission.post(PruneAdmission.PATH, body);
  }

  static JsonNode response(String body) throws Exception {
    return admission.response(PruneAdmission.PATH, body);
  }

  @Test
  void fluxPruneOfAnOwnedObjectIsRefusedWithTheGatesMessage() throws Exception {
    refusal =
        "scopeguard: Kustomization flux-system/flux-system revision main@sha1:9f2c would delete 409 of 412 objects";

    JsonNode response = response(review("DELETE", KUSTOMIZE_CONTROLLER, OWNED));

    assertThat(response.at("/allowed").asBoolean()).isFalse();
    assertThat(response.at("/status/code").asInt()).isEqualTo(403);
    assertThat(response.at("/status/message").asText()).isEqualTo(refusal);
    assertThat(asked)
        .contains("flux-system/flux-system Deployment apps/podinfo by " + KUSTOMIZE_CONTROLLER);
  }

  @Test
  void fluxPruneIsAllowedWhenTheGateAllows() throws Exception {
    refusal = null;

    assertThat(response(review("DELETE", KUSTOMIZE_CONTROLLER, OWNED)).at("/allowed").asBoolean())
        .isTrue();
  }

  @Test
  void everyonesDeleteOfAFluxManagedObjectIsJudgedWhoeverSendsIt() throws Exception {
    refusal = "refuse every prune";
    asked.clear();
    String tenant = "system:serviceaccount:tenant-a:reconciler";

    assertThat(response(review("DELETE", tenant, OWNED)).at("/allowed").asBoolean())
        .as("a tenant's service account, as Flux impersonates it")
        .isFalse();
    assertThat(asked)
        .containsExactly("flux-system/flux-system Deployment apps/podinfo by " + tenant);
  }

  @Test
  void otherOperationsAndObjectsNeverReachTheGate() throws Exception {
    refusal = "refuse everything";
    asked.clear();

    assertThat(response(review("UPDATE", KUSTOMIZE_CONTROLLER, OWNED)).at("/allowed").asBoolean())
        .isTrue();
    assertThat(
            response(review("DELETE", KUSTOMIZE_CONTROLLER, "\"app\":\"podinfo\""))
                .at("/allowed")
                .asBoolean())
        .isTrue();
    assertThat(
            response(
                    review(
                        "DELETE",
                        KUSTOMIZE_CONTROLLER,
                        OWNED + ",\"kustomize.toolkit.fluxcd.io/prune\":\"disabled\""))
                .at("/allowed")
                .asBoolean())
        .isTrue();
    assertThat(asked).isEmpty();
  }

  @Test
  void aGateThatFailsRefusesAndSaysWhy() throws Exception {
    String owned =
        OWNED.replace(
            "\"kustomize.toolkit.fluxcd.io/name\":\"flux-system\"",
            "\"kustomize.toolkit.fluxcd.io/name\":\"boom\"");

    JsonNode response = response(review("DELETE", KUSTOMIZE_CONTROLLER, owned));

    assertThat(response.at("/allowed").asBoolean()).isFalse();
    assertThat(response.at("/status/message").asText())
        .contains("scopeguard could not decide (artifact server unreachable)");
  }

  @Test
  void garbageIsABadRequestNotACrash() throws Exception {
    assertThat(post("{not json").statusCode()).isEqualTo(400);
    assertThat(post("{\"kind\":\"AdmissionReview\"}").statusCode()).isEqualTo(400);
  }

  @Test
  void aClientThatDoesNotTrustTheGeneratedCaCannotConnect() {
    Assertions.assertThatThrownBy(
            () ->
                HttpClient.newHttpClient()
                    .send(
                        HttpRequest.newBuilder(
                                URI.create(
                                    "https://localhost:"
                                        + admission.server.port()
                                        + PruneAdmission.PATH))
                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                            .build(),
                        HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(SSLHandshakeException.class);
  }

  /**
   * The start-up warm-up goes through TLS and the handler like the API server's calls, and is not
   * counted as one.
   */
  @Test
  void theStartUpWarmUpIsAnsweredButNeverCounted() {
    double before =
        admission.registry.find("scopeguard.admission.requests").counters().stream()
            .mapToDouble(Counter::count)
            .sum();
    refusal = "refuse every prune";
    asked.clear();

    admission.server.warmUp(2);

    assertThat(
            admission.registry.find("scopeguard.admission.requests").counters().stream()
                .mapToDouble(Counter::count)
                .sum())
        .isEqualTo(before);
    assertThat(asked).as("a ConfigMap CONNECT never reaches the gate").isEmpty();
  }
}
