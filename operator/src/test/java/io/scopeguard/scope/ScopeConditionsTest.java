package io.scopeguard.scope;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScopeConditionsTest {

  private static final Instant EARLIER = Instant.parse("2026-11-21T10:00:00Z");
  private static final Instant NOW = Instant.parse("2026-11-21T11:30:00Z");
  private final ScopeConditions conditions = new ScopeConditions(Clock.fixed(NOW, ZoneOffset.UTC));

  private static Condition ready(String status, String reason) {
    return new ConditionBuilder()
        .withType("Ready")
        .withStatus(status)
        .withReason(reason)
        .withMessage("old")
        .withObservedGeneration(1L)
        .withLastTransitionTime(EARLIER.toString())
        .build();
  }

  @Test
  void keepsTransitionTimeWhileStatusIsUnchanged() {
    List<Condition> next =
        conditions.with(
            List.of(ready("False", "ClusterNotFound")),
            "Ready",
            false,
            "ClusterApiMissing",
            "new message",
            2L);

    assertThat(next)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getLastTransitionTime()).isEqualTo(EARLIER.toString());
              assertThat(c.getReason()).isEqualTo("ClusterApiMissing");
              assertThat(c.getMessage()).isEqualTo("new message");
              assertThat(c.getObservedGeneration()).isEqualTo(2L);
            });
  }

  @Test
  void movesTransitionTimeWhenStatusFlips() {
    List<Condition> next =
        conditions.with(
            List.of(ready("False", "ClusterNotFound")), "Ready", true, "Valid", "ok", 2L);

    assertThat(next)
        .singleElement()
        .extracting(Condition::getLastTransitionTime)
        .isEqualTo(NOW.toString());
  }

  @Test
  void leavesOtherConditionsAlone() {
    Condition other = new ConditionBuilder().withType("Degraded").withStatus("False").build();

    List<Condition> next = conditions.with(List.of(other), "Ready", true, "Valid", "ok", 1L);

    assertThat(next).extracting(Condition::getType).containsExactly("Degraded", "Ready");
    assertThat(next.get(1).getLastTransitionTime()).isEqualTo(NOW.toString());
  }
}
