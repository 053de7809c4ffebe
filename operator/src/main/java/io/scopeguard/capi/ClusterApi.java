package io.scopeguard.capi;

import io.scopeguard.kinds.GuardedKind;

/**
 * Cluster API: its {@code Cluster} kind, the inventory of clusters ClusterScopes and targets refer
 * to.
 */
public final class ClusterApi {

  public static final String GROUP = "cluster.x-k8s.io";
  public static final String CLUSTER_KIND = "Cluster";
  public static final String CLUSTERS_CRD = "clusters." + GROUP;

  /** Watched (never judged) so that ClusterScopes can tell whether the Cluster they name exists. */
  public static final GuardedKind CLUSTER = GuardedKind.cluster(GROUP, CLUSTER_KIND, "clusters");

  private ClusterApi() {}
}
