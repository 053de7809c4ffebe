package io.scopeguard.e2e.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * A stand-in Kubernetes API on loopback, just enough for {@code helm install}: API discovery of a
 * chosen set of kinds, the server version, and an in-memory store of what Helm creates (its
 * resources and its release Secret). No controller runs and nothing is validated.
 *
 * <p>Helm fills {@code .Capabilities.APIVersions} from this discovery exactly as it does from a
 * real API server, which is how the chart's {@code auto} switches (PrometheusRule, ServiceMonitor)
 * are tested with and without the Prometheus operator installed.
 */
public final class StandInApiServer implements AutoCloseable {

  /** One served kind; {@code group} is empty for the core API. */
  public record Kind(String group, String version, String kind, String plural, boolean namespaced) {
    String groupVersion() {
      return group.isEmpty() ? version : group + "/" + version;
    }
  }

  /** Built-in kinds the chart renders, and the CRD API. */
  public static final List<Kind> BUILT_IN =
      List.of(
          new Kind("", "v1", "Namespace", "namespaces", false),
          new Kind("", "v1", "ConfigMap", "configmaps", true),
          new Kind("", "v1", "Secret", "secrets", true),
          new Kind("", "v1", "Service", "services", true),
          new Kind("", "v1", "ServiceAccount", "serviceaccounts", true),
          new Kind("apps", "v1", "Deployment", "deployments", true),
          new Kind("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false),
          new Kind(
              "rbac.authorization.k8s.io",
              "v1",
              "ClusterRoleBinding",
              "clusterrolebindings",
              false),
          new Kind("rbac.authorization.k8s.io", "v1", "Role", "roles", true),
          new Kind("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true),
          new Kind("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true),
          new Kind("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true),
          new Kind(
              "apiextensions.k8s.io",
              "v1",
              "CustomResourceDefinition",
              "customresourcedefinitions",
              false));

  /** The Prometheus operator's kinds the chart can render. */
  public static final List<Kind> PROMETHEUS_OPERATOR =
      List.of(
          new Kind("monitoring.coreos.com", "v1", "PrometheusRule", "prometheusrules", true),
          new Kind("monitoring.coreos.com", "v1", "ServiceMonitor", "servicemonitors", true));

  /** cert-manager's kinds the chart can render. */
  public static final List<Kind> CERT_MANAGER =
      List.of(
          new Kind("cert-manager.io", "v1", "Issuer", "issuers", true),
          new Kind("cert-manager.io", "v1", "Certificate", "certificates", true));

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final Map<String, List<Kind>> byGroupVersion = new TreeMap<>();
  private final Map<String, ObjectNode> stored = new LinkedHashMap<>();
  private final AtomicLong resourceVersion = new AtomicLong(1);
  private final List<byte[]> opaque = new ArrayList<>();

  private StandInApiServer(List<Kind> kinds) throws IOException {
    kinds.forEach(
        k -> byGroupVersion.computeIfAbsent(k.groupVersion(), gv -> new ArrayList<>()).add(k));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try {
            handle(exchange);
          } catch (RuntimeException | IOException e) {
            answer(exchange, 500, status(500, "InternalError", e.toString()));
          }
        });
    server.start();
  }

  /** Serves {@link #BUILT_IN} plus {@code extra}. */
  public static StandInApiServer serving(List<Kind> extra) {
    List<Kind> kinds = new ArrayList<>(BUILT_IN);
    kinds.addAll(extra);
    try {
      return new StandInApiServer(kinds);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A kubeconfig naming this API. */
  public String kubeconfig() {
    return """
        apiVersion: v1
        kind: Config
        clusters:
          - name: stand-in
            cluster: {server: "http://127.0.0.1:%d"}
        users:
          - name: nobody
            user: {}
        contexts:
          - name: stand-in
            context: {cluster: stand-in, user: nobody}
        current-context: stand-in
        """
        .formatted(server.getAddress().getPort());
  }

  /** The {@code group/version/Kind} of every object created here, in creation order. */
  public synchronized List<String> created() {
    return stored.values().stream()
        .map(
            o ->
                o.path("apiVersion").asText()
                    + "/"
                    + o.path("kind").asText()
                    + " "
                    + o.at("/metadata/name").asText())
        .toList();
  }

  /**
   * The manifest Helm recorded in its last release write. Helm's Secret storage driver writes the
   * release Secret in protobuf; its {@code release} value is the base64 of the gzipped JSON release
   * ({@code H4sI…}), found here as one run of base64 characters.
   */
  public synchronized String releaseManifest() {
    for (int i = opaque.size() - 1; i >= 0; i--) {
      String body = new String(opaque.get(i), StandardCharsets.ISO_8859_1);
      Matcher release = Pattern.compile("H4sI[A-Za-z0-9+/=]+").matcher(body);
      if (release.find()) {
        try (var in =
            new GZIPInputStream(
                new ByteArrayInputStream(Base64.getDecoder().decode(release.group())))) {
          return JSON.readTree(in).path("manifest").asText();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    throw new IllegalStateException("Helm stored no release; created: " + created());
  }

  private static boolean isJson(HttpExchange exchange) {
    String type = exchange.getRequestHeaders().getFirst("Content-Type");
    return type == null || type.startsWith("application/json");
  }

  private synchronized void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    Object discovery = "GET".equals(method) ? discovery(path) : null;
    if (discovery != null) {
      answer(exchange, 200, discovery);
      return;
    }
    Route route = route(path);
    if (route == null) {
      answer(exchange, 404, status(404, "NotFound", path + " is not served"));
      return;
    }
    switch (method) {
      case "GET" -> {
        if (route.name() == null) {
          answer(exchange, 200, list(route, exchange.getRequestURI().getRawQuery()));
        } else if (stored.containsKey(path)) {
          answer(exchange, 200, stored.get(path));
        } else {
          answer(
              exchange,
              404,
              status(
                  404, "NotFound", route.kind().plural() + " \"" + route.name() + "\" not found"));
        }
      }
      case "POST", "PUT" -> {
        if (!isJson(exchange)) {
          opaque.add(exchange.getRequestBody().readAllBytes());
          answer(
              exchange,
              "POST".equals(method) ? 201 : 200,
              Map.of(
                  "apiVersion",
                  route.kind().groupVersion(),
                  "kind",
                  route.kind().kind(),
                  "metadata",
                  Map.of("name", route.name() == null ? "stored" : route.name())));
          return;
        }
        if ("PUT".equals(method)) {
          ObjectNode object = (ObjectNode) JSON.readTree(exchange.getRequestBody());
          stamp(object);
          stored.put(path, object);
          answer(exchange, 200, object);
          return;
        }
        ObjectNode object = (ObjectNode) JSON.readTree(exchange.getRequestBody());
        String key = path + "/" + object.at("/metadata/name").asText();
        if (stored.containsKey(key)) {
          answer(exchange, 409, status(409, "AlreadyExists", key + " already exists"));
          return;
        }
        stamp(object);
        stored.put(key, object);
        answer(exchange, 201, object);
      }
      default ->
          answer(exchange, 405, status(405, "MethodNotAllowed", method + " is not served here"));
    }
  }

  private record Route(Kind kind, String name) {}

  private Route route(String path) {
    String[] s = path.substring(1).split("/");
    int base = "api".equals(s[0]) ? 2 : "apis".equals(s[0]) && s.length > 2 ? 3 : -1;
    if (base < 0 || s.length <= base) {
      return null;
    }
    String groupVersion = String.join("/", List.of(s).subList(1, base));
    List<Kind> kinds = byGroupVersion.getOrDefault(groupVersion, List.of());
    boolean namespaced = "namespaces".equals(s[base]) && s.length > base + 2;
    int at = namespaced ? base + 2 : base;
    String plural = s[at];
    String name = s.length > at + 1 ? s[at + 1] : null;
    return kinds.stream()
        .filter(k -> k.plural().equals(plural) && k.namespaced() == namespaced)
        .findFirst()
        .map(k -> new Route(k, name))
        .orElse(null);
  }

  private Map<String, Object> list(Route route, String query) {
    Map<String, String> selector = new TreeMap<>();
    if (query != null) {
      for (String parameter : query.split("&")) {
        if (parameter.startsWith("labelSelector=")) {
          for (String term :
              URLDecoder.decode(parameter.substring(14), StandardCharsets.UTF_8).split(",")) {
            String[] kv = term.split("=", 2);
            selector.put(kv[0], kv.length > 1 ? kv[1] : "");
          }
        }
      }
    }
    List<JsonNode> items =
        stored.values().stream()
            .filter(o -> route.kind().kind().equals(o.path("kind").asText()))
            .filter(
                o ->
                    selector.entrySet().stream()
                        .allMatch(
                            e ->
                                e.getValue()
                                    .equals(o.at("/metadata/labels/" + e.getKey()).asText(null))))
            .map(JsonNode.class::cast)
            .toList();
    return Map.of(
        "apiVersion",
        route.kind().groupVersion(),
        "kind",
        route.kind().kind() + "List",
        "metadata",
        Map.of("resourceVersion", String.valueOf(resourceVersion.get())),
        "items",
        items);
  }

  private void stamp(ObjectNode object) {
    ObjectNode metadata = object.withObject("/metadata");
    metadata.put("resourceVersion", String.valueOf(resourceVersion.incrementAndGet()));
    if (!metadata.has("uid")) {
      metadata.put("uid", UUID.randomUUID().toString());
    }
  }

  private Object discovery(String path) {
    if (path.equals("/version")) {
      return Map.of(
          "major", "1", "minor", "33", "gitVersion", "v1.33.0", "platform", "linux/amd64");
    }
    if (path.equals("/api")) {
      return Map.of("kind", "APIVersions", "versions", List.of("v1"));
    }
    if (path.equals("/apis")) {
      List<Object> groups = new ArrayList<>();
      byGroupVersion.keySet().stream()
          .filter(gv -> gv.contains("/"))
          .forEach(
              gv -> {
                Map<String, String> version =
                    Map.of("groupVersion", gv, "version", gv.substring(gv.indexOf('/') + 1));
                groups.add(
                    Map.of(
                        "name",
                        gv.substring(0, gv.indexOf('/')),
                        "versions",
                        List.of(version),
                        "preferredVersion",
                        version));
              });
      return Map.of("kind", "APIGroupList", "apiVersion", "v1", "groups", groups);
    }
    String groupVersion =
        path.startsWith("/api/")
            ? path.substring(5)
            : path.startsWith("/apis/") ? path.substring(6) : null;
    List<Kind> kinds = groupVersion == null ? null : byGroupVersion.get(groupVersion);
    if (kinds == null) {
      return null;
    }
    List<Object> resources =
        kinds.stream()
            .map(
                k ->
                    Map.of(
                        "name",
                        k.plural(),
                        "singularName",
                        k.kind().toLowerCase(Locale.ROOT),
                        "namespaced",
                        k.namespaced(),
                        "kind",
                        k.kind(),
                        "verbs",
                        List.of("create", "delete", "get", "list", "patch", "update", "watch")))
            .map(Object.class::cast)
            .toList();
    return Map.of(
        "kind",
        "APIResourceList",
        "apiVersion",
        "v1",
        "groupVersion",
        groupVersion,
        "resources",
        resources);
  }

  private static Map<String, Object> status(int code, String reason, String message) {
    return Map.of(
        "kind",
        "Status",
        "apiVersion",
        "v1",
        "metadata",
        Map.of(),
        "status",
        "Failure",
        "reason",
        reason,
        "message",
        message,
        "code",
        code);
  }

  private static void answer(HttpExchange exchange, int code, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, bytes.length);
    try (var out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
