package io.scopeguard.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The guard's meters: {@code scopeguard_suspended} (1 per held reconciliation),
 * {@code scopeguard_violations} (1 per current violation, Audit included),
 * {@code scopeguard_verdicts_total} (each new verdict) and {@code scopeguard_detection_seconds}
 * (from the event that revealed a violation to the suspension landing).
 */
public final class GuardMetrics {

  /** Labels of one guarded resource's series. */
  public record Labels(String scope, String environment, String namespace, String kind, String name, String reason) {
    Tags tags() {
      return Tags.of("scope", scope, "environment", environment, "namespace", namespace == null ? "" : namespace,
          "kind", kind, "name", name, "reason", reason);
    }
  }

  private final MeterRegistry registry;
  private final MultiGauge suspended;
  private final MultiGauge violations;
  private final Timer detection;
  private final Map<String, Labels> held = new ConcurrentHashMap<>();
  private final Map<String, Tags> violating = new ConcurrentHashMap<>();
  private final Map<String, String> lastVerdict = new ConcurrentHashMap<>();

  public GuardMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.suspended = MultiGauge.builder("scopeguard.suspended")
        .description("1 while scopeguard holds the reconciliation").register(registry);
    this.violations = MultiGauge.builder("scopeguard.violations")
        .description("1 while the resource violates its scope (Enforce and Audit)").register(registry);
    this.detection = Timer.builder("scopeguard.detection")
        .description("from the event that revealed a violation to the suspension landing")
        .publishPercentileHistogram()
        .register(registry);
  }

  /**
   * Records the current state of one resource.
   *
   * @param id stable identity of the resource
   * @param heldAs labels while scopeguard holds it, or null
   * @param violationAs labels while it violates its scope, or null
   * @param enforcement Enforce or Audit, for the violations series
   */
  public synchronized void observe(String id, Labels heldAs, Labels violationAs, String enforcement) {
    boolean changed = !Objects.equals(held.get(id), heldAs);
    Tags violationTags = violationAs == null ? null : violationAs.tags().and("enforcement", enforcement);
    changed |= !Objects.equals(violating.get(id), violationTags);
    if (heldAs == null) {
      held.remove(id);
    } else {
      held.put(id, heldAs);
    }
    if (violationTags == null) {
      violating.remove(id);
    } else {
      violating.put(id, violationTags);
    }
    if (changed) {
      suspended.register(held.values().stream().map(l -> MultiGauge.Row.of(l.tags(), 1)).toList(), true);
      violations.register(violating.values().stream().map(t -> MultiGauge.Row.of(t, 1)).toList(), true);
    }
  }

  /** Counts a verdict when it differs from the resource's previous one. */
  public void verdict(String id, String scope, String reason) {
    if (!reason.equals(lastVerdict.put(id, reason))) {
      registry.counter("scopeguard.verdicts", "scope", scope, "reason", reason).increment();
    }
  }

  public void detected(Duration elapsed) {
    detection.record(elapsed);
  }

  /** The resource is gone: drop its series. */
  public void forget(String id) {
    lastVerdict.remove(id);
    observe(id, null, null, "");
  }

  /** Current held rows (for tests and the demo). */
  public List<Labels> heldRows() {
    return List.copyOf(held.values());
  }
}
