package io.scopeguard.cli;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.scopeguard.flux.FluxKinds;
import io.scopeguard.guard.Crds;
import io.scopeguard.kinds.GuardedKind;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A resource named as {@code kubectl} names it: {@code kustomization/flux-system}, {@code
 * ks/flux-system}, {@code helmrelease/podinfo}, or {@code <kind>.<group>/<name>} for an onboarding
 * kind; the namespace from {@code -n}.
 *
 * @param group its API group
 * @param kind its kind, as in {@code kind:}
 * @param plural its resource name
 * @param namespace its namespace
 * @param name its name
 */
public record ResourceName(
    String group, String kind, String plural, String namespace, String name) {

  private static final Map<String, GuardedKind> SHORT_NAMES =
      Map.of(
          "ks", FluxKinds.KUSTOMIZATION,
          "hr", FluxKinds.HELM_RELEASE,
          "gitrepo", FluxKinds.GIT_REPOSITORY,
          "ocirepo", FluxKinds.OCI_REPOSITORY,
          "helmrepo", FluxKinds.HELM_REPOSITORY);

  /**
   * Reads {@code KIND/NAME}.
   *
   * @throws IllegalArgumentException with what a person should type instead
   */
  public static ResourceName parse(String text, String namespace) {
    int slash = text.indexOf('/');
    if (slash <= 0 || slash == text.length() - 1 || text.indexOf('/', slash + 1) >= 0) {
      throw new IllegalArgumentException(
          "name the resource as KIND/NAME, e.g. kustomization/flux-system, not '" + text + "'");
    }
    String kindText = text.substring(0, slash).toLowerCase(Locale.ROOT);
    String name = text.substring(slash + 1);
    GuardedKind flux = SHORT_NAMES.get(kindText);
    for (GuardedKind kind : FluxKinds.ALL) {
      String lower = kind.kind().toLowerCase(Locale.ROOT);
      if (kindText.equals(lower)
          || kindText.equals(kind.plural())
          || kindText.equals(lower + "." + kind.group())
          || kindText.equals(kind.plural() + "." + kind.group())) {
        flux = kind;
      }
    }
    if (flux != null) {
      return new ResourceName(flux.group(), flux.kind(), flux.plural(), namespace, name);
    }
    int dot = kindText.indexOf('.');
    if (dot <= 0) {
      throw new IllegalArgumentException(
          "unknown kind '"
              + kindText
              + "': use a Flux kind (kustomization, helmrelease, gitrepository, ...) or"
              + " <plural>.<group>/NAME for an onboarding kind");
    }
    return new ResourceName(
        kindText.substring(dot + 1), null, kindText.substring(0, dot), namespace, name);
  }

  /** As {@code kubectl} shows it, e.g. {@code Kustomization flux-system/flux-system}. */
  public String describe() {
    return (kind != null ? kind : plural + "." + group)
        + " "
        + (namespace == null ? "" : namespace + "/")
        + name;
  }

  /**
   * The resource's client, at the version the API server serves (discovery first, the CRD else).
   */
  public Resource<GenericKubernetesResource> in(KubernetesClient client) {
    return namespace == null
        ? kind(client).withName(name)
        : kind(client).inNamespace(namespace).withName(name);
  }

  /** Every resource of this kind the user may list, in every namespace. */
  public List<GenericKubernetesResource> everywhere(KubernetesClient client) {
    return kind(client).inAnyNamespace().list().getItems();
  }

  /**
   * The kind at the version the API server prefers (discovery), else at the version its CRD serves
   * (the same rule the operator follows).
   */
  private MixedOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      kind(KubernetesClient client) {
    Optional<String> preferred = kind == null ? Optional.empty() : preferredVersion(client);
    if (preferred.isPresent()) {
      return client.genericKubernetesResources(group + "/" + preferred.get(), kind);
    }
    GroupVersionKind served =
        Crds.servedKind(client, plural + "." + group)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "the API server does not serve "
                            + plural
                            + "."
                            + group
                            + " (no such CRD)"));
    return client.genericKubernetesResources(served.apiVersion(), served.getKind());
  }

  private Optional<String> preferredVersion(KubernetesClient client) {
    try {
      return Optional.ofNullable(client.getApiGroup(group))
          .map(APIGroup::getPreferredVersion)
          .map(GroupVersionForDiscovery::getVersion);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 401 || e.getCode() == 403) {
        throw e;
      }
      return Optional.empty();
    }
  }
}
