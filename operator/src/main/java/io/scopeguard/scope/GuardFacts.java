package io.scopeguard.scope;

import io.scopeguard.api.ClusterScopeSpec;
import java.util.List;

/**
 * Everything the {@link ScopeJudge} needs about one guarded resource, gathered from caches.
 *
 * @param subject how to name the resource in messages, e.g. {@code Kustomization apps/podinfo}
 * @param actsOnCluster true for reconcilers (they need a scope label and have a target); false for sources
 * @param scopeName the {@code scopeguard.io/scope} label, or null
 * @param scope the spec of the ClusterScope the label names, or null when it does not exist
 * @param target the cluster the resource acts on (ignored for sources)
 * @param scopesDeclaringTarget names of the ClusterScopes that declare {@code target}
 * @param source the source whose URL is checked, or null when there is none to check
 */
public record GuardFacts(
    String subject,
    boolean actsOnCluster,
    String scopeName,
    ClusterScopeSpec scope,
    Target target,
    List<String> scopesDeclaringTarget,
    SourceFacts source) {

  /**
   * The source a resource delivers from.
   *
   * @param description e.g. {@code GitRepository flux-system/flux-system}
   * @param url its URL as scopeguard compares it, or null when it has none (yet)
   */
  public record SourceFacts(String description, String url) {}
}
