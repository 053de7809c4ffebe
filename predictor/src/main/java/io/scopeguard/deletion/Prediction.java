package io.scopeguard.deletion;

import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What scopeguard expects Flux to apply for one revision of a Kustomization.
 *
 * <ul>
 *   <li>{@link Outcome#KNOWN}: Flux builds exactly {@link #ids()}. An empty set is a real answer:
 *       an empty path or source builds to nothing, and Flux then prunes the whole inventory.
 *   <li>{@link Outcome#BUILD_FAILS}: Flux's build (or its path check) fails, so it applies nothing
 *       and prunes nothing; {@link #reason()} says why.
 *   <li>{@link Outcome#UNKNOWN}: the build depends on something scopeguard cannot predict; {@link
 *       #reason()} names the construct and where it is.
 *   <li>{@link Outcome#UNREADABLE}: the artifact cannot be read within bounds (its YAML expands
 *       past the judging budget, or judging takes too long); {@link #reason()} says which bound.
 *       Unlike an unknown but valid build, this is refused, never let through by policy.
 * </ul>
 *
 * @param outcome which of the three
 * @param ids the object identities, sorted; empty unless {@code KNOWN}
 * @param reason why the build fails or cannot be predicted; null when {@code KNOWN}
 */
public record Prediction(Outcome outcome, Set<ObjectId> ids, String reason) {

  /** The three kinds of answer. */
  public enum Outcome {
    KNOWN,
    BUILD_FAILS,
    UNKNOWN,
    UNREADABLE
  }

  public Prediction {
    Objects.requireNonNull(outcome, "outcome");
    ids = Collections.unmodifiableSortedSet(new TreeSet<>(ids == null ? Set.of() : ids));
    boolean consistent =
        outcome == Outcome.KNOWN ? reason == null : reason != null && ids.isEmpty();
    if (!consistent) {
      throw new IllegalArgumentException(
          outcome + " prediction with reason " + reason + " and " + ids.size() + " ids");
    }
  }

  public static Prediction known(Set<ObjectId> ids) {
    return new Prediction(Outcome.KNOWN, ids, null);
  }

  public static Prediction buildFails(String reason) {
    return new Prediction(Outcome.BUILD_FAILS, Set.of(), reason);
  }

  public static Prediction unknown(String reason) {
    return new Prediction(Outcome.UNKNOWN, Set.of(), reason);
  }

  public static Prediction unreadable(String reason) {
    return new Prediction(Outcome.UNREADABLE, Set.of(), reason);
  }

  public boolean isKnown() {
    return outcome == Outcome.KNOWN;
  }

  @Override
  public String toString() {
    return switch (outcome) {
      case KNOWN -> "KNOWN " + ids.size() + " objects";
      case BUILD_FAILS -> "BUILD_FAILS: " + reason;
      case UNKNOWN -> "UNKNOWN: " + reason;
      case UNREADABLE -> "UNREADABLE: " + reason;
    };
  }
}
