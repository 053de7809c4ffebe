package io.scopeguard.webhook;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a whole response on the JDK's HTTP server, for scopeguard's probe and admission endpoints.
 */
public final class HttpExchanges {

  private HttpExchanges() {}

  /**
   * Turns Nagle's algorithm off for the JDK's HTTP servers (read once, when the first one starts):
   * otherwise each small answer waits ~40 ms for the client's delayed ACK.
   */
  public static void noDelay() {
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  public static void send(HttpExchange exchange, int code, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
