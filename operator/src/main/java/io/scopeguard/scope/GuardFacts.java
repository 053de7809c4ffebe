package io.scopeguard.scope;

import io.scopeguard.api.ClusterScopeSpec;
import java.util.List;

/**
 * Everything the {@link ScopeJudge} needs about one guarded resource, gathered from caches (or, in
 * admission, from the API server where a cache has not seen something yet).
 *
 * @param subject how to name the resource in messages, e.g. {@code Kustomization apps/podinfo}
 * @param actsOnCluster true for reconcilers (they need a scope and have a target); false for
 *     sources
 * @param scopeName the ClusterScope it acts under (its {@code scopeguard.io/scope} label, else its
 *     namespace's), or null
 * @param scopeOrigin where {@code scopeName} comes from, for messages: {@code its label} or {@code
 *     the label of Namespace flux-system}
 * @param scope the spec of the ClusterScope {@code scopeName} names, or null when it does not exist
 * @param target the cluster the resource acts on (ignored for sources)
 * @param scopesDeclaringTarget names of the ClusterScopes that declare {@code target}
 * @param source the source whose URL is checked, or null when there is none to check
 * @param consumers for a source: the reconcilers that deliver from it, with their scopes
 */
public record GuardFacts(
    String subject,
    boolean actsOnCluster,
    String scopeName,
    String scopeOrigin,
    ClusterScopeSpec scope,
    Target target,
    List<String> scopesDeclaringTarget,
    SourceFacts source,
    List<Consumer> consumers) {

  /**
   * The source a resource delivers from.
   *
   * @param description e.g. {@code GitRepository flux-system/flux-system}
   * @param url its URL as scopeguard compares it, or null when it has none (yet)
   */
  public record SourceFacts(String description, String url) {}

  /**
   * A reconciler delivering from the source being judged.
   *
   * @param subject e.g. {@code Kustomization fleet/apps-prod-1}
   * @param scopeName the ClusterScope it acts under, or null
   * @param scope that ClusterScope's spec, or null when it does not exist
   */
  public record Consumer(String subject, String scopeName, ClusterScopeSpec scope) {}
}
