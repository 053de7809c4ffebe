package io.scopeguard.e2e.rbac;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a ClusterRole (everywhere) and a Role (in its namespace) allow, the way Kubernetes' RBAC
 * authorizer reads their rules: group, resource (with subresource), verb and resource names must
 * all match; a rule with resource names never allows create, list or watch of a whole collection.
 */
public final class Grants {

  /** One rule's permission on one group, resource and verb, where it applies. */
  public record Grant(
      String group, String resource, String verb, String namespace, List<String> resourceNames) {
    @Override
    public String toString() {
      return verb
          + " "
          + (group.isEmpty() ? "" : group + "/")
          + resource
          + (namespace != null ? " in " + namespace : "")
          + (resourceNames.isEmpty() ? "" : " named " + resourceNames);
    }
  }

  private final List<Grant> grants = new ArrayList<>();

  public Grants(ClusterRole clusterRole, Optional<Role> role) {
    clusterRole.getRules().forEach(rule -> add(rule, null));
    role.ifPresent(
        r ->
            Optional.ofNullable(r.getRules())
                .orElse(List.of())
                .forEach(rule -> add(rule, r.getMetadata().getNamespace())));
  }

  private void add(PolicyRule rule, String namespace) {
    for (String group : rule.getApiGroups()) {
      for (String resource : rule.getResources()) {
        for (String verb : rule.getVerbs()) {
          grants.add(
              new Grant(
                  group,
                  resource,
                  verb,
                  namespace,
                  rule.getResourceNames() == null
                      ? List.of()
                      : List.copyOf(rule.getResourceNames())));
        }
      }
    }
  }

  /** The grant that allows {@code request}, if any. */
  public Optional<Grant> allowing(ApiRequest request) {
    return grants.stream().filter(grant -> allows(grant, request)).findFirst();
  }

  private static boolean allows(Grant grant, ApiRequest request) {
    if (request.nonResource()) {
      return false;
    }
    return (grant.group().equals("*") || grant.group().equals(request.group()))
        && (grant.resource().equals("*") || grant.resource().equals(request.resource()))
        && (grant.verb().equals("*") || grant.verb().equals(request.verb()))
        && (grant.namespace() == null || grant.namespace().equals(request.namespace()))
        && (grant.resourceNames().isEmpty()
            || request.name() != null
                && !request.verb().equals("create")
                && grant.resourceNames().contains(request.name()));
  }

  /** Every grant no request in {@code requests} needed. */
  public Set<String> unused(List<ApiRequest> requests) {
    Set<String> unused = new TreeSet<>();
    for (Grant grant : grants) {
      if (requests.stream().noneMatch(request -> allows(grant, request))) {
        unused.add(grant.toString());
      }
    }
    return unused;
  }
}
