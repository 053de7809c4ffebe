package io.scopeguard.cli;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.scopeguard.flux.FluxKinds;
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

  private MixedOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      kind(KubernetesClient client) {
    String theKind = kind != null ? kind : crd(client).getSpec().getNames().getKind();
    return client.genericKubernetesResources(group + "/" + servedVersion(client), theKind);
  }

  private String servedVersion(KubernetesClient client) {
    try {
      APIGroup served = client.getApiGroup(group);
      if (served != null && served.getPreferredVersion() != null) {
        return served.getPreferredVersion().getVersion();
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() == 401 || e.getCode() == 403) {
        throw e;
      }
    }
    return Optional.ofNullable(crd(client).getSpec().getVersions())
        .flatMap(
            versions ->
                versions.stream()
                    .filter(v -> Boolean.TRUE.equals(v.getStorage()))
                    .map(CustomResourceDefinitionVersion::getName)
                    .findFirst())
        .orElseThrow(() -> new IllegalArgumentException("no version of " + plural + "." + group));
  }

  private CustomResourceDefinition crd(KubernetesClient client) {
    CustomResourceDefinition crd =
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(plural + "." + group)
            .get();
    if (crd == null) {
      throw new IllegalArgumentException(
          "the API server does not serve " + plural + "." + group + " (no such CRD)");
    }
    return crd;
  }
}
