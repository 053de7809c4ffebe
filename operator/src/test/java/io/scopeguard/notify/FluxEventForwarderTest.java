package io.scopeguard.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Holds, approvals and refusals reach notification-controller as Flux events, or cost a counter.
 */
class FluxEventForwarderTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-02T03:00:00Z"), ZoneOffset.UTC);

  private static GenericKubernetesResource kustomization() {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("kustomize.toolkit.fluxcd.io/v1")
        .withKind("Kustomization")
        .withNewMetadata()
        .withNamespace("flux-system")
        .withName("apps")
        .withUid("0b8e")
        .endMetadata()
        .build();
  }

  @Test
  void theEventHasFluxsShapeWithMetadataUnderTheInvolvedObjectsGroup() {
    FluxEventForwarder forwarder =
        new FluxEventForwarder(URI.create("http://127.0.0.1:1/"), new SimpleMeterRegistry(), CLOCK);

    JsonNode event =
        forwarder.payload(
            kustomization(),
            true,
            "MassDeletion",
            "would delete 412 objects",
            Map.of("revision", "main@sha1:c", "contacts", "#prod-oncall", "scope", ""));

    assertThat(event.path("involvedObject").path("apiVersion").asText())
        .isEqualTo("kustomize.toolkit.fluxcd.io/v1");
    assertThat(event.path("involvedObject").path("uid").asText()).isEqualTo("0b8e");
    assertThat(event.path("severity").asText()).isEqualTo("error");
    assertThat(event.path("timestamp").asText()).isEqualTo("2026-12-02T03:00:00Z");
    assertThat(event.path("reason").asText()).isEqualTo("MassDeletion");
    assertThat(event.path("reportingController").asText()).isEqualTo("scopeguard");
    assertThat(event.path("metadata").path("kustomize.toolkit.fluxcd.io/revision").asText())
        .isEqualTo("main@sha1:c");
    assertThat(event.path("metadata").path("kustomize.toolkit.fluxcd.io/contacts").asText())
        .isEqualTo("#prod-oncall");
    assertThat(event.path("metadata").has("kustomize.toolkit.fluxcd.io/scope"))
        .as("empty values are not sent")
        .isFalse();
  }

  @Test
  void aFailingEndpointIsTriedAgainAndAnUnreachableOneCostsACounterNotADecision() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    List<JsonNode> received = new CopyOnWriteArrayList<>();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            received.add(JSON.readTree(exchange.getRequestBody()));
            exchange.sendResponseHeaders(calls.incrementAndGet() == 1 ? 503 : 202, -1);
          }
        });
    server.start();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try {
      FluxEventForwarder forwarder =
          new FluxEventForwarder(
              URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"),
              registry,
              CLOCK,
              Duration.ofMillis(10));
      forwarder.forward(kustomization(), false, "Approved", "approved by alice", Map.of());
      FluxEventForwarder nowhere =
          new FluxEventForwarder(
              URI.create("http://127.0.0.1:1/"), registry, CLOCK, Duration.ofMillis(10));
      nowhere.forward(kustomization(), true, "MassDeletion", "held", Map.of());

      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline
          && (registry.counter("scopeguard.notifications", "outcome", "sent").count() < 1
              || registry.counter("scopeguard.notifications", "outcome", "failed").count() < 1)) {
        Thread.sleep(20);
      }
    } finally {
      server.stop(0);
    }

    assertThat(calls.get()).as("a 503 is tried again").isEqualTo(2);
    assertThat(received).allMatch(e -> e.path("severity").asText().equals("info"));
    assertThat(registry.counter("scopeguard.notifications", "outcome", "sent").count())
        .isEqualTo(1);
    assertThat(registry.counter("scopeguard.notifications", "outcome", "failed").count())
        .isEqualTo(1);
  }
}
