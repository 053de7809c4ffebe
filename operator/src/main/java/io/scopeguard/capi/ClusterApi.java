package io.scopeguard.capi;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.scopeguard.runtime.Crds;
import java.util.Optional;

/** Cluster API facts: the {@code Cluster} kind, and which version of it this API server serves. */
public final class ClusterApi {

  public static final String GROUP = "cluster.x-k8s.io";
  public static final String CLUSTER_KIND = "Cluster";
  public static final String CLUSTERS_CRD = "clusters." + GROUP;

  private ClusterApi() {}

  /**
   * The served version of Cluster API's {@code Cluster} (v1beta2 on Cluster API 1.11 and later,
   * v1beta1 before), or empty when Cluster API is not installed.
   */
  public static Optional<GroupVersionKind> clusterKind(KubernetesClient client) {
    return Crds.servedKind(client, CLUSTERS_CRD);
  }
}
