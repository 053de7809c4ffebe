package io.scopeguard.runtime;

import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import io.scopeguard.metrics.BuildInfo;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the client scopeguard acts through and says, first thing, which API server and context that
 * is: the second incident began with a tool acting on the wrong context.
 */
public final class KubernetesConnection {

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesConnection.class);

  /** How scopeguard's requests appear in the API server's audit log. */
  public static final String USER_AGENT = "scopeguard/" + BuildInfo.version();

  private KubernetesConnection() {}

  /** Connects in-cluster or through the kubeconfig, logs the target, and checks it answers. */
  public static KubernetesClient connect(OperatorSettings settings) {
    Config config = Config.autoConfigure(settings.context());
    config.setUserAgent(USER_AGENT);
    LOG.info("scopeguard acts on API server {} ({})", config.getMasterUrl(), describe(config));
    VersionInfo version = probe(config, settings);
    LOG.info(
        "API server {} answers: Kubernetes {}.{}",
        config.getMasterUrl(),
        version.getMajor(),
        version.getMinor());
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

  /**
   * Says in words what went wrong; the JDK's HTTP client often leaves its exceptions without a
   * message.
   */
  static String rootMessage(Throwable e) {
    String deepestMessage = null;
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof KubernetesClientException k && (k.getCode() == 401 || k.getCode() == 403)) {
        return "HTTP " + k.getCode() + ": the API server refused these credentials";
      }
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return "the host name does not resolve";
      }
      if (t instanceof HttpConnectTimeoutException || t instanceof SocketTimeoutException) {
        return "timed out";
      }
      if (t instanceof SSLException) {
        return "TLS failed: " + t.getMessage();
      }
      if (t instanceof ConnectException) {
        return "connection refused or host unreachable"
            + (t.getMessage() == null ? "" : " (" + t.getMessage() + ")");
      }
      if (t.getMessage() != null && !"An error has occurred.".equals(t.getMessage())) {
        deepestMessage = t.getClass().getSimpleName() + ": " + t.getMessage();
      }
    }
    return deepestMessage == null ? e.getClass().getSimpleName() : deepestMessage;
  }
}
