package io.scopeguard.deletion;

/** Thrown inside a prediction at the first construct whose effect on identities cannot be known. */
final class Unpredictable extends RuntimeException {

  Unpredictable(String message) {
    super(message, null, false, false);
  }
}
