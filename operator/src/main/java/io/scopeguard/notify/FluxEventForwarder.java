package io.scopeguard.notify;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards what scopeguard tells in Kubernetes Events (holds, approvals, refused revisions) to
 * Flux's notification-controller, as the Flux controllers themselves do: a JSON {@code POST} of
 * Flux's event payload ({@code involvedObject}, {@code severity}, {@code timestamp}, {@code
 * message}, {@code reason}, {@code metadata}, {@code reportingController}) to its event endpoint.
 * An {@code Alert} whose event sources match the held Kustomization then fires through its {@code
 * Provider} (Slack, Teams, PagerDuty, ...) with no new configuration.
 *
 * <p>notification-controller keeps only metadata keys prefixed with the involved object's API
 * group, and strips that prefix; so {@code revision}, {@code token}, {@code scope}, {@code
 * environment} and {@code contacts} are sent as {@code <group>/revision} and so on.
 *
 * <p>Never in the way of a decision: events go through a bounded queue on a thread of their own
 * (full: dropped and counted), each tried {@value #ATTEMPTS} times with a back-off; an endpoint
 * that is down costs a log line per event and {@code scopeguard_notifications_total{outcome}}.
 */
public final class FluxEventForwarder {

  /** notification-controller's in-cluster event endpoint, where Flux's controllers send theirs. */
  public static final URI FLUX_DEFAULT =
      URI.create("http://notification-controller.flux-system.svc.cluster.local./");

  private static final Logger LOG = LoggerFactory.getLogger(FluxEventForwarder.class);
  private static final int ATTEMPTS = 3;
  private static final int QUEUED = 1_000;
  private static final int MAX_MESSAGE_CHARS = 39_000;
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final URI endpoint;
  private final Clock clock;
  private final Duration backoff;
  private final HttpClient http;
  private final ThreadPoolExecutor sender;
  private final Counter sent;
  private final Counter failed;
  private final Counter dropped;
  private final String instance;

  /** Forwards nothing. */
  public static FluxEventForwarder disabled() {
    return new FluxEventForwarder(null, new SimpleMeterRegistry(), Clock.systemUTC());
  }

  /**
   * @param endpoint notification-controller's event endpoint; null forwards nothing
   */
  public FluxEventForwarder(URI endpoint, MeterRegistry registry, Clock clock) {
    this(endpoint, registry, clock, Duration.ofSeconds(1));
  }

  FluxEventForwarder(URI endpoint, MeterRegistry registry, Clock clock, Duration backoff) {
    this.endpoint = endpoint;
    this.clock = clock;
    this.backoff = backoff;
    this.http = endpoint == null ? null : HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    this.sender =
        new ThreadPoolExecutor(
            1,
            1,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUED),
            runnable -> {
              Thread thread = new Thread(runnable, "scopeguard-notify");
              thread.setDaemon(true);
              return thread;
            },
            (runnable, executor) -> dropped());
    this.sender.allowCoreThreadTimeOut(true);
    this.sent = outcome(registry, "sent");
    this.failed = outcome(registry, "failed");
    this.dropped = outcome(registry, "dropped");
    this.instance = Optional.ofNullable(System.getenv("HOSTNAME")).orElse("scopeguard");
  }

  /** Whether events are forwarded anywhere. */
  public boolean enabled() {
    return endpoint != null;
  }

  /**
   * Forwards one event, in the background.
   *
   * @param involved the resource the event is about
   * @param warning a Warning (Flux severity {@code error}) or a Normal event ({@code info})
   * @param metadata keys without the group prefix: revision, token, scope, environment, contacts
   */
  public void forward(
      GenericKubernetesResource involved,
      boolean warning,
      String reason,
      String message,
      Map<String, String> metadata) {
    if (endpoint == null) {
      return;
    }
    String body = payload(involved, warning, reason, message, metadata).toString();
    String about =
        involved.getKind()
            + " "
            + involved.getMetadata().getNamespace()
            + "/"
            + involved.getMetadata().getName();
    sender.execute(() -> send(body, about, reason));
  }

  /** Flux's event payload (fluxcd/pkg apis/event). */
  ObjectNode payload(
      GenericKubernetesResource involved,
      boolean warning,
      String reason,
      String message,
      Map<String, String> metadata) {
    ObjectNode event = JsonNodeFactory.instance.objectNode();
    ObjectNode object = event.putObject("involvedObject");
    object.put("apiVersion", involved.getApiVersion());
    object.put("kind", involved.getKind());
    object.put("name", involved.getMetadata().getName());
    if (involved.getMetadata().getNamespace() != null) {
      object.put("namespace", involved.getMetadata().getNamespace());
    }
    if (involved.getMetadata().getUid() != null) {
      object.put("uid", involved.getMetadata().getUid());
    }
    if (involved.getMetadata().getResourceVersion() != null) {
      object.put("resourceVersion", involved.getMetadata().getResourceVersion());
    }
    event.put("severity", warning ? "error" : "info");
    event.put("timestamp", Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString());
    event.put(
        "message",
        message.length() > MAX_MESSAGE_CHARS
            ? message.substring(0, MAX_MESSAGE_CHARS - 3) + "..."
            : message);
    event.put("reason", reason);
    String apiVersion = involved.getApiVersion() == null ? "" : involved.getApiVersion();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    ObjectNode meta = event.putObject("metadata");
    metadata.forEach(
        (key, value) -> {
          if (value != null && !value.isEmpty()) {
            meta.put(group.isEmpty() ? key : group + "/" + key, value);
          }
        });
    event.put("reportingController", "scopeguard");
    event.put("reportingInstance", instance);
    return event;
  }

  private void send(String body, String about, String reason) {
    String last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        HttpResponse<Void> response =
            http.send(
                HttpRequest.newBuilder(endpoint)
                    .timeout(TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        int status = response.statusCode();
        if (status / 100 == 2 || status == 429) {
          sent.increment();
          return;
        }
        last = "HTTP " + status;
        if (status / 100 == 4) {
          break;
        }
      } catch (IOException e) {
        last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      try {
        Thread.sleep(backoff.toMillis() * attempt);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    failed.increment();
    LOG.warn(
        "{}: could not forward event {} to notification-controller at {}: {}",
        about,
        reason,
        endpoint,
        last);
  }

  private void dropped() {
    dropped.increment();
    LOG.warn(
        "notification queue full ({} events): an event was not forwarded to {}", QUEUED, endpoint);
  }

  private static Counter outcome(MeterRegistry registry, String outcome) {
    return Counter.builder("scopeguard.notifications")
        .description("Events forwarded to Flux's notification-controller, by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }
}
