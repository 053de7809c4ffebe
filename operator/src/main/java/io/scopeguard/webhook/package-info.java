/**
 * The admission webhook: the deterministic backstop that refuses Flux's deletes while the revision
 * that would make them is over budget or not yet judged.
 */
package io.scopeguard.webhook;
