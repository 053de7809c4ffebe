package io.scopeguard.approval;

/** The exact command a person runs to approve a hold; shown in status, Events and logs. */
public final class ApproveCommand {

  private ApproveCommand() {}

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
}
