package io.scopeguard.guard;

import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.Enforcement;
import io.scopeguard.scope.GuardFacts;
import io.scopeguard.scope.Verdict;
import java.util.Optional;

/**
 * A verdict with what it was reached on.
 *
 * @param facts the facts judged
 * @param verdict the judge's verdict
 * @param home the ClusterScope whose status lists the resource: its own, else the one declaring
 *     its target; empty when there is none
 * @param enforcement the home scope's enforcement; Enforce when there is no home (fail closed)
 */
public record Judgement(GuardFacts facts, Verdict verdict, Optional<ClusterScope> home, Enforcement enforcement) {

  public String homeName() {
    return home.map(scope -> scope.getMetadata().getName()).orElse("");
  }

  public String environment() {
    return home.map(scope -> scope.getSpec().getEnvironment()).filter(e -> e != null).orElse("");
  }
}
