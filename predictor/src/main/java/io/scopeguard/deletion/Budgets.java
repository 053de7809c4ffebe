package io.scopeguard.deletion;

import java.util.function.Supplier;

/**
 * The {@link Budget} of the prediction running on this thread, so that the YAML reader deep inside
 * spends it.
 */
public final class Budgets {

  /**
   * What a prediction may spend when nobody said: about what a 10,000-object repository needs,
   * twice over.
   */
  public static final long DEFAULT_NODES = 2_000_000;

  private static final ThreadLocal<Budget> CURRENT = new ThreadLocal<>();

  private Budgets() {}

  static Budget current() {
    Budget budget = CURRENT.get();
    if (budget == null) {
      budget = Budget.nodes(DEFAULT_NODES);
      CURRENT.set(budget);
    }
    return budget;
  }

  /** Runs {@code work} spending {@code budget}. */
  static <T> T within(Budget budget, Supplier<T> work) {
    Budget previous = CURRENT.get();
    CURRENT.set(budget);
    try {
      return work.get();
    } finally {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    }
  }
}
