package io.scopeguard.deletion;

/**
 * Thrown inside a prediction when Flux's build would certainly fail, so nothing would be pruned.
 */
final class BuildFailure extends RuntimeException {

  BuildFailure(String message) {
    super(message, null, false, false);
  }
}
