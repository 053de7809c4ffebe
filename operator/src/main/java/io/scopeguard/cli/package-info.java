/**
 * The command line for people: {@code kubectl scopeguard status | explain | approve | preflight},
 * acting through the user's own kubeconfig and RBAC, and naming the context and API server first in
 * every command. Runtime layer: reads what the operator recorded (ClusterScope status, the hold and
 * prediction annotations) and writes only the approve annotation, as a person would.
 */
package io.scopeguard.cli;
