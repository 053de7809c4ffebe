package io.scopeguard.guard;

import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.Enforcement;
import io.scopeguard.deletion.DeletionReport;
import io.scopeguard.scope.GuardFacts;
import io.scopeguard.scope.Verdict;
import java.util.Optional;

/**
 * A verdict with what it was reached on.
 *
 * @param facts the facts judged
 * @param verdict the verdict: the scope judge's, or the revision judge's when the scope allows
 * @param home the ClusterScope whose status lists the resource: its own, else the one declaring its
 *     target; empty when there is none
 * @param enforcement the home scope's enforcement; Enforce when there is no home (fail closed)
 * @param revision the source revision judged for deletions, or null when none was
 * @param warning what could not be predicted or read, when the revision is not held for it (said in
 *     a Warning Event and a status row); else null
 * @param predictedDeletions how many objects the source's current revision would delete (cascade
 *     included), allowed or not; null when no revision was judged or its deletions are unknown
 * @param report what the held revision would delete, listed, and the source change behind it; null
 *     unless the verdict holds a revision for what it would delete
 */
public record Judgement(
    GuardFacts facts,
    Verdict verdict,
    Optional<ClusterScope> home,
    Enforcement enforcement,
    String revision,
    String warning,
    Integer predictedDeletions,
    DeletionReport report) {

  public String homeName() {
    return home.map(scope -> scope.getMetadata().getName()).orElse("");
  }

  public String environment() {
    return home.map(scope -> scope.getSpec().getEnvironment()).filter(e -> e != null).orElse("");
  }

  /** This judgement with another verdict and the revision facts that led to it. */
  Judgement with(
      Verdict verdict,
      String revision,
      String warning,
      Integer predictedDeletions,
      DeletionReport report) {
    return new Judgement(
        facts, verdict, home, enforcement, revision, warning, predictedDeletions, report);
  }

  /** Whether the verdict is about a revision (its token is the revision, not a generation). */
  public boolean aboutRevision() {
    return revision != null && !verdict.isAllowed();
  }
}
