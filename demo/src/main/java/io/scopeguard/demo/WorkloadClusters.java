package io.scopeguard.demo;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.scopeguard.testkit.EmbeddedKubernetes;
import io.scopeguard.testkit.FluxObjects;
import io.scopeguard.testkit.Identities;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cluster API workload clusters for the scenarios, each an embedded API of its own, reached the way
 * Flux reaches one from a management cluster: through the kubeconfig Cluster API writes into the
 * {@code <cluster>-kubeconfig} Secret. Scopeguard's webhooks live in the management cluster; a
 * workload cluster never calls them, as on a real fleet.
 */
public final class WorkloadClusters implements AutoCloseable {

  private final Map<String, EmbeddedKubernetes> clusters = new ConcurrentHashMap<>();

  /**
   * Starts workload cluster {@code name} and registers it in the management cluster: its Cluster
   * API Cluster in {@code namespace} and its kubeconfig Secret beside it.
   */
  public EmbeddedKubernetes register(
      ScenarioContext context, String clusterApiVersion, String namespace, String name) {
    EmbeddedKubernetes cluster = clusters.computeIfAbsent(name, n -> EmbeddedKubernetes.start());
    context.create(FluxObjects.capiCluster(clusterApiVersion, namespace, name));
    context.create(
        new SecretBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName(name + "-kubeconfig")
            .addToLabels("cluster.x-k8s.io/cluster-name", name)
            .endMetadata()
            .withType("cluster.x-k8s.io/secret")
            .addToData(
                "value",
                Base64.getEncoder()
                    .encodeToString(
                        cluster
                            .kubeconfig(Identities.serviceAccount("kube-system", "capi-flux"))
                            .getBytes(StandardCharsets.UTF_8)))
            .build());
    return cluster;
  }

  /** The workload cluster of this name. */
  public EmbeddedKubernetes get(String name) {
    EmbeddedKubernetes cluster = clusters.get(name);
    if (cluster == null) {
      throw new IllegalArgumentException("no workload cluster " + name);
    }
    return cluster;
  }

  @Override
  public void close() {
    clusters.values().forEach(EmbeddedKubernetes::close);
    clusters.clear();
  }
}
