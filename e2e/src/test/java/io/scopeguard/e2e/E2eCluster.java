package io.scopeguard.e2e;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.scopeguard.demo.ScenarioContext;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.runtime.ScopeguardOperator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Where the end-to-end scenarios run, with scopeguard running in-process against it: the embedded
 * Kubernetes API, or a real cluster when {@code KUBECONFIG} and {@code SCOPEGUARD_E2E_CONTEXT} are
 * both set (see {@link TargetCluster}; the webhook is then served at {@code
 * SCOPEGUARD_E2E_WEBHOOK_URL}). On a real cluster every object a scenario created is deleted
 * afterwards.
 */
public final class E2eCluster implements BeforeAllCallback, AfterAllCallback {

  private TargetCluster cluster;
  private ScopeguardOperator operator;
  private ScenarioContext scenario;
  private final StringWriter printed = new StringWriter();
  private final Map<String, Path> kubeconfigs = new ConcurrentHashMap<>();
  private final UnaryOperator<OperatorSettings> customize;

  public E2eCluster() {
    this(settings -> settings);
  }

  /** With settings of its own, e.g. the webhook enabled. */
  public E2eCluster(UnaryOperator<OperatorSettings> customize) {
    this.customize = customize;
  }

  @Override
  public void beforeAll(ExtensionContext extension) {
    cluster = TargetCluster.open("SCOPEGUARD_E2E_CONTEXT");
    if (!cluster.isEmbedded()) {
      System.out.println("e2e: running on " + cluster.describe());
    }
    OperatorSettings settings =
        cluster.reachable(
            customize.apply(OperatorSettings.embedded()), "SCOPEGUARD_E2E_WEBHOOK_URL");
    operator = ScopeguardOperator.start(cluster.scopeguardClient(), settings, Clock.systemUTC());
    scenario =
        new ScenarioContext(
            cluster.client(),
            this::clientAs,
            new PrintWriter(printed, true),
            Duration.ofSeconds(60));
  }

  /** A client acting as {@code username}: see {@link TargetCluster#clientAs}. */
  public KubernetesClient clientAs(String username) {
    return cluster.clientAs(username);
  }

  @Override
  public void afterAll(ExtensionContext extension) {
    try {
      if (scenario != null && !cluster.isEmbedded()) {
        scenario.deleteCreated();
        cluster.removeWebhooks();
      }
    } finally {
      if (operator != null) {
        operator.close();
      }
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  public KubernetesClient client() {
    return cluster.client();
  }

  /**
   * The arguments that point scopeguard's command line at this cluster, as a person's kubeconfig
   * would: on the embedded API a kubeconfig acting as {@code username}; on a real cluster {@code
   * KUBECONFIG} and the e2e context (the kubeconfig's own user then acts).
   */
  public List<String> cliTarget(String username) {
    if (cluster.embedded().isEmpty()) {
      return List.of(
          "--kubeconfig", System.getenv("KUBECONFIG"),
          "--context", System.getenv("SCOPEGUARD_E2E_CONTEXT"));
    }
    return List.of(
        "--kubeconfig",
        kubeconfigs
            .computeIfAbsent(
                username,
                user -> {
                  try {
                    Path kubeconfig = Files.createTempFile("scopeguard-cli-", ".kubeconfig");
                    kubeconfig.toFile().deleteOnExit();
                    Files.writeString(kubeconfig, cluster.embedded().get().kubeconfig(user));
                    return kubeconfig;
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                })
            .toString());
  }

  /** Whether this is the embedded API (where the CLI's user is the one asked for). */
  public boolean embedded() {
    return cluster.embedded().isPresent();
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
