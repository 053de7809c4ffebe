package io.scopeguard.e2e;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.scopeguard.testkit.EmbeddedKubernetes;
import io.scopeguard.testkit.Identities;
import io.scopeguard.demo.ScenarioContext;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.runtime.ScopeguardOperator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Where the end-to-end scenarios run, with scopeguard running in-process against it.
 *
 * <ul>
 *   <li>By default: the embedded Kubernetes API.
 *   <li>A real cluster when {@code KUBECONFIG} is set <em>and</em> {@code SCOPEGUARD_E2E_CONTEXT}
 *       names the context to use. Both are required so that a KUBECONFIG left pointing at
 *       production never turns a test run into a production change (incident B began that way).
 * </ul>
 *
 * On a real cluster the ClusterScope CRD is created when absent, the minimal third-party CRDs
 * only when their real counterparts are absent, and every object a scenario created is deleted
 * afterwards.
 */
public final class E2eCluster implements BeforeAllCallback, AfterAllCallback {

  private EmbeddedKubernetes embedded;
  private KubernetesClient client;
  private ScopeguardOperator operator;
  private ScenarioContext scenario;
  private final StringWriter printed = new StringWriter();
  private final java.util.function.UnaryOperator<OperatorSettings> customize;
  private final java.util.Map<String, KubernetesClient> impersonating = new java.util.concurrent.ConcurrentHashMap<>();

  public E2eCluster() {
    this(settings -> settings);
  }

  /** With settings of its own, e.g. the webhook enabled. */
  public E2eCluster(java.util.function.UnaryOperator<OperatorSettings> customize) {
    this.customize = customize;
  }

  @Override
  public void beforeAll(ExtensionContext extension) {
    String context = System.getenv("SCOPEGUARD_E2E_CONTEXT");
    if (System.getenv("KUBECONFIG") != null && context != null && !context.isBlank()) {
      client = new KubernetesClientBuilder().withConfig(Config.autoConfigure(context)).build();
      System.out.println("e2e: running on the cluster of context " + context + " at " + client.getMasterUrl());
      ensureCrd(EmbeddedKubernetes.SCOPEGUARD_CRD);
      EmbeddedKubernetes.THIRD_PARTY_CRDS.forEach(this::ensureCrd);
    } else {
      if (System.getenv("KUBECONFIG") != null) {
        System.out.println("e2e: KUBECONFIG is set but SCOPEGUARD_E2E_CONTEXT is not: running on the embedded API");
      }
      embedded = EmbeddedKubernetes.start();
      client = embedded.client();
    }
    KubernetesClient scopeguard = embedded == null ? client : embedded.clientAs(Identities.SCOPEGUARD);
    OperatorSettings settings = customize.apply(OperatorSettings.embedded());
    if (embedded == null && settings.webhook().enabled()) {
      settings = settings.withWebhook(reachableByTheApiServer(settings.webhook()));
    }
    operator = ScopeguardOperator.start(scopeguard, settings, Clock.systemUTC());
    scenario = new ScenarioContext(client, this::clientAs, new PrintWriter(printed, true), Duration.ofSeconds(60));
  }

  /**
   * On a real cluster the API server calls scopeguard's webhooks at an address of this machine it
   * can reach, given in {@code SCOPEGUARD_E2E_WEBHOOK_URL} (e.g. {@code https://172.18.0.1:9443} for
   * kind); a loopback URL would leave every guarded write failing.
   */
  private static OperatorSettings.Webhook reachableByTheApiServer(OperatorSettings.Webhook webhook) {
    String url = System.getenv("SCOPEGUARD_E2E_WEBHOOK_URL");
    if (url == null || url.isBlank()) {
      throw new IllegalStateException("on a real cluster, set SCOPEGUARD_E2E_WEBHOOK_URL to an https address of this machine"
          + " the API server reaches (its port is served here)");
    }
    java.net.URI uri = java.net.URI.create(url);
    return OperatorSettings.Webhook.atUrl(uri.getPort() > 0 ? uri.getPort() : 443, url).ownedBy(webhook.ownerClusterRole());
  }

  /**
   * A client acting as {@code username}: a controller, a tool, another person. On the embedded API
   * an endpoint of its own; on a real cluster the kubeconfig's user impersonating it, with the group
   * {@code system:masters} so that it may do what the scenario needs.
   */
  public KubernetesClient clientAs(String username) {
    if (embedded != null) {
      return embedded.clientAs(username);
    }
    return impersonating.computeIfAbsent(username, user -> new KubernetesClientBuilder().withConfig(new ConfigBuilder(
        client.getConfiguration()).withImpersonateUsername(user).withImpersonateGroups("system:masters").build()).build());
  }

  private void ensureCrd(String resource) {
    CustomResourceDefinition crd = EmbeddedKubernetes.readCrd(resource);
    if (client.resource(crd).get() == null) {
      client.resource(crd).create();
      client.resource(crd).waitUntilCondition(c -> c != null && c.getStatus() != null
          && c.getStatus().getConditions().stream().anyMatch(k -> "Established".equals(k.getType())
              && "True".equals(k.getStatus())), 30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @Override
  public void afterAll(ExtensionContext extension) {
    try {
      if (scenario != null && embedded == null) {
        scenario.deleteCreated();
        if (operator != null && operator.webhook().isPresent()) {
          // on a shared cluster, leave no webhook pointing at a process that is about to stop
          client.admissionRegistration().v1().validatingWebhookConfigurations().withName("scopeguard").delete();
          client.admissionRegistration().v1().mutatingWebhookConfigurations().withName("scopeguard").delete();
        }
      }
    } finally {
      if (operator != null) {
        operator.close();
      }
      impersonating.values().forEach(KubernetesClient::close);
      if (embedded != null) {
        embedded.close();
      } else if (client != null) {
        client.close();
      }
    }
  }

  public KubernetesClient client() {
    return client;
  }

  /** The context scenarios play in; what they print is kept for {@link #printed()}. */
  public ScenarioContext scenario() {
    return scenario;
  }

  public ScopeguardOperator operator() {
    return operator;
  }

  public String printed() {
    return printed.toString();
  }
}
