/**
 * The scopeguard.io/v1alpha1 API: the {@link io.scopeguard.api.ClusterScope} resource and its
 * parts.
 */
package io.scopeguard.api;
