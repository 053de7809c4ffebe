package io.scopeguard.cli;

import io.fabric8.kubernetes.client.KubernetesClientException;

/** What the commands share: the namespace default and errors in words. */
final class Commands {

  private Commands() {}

  /** {@code -n}, else the context's namespace, else default. */
  static String namespace(String given, KubeTarget target) {
    if (given != null && !given.isBlank()) {
      return given;
    }
    String configured = target.config().getNamespace();
    return configured == null || configured.isBlank() ? "default" : configured;
  }

  /** An error a person can act on. */
  static String describe(RuntimeException e, KubeTarget target) {
    if (e instanceof KubernetesClientException k) {
      if (k.getCode() == 401 || k.getCode() == 403) {
        return "HTTP "
            + k.getCode()
            + " from "
            + target.config().getMasterUrl()
            + ": your credentials in context "
            + target.contextName()
            + " may not do this ("
            + (k.getStatus() != null ? k.getStatus().getMessage() : k.getMessage())
            + ")";
      }
      if (k.getCode() > 0) {
        return "HTTP "
            + k.getCode()
            + ": "
            + (k.getStatus() != null ? k.getStatus().getMessage() : k.getMessage());
      }
      return "cannot reach the API server at "
          + target.config().getMasterUrl()
          + " (context "
          + target.contextName()
          + "): "
          + (k.getCause() != null ? k.getCause() : k.getMessage());
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
