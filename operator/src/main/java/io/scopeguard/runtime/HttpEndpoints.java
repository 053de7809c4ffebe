package io.scopeguard.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.scopeguard.metrics.ScopeguardMetrics;
import io.scopeguard.webhook.HttpExchanges;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The plain-HTTP endpoints a kubelet and Prometheus call: {@code /metrics}, {@code /healthz} (the
 * process serves) and {@code /readyz} (ready only once every informer has synced).
 */
public final class HttpEndpoints implements AutoCloseable {

  /** Why the operator is not ready, or null when it is. */
  public interface Readiness extends Supplier<String> {}

  private final HttpServer server;
  private final ExecutorService executor;

  public HttpEndpoints(int port, ScopeguardMetrics metrics, Readiness readiness)
      throws IOException {
    HttpExchanges.noDelay();
    server = HttpServer.create(new InetSocketAddress(port), 0);
    server.setExecutor(
        executor =
            Executors.newFixedThreadPool(
                2,
                runnable -> {
                  Thread thread = new Thread(runnable, "scopeguard-http");
                  thread.setDaemon(true);
                  return thread;
                }));
    server.createContext(
        "/metrics",
        exchange ->
            respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
    server.createContext("/healthz", exchange -> respond(exchange, 200, "text/plain", "ok\n"));
    server.createContext(
        "/readyz",
        exchange -> {
          String notReady = readiness.get();
          if (notReady == null) {
            respond(exchange, 200, "text/plain", "ok\n");
          } else {
            respond(exchange, 503, "text/plain", "not ready: " + notReady + "\n");
          }
        });
    server.start();
  }

  /** The port actually bound (useful when 0 was asked for). */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int code, String contentType, String body)
      throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      HttpExchanges.send(exchange, code, contentType, body);
    }
  }

  @Override
  public void close() {
    server.stop(1);
    executor.shutdownNow();
  }
}
