package io.scopeguard.demo;

import io.fabric8.kubernetes.api.model.Condition;
import io.scopeguard.api.ClusterScope;
import java.io.PrintWriter;
import java.util.List;

/** Prints what scopeguard recorded in status, the way a person reads {@code kubectl get}. */
public final class StatusReport {

  private StatusReport() {}

  /** One block per ClusterScope: cluster, Ready with reason, and the message. */
  public static void printScopes(PrintWriter out, List<ClusterScope> scopes) {
    out.printf(
        "  %-16s %-18s %-12s %-6s %s%n",
        "CLUSTERSCOPE", "CLUSTER", "ENVIRONMENT", "READY", "REASON");
    for (ClusterScope scope : scopes) {
      Condition ready = scope.readyCondition().orElse(null);
      out.printf(
          "  %-16s %-18s %-12s %-6s %s%n",
          scope.getMetadata().getName(),
          scope.getStatus() == null || scope.getStatus().getCluster() == null
              ? "-"
              : scope.getStatus().getCluster(),
          scope.getSpec().getEnvironment(),
          ready == null ? "?" : ready.getStatus(),
          ready == null ? "" : ready.getReason());
      if (ready != null) {
        out.printf("  %-16s   %s%n", "", ready.getMessage());
      }
    }
    out.flush();
  }
}
