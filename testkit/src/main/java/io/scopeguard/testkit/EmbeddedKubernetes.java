package io.scopeguard.testkit;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;

/**
 * An in-process Kubernetes API: the fabric8 mock server in CRUD mode, with scopeguard's CRD and
 * the minimal third-party CRDs the scenarios use installed. It stores and watches objects like an
 * API server but enforces no schema (no OpenAPI, no CEL) and speaks no server-side apply, so
 * scopeguard never relies on either.
 */
public final class EmbeddedKubernetes implements AutoCloseable {

  /** scopeguard's own CRD, as generated from the Java model into the jar. */
  public static final String SCOPEGUARD_CRD = "/META-INF/fabric8/clusterscopes.scopeguard.io-v1.yml";

  /** Minimal stand-ins for the third-party CRDs the scenarios need (schema-less, as the mock is). */
  public static final List<String> THIRD_PARTY_CRDS = List.of(
      "/testkit/crds/cluster.x-k8s.io_clusters.yaml",
      "/testkit/crds/kustomize.toolkit.fluxcd.io_kustomizations.yaml",
      "/testkit/crds/helm.toolkit.fluxcd.io_helmreleases.yaml",
      "/testkit/crds/source.toolkit.fluxcd.io_gitrepositories.yaml",
      "/testkit/crds/source.toolkit.fluxcd.io_ocirepositories.yaml",
      "/testkit/crds/source.toolkit.fluxcd.io_buckets.yaml",
      "/testkit/crds/source.toolkit.fluxcd.io_helmrepositories.yaml");

  /** Held so the level set on it is not lost when the JDK collects an unreferenced logger. */
  private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private EmbeddedKubernetes(KubernetesMockServer server, KubernetesClient client) {
    this.server = server;
    this.client = client;
  }

  /** Sees each request the API receives (method, path with query, User-Agent), before it is answered. */
  @FunctionalInterface
  public interface RequestListener {
    void received(String method, String pathAndQuery, String userAgent);
  }

  /** Starts the API on a free loopback port and installs the CRDs. */
  public static EmbeddedKubernetes start() {
    return start((method, path, userAgent) -> { });
  }

  /** Starts the API and tells {@code listener} of every request it receives from then on. */
  public static EmbeddedKubernetes start(RequestListener listener) {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    KubernetesMockServer server = new KubernetesMockServer(
        new Context(), new MockWebServer(), new HashMap<>(), new Dispatcher(listener), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    KubernetesClient client = server.createClient();
    EmbeddedKubernetes api = new EmbeddedKubernetes(server, client);
    api.installCrd(SCOPEGUARD_CRD);
    THIRD_PARTY_CRDS.forEach(api::installCrd);
    return api;
  }

  /** A client of this API, owned by it. */
  public KubernetesClient client() {
    return client;
  }

  /** The URL a kubeconfig would name for this API. */
  public String url() {
    return client.getConfiguration().getMasterUrl();
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
      return io.fabric8.kubernetes.client.utils.Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }

  /**
   * The CRUD dispatcher, plus what an API server answers that the mock does not: a
   * SelfSubjectRulesReview (the operator SDK checks its Lease permissions with one before leader
   * election). The embedded API authenticates nobody, so every caller may do everything, and the
   * review says so.
   */
  private static final class Dispatcher extends KubernetesCrudDispatcher {
    private static final String RULES_REVIEWS = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";

    private final RequestListener listener;

    Dispatcher(RequestListener listener) {
      this.listener = listener;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      listener.received(request.getMethod(), request.getPath(), request.getHeader("User-Agent"));
      return super.dispatch(request);
    }

    @Override
    public MockResponse handleCreate(RecordedRequest request) {
      if (!request.getPath().split("\\?")[0].equals(RULES_REVIEWS)) {
        return super.handleCreate(request);
      }
      SelfSubjectRulesReview review = Serialization.unmarshal(request.getUtf8Body(), SelfSubjectRulesReview.class);
      review.setStatus(new SubjectRulesReviewStatusBuilder()
          .addNewResourceRule().withApiGroups("*").withResources("*").withVerbs("*").endResourceRule()
          .addNewNonResourceRule().withNonResourceURLs("*").withVerbs("*").endNonResourceRule()
          .withIncomplete(false)
          .build());
      return new MockResponse().setResponseCode(201).setBody(Serialization.asJson(review));
    }
  }
}
