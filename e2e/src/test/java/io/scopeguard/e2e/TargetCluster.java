package io.scopeguard.e2e;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.testkit.EmbeddedKubernetes;
import io.scopeguard.testkit.Identities;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The API server the end-to-end scenarios and the benchmarks run against.
 *
 * <ul>
 *   <li>By default: the embedded Kubernetes API.
 *   <li>A real cluster when {@code KUBECONFIG} is set <em>and</em> the given context variable
 *       ({@code SCOPEGUARD_E2E_CONTEXT}, {@code SCOPEGUARD_BENCH_CONTEXT}) names the context to
 *       use. Both are required so that a KUBECONFIG left pointing at production never turns a test
 *       run into a production change (incident B began that way).
 * </ul>
 *
 * On a real cluster the ClusterScope CRD is created when absent, and the minimal third-party CRDs
 * only when their real counterparts are absent. That cluster is meant to be disposable: the
 * scopeguard started here registers its webhooks under scopeguard's own name and judges every
 * namespace, so a cluster that already runs a scopeguard is refused.
 */
public final class TargetCluster implements AutoCloseable {

  private final EmbeddedKubernetes embedded;
  private final KubernetesClient client;
  private final String context;
  private final Map<String, KubernetesClient> impersonating = new ConcurrentHashMap<>();

  private TargetCluster(EmbeddedKubernetes embedded, KubernetesClient client, String context) {
    this.embedded = embedded;
    this.client = client;
    this.context = context;
  }

  /** The cluster of the context named in {@code contextVariable}, or the embedded API. */
  public static TargetCluster open(String contextVariable) {
    String context = System.getenv(contextVariable);
    if (System.getenv("KUBECONFIG") != null && context != null && !context.isBlank()) {
      TargetCluster cluster =
          new TargetCluster(
              null,
              new KubernetesClientBuilder().withConfig(Config.autoConfigure(context)).build(),
              context);
      if (cluster
                  .client
                  .admissionRegistration()
                  .v1()
                  .validatingWebhookConfigurations()
                  .withName("scopeguard")
                  .get()
              != null
          || cluster
                  .client
                  .admissionRegistration()
                  .v1()
                  .mutatingWebhookConfigurations()
                  .withName("scopeguard")
                  .get()
              != null) {
        cluster.close();
        throw new IllegalStateException(
            "context "
                + context
                + " already runs a scopeguard (webhook configuration"
                + " 'scopeguard'): the e2e suite and the benchmarks register their own under that name and judge every"
                + " namespace; run them on a disposable cluster without scopeguard, Flux or Cluster API controllers");
      }
      cluster.ensureCrd(EmbeddedKubernetes.SCOPEGUARD_CRD);
      EmbeddedKubernetes.THIRD_PARTY_CRDS.forEach(cluster::ensureCrd);
      return cluster;
    }
    if (System.getenv("KUBECONFIG") != null) {
      System.out.println(
          "KUBECONFIG is set but " + contextVariable + " is not: running on the embedded API");
    }
    EmbeddedKubernetes embedded = EmbeddedKubernetes.start();
    return new TargetCluster(embedded, embedded.client(), null);
  }

  public boolean isEmbedded() {
    return embedded != null;
  }

  /** An administrator's client. */
  public KubernetesClient client() {
    return client;
  }

  /** The embedded API, to count its writes; empty on a real cluster. */
  public Optional<EmbeddedKubernetes> embedded() {
    return Optional.ofNullable(embedded);
  }

  /**
   * A client acting as {@code username}: a controller, a tool, another person. On the embedded API
   * an endpoint of its own; on a real cluster the kubeconfig's user impersonating it, with the
   * group {@code system:masters} so that it may do what the scenario needs.
   */
  public KubernetesClient clientAs(String username) {
    if (embedded != null) {
      return embedded.clientAs(username);
    }
    return impersonating.computeIfAbsent(
        username,
        user ->
            new KubernetesClientBuilder()
                .withConfig(
                    new ConfigBuilder(client.getConfiguration())
                        .withImpersonateUsername(user)
                        .withImpersonateGroups("system:masters")
                        .build())
                .build());
  }

  /**
   * The client scopeguard runs with: its own identity on the embedded API, the kubeconfig's user on
   * a cluster.
   */
  public KubernetesClient scopeguardClient() {
    return embedded == null ? client : embedded.clientAs(Identities.SCOPEGUARD);
  }

  /**
   * The settings with the webhook served where the API server reaches it: on a real cluster the
   * https address of this machine given in {@code webhookUrlVariable} (e.g. {@code
   * https://172.18.0.1:9443} for kind); a loopback URL would leave every guarded write failing.
   */
  public OperatorSettings reachable(OperatorSettings settings, String webhookUrlVariable) {
    if (embedded != null || !settings.webhook().enabled()) {
      return settings;
    }
    String url = System.getenv(webhookUrlVariable);
    if (url == null || url.isBlank()) {
      throw new IllegalStateException(
          "on a real cluster, set "
              + webhookUrlVariable
              + " to an https address of this"
              + " machine the API server reaches (its port is served here)");
    }
    URI uri = URI.create(url);
    return settings.withWebhook(
        OperatorSettings.Webhook.atUrl(uri.getPort() > 0 ? uri.getPort() : 443, url)
            .ownedBy(settings.webhook().ownerClusterRole()));
  }

  /** Where this runs, for a report's header: the context and API server, with its version. */
  public String describe() {
    if (embedded != null) {
      return "embedded API (fabric8 kubernetes-server-mock, CRUD mode; no admission chain of its own)";
    }
    String version;
    try {
      version = client.getKubernetesVersion().getGitVersion();
    } catch (KubernetesClientException e) {
      version = "version unknown: " + e.getMessage();
    }
    return "context " + context + " at " + client.getMasterUrl() + ", Kubernetes " + version;
  }

  /**
   * Removes the webhook configurations scopeguard registered, so none points at a stopped process.
   */
  public void removeWebhooks() {
    if (embedded == null) {
      client
          .admissionRegistration()
          .v1()
          .validatingWebhookConfigurations()
          .withName("scopeguard")
          .delete();
      client
          .admissionRegistration()
          .v1()
          .mutatingWebhookConfigurations()
          .withName("scopeguard")
          .delete();
    }
  }

  private void ensureCrd(String resource) {
    CustomResourceDefinition crd = EmbeddedKubernetes.readCrd(resource);
    if (client.resource(crd).get() == null) {
      client.resource(crd).create();
      client
          .resource(crd)
          .waitUntilCondition(
              c ->
                  c != null
                      && c.getStatus() != null
                      && c.getStatus().getConditions().stream()
                          .anyMatch(
                              k ->
                                  "Established".equals(k.getType())
                                      && "True".equals(k.getStatus())),
              30,
              TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    impersonating.values().forEach(KubernetesClient::close);
    if (embedded != null) {
      embedded.close();
    } else {
      client.close();
    }
  }
}
