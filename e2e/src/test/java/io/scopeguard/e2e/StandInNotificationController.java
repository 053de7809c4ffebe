package io.scopeguard.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Flux notification-controller's event endpoint, as far as scopeguard meets it: {@code POST /} of a
 * Flux event, refused with 400 unless it decodes as one (involvedObject with apiVersion, kind and
 * name; severity info or error; timestamp; message; reason); its metadata cleaned as the real
 * server cleans it (only keys prefixed with the involved object's API group are kept, prefix
 * stripped), which is what an Alert's Provider then sees.
 */
final class StandInNotificationController implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> SEVERITIES = Set.of("info", "error");

  private final HttpServer server;
  private final List<JsonNode> received = new CopyOnWriteArrayList<>();
  private final List<String> refused = new CopyOnWriteArrayList<>();

  private StandInNotificationController(HttpServer server) {
    this.server = server;
  }

  static StandInNotificationController start() {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      StandInNotificationController stand = new StandInNotificationController(server);
      server.createContext("/", stand::handle);
      server.start();
      return stand;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  /** The events accepted, metadata cleaned as notification-controller cleans it. */
  List<JsonNode> events() {
    return List.copyOf(received);
  }

  /** Why requests were refused. */
  List<String> refusals() {
    return List.copyOf(refused);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      JsonNode event;
      try {
        event = JSON.readTree(exchange.getRequestBody());
      } catch (IOException e) {
        refuse(exchange, "body is not JSON");
        return;
      }
      String problem = problem(event);
      if (problem != null) {
        refuse(exchange, problem);
        return;
      }
      received.add(cleaned((ObjectNode) event));
      exchange.sendResponseHeaders(202, -1);
    }
  }

  private void refuse(HttpExchange exchange, String why) throws IOException {
    refused.add(why);
    exchange.sendResponseHeaders(400, -1);
  }

  private static String problem(JsonNode event) {
    JsonNode object = event.path("involvedObject");
    for (String field : List.of("apiVersion", "kind", "name")) {
      if (!object.path(field).isTextual()) {
        return "involvedObject." + field + " missing";
      }
    }
    if (!SEVERITIES.contains(event.path("severity").asText())) {
      return "severity is not info or error";
    }
    for (String field : List.of("timestamp", "message", "reason", "reportingController")) {
      if (!event.path(field).isTextual()) {
        return field + " missing";
      }
    }
    return null;
  }

  private static JsonNode cleaned(ObjectNode event) {
    String apiVersion = event.path("involvedObject").path("apiVersion").asText();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    ObjectNode metadata = JSON.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> fields = event.path("metadata").fields();
        fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (field.getKey().startsWith(group + "/")) {
        metadata.set(field.getKey().substring(group.length() + 1), field.getValue());
      }
    }
    event.set("metadata", metadata);
    return event;
  }

  /** The accepted events about one kind and name. */
  List<JsonNode> about(String kind, String name) {
    List<JsonNode> matching = new ArrayList<>();
    for (JsonNode event : received) {
      if (kind.equals(event.path("involvedObject").path("kind").asText())
          && name.equals(event.path("involvedObject").path("name").asText())) {
        matching.add(event);
      }
    }
    return matching;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
