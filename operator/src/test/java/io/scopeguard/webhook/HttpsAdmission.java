package io.scopeguard.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.scopeguard.testkit.CaBundleHttpClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * scopeguard's admission server on a free port, and a client that calls it as the API server does.
 */
final class HttpsAdmission implements AutoCloseable {

  final WebhookCertificates.Issued certificates;
  final AdmissionServer server;
  final HttpClient client;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  HttpsAdmission(Map<String, UnaryOperator<AdmissionReview>> handlers) throws Exception {
    certificates =
        WebhookCertificates.issue(
            List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(30), Clock.systemUTC());
    server = new AdmissionServer(0, certificates, handlers, registry);
    client = CaBundleHttpClient.trusting(certificates.caPem());
  }

  HttpResponse<String> post(String path, String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The {@code response} of the AdmissionReview answered for {@code body}, checked for shape and
   * uid.
   */
  JsonNode response(String path, String body) throws Exception {
    HttpResponse<String> http = post(path, body);
    assertThat(http.statusCode()).isEqualTo(200);
    JsonNode review = Serialization.jsonMapper().readTree(http.body());
    assertThat(review.at("/apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
    assertThat(review.at("/response/uid").asText())
        .isEqualTo(Serialization.jsonMapper().readTree(body).at("/request/uid").asText());
    return review.at("/response");
  }

  @Override
  public void close() {
    server.close();
  }
}
