package io.scopeguard.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An in-process Kubernetes API: fabric8's mock server in CRUD mode with scopeguard's CRD and the
 * minimal third-party CRDs the scenarios use installed, and what a real API server does that the
 * mock does not, where scopeguard's behaviour depends on it:
 *
 * <ul>
 *   <li><b>Admission.</b> Every write (create, update, patch, delete, status included) passes the
 *       registered mutating and validating webhooks before it is stored, as {@link AdmissionChain}
 *       describes; a refusal reaches the writer with the API server's wording.
 *   <li><b>Identities.</b> A request's user is the one named by its {@code Impersonate-User} header
 *       (see {@link Identities}); {@code SelfSubjectReview} answers with it.
 *   <li><b>Concurrency.</b> Each client from {@link #clientAs} talks to an endpoint of its own over
 *       the one store, so a write waiting on a webhook holds up nobody else, as on a real API
 *       server; the mock alone serves all requests on one thread.
 * </ul>
 *
 * <p>It enforces no schema (no OpenAPI, no CEL validation rules), speaks no server-side apply and
 * runs no garbage collector, so scopeguard never relies on either.
 */
public final class EmbeddedKubernetes implements AutoCloseable {

  /**
   * scopeguard's own CRD, as generated from the Java model into the operator jar on the classpath.
   */
  public static final String SCOPEGUARD_CRD =
      "/META-INF/fabric8/clusterscopes.scopeguard.io-v1.yml";

  /**
   * Minimal stand-ins for the third-party CRDs the scenarios need (schema-less, as the mock is).
   */
  public static final List<String> THIRD_PARTY_CRDS =
      List.of(
          "/testkit/crds/cluster.x-k8s.io_clusters.yaml",
          "/testkit/crds/kustomize.toolkit.fluxcd.io_kustomizations.yaml",
          "/testkit/crds/helm.toolkit.fluxcd.io_helmreleases.yaml",
          "/testkit/crds/source.toolkit.fluxcd.io_gitrepositories.yaml",
          "/testkit/crds/source.toolkit.fluxcd.io_ocirepositories.yaml",
          "/testkit/crds/source.toolkit.fluxcd.io_buckets.yaml",
          "/testkit/crds/source.toolkit.fluxcd.io_helmrepositories.yaml");

  /** Held so the level set on it is not lost when the JDK collects an unreferenced logger. */
  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  private final Store store;
  private final KubernetesMockServer server;
  private final KubernetesClient client;
  private final List<KubernetesMockServer> endpoints = new CopyOnWriteArrayList<>();
  private final List<KubernetesClient> clients = new CopyOnWriteArrayList<>();
  private final Map<String, KubernetesClient> clientsByUser = new ConcurrentHashMap<>();

  private EmbeddedKubernetes(Store store, KubernetesMockServer server, KubernetesClient client) {
    this.store = store;
    this.server = server;
    this.client = client;
    endpoints.add(server);
  }

  /**
   * Sees each request the API receives (method, path with query, User-Agent), before it is
   * answered.
   */
  @FunctionalInterface
  public interface RequestListener {
    void received(String method, String pathAndQuery, String userAgent);
  }

  /**
   * Starts the API on a free loopback port and installs the CRDs (scopeguard's when the operator is
   * on the classpath).
   */
  public static EmbeddedKubernetes start() {
    return start((method, path, userAgent) -> {});
  }

  /** Starts the API and tells {@code listener} of every request it receives from then on. */
  public static EmbeddedKubernetes start(RequestListener listener) {
    MOCK_LOG.setLevel(Level.WARNING);
    Store store = new Store(listener);
    KubernetesMockServer server = endpoint(store);
    EmbeddedKubernetes api = new EmbeddedKubernetes(store, server, server.createClient());
    if (EmbeddedKubernetes.class.getResource(SCOPEGUARD_CRD) != null) {
      api.installCrd(SCOPEGUARD_CRD);
    }
    THIRD_PARTY_CRDS.forEach(api::installCrd);
    return api;
  }

  private static KubernetesMockServer endpoint(Store store) {
    KubernetesMockServer endpoint =
        new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), store, false);
    endpoint.init(InetAddress.getLoopbackAddress(), 0);
    store.endpoints.add(endpoint);
    return endpoint;
  }

  /** A client of this API acting as the cluster admin, owned by it. */
  public KubernetesClient client() {
    return client;
  }

  /**
   * A client acting as {@code username}, on an endpoint of its own, owned by this API; the same one
   * for the same user.
   */
  public KubernetesClient clientAs(String username) {
    return clientsByUser.computeIfAbsent(
        username,
        user -> {
          KubernetesClient made = new KubernetesClientBuilder().withConfig(configAs(user)).build();
          clients.add(made);
          return made;
        });
  }

  /**
   * A client configuration acting as {@code username} on a new endpoint, for clients built
   * elsewhere (with a User-Agent of their own, say); the caller closes what it builds.
   */
  public Config configAs(String username) {
    KubernetesMockServer endpoint = endpoint(store);
    endpoints.add(endpoint);
    Config base = endpoint.createClient().getConfiguration();
    return new ConfigBuilder(base).withImpersonateUsername(username).build();
  }

  /**
   * A kubeconfig (YAML) that reaches this API as {@code username}: what Cluster API writes into a
   * workload cluster's {@code <cluster>-kubeconfig} Secret.
   */
  public String kubeconfig(String username) {
    Config config = configAs(username);
    return "apiVersion: v1\nkind: Config\n"
        + "clusters:\n- name: embedded\n  cluster:\n    server: "
        + config.getMasterUrl()
        + "\n"
        + "users:\n- name: "
        + username
        + "\n  user:\n    token: embedded\n    as: "
        + username
        + "\n"
        + "contexts:\n- name: embedded\n  context:\n    cluster: embedded\n    user: "
        + username
        + "\n"
        + "current-context: embedded\n";
  }

  /** The URL a kubeconfig would name for this API. */
  public String url() {
    return client.getConfiguration().getMasterUrl();
  }

  /** Writes this API has stored so far, of any kind (for benchmarks and tests that count them). */
  public long writes() {
    return store.writes.get();
  }

  /** Creates the CRD found at a classpath resource. */
  public void installCrd(String resource) {
    client.apiextensions().v1().customResourceDefinitions().resource(readCrd(resource)).create();
  }

  /** Reads a CRD from the classpath. */
  public static CustomResourceDefinition readCrd(String resource) {
    try (InputStream in = EmbeddedKubernetes.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("CRD resource " + resource + " is not on the classpath");
      }
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    clients.forEach(KubernetesClient::close);
    client.close();
    endpoints.forEach(KubernetesMockServer::destroy);
  }

  /**
   * The store: fabric8's CRUD dispatcher behind the admission chain, shared by every endpoint, and
   * the answers an API server gives that the mock does not (self reviews).
   */
  private static final class Store extends KubernetesCrudDispatcher {
    private static final String RULES_REVIEWS =
        "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";
    private static final String SELF_REVIEWS = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
    private static final int PATCH_ATTEMPTS = 5;

    /** What {@code GET /version} answers, as a real API server does (the mock serves none). */
    private static final String VERSION =
        "{\"major\":\"1\",\"minor\":\"33\",\"gitVersion\":\"v1.33.0-embedded\","
            + "\"platform\":\"linux/amd64\"}";

    private final RequestListener listener;
    private final ObjectMapper json = new ObjectMapper();
    private final AdmissionChain admission;
    private final List<KubernetesMockServer> endpoints = new CopyOnWriteArrayList<>();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();

    Store(RequestListener listener) {
      this.listener = listener;
      this.admission = new AdmissionChain(this::read, json);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      listener.received(request.getMethod(), request.getPath(), request.getHeader("User-Agent"));
      if (requests.incrementAndGet() % 256 == 0) {
        forgetRecordedRequests();
      }
      String path = request.getPath().split("\\?")[0];
      if ("POST".equals(request.getMethod()) && path.equals(RULES_REVIEWS)) {
        return rulesReview(request);
      }
      if ("POST".equals(request.getMethod()) && path.equals(SELF_REVIEWS)) {
        return selfReview(request);
      }
      if ("GET".equals(request.getMethod()) && path.equals("/version")) {
        return new MockResponse()
            .setResponseCode(200)
            .setHeader("Content-Type", "application/json")
            .setBody(VERSION);
      }
      Optional<ApiPath> resource = ApiPath.parse(request.getPath());
      if (resource.isEmpty() || !writes(request.getMethod())) {
        return super.dispatch(request);
      }
      MockResponse response = admitted(request, resource.get());
      if (response.code() < 300) {
        writes.incrementAndGet();
        admission.written(resource.get());
      }
      return response;
    }

    private static boolean writes(String method) {
      return List.of("POST", "PUT", "PATCH", "DELETE").contains(method);
    }

    /**
     * What the mock keeps of every request it served, which nobody here reads: dropped, so long
     * runs do not grow.
     */
    private void forgetRecordedRequests() {
      for (KubernetesMockServer endpoint : endpoints) {
        try {
          while (endpoint.takeRequest(0, TimeUnit.MILLISECONDS) != null) {
            // drained
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }

    private MockResponse admitted(RecordedRequest request, ApiPath path) {
      String user =
          Optional.ofNullable(request.getHeader("Impersonate-User")).orElse(Identities.ADMIN);
      for (int attempt = 1; ; attempt++) {
        Write write;
        try {
          write = write(request, path);
        } catch (Unadmittable e) {
          return refusal(e.code, e.getMessage(), path, path.name());
        }
        if (write == null) {
          return super.dispatch(request);
        }
        AdmissionChain.Outcome outcome =
            admission.admit(
                new AdmissionChain.Request(
                    write.operation(),
                    path,
                    write.name(),
                    write.object(),
                    write.oldObject(),
                    user));
        if (!outcome.allowed()) {
          return refusal(outcome.code(), outcome.refusal(), path, write.name());
        }
        if (!outcome.called() && !"PATCH".equals(request.getMethod())) {
          return super.dispatch(request);
        }
        MockResponse response = super.dispatch(admittedRequest(request, write, outcome.object()));
        boolean retry =
            "PATCH".equals(request.getMethod())
                && response.code() == 409
                && !write.patchPinsVersion()
                && attempt < PATCH_ATTEMPTS;
        if (!retry) {
          return response;
        }
      }
    }

    /**
     * A write as admission sees it, or null when the store answers it without admission, as the API
     * server would before admitting it (an object that is not there, one that already exists).
     */
    private record Write(
        String operation,
        String name,
        JsonNode object,
        JsonNode oldObject,
        boolean patchPinsVersion) {}

    /** A write the embedded API cannot put through admission: refused, never stored unadmitted. */
    private static final class Unadmittable extends RuntimeException {
      private final int code;

      Unadmittable(int code, String message) {
        super(message, null, false, false);
        this.code = code;
      }
    }

    private Write write(RecordedRequest request, ApiPath path) {
      JsonNode body;
      try {
        body =
            request.getBody() == null || request.getBody().size() == 0
                ? null
                : json.readTree(request.getBody().getBytes());
      } catch (IOException e) {
        throw new Unadmittable(400, "the request body is not JSON: " + e.getMessage());
      }
      switch (request.getMethod()) {
        case "POST":
          {
            if (body == null || path.name() != null || !body.isObject()) {
              throw new Unadmittable(400, "a create needs an object posted to a collection");
            }
            String name = body.path("metadata").path("name").asText("");
            if (!name.isEmpty() && read(path.objectPath(name)) != null) {
              return null;
            }
            ObjectNode object = body.deepCopy();
            if (path.namespace() != null) {
              object.withObjectProperty("metadata").put("namespace", path.namespace());
            }
            return new Write("CREATE", name, object, null, false);
          }
        case "PUT":
        case "PATCH":
          {
            JsonNode current = path.name() == null ? null : read(path.objectPath(path.name()));
            if (current == null) {
              return null;
            }
            if (body == null) {
              throw new Unadmittable(400, "an update needs a body");
            }
            JsonNode updated;
            try {
              updated =
                  "PUT".equals(request.getMethod())
                      ? body
                      : Patches.apply(current, body, request.getHeader("Content-Type"));
            } catch (RuntimeException e) {
              throw new Unadmittable(422, "the patch does not apply: " + e.getMessage());
            }
            if (updated == null) {
              throw new Unadmittable(
                  415,
                  "the embedded API admits JSON patches and JSON merge patches only, not "
                      + request.getHeader("Content-Type")
                      + " (no server-side apply, no strategic merge)");
            }
            if ("status".equals(path.subresource())) {
              ObjectNode withStatus = current.deepCopy();
              withStatus.set("status", updated.get("status"));
              updated = withStatus;
            }
            boolean pins =
                "PATCH".equals(request.getMethod())
                    && body.isObject()
                    && body.path("metadata").hasNonNull("resourceVersion");
            return new Write("UPDATE", path.name(), updated, current, pins);
          }
        case "DELETE":
          {
            if (path.name() == null) {
              throw new Unadmittable(
                  405, "the embedded API admits deletes one object at a time, not a collection");
            }
            JsonNode current = read(path.objectPath(path.name()));
            return current == null ? null : new Write("DELETE", path.name(), null, current, false);
          }
        default:
          return null;
      }
    }

    /**
     * The request the store carries out once admitted: the admitted object, a patch turned into an
     * update of it. Always so for a patch: the mock's own JSON merge patch keeps keys set to null
     * where RFC 7386 (and the API server) removes them.
     */
    private RecordedRequest admittedRequest(
        RecordedRequest request, Write write, JsonNode admitted) {
      if ("DELETE".equals(request.getMethod())) {
        return request;
      }
      ObjectNode body = admitted.deepCopy();
      if ("PATCH".equals(request.getMethod())) {
        body.withObjectProperty("metadata")
            .put(
                "resourceVersion",
                write.oldObject().path("metadata").path("resourceVersion").asText());
      }
      HttpMethod method = "PATCH".equals(request.getMethod()) ? HttpMethod.PUT : request.method();
      Headers headers =
          request.getHeaders().newBuilder().set("Content-Type", "application/json").build();
      return new RecordedRequest(
          request.getHttpVersion(),
          method,
          request.getPath(),
          headers,
          new Buffer(body.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private MockResponse refusal(int code, String message, ApiPath path, String name) {
      ObjectNode status = json.createObjectNode();
      status.put("apiVersion", "v1");
      status.put("kind", "Status");
      status.put("status", "Failure");
      status.put("message", message);
      status.put(
          "reason",
          switch (code) {
            case 403 -> "Forbidden";
            case 400 -> "BadRequest";
            case 405 -> "MethodNotAllowed";
            case 415 -> "UnsupportedMediaType";
            case 422 -> "Invalid";
            default -> "InternalError";
          });
      ObjectNode details = status.putObject("details");
      details.put("name", name == null ? "" : name);
      details.put("group", path.group());
      details.put("kind", path.plural());
      status.put("code", code);
      return new MockResponse().setResponseCode(code).setBody(status.toString());
    }

    /** The JSON at a path, read from the store without admission; null when absent. */
    private JsonNode read(String path) {
      MockResponse response = super.handleGet(path);
      if (response.code() != 200 || response.getBody() == null) {
        return null;
      }
      try {
        return json.readTree(response.getBody().getBytes());
      } catch (IOException e) {
        return null;
      }
    }

    /**
     * The operator SDK checks its Lease permissions with a SelfSubjectRulesReview before leader
     * election. The embedded API authorizes everybody, and the review says so.
     */
    private MockResponse rulesReview(RecordedRequest request) {
      SelfSubjectRulesReview review =
          Serialization.unmarshal(request.getUtf8Body(), SelfSubjectRulesReview.class);
      review.setStatus(
          new SubjectRulesReviewStatusBuilder()
              .addNewResourceRule()
              .withApiGroups("*")
              .withResources("*")
              .withVerbs("*")
              .endResourceRule()
              .addNewNonResourceRule()
              .withNonResourceURLs("*")
              .withVerbs("*")
              .endNonResourceRule()
              .withIncomplete(false)
              .build());
      return new MockResponse().setResponseCode(201).setBody(Serialization.asJson(review));
    }

    /** Who the request comes from, as {@code kubectl auth whoami} asks. */
    private MockResponse selfReview(RecordedRequest request) {
      String user =
          Optional.ofNullable(request.getHeader("Impersonate-User")).orElse(Identities.ADMIN);
      ObjectNode review = json.createObjectNode();
      review.put("apiVersion", "authentication.k8s.io/v1");
      review.put("kind", "SelfSubjectReview");
      review.putObject("metadata").put("creationTimestamp", Instant.now().toString());
      ObjectNode userInfo = review.putObject("status").putObject("userInfo");
      userInfo.put("username", user);
      Identities.groups(user).forEach(userInfo.putArray("groups")::add);
      return new MockResponse().setResponseCode(201).setBody(review.toString());
    }
  }
}
