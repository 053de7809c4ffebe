/**
 * Guarding resources scopeguard does not own: the watched kinds, their shared informers and
 * indexes, the per-resource reconcile loop, and the actuator that applies decisions.
 */
package io.scopeguard.guard;
