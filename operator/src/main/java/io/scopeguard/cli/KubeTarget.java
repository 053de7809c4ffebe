package io.scopeguard.cli;

import io.fabric8.kubernetes.api.model.AuthInfo;
import io.fabric8.kubernetes.api.model.NamedAuthInfo;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.scopeguard.runtime.KubernetesConnection;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Objects;
import picocli.CommandLine.Option;

/**
 * Which cluster a command acts on: the kubeconfig and context, as {@code kubectl} takes them. Every
 * command says first which context and API server that is, because the second incident began with a
 * tool acting on the wrong context.
 */
public final class KubeTarget {

  @Option(
      names = "--kubeconfig",
      defaultValue = "${env:KUBECONFIG}",
      description = "Kubeconfig file (env KUBECONFIG; default ~/.kube/config).")
  String kubeconfig;

  @Option(
      names = "--context",
      description = "Kubeconfig context to act on; default: the current context.")
  String context;

  @Option(
      names = "--as",
      description = "Act as this user (impersonation), as kubectl --as; default: the kubeconfig's.")
  String as;

  private Config config;

  /** The client configuration; read once. */
  public Config config() {
    if (config == null) {
      File file =
          kubeconfig == null || kubeconfig.isBlank() || kubeconfig.contains(File.pathSeparator)
              ? null
              : new File(kubeconfig);
      if (file != null && !file.isFile()) {
        throw new IllegalArgumentException(
            "kubeconfig "
                + kubeconfig
                + " is not a file: refusing to fall back to another cluster's configuration");
      }
      config =
          file != null
              ? Config.fromKubeconfig(blankToNull(context), file)
              : Config.autoConfigure(blankToNull(context));
      if (context != null
          && !context.isBlank()
          && (config.getCurrentContext() == null
              || !context.equals(config.getCurrentContext().getName()))) {
        throw new IllegalArgumentException("no context " + context + " in the kubeconfig");
      }
      config.setUserAgent(KubernetesConnection.USER_AGENT + " (cli)");
      String impersonate = as != null ? as : file != null ? kubeconfigAs(file, config) : null;
      if (impersonate != null && !impersonate.isBlank()) {
        config.setImpersonateUsername(impersonate);
      }
      config.setRequestRetryBackoffLimit(1);
      config.setConnectionTimeout(10_000);
      config.setRequestTimeout(30_000);
    }
    return config;
  }

  /** A client for the target. */
  public KubernetesClient connect() {
    return new KubernetesClientBuilder().withConfig(config()).build();
  }

  /** The context's name, or how the client is configured when there is none. */
  public String contextName() {
    NamedContext current = config().getCurrentContext();
    return current != null ? current.getName() : "(no kubeconfig context: in-cluster)";
  }

  /** The line every command prints first. */
  public String header() {
    return "Context " + contextName() + ", API server " + config().getMasterUrl();
  }

  /**
   * The {@code as} of the context's user in the kubeconfig, which kubectl honours and fabric8's
   * client does not read.
   */
  private static String kubeconfigAs(File file, Config config) {
    NamedContext current = config.getCurrentContext();
    if (current == null || current.getContext() == null) {
      return null;
    }
    try (InputStream in = Files.newInputStream(file.toPath())) {
      io.fabric8.kubernetes.api.model.Config kubeconfig =
          new KubernetesSerialization().unmarshal(in, io.fabric8.kubernetes.api.model.Config.class);
      return kubeconfig.getUsers() == null
          ? null
          : kubeconfig.getUsers().stream()
              .filter(user -> user.getName().equals(current.getContext().getUser()))
              .map(NamedAuthInfo::getUser)
              .filter(Objects::nonNull)
              .map(AuthInfo::getAs)
              .filter(Objects::nonNull)
              .findFirst()
              .orElse(null);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
