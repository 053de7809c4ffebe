package io.scopeguard.scope;

import io.scopeguard.api.ClusterScopeSpec;
import io.scopeguard.api.ClusterTarget;
import io.scopeguard.api.DeletionBudget;
import io.scopeguard.api.SourceRule;

/**
 * Decides whether a ClusterScope spec is usable. Pure: spec and cluster facts in, verdict out.
 *
 * <p>The CRD schema already refuses most bad specs; the spec rules are checked again here because
 * an API server without CEL (or an embedded test API) stores what the schema would refuse, and a
 * guard must not act on a scope it cannot read.
 */
public final class ClusterScopeValidator {

  private ClusterScopeValidator() {}

  public static ScopeValidation validate(ClusterScopeSpec spec, ClusterFacts facts) {
    if (spec == null || spec.getCluster() == null) {
      return ScopeValidation.invalid(ScopeValidation.INVALID_SPEC, "spec.cluster is required");
    }
    ClusterTarget cluster = spec.getCluster();
    if (cluster.declaresLocal() == (cluster.getClusterRef() != null)) {
      return ScopeValidation.invalid(
          ScopeValidation.INVALID_SPEC, "spec.cluster: " + ClusterTarget.EXACTLY_ONE_MESSAGE);
    }
    String budgetProblem = budgetProblem(spec.getDeletion());
    if (budgetProblem != null) {
      return ScopeValidation.invalid(ScopeValidation.INVALID_SPEC, budgetProblem);
    }
    for (int i = 0; i < spec.getSources().size(); i++) {
      SourceRule rule = spec.getSources().get(i);
      if (rule == null || rule.getUrl() == null || rule.getUrl().isBlank()) {
        return ScopeValidation.invalid(
            ScopeValidation.INVALID_SPEC, "spec.sources[" + i + "].url must not be empty");
      }
    }
    if (cluster.getClusterRef() != null) {
      String ref = cluster.getClusterRef().toString();
      if (!facts.clusterApiInstalled()) {
        return ScopeValidation.invalid(
            ScopeValidation.CLUSTER_API_MISSING,
            "spec.cluster.clusterRef names Cluster "
                + ref
                + ", but Cluster API is not installed on this cluster (no clusters.cluster.x-k8s.io)");
      }
      if (!facts.referencedClusterExists()) {
        return ScopeValidation.invalid(
            ScopeValidation.CLUSTER_NOT_FOUND,
            "Cluster API Cluster "
                + ref
                + " does not exist; create it or fix spec.cluster.clusterRef");
      }
    }
    return ScopeValidation.valid(summary(spec));
  }

  private static String budgetProblem(DeletionBudget budget) {
    if (budget.getMaxPercent() < 1 || budget.getMaxPercent() > 100) {
      return "spec.deletion.maxPercent must be between 1 and 100, not " + budget.getMaxPercent();
    }
    if (budget.getMaxObjects() < 0) {
      return "spec.deletion.maxObjects must not be negative, not " + budget.getMaxObjects();
    }
    if (budget.getMinInventory() < 0) {
      return "spec.deletion.minInventory must not be negative, not " + budget.getMinInventory();
    }
    return null;
  }

  private static String summary(ClusterScopeSpec spec) {
    ClusterTarget cluster = spec.getCluster();
    String target =
        cluster.declaresLocal() ? "the local cluster" : "Cluster " + cluster.getClusterRef();
    String sources =
        spec.getSources().isEmpty()
            ? "any source"
            : spec.getSources().size() + " allowed source(s)";
    DeletionBudget budget = spec.getDeletion();
    String deletion =
        "deletion budget "
            + budget.getMaxPercent()
            + "%"
            + (budget.getMaxObjects() > 0 ? " or " + budget.getMaxObjects() + " objects" : "");
    return "declares " + target + "; " + sources + "; " + deletion + "; " + spec.getEnforcement();
  }

  /** The display form of the declared cluster: {@code local} or {@code namespace/name}. */
  public static String clusterDisplay(ClusterScopeSpec spec) {
    if (spec == null || spec.getCluster() == null) {
      return null;
    }
    ClusterTarget cluster = spec.getCluster();
    if (cluster.declaresLocal() == (cluster.getClusterRef() != null)) {
      return null;
    }
    return cluster.declaresLocal() ? "local" : cluster.getClusterRef().toString();
  }
}
