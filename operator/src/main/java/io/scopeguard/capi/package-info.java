/** Cluster API: the {@code Cluster} kind that ClusterScopes and onboarding targets refer to. */
package io.scopeguard.capi;
