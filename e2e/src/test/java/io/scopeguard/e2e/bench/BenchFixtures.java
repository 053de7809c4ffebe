package io.scopeguard.e2e.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.ClusterTarget;

/** What the benchmarks share: a namespace for their objects and a ClusterScope of the same name declaring the local cluster. */
final class BenchFixtures {

  private BenchFixtures() {}

  static void namespaceAndLocalScope(KubernetesClient client, String name) {
    client.resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    ClusterScope scope = new ClusterScope();
    scope.getMetadata().setName(name);
    scope.getSpec().setCluster(ClusterTarget.local());
    client.resource(scope).create();
  }
}
