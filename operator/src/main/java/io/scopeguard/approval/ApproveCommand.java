package io.scopeguard.approval;

/**
 * The exact commands a person runs about a hold: approve it (with kubectl, or the kubectl
 * scopeguard plugin) and see what it would delete; shown in status, Events, logs and the plugin's
 * output.
 */
public final class ApproveCommand {

  private ApproveCommand() {}

  /** {@code kubectl annotate … scopeguard.io/approve=<token> --overwrite}. */
  public static String of(String kubectlKind, String namespace, String name, String token) {
    return "kubectl "
        + (namespace == null ? "" : "-n " + namespace + " ")
        + "annotate "
        + kubectlKind
        + " "
        + name
        + " "
        + Annotations.APPROVE
        + "="
        + token
        + " --overwrite";
  }

  /** {@code kubectl scopeguard approve <kind>/<name> -n <namespace>}: shows the hold, then asks. */
  public static String withPlugin(String kubectlKind, String namespace, String name) {
    return plugin("approve", kubectlKind, namespace, name);
  }

  /** {@code kubectl scopeguard explain <kind>/<name> -n <namespace>}: what it would delete. */
  public static String explain(String kubectlKind, String namespace, String name) {
    return plugin("explain", kubectlKind, namespace, name);
  }

  private static String plugin(String command, String kubectlKind, String namespace, String name) {
    return "kubectl scopeguard "
        + command
        + " "
        + kubectlKind
        + "/"
        + name
        + (namespace == null ? "" : " -n " + namespace);
  }
}
