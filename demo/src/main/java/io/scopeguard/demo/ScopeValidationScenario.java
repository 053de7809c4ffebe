package io.scopeguard.demo;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.scopeguard.api.ClusterRef;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.ClusterTarget;
import io.scopeguard.api.SourceRule;
import io.scopeguard.capi.ClusterApi;
import io.scopeguard.guard.Crds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * ClusterScopes as a person writes them: one for the local cluster, one for a Cluster API workload
 * cluster that exists, one naming a Cluster that does not (reported, not guessed), and one
 * declaring two clusters at once (refused by the CRD's rule on a real API server; stored by the
 * embedded API, which runs no CEL, and then reported by scopeguard).
 */
public final class ScopeValidationScenario implements Scenario {

  public static final String NAMESPACE = "fleet";
  public static final String LOCAL_SCOPE = "local-cluster";
  public static final String DEV_SCOPE = "dev-1";
  public static final String MISSING_SCOPE = "prod-eu-2";
  public static final String TWO_TARGETS_SCOPE = "two-targets";

  @Override
  public String name() {
    return "scopes";
  }

  @Override
  public String title() {
    return "ClusterScopes: two valid, one naming a Cluster that does not exist, one declaring two clusters";
  }

  @Override
  public void play(ScenarioContext context) {
    var clusterKind =
        Crds.servedKind(context.client(), ClusterApi.CLUSTERS_CRD)
            .orElseThrow(
                () -> new IllegalStateException("this scenario needs Cluster API's Cluster kind"));
    context.create(
        new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build());
    context.create(
        new GenericKubernetesResourceBuilder()
            .withApiVersion(clusterKind.apiVersion())
            .withKind(clusterKind.getKind())
            .withNewMetadata()
            .withNamespace(NAMESPACE)
            .withName(DEV_SCOPE)
            .endMetadata()
            .withAdditionalProperties(Map.of("spec", Map.of("paused", false)))
            .build());

    List<ClusterScope> stored = new ArrayList<>();
    for (ClusterScope scope :
        List.of(
            scope(
                LOCAL_SCOPE,
                ClusterTarget.local(),
                "management",
                "ssh://git@github.com/acme/management"),
            scope(
                DEV_SCOPE,
                ClusterTarget.clusterRef(NAMESPACE, DEV_SCOPE),
                "development",
                "oci://ghcr.io/acme/manifests/*"),
            scope(
                MISSING_SCOPE,
                ClusterTarget.clusterRef(NAMESPACE, MISSING_SCOPE),
                "production",
                "ssh://git@github.com/acme/prod-fleet"),
            twoTargets())) {
      Optional<String> refusal = context.createOrRefusal(scope);
      if (refusal.isPresent()) {
        context
            .out()
            .printf(
                "  %s was refused by the API server: %s%n",
                scope.getMetadata().getName(), refusal.get());
      } else {
        stored.add(scope);
      }
    }

    List<ClusterScope> observed =
        stored.stream()
            .map(
                scope ->
                    context.await(
                        "status of ClusterScope " + scope.getMetadata().getName(),
                        () -> {
                          ClusterScope current =
                              context
                                  .client()
                                  .resources(ClusterScope.class)
                                  .withName(scope.getMetadata().getName())
                                  .get();
                          return current != null && current.readyCondition().isPresent()
                              ? current
                              : null;
                        }))
            .toList();
    StatusReport.printScopes(context.out(), observed);
  }

  private static ClusterScope twoTargets() {
    ClusterTarget both = ClusterTarget.local();
    both.setClusterRef(new ClusterRef(NAMESPACE, DEV_SCOPE));
    return scope(TWO_TARGETS_SCOPE, both, "staging", "ssh://git@github.com/acme/staging");
  }

  private static ClusterScope scope(
      String name, ClusterTarget cluster, String environment, String source) {
    ClusterScope scope = new ClusterScope();
    scope.getMetadata().setName(name);
    scope.getSpec().setCluster(cluster);
    scope.getSpec().setEnvironment(environment);
    scope.getSpec().setSources(List.of(new SourceRule(source)));
    return scope;
  }
}
