package io.scopeguard.flux;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.kinds.Json;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Who Flux's reconcilers act as when they apply and prune. Without multi-tenancy, as their
 * controllers' own service accounts; with it, kustomize-controller impersonates the Kustomization's
 * {@code spec.serviceAccountName} in the Kustomization's namespace, or, when it names none, the
 * controller's {@code --default-service-account} there (and helm-controller the HelmRelease's). The
 * API server then sees the prune DELETEs as that service account's: a prune is recognised by the
 * identities its reconciler acts as, never by the controller's name alone.
 *
 * @param controllers usernames of Flux's controllers, e.g. {@code
 *     system:serviceaccount:flux-system:kustomize-controller}
 * @param defaultServiceAccount the controllers' {@code --default-service-account}, or null when not
 *     set
 */
public record FluxIdentities(Set<String> controllers, String defaultServiceAccount) {

  /**
   * Flux as {@code flux install} runs it: kustomize-controller and helm-controller in flux-system,
   * no default.
   */
  public static final FluxIdentities DEFAULT =
      new FluxIdentities(
          Set.of(
              "system:serviceaccount:flux-system:kustomize-controller",
              "system:serviceaccount:flux-system:helm-controller"),
          null);

  public FluxIdentities {
    controllers = Set.copyOf(controllers);
    defaultServiceAccount =
        defaultServiceAccount == null || defaultServiceAccount.isBlank()
            ? null
            : defaultServiceAccount;
  }

  /** Every user a reconciler's applies and prunes may come from. */
  public Set<String> of(GenericKubernetesResource reconciler) {
    Set<String> identities = new LinkedHashSet<>(controllers);
    String namespace = reconciler.getMetadata().getNamespace();
    String serviceAccount =
        Json.text(reconciler, "/spec/serviceAccountName").orElse(defaultServiceAccount);
    if (serviceAccount != null && namespace != null) {
      identities.add(serviceAccount(namespace, serviceAccount));
    }
    return identities;
  }

  /**
   * Whether {@code user} may be acting for some reconciler in {@code namespace}, when that
   * reconciler itself is not known: one of the controllers, or a service account of that namespace
   * (the only ones Flux impersonates for it).
   */
  public boolean mayActIn(String namespace, String user) {
    return user != null
        && (controllers.contains(user)
            || user.startsWith("system:serviceaccount:" + namespace + ":"));
  }

  /** The user name of a service account, as the API server authenticates its token. */
  public static String serviceAccount(String namespace, String name) {
    return "system:serviceaccount:" + namespace + ":" + name;
  }
}
