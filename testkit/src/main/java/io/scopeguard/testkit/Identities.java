package io.scopeguard.testkit;

import java.util.List;

/**
 * Who a request to the embedded API comes from. The embedded API authenticates nobody: a client
 * names its user with the {@code Impersonate-User} header (fabric8's {@code impersonateUsername}),
 * as Flux's controllers do for a tenant's service account; without one it is the cluster admin.
 */
public final class Identities {

  /** The user of a client that names none, as kind and kubeadm call the first admin. */
  public static final String ADMIN = "kubernetes-admin";

  /** scopeguard's service account, as the chart installs it. */
  public static final String SCOPEGUARD = "system:serviceaccount:scopeguard-system:scopeguard";

  /** Flux's kustomize-controller and helm-controller, as {@code flux install} runs them. */
  public static final String KUSTOMIZE_CONTROLLER =
      "system:serviceaccount:flux-system:kustomize-controller";

  public static final String HELM_CONTROLLER = "system:serviceaccount:flux-system:helm-controller";
  public static final String SOURCE_CONTROLLER =
      "system:serviceaccount:flux-system:source-controller";

  private Identities() {}

  /** The user name of a service account, as the API server authenticates its token. */
  public static String serviceAccount(String namespace, String name) {
    return "system:serviceaccount:" + namespace + ":" + name;
  }

  /** The groups the API server adds for a user. */
  static List<String> groups(String username) {
    if (username.startsWith("system:serviceaccount:")) {
      String namespace = username.split(":")[2];
      return List.of(
          "system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated");
    }
    return ADMIN.equals(username)
        ? List.of("kubeadm:cluster-admins", "system:authenticated")
        : List.of("system:authenticated");
  }
}
