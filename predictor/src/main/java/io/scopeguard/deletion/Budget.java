package io.scopeguard.deletion;

import java.util.function.BooleanSupplier;

/**
 * What one prediction may spend: YAML nodes (an alias expanded counts every node it copies) and,
 * through the caller's clock, time. Past either, the prediction stops: the artifact cannot be read
 * within bounds, which is never "nothing will be deleted". kustomize itself has no such bound; a
 * few hundred bytes of nested aliases exhaust any heap.
 */
public interface Budget {

  /**
   * Spends {@code nodes} YAML nodes; throws {@link OverBudget} when that is more than allowed or
   * time is up.
   */
  void spend(long nodes);

  /**
   * At most {@code maxNodes} nodes, and none once {@code timeUp} says so.
   *
   * @param timeLimit how the time limit reads in a message, e.g. {@code 5 s}
   */
  static Budget of(long maxNodes, BooleanSupplier timeUp, String timeLimit) {
    return new Budget() {
      private long spent;

      @Override
      public void spend(long nodes) {
        spent += nodes;
        if (spent > maxNodes) {
          throw new OverBudget(
              "the build produces more than "
                  + ArtifactLimits.count(maxNodes)
                  + " YAML nodes, the judging budget");
        }
        if ((spent & 0x3FF) < nodes && timeUp.getAsBoolean()) {
          throw new OverBudget("judging took longer than " + timeLimit + ", the judging budget");
        }
      }
    };
  }

  /** No limit beyond the nodes: for tests and tools that bring their own timeout. */
  static Budget nodes(long maxNodes) {
    return of(maxNodes, () -> false, "no limit");
  }

  /** Thrown inside a prediction that spent its budget; the artifact is unreadable within bounds. */
  final class OverBudget extends RuntimeException {
    OverBudget(String message) {
      super(message, null, false, false);
    }
  }
}
