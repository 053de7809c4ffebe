package io.scopeguard.runtime;

import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.VersionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the client scopeguard acts through and says, first thing, which API server and context
 * that is: the second incident began with a tool acting on the wrong context.
 */
public final class KubernetesConnection {

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesConnection.class);

  private KubernetesConnection() {}

  /** Connects in-cluster or through the kubeconfig, logs the target, and checks it answers. */
  public static KubernetesClient connect(OperatorSettings settings) {
    Config config = Config.autoConfigure(settings.context());
    LOG.info("scopeguard acts on API server {} ({})", config.getMasterUrl(), describe(config));
    VersionInfo version = probe(config, settings);
    LOG.info("API server {} answers: Kubernetes {}.{}", config.getMasterUrl(), version.getMajor(), version.getMinor());
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** "context prod (kubeconfig)" or "in-cluster service account". */
  static String describe(Config config) {
    NamedContext context = config.getCurrentContext();
    if (context != null) {
      String user = context.getContext() == null ? "?" : context.getContext().getUser();
      return "context " + context.getName() + ", user " + user + ", from kubeconfig";
    }
    return config.getOauthTokenProvider() != null || config.getAutoOAuthToken() != null
        ? "in-cluster service account"
        : "no kubeconfig context";
  }

  private static VersionInfo probe(Config config, OperatorSettings settings) {
    int timeoutMillis = (int) settings.apiTimeout().toMillis();
    Config probeConfig =
        new ConfigBuilder(config)
            .withRequestRetryBackoffLimit(0)
            .withConnectionTimeout(timeoutMillis)
            .withRequestTimeout(timeoutMillis)
            .build();
    try (KubernetesClient probe = new KubernetesClientBuilder().withConfig(probeConfig).build()) {
      return probe.getKubernetesVersion();
    } catch (RuntimeException e) {
      throw new StartupException(
          "cannot reach the Kubernetes API server at "
              + config.getMasterUrl()
              + " ("
              + describe(config)
              + "): "
              + rootMessage(e),
          e);
    }
  }

  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return root.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
