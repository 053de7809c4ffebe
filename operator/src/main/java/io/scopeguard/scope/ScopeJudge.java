package io.scopeguard.scope;

import io.scopeguard.api.ClusterScopeSpec;
import io.scopeguard.api.ClusterTarget;
import io.scopeguard.api.SourceRule;

/**
 * Decides whether a guarded resource acts within its scope. Pure: facts in, verdict out; the
 * checks run in the order of {@link Reason} and the first failing one wins.
 */
public final class ScopeJudge {

  private ScopeJudge() {}

  public static Verdict judge(GuardFacts facts) {
    String subject = facts.subject();
    if (facts.scopeName() == null) {
      if (facts.actsOnCluster()) {
        return Verdict.held(Reason.ScopeReferenceMissing, subject + " has no scopeguard.io/scope label; it acts on "
            + facts.target() + declaredBy(facts) + " and must name the ClusterScope it acts under");
      }
      return Verdict.allowed(subject + " carries no scope label; it is judged through the reconcilers that use it");
    }
    ClusterScopeSpec scope = facts.scope();
    if (scope == null) {
      return Verdict.held(Reason.ScopeNotFound,
          subject + " names ClusterScope " + facts.scopeName() + ", which does not exist");
    }
    if (facts.actsOnCluster() && !declares(scope, facts.target())) {
      if (facts.scopesDeclaringTarget().isEmpty()) {
        return Verdict.held(Reason.TargetUndeclared, subject + " acts on " + facts.target()
            + ", which no ClusterScope declares; ClusterScope " + facts.scopeName() + " declares " + describe(scope));
      }
      return Verdict.held(Reason.TargetOutOfScope, subject + " acts on " + facts.target() + ", declared by ClusterScope "
          + String.join(", ", facts.scopesDeclaringTarget()) + ", not by its own ClusterScope " + facts.scopeName()
          + " (" + describe(scope) + ")");
    }
    GuardFacts.SourceFacts source = facts.source();
    if (source != null && source.url() != null && !scope.getSources().isEmpty() && !allowed(scope, source.url())) {
      return Verdict.held(Reason.SourceOutOfScope, subject + " delivers from " + source.description() + " at "
          + source.url() + ", which ClusterScope " + facts.scopeName() + " does not allow (allowed: "
          + String.join(", ", scope.getSources().stream().map(SourceRule::getUrl).toList()) + ")");
    }
    return Verdict.allowed(subject + " acts within ClusterScope " + facts.scopeName());
  }

  /** Whether the scope's spec declares the given target. */
  public static boolean declares(ClusterScopeSpec scope, Target target) {
    ClusterTarget cluster = scope.getCluster();
    if (cluster == null || target instanceof Target.Unresolved || cluster.declaresLocal() == (cluster.getClusterRef() != null)) {
      return false;
    }
    if (cluster.declaresLocal()) {
      return target instanceof Target.Local;
    }
    return target instanceof Target.Cluster c
        && java.util.Objects.equals(c.namespace(), cluster.getClusterRef().getNamespace())
        && java.util.Objects.equals(c.name(), cluster.getClusterRef().getName());
  }

  private static boolean allowed(ClusterScopeSpec scope, String url) {
    return scope.getSources().stream()
        .filter(rule -> rule.getUrl() != null)
        .anyMatch(rule -> SourceGlob.of(rule.getUrl()).matches(url));
  }

  private static String describe(ClusterScopeSpec scope) {
    ClusterTarget cluster = scope.getCluster();
    if (cluster == null) {
      return "no cluster";
    }
    return cluster.declaresLocal() ? "the local cluster" : "Cluster " + cluster.getClusterRef();
  }

  private static String declaredBy(GuardFacts facts) {
    return facts.scopesDeclaringTarget().isEmpty() ? " (declared by no ClusterScope)"
        : " (declared by ClusterScope " + String.join(", ", facts.scopesDeclaringTarget()) + ")";
  }
}
