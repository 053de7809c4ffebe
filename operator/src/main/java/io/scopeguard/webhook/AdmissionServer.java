package io.scopeguard.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.scopeguard.api.JsonMapping;
import io.scopeguard.scope.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS endpoint the API server calls with {@code AdmissionReview}s: one path per webhook. A
 * malformed review is answered 400; a handler that throws is answered with a denial naming the
 * error, so that a fault fails closed (the configuration's failure policy says the same).
 */
public final class AdmissionServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AdmissionServer.class);
  private static final int MAX_BODY = 8 * 1024 * 1024;

  /** Every {@code reason} a denial is counted under (see {@link #denialReason}). */
  static final List<String> DENIAL_REASONS =
      Stream.concat(
              Arrays.stream(Reason.values()).map(Enum::name),
              Stream.of("NotJudged", "Error", "Other"))
          .toList();

  /** The uid of the reviews {@link #warmUp} sends: answered, not counted. */
  static final String WARM_UP_UID = "scopeguard-warm-up";

  private final HttpsServer server;
  private final ExecutorService executor;
  private final RotatingKeyManager keys;
  private final List<String> paths = new ArrayList<>();

  public AdmissionServer(
      int port,
      WebhookCertificates.Issued certificates,
      Map<String, UnaryOperator<AdmissionReview>> handlers)
      throws IOException {
    this(port, certificates, handlers, new SimpleMeterRegistry());
  }

  /**
   * @param registry where {@code scopeguard_admission_requests_total{webhook,allowed}}, {@code
   *     scopeguard_admission_denials_total{webhook,reason}} and {@code
   *     scopeguard_admission_seconds{webhook}} are recorded
   */
  public AdmissionServer(
      int port,
      WebhookCertificates.Issued certificates,
      Map<String, UnaryOperator<AdmissionReview>> handlers,
      MeterRegistry registry)
      throws IOException {
    HttpExchanges.noDelay();
    keys = new RotatingKeyManager(certificates);
    server = HttpsServer.create(new InetSocketAddress(port), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(sslContext(keys)));
    server.setExecutor(
        executor =
            Executors.newFixedThreadPool(
                4,
                runnable -> {
                  Thread thread = new Thread(runnable, "scopeguard-admission");
                  thread.setDaemon(true);
                  return thread;
                }));
    handlers.forEach(
        (path, handler) -> {
          String webhook = path.substring(path.lastIndexOf('/') + 1);
          Timer latency =
              Timer.builder("scopeguard.admission")
                  .description("time to answer an AdmissionReview")
                  .tag("webhook", webhook)
                  .publishPercentileHistogram()
                  .register(registry);
          // Every denial series exists from the start, at 0: Prometheus's increase() cannot see the
          // first denials of a series whose first scrape is already above 0 (the alerts use
          // increase()).
          DENIAL_REASONS.forEach(
              reason ->
                  registry.counter(
                      "scopeguard.admission.denials", "webhook", webhook, "reason", reason));
          UnaryOperator<AdmissionReview> measured =
              review -> {
                if (review.getRequest() != null
                    && WARM_UP_UID.equals(review.getRequest().getUid())) {
                  return handler.apply(review);
                }
                long start = System.nanoTime();
                AdmissionReview answer = handler.apply(review);
                latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                boolean allowed =
                    answer.getResponse() != null
                        && Boolean.TRUE.equals(answer.getResponse().getAllowed());
                registry
                    .counter(
                        "scopeguard.admission.requests",
                        "webhook",
                        webhook,
                        "allowed",
                        String.valueOf(allowed))
                    .increment();
                if (!allowed) {
                  registry
                      .counter(
                          "scopeguard.admission.denials",
                          "webhook",
                          webhook,
                          "reason",
                          denialReason(answer))
                      .increment();
                }
                return answer;
              };
          server.createContext(path, exchange -> handle(exchange, measured));
          paths.add(path);
        });
    server.start();
  }

  /**
   * Calls every webhook over HTTPS on loopback with a review each lets through (a ConfigMap
   * CONNECT), {@code rounds} times: the TLS stack, the JSON mapping and the dispatch run once
   * before the API server's first call, so the first admission after a start is not the slow one.
   * Not counted in the metrics. Returns how long it took, in milliseconds.
   */
  public long warmUp(int rounds) {
    long start = System.nanoTime();
    String body =
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\""
            + WARM_UP_UID
            + "\",\"operation\":\"CONNECT\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":"
            + "\"ConfigMap\"},\"resource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"configmaps\"},"
            + "\"namespace\":\"scopeguard-warm-up\",\"name\":\"warm-up\",\"userInfo\":{\"username\":\"scopeguard-warm-up\"}}}";
    try {
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      trusted.setCertificateEntry("serving", keys.serving());
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      HttpClient client =
          HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
      for (int round = 0; round < rounds; round++) {
        for (String path : paths) {
          client.send(
              HttpRequest.newBuilder(URI.create("https://localhost:" + port() + path))
                  .timeout(Duration.ofSeconds(5))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
        }
      }
    } catch (IOException | GeneralSecurityException e) {
      LOG.warn(
          "could not warm up the admission webhooks ({}); the first admission after this start will be slower",
          e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  /** Serves {@code certificates} from the next TLS handshake on (rotation without a restart). */
  public void use(WebhookCertificates.Issued certificates) {
    keys.use(certificates);
  }

  /** The certificate served now. */
  public X509Certificate serving() {
    return keys.serving();
  }

  private static SSLContext sslContext(RotatingKeyManager keys) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {keys}, null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "cannot set up TLS for the admission webhook: " + e.getMessage(), e);
    }
  }

  /** The hold reason a denial names (MassDeletion, a scope reason, or NotJudged / Error). */
  private static String denialReason(AdmissionReview answer) {
    String message =
        answer.getResponse().getStatus() == null
            ? ""
            : answer.getResponse().getStatus().getMessage();
    for (Reason reason : Reason.values()) {
      if (message != null && message.contains(reason.name())) {
        return reason.name();
      }
    }
    if (message != null && message.contains("not judged yet")) {
      return "NotJudged";
    }
    return message != null && message.contains("could not") ? "Error" : "Other";
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void handle(HttpExchange exchange, UnaryOperator<AdmissionReview> handler)
      throws IOException {
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        respond(exchange, 405, "{\"error\":\"POST an AdmissionReview\"}");
        return;
      }
      AdmissionReview review;
      try (InputStream in = exchange.getRequestBody()) {
        byte[] body = in.readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
          respond(exchange, 413, "{\"error\":\"AdmissionReview too large\"}");
          return;
        }
        review = JsonMapping.MAPPER.readValue(body, AdmissionReview.class);
      } catch (IOException e) {
        respond(exchange, 400, "{\"error\":\"not an AdmissionReview\"}");
        return;
      }
      if (review.getRequest() == null || review.getRequest().getUid() == null) {
        respond(exchange, 400, "{\"error\":\"AdmissionReview without request.uid\"}");
        return;
      }
      AdmissionReview answer;
      try {
        answer = handler.apply(review);
      } catch (RuntimeException e) {
        LOG.error(
            "admission of {} {} failed; denying",
            review.getRequest().getOperation(),
            review.getRequest().getName(),
            e);
        answer =
            AdmissionDecision.deny(
                review, "scopeguard could not decide (" + e.getMessage() + "); refused to be safe");
      }
      respond(exchange, 200, JsonMapping.MAPPER.writeValueAsString(answer));
    }
  }

  private static void respond(HttpExchange exchange, int code, String json) throws IOException {
    HttpExchanges.send(exchange, code, "application/json", json);
  }

  @Override
  public void close() {
    server.stop(1);
    executor.shutdownNow();
  }
}
