package io.scopeguard.scope;

/**
 * What the cluster says about a ClusterScope's {@code clusterRef}, gathered from caches.
 *
 * @param clusterApiInstalled whether this API server serves Cluster API's {@code Cluster}
 * @param referencedClusterExists whether the Cluster named by {@code clusterRef} exists
 */
public record ClusterFacts(boolean clusterApiInstalled, boolean referencedClusterExists) {}
