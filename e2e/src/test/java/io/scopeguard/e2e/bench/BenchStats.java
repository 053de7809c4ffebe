package io.scopeguard.e2e.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The arithmetic the benchmarks share: percentiles, milliseconds, the heap after a full GC. */
final class BenchStats {

  private BenchStats() {}

  /** The {@code quantile} of {@code values} (nearest rank). */
  static double p(List<Double> values, double quantile) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(
        Math.min(sorted.size() - 1, Math.max(0, (int) Math.ceil(quantile * sorted.size()) - 1)));
  }

  static double ms(long nanos) {
    return nanos / 1e6;
  }

  /** Heap in use after full collections, in bytes: what the process retains. */
  static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
