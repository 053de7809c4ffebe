package io.scopeguard.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.scopeguard.EmbeddedOperator;
import io.scopeguard.metrics.ScopeguardMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The endpoints a kubelet and Prometheus call answer as they should. */
class HttpEndpointsTest {

  @RegisterExtension static final EmbeddedOperator SCOPEGUARD = new EmbeddedOperator();

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void runningOperatorIsHealthyAndReady() throws Exception {
    int port = SCOPEGUARD.operator().httpPort();

    assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = get(port, "/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).isEqualTo("ok\n");
  }

  @Test
  void metricsAreInPrometheusFormat() throws Exception {
    HttpResponse<String> metrics = get(SCOPEGUARD.operator().httpPort(), "/metrics");

    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    assertThat(metrics.body())
        .containsPattern("(?m)^scopeguard_build_info\\{.*version=\"[^\"]+\".*} 1(\\.0)?$")
        .contains("jvm_memory_used_bytes")
        .contains("operator_sdk_");
  }

  @Test
  void notReadyUntilTheOperatorSaysSoAndSaysWhy() throws Exception {
    String[] reason = {"informers not synced or failing: clusterscope [capi-clusters]"};
    try (ScopeguardMetrics metrics = new ScopeguardMetrics();
        HttpEndpoints endpoints = new HttpEndpoints(0, metrics, () -> reason[0])) {
      HttpResponse<String> notReady = get(endpoints.port(), "/readyz");
      assertThat(notReady.statusCode()).isEqualTo(503);
      assertThat(notReady.body())
          .isEqualTo("not ready: informers not synced or failing: clusterscope [capi-clusters]\n");
      assertThat(get(endpoints.port(), "/healthz").statusCode()).isEqualTo(200);

      reason[0] = null;
      assertThat(get(endpoints.port(), "/readyz").statusCode()).isEqualTo(200);
    }
  }
}
