package io.scopeguard.e2e.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.scopeguard.runtime.ScopeguardOperator;
import io.scopeguard.testkit.CaBundleHttpClient;
import io.scopeguard.webhook.PruneAdmission;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Calls the delete guard directly, the way the API server does before it deletes an object: an
 * {@code AdmissionReview} over HTTPS, trusting only the webhook configuration's CA bundle. For
 * benchmarks that time the webhook alone; scenarios and tests go through the embedded API, whose
 * admission calls every registered webhook.
 */
public final class WebhookCaller {

  /** null when allowed, else the denial message. */
  public record Answer(boolean allowed, String message) {}

  private final HttpClient http;
  private final URI url;

  public WebhookCaller(URI url, String caPem) throws Exception {
    this.http = trusting(caPem);
    this.url = url;
  }

  /**
   * An HTTP client that trusts exactly the certificates of a PEM CA bundle, as the API server does
   * a caBundle.
   */
  public static HttpClient trusting(String caPem) {
    return CaBundleHttpClient.trusting(caPem);
  }

  /** A caller of the running operator's delete guard, trusting the CA it generated. */
  public static WebhookCaller of(ScopeguardOperator operator) {
    var webhook =
        operator
            .webhook()
            .orElseThrow(() -> new IllegalStateException("the webhook is not enabled"));
    try {
      return new WebhookCaller(
          URI.create("https://127.0.0.1:" + webhook.port() + PruneAdmission.PATH), webhook.caPem());
    } catch (Exception e) {
      throw new IllegalStateException("cannot reach the webhook: " + e.getMessage(), e);
    }
  }

  public Answer delete(GenericKubernetesResource object, String username) throws Exception {
    String[] apiVersion =
        object.getApiVersion().contains("/")
            ? object.getApiVersion().split("/", 2)
            : new String[] {"", object.getApiVersion()};
    Map<String, Object> kind =
        Map.of("group", apiVersion[0], "version", apiVersion[1], "kind", object.getKind());
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("uid", UUID.randomUUID().toString());
    request.put("kind", kind);
    request.put("requestKind", kind);
    request.put("name", object.getMetadata().getName());
    if (object.getMetadata().getNamespace() != null) {
      request.put("namespace", object.getMetadata().getNamespace());
    }
    request.put("operation", "DELETE");
    request.put(
        "userInfo", Map.of("username", username, "groups", List.of("system:serviceaccounts")));
    request.put("oldObject", object);
    request.put("dryRun", false);
    String body =
        Serialization.jsonMapper()
            .writeValueAsString(
                Map.of(
                    "apiVersion",
                    "admission.k8s.io/v1",
                    "kind",
                    "AdmissionReview",
                    "request",
                    request));
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(url)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      return new Answer(false, "webhook answered HTTP " + response.statusCode());
    }
    JsonNode answer = Serialization.jsonMapper().readTree(response.body()).at("/response");
    return new Answer(
        answer.at("/allowed").asBoolean(false), answer.at("/status/message").asText(null));
  }
}
