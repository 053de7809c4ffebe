package io.scopeguard.demo;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
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
      "/demo/crds/cluster.x-k8s.io_clusters.yaml",
      "/demo/crds/kustomize.toolkit.fluxcd.io_kustomizations.yaml",
      "/demo/crds/helm.toolkit.fluxcd.io_helmreleases.yaml",
      "/demo/crds/source.toolkit.fluxcd.io_gitrepositories.yaml",
      "/demo/crds/source.toolkit.fluxcd.io_ocirepositories.yaml",
      "/demo/crds/source.toolkit.fluxcd.io_buckets.yaml",
      "/demo/crds/source.toolkit.fluxcd.io_helmrepositories.yaml");

  /** Held so the level set on it is not lost when the JDK collects an unreferenced logger. */
  private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private EmbeddedKubernetes(KubernetesMockServer server, KubernetesClient client) {
    this.server = server;
    this.client = client;
  }

  /** Starts the API on a free loopback port and installs the CRDs. */
  public static EmbeddedKubernetes start() {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    KubernetesMockServer server = new KubernetesMockServer(
        new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
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
}
