package io.scopeguard.scope;

import io.scopeguard.api.ClusterScopeSpec;
import io.scopeguard.api.ClusterTarget;
import io.scopeguard.api.Enforcement;
import io.scopeguard.api.SourceRule;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides whether a guarded resource acts within its scope. Pure: facts in, verdict out; the checks
 * run in the order of {@link Reason} and the first failing one wins. A source is judged against its
 * own scope when it names one, then against the scope of every reconciler that delivers from it: a
 * location one of them does not allow is held, so it is never fetched.
 */
public final class ScopeJudge {

  private ScopeJudge() {}

  public static Verdict judge(GuardFacts facts) {
    String subject = facts.subject();
    if (facts.scopeName() == null) {
      if (facts.actsOnCluster()) {
        return Verdict.held(
            Reason.ScopeReferenceMissing,
            subject
                + " has no scopeguard.io/scope label; it acts on "
                + facts.target()
                + declaredBy(facts)
                + " and must name the ClusterScope it acts under",
            "target=" + facts.target().key());
      }
      return consumers(facts)
          .orElse(
              Verdict.allowed(
                  subject
                      + " carries no scope label; it is judged through the reconcilers that use it"));
    }
    ClusterScopeSpec scope = facts.scope();
    String named = "ClusterScope " + facts.scopeName() + origin(facts);
    if (scope == null) {
      return Verdict.held(
          Reason.ScopeNotFound,
          subject + " names " + named + ", which does not exist",
          "scope=" + facts.scopeName());
    }
    if (facts.actsOnCluster() && !declares(scope, facts.target())) {
      String binding = "target=" + facts.target().key() + ";scope=" + facts.scopeName();
      if (facts.scopesDeclaringTarget().isEmpty()) {
        return Verdict.held(
            Reason.TargetUndeclared,
            subject
                + " acts on "
                + facts.target()
                + ", which no ClusterScope declares; "
                + named
                + " declares "
                + describe(scope),
            binding);
      }
      return Verdict.held(
          Reason.TargetOutOfScope,
          subject
              + " acts on "
              + facts.target()
              + ", declared by ClusterScope "
              + String.join(", ", facts.scopesDeclaringTarget())
              + ", not by its own "
              + named
              + " ("
              + describe(scope)
              + ")",
          binding);
    }
    GuardFacts.SourceFacts source = facts.source();
    if (source != null && source.url() != null && !allowed(scope, source.url())) {
      return Verdict.held(
          Reason.SourceOutOfScope,
          subject
              + " delivers from "
              + source.description()
              + " at "
              + source.url()
              + ", which "
              + named
              + " does not allow (allowed: "
              + allowlist(scope)
              + ")",
          "source=" + source.url() + ";scope=" + facts.scopeName());
    }
    return consumers(facts).orElse(Verdict.allowed(subject + " acts within " + named));
  }

  /**
   * A source's location checked against the scope of every reconciler delivering from it; of those
   * that do not allow it, one that enforces is named first, so that an audited consumer never
   * stands in for an enforced one.
   */
  private static Optional<Verdict> consumers(GuardFacts facts) {
    GuardFacts.SourceFacts source = facts.source();
    if (facts.actsOnCluster()
        || source == null
        || source.url() == null
        || facts.consumers() == null) {
      return Optional.empty();
    }
    return facts.consumers().stream()
        .filter(c -> c.scope() != null && !allowed(c.scope(), source.url()))
        .min(
            Comparator.comparing(
                    (GuardFacts.Consumer c) -> c.scope().getEnforcement() != Enforcement.Enforce)
                .thenComparing(GuardFacts.Consumer::scopeName)
                .thenComparing(GuardFacts.Consumer::subject))
        .map(
            c ->
                Verdict.held(
                        Reason.SourceOutOfScope,
                        facts.subject()
                            + " fetches from "
                            + source.url()
                            + ", which ClusterScope "
                            + c.scopeName()
                            + " of its consumer "
                            + c.subject()
                            + " does not allow (allowed: "
                            + allowlist(c.scope())
                            + ")",
                        "source=" + source.url() + ";scope=" + c.scopeName())
                    .about(c.scopeName()));
  }

  /** Whether the scope's spec declares the given target. */
  public static boolean declares(ClusterScopeSpec scope, Target target) {
    ClusterTarget cluster = scope.getCluster();
    if (cluster == null
        || target instanceof Target.Unresolved
        || cluster.declaresLocal() == (cluster.getClusterRef() != null)) {
      return false;
    }
    if (cluster.declaresLocal()) {
      return target instanceof Target.Local;
    }
    return target instanceof Target.Cluster c
        && Objects.equals(c.namespace(), cluster.getClusterRef().getNamespace())
        && Objects.equals(c.name(), cluster.getClusterRef().getName());
  }

  /** Whether the scope allows a source at {@code url}; an empty allowlist allows any. */
  public static boolean allowed(ClusterScopeSpec scope, String url) {
    return scope.getSources().isEmpty()
        || scope.getSources().stream()
            .filter(rule -> rule.getUrl() != null)
            .anyMatch(rule -> SourceGlob.of(rule.getUrl()).matches(url));
  }

  private static String allowlist(ClusterScopeSpec scope) {
    return String.join(", ", scope.getSources().stream().map(SourceRule::getUrl).toList());
  }

  private static String origin(GuardFacts facts) {
    return facts.scopeOrigin() == null || facts.scopeOrigin().equals("its label")
        ? ""
        : " (from " + facts.scopeOrigin() + ")";
  }

  private static String describe(ClusterScopeSpec scope) {
    ClusterTarget cluster = scope.getCluster();
    if (cluster == null) {
      return "no cluster";
    }
    return cluster.declaresLocal() ? "the local cluster" : "Cluster " + cluster.getClusterRef();
  }

  private static String declaredBy(GuardFacts facts) {
    return facts.scopesDeclaringTarget().isEmpty()
        ? " (declared by no ClusterScope)"
        : " (declared by ClusterScope " + String.join(", ", facts.scopesDeclaringTarget()) + ")";
  }
}
