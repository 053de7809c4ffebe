package io.scopeguard.scope;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds standard conditions in one place. Time comes from an injected clock, and {@code
 * lastTransitionTime} moves only when a condition's status changes.
 */
public final class ScopeConditions {

  private final Clock clock;

  public ScopeConditions(Clock clock) {
    this.clock = clock;
  }

  /** {@code previous} with the condition {@code type} set to the given state. */
  public List<Condition> with(
      List<Condition> previous,
      String type,
      boolean status,
      String reason,
      String message,
      Long generation) {
    String statusText = status ? "True" : "False";
    Condition old =
        previous == null
            ? null
            : previous.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    String transition =
        old != null && statusText.equals(old.getStatus()) && old.getLastTransitionTime() != null
            ? old.getLastTransitionTime()
            : Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    Condition condition =
        new ConditionBuilder()
            .withType(type)
            .withStatus(statusText)
            .withReason(reason)
            .withMessage(message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(transition)
            .build();
    List<Condition> next = new ArrayList<>();
    if (previous != null) {
      previous.stream().filter(c -> !type.equals(c.getType())).forEach(next::add);
    }
    next.add(condition);
    return next;
  }
}
