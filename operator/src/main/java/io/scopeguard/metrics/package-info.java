/** Prometheus meters: scopeguard's own, the operator SDK's and the JVM's, in one registry. */
package io.scopeguard.metrics;
