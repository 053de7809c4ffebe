package io.scopeguard.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The guard's meters: {@code scopeguard_suspended} (1 per held reconciliation), {@code
 * scopeguard_violations} (1 per current violation, Audit included), {@code
 * scopeguard_predicted_deletions} (per Kustomization whose revision was judged), {@code
 * scopeguard_verdicts_total} (each new verdict) and {@code scopeguard_detection_seconds} (from the
 * event that revealed a violation to the suspension landing) and {@code
 * scopeguard_reconcile_errors_total} (failed reconciliations, retried). One gauge per resource,
 * added and removed as its state changes, so a change costs the same whatever the fleet size.
 */
public final class GuardMetrics {

  /** Labels of one guarded resource's series. */
  public record Labels(
      String scope, String environment, String namespace, String kind, String name, String reason) {
    Tags tags() {
      return resourceTags().and("reason", reason);
    }

    Tags resourceTags() {
      return Tags.of(
          "scope",
          scope,
          "environment",
          environment,
          "namespace",
          namespace == null ? "" : namespace,
          "kind",
          kind,
          "name",
          name);
    }
  }

  private static final String RECONCILE_ERRORS = "scopeguard.reconcile.errors";

  private record Series(Tags tags, Gauge gauge) {}

  private record Count(Tags tags, AtomicInteger value, Gauge gauge) {}

  private final MeterRegistry registry;
  private final Timer detection;
  private final Map<String, Series> held = new ConcurrentHashMap<>();
  private final Map<String, Series> violating = new ConcurrentHashMap<>();
  private final Map<String, String> lastVerdict = new ConcurrentHashMap<>();
  private final Map<String, Count> predicted = new ConcurrentHashMap<>();

  public GuardMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.detection =
        Timer.builder("scopeguard.detection")
            .description("from the event that revealed a violation to the suspension landing")
            .publishPercentileHistogram()
            .publishPercentiles(0.5, 0.99)
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
  public void observe(String id, Labels heldAs, Labels violationAs, String enforcement) {
    set(
        held,
        id,
        "scopeguard.suspended",
        "1 while scopeguard holds the reconciliation",
        heldAs == null ? null : heldAs.tags());
    set(
        violating,
        id,
        "scopeguard.violations",
        "1 while the resource violates its scope (Enforce and Audit)",
        violationAs == null ? null : violationAs.tags().and("enforcement", enforcement));
  }

  private void set(
      Map<String, Series> series, String id, String name, String description, Tags tags) {
    series.compute(
        id,
        (key, current) -> {
          if (current != null && Objects.equals(current.tags(), tags)) {
            return current;
          }
          if (current != null) {
            registry.remove(current.gauge());
          }
          return tags == null
              ? null
              : new Series(
                  tags,
                  Gauge.builder(name, () -> 1)
                      .description(description)
                      .tags(tags)
                      .register(registry));
        });
  }

  /**
   * Exports {@code scopeguard_reconcile_errors_total} at 0 for each kind, so that Prometheus's
   * {@code increase()} sees the first failure (a counter that appears at 1 has no increase).
   */
  public void guarding(Collection<String> kinds) {
    kinds.forEach(kind -> registry.counter(RECONCILE_ERRORS, "kind", kind));
  }

  /** Counts a reconciliation of a guarded resource that failed (it is retried with backoff). */
  public void failed(String kind) {
    registry.counter(RECONCILE_ERRORS, "kind", kind).increment();
  }

  /**
   * Sets {@code scopeguard_predicted_deletions} for a Kustomization: how many objects its source's
   * current revision would delete, cascade included; null drops the series (nothing judged, or
   * unknown).
   */
  public void predicted(String id, Labels resource, Integer deletions) {
    predicted.compute(
        id,
        (key, current) -> {
          Tags tags = deletions == null ? null : resource.resourceTags();
          if (current != null && current.tags().equals(tags)) {
            current.value().set(deletions);
            return current;
          }
          if (current != null) {
            registry.remove(current.gauge());
          }
          if (tags == null) {
            return null;
          }
          AtomicInteger value = new AtomicInteger(deletions);
          return new Count(
              tags,
              value,
              Gauge.builder("scopeguard.predicted.deletions", value, AtomicInteger::get)
                  .description(
                      "objects the current revision of the Kustomization's source would delete, cascade included")
                  .tags(tags)
                  .register(registry));
        });
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
    predicted(id, null, null);
    observe(id, null, null, "");
  }
}
