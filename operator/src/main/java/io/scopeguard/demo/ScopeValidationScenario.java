package io.scopeguard.demo;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.ClusterTarget;
import io.scopeguard.api.Enforcement;
import io.scopeguard.api.SourceRule;
import io.scopeguard.capi.ClusterApi;
import java.util.List;
import java.util.Map;

/**
 * ClusterScopes as a person writes them: one for the local cluster, one for a Cluster API
 * workload cluster that exists, and one naming a Cluster that does not — which scopeguard
 * reports as not Ready instead of guessing.
 */
public final class ScopeValidationScenario implements Scenario {

  public static final String NAMESPACE = "fleet";
  public static final String LOCAL_SCOPE = "local-cluster";
  public static final String DEV_SCOPE = "dev-1";
  public static final String MISSING_SCOPE = "prod-eu-2";

  @Override
  public String name() {
    return "scopes";
  }

  @Override
  public String title() {
    return "ClusterScopes: two valid, one naming a Cluster API cluster that does not exist";
  }

  @Override
  public void play(ScenarioContext context) {
    var gvk = ClusterApi.clusterKind(context.client()).orElseThrow(() ->
        new IllegalStateException("this scenario needs Cluster API's Cluster kind"));
    context.apply(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build());
    GenericKubernetesResource cluster = new GenericKubernetesResourceBuilder()
        .withApiVersion(gvk.apiVersion())
        .withKind(gvk.getKind())
        .withNewMetadata().withNamespace(NAMESPACE).withName(DEV_SCOPE).endMetadata()
        .withAdditionalProperties(Map.of("spec", Map.of("paused", false)))
        .build();
    context.apply(cluster);

    List<ClusterScope> scopes = List.of(
        scope(LOCAL_SCOPE, ClusterTarget.local(), "management", "ssh://git@github.com/acme/management"),
        scope(DEV_SCOPE, ClusterTarget.clusterRef(NAMESPACE, DEV_SCOPE), "development", "oci://ghcr.io/acme/manifests/*"),
        scope(MISSING_SCOPE, ClusterTarget.clusterRef(NAMESPACE, MISSING_SCOPE), "production", "ssh://git@github.com/acme/prod-fleet"));
    scopes.forEach(context::apply);

    List<ClusterScope> observed = scopes.stream()
        .map(scope -> context.await("status of ClusterScope " + scope.getMetadata().getName(), () -> {
          ClusterScope current = context.client().resources(ClusterScope.class)
              .withName(scope.getMetadata().getName()).get();
          return current != null && current.readyCondition().isPresent() ? current : null;
        }))
        .toList();
    StatusReport.printScopes(context.out(), observed);
  }

  private static ClusterScope scope(String name, ClusterTarget cluster, String environment, String source) {
    ClusterScope scope = new ClusterScope();
    scope.getMetadata().setName(name);
    scope.getSpec().setCluster(cluster);
    scope.getSpec().setEnvironment(environment);
    scope.getSpec().setSources(List.of(new SourceRule(source)));
    scope.getSpec().setEnforcement(Enforcement.Enforce);
    return scope;
  }
}
