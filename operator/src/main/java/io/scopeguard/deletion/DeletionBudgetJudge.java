package io.scopeguard.deletion;

import io.scopeguard.api.DeletionBudget;
import io.scopeguard.scope.Reason;
import io.scopeguard.scope.Verdict;
import java.util.List;

/**
 * Decides whether a revision's predicted deletions fit a ClusterScope's deletion budget. Pure.
 *
 * <p>The deletions (cascade included) are measured against the reconciler's own inventory and
 * against the cluster's whole GitOps inventory ("most of the cluster"); either percentage over
 * {@code maxPercent} trips, as does a count over {@code maxObjects} when that is set. An inventory
 * smaller than {@code minInventory} is judged by {@code maxObjects} only, so small apps can be
 * emptied freely unless an absolute limit says otherwise.
 */
public final class DeletionBudgetJudge {

  /** How many of the objects that would go are named in the message. */
  public static final int NAMED = 5;

  private DeletionBudgetJudge() {}

  /**
   * @param subject e.g. {@code Kustomization flux-system/flux-system}
   * @param revision the revision judged
   * @param direct how many objects of its own inventory the revision would prune
   * @param deletions every object it would delete, cascade included, in discovery order
   * @param ownInventory objects in the reconciler's own inventory
   * @param clusterInventory objects in every GitOps inventory of the cluster
   */
  public static Verdict judge(
      String subject,
      String revision,
      int direct,
      List<String> deletions,
      int ownInventory,
      int clusterInventory,
      DeletionBudget budget) {
    int total = deletions.size();
    String counts =
        "revision "
            + revision
            + " would delete "
            + total
            + " object"
            + (total == 1 ? "" : "s")
            + (total > direct ? " (cascade included)" : "")
            + ": "
            + direct
            + " of the "
            + ownInventory
            + " in its own inventory"
            + (ownInventory > 0 ? " (" + percent(direct, ownInventory) + "%)" : "")
            + ", "
            + total
            + " of the cluster's "
            + clusterInventory
            + " GitOps-managed objects"
            + (clusterInventory > 0 ? " (" + percent(total, clusterInventory) + "%)" : "");
    if (total == 0) {
      return Verdict.allowed(subject + " " + counts);
    }
    String limit = null;
    if (budget.getMaxObjects() > 0 && total > budget.getMaxObjects()) {
      limit = "more than maxObjects " + budget.getMaxObjects();
    } else if (ownInventory >= budget.getMinInventory()
        && over(direct, ownInventory, budget.getMaxPercent())) {
      limit = "over maxPercent " + budget.getMaxPercent() + "% of its own inventory";
    } else if (clusterInventory >= budget.getMinInventory()
        && over(total, clusterInventory, budget.getMaxPercent())) {
      limit = "over maxPercent " + budget.getMaxPercent() + "% of the cluster's GitOps inventory";
    }
    if (limit == null) {
      return Verdict.allowed(
          subject + " " + counts + ", within budget " + budget.getMaxPercent() + "%");
    }
    String named =
        String.join(", ", deletions.subList(0, Math.min(NAMED, total)))
            + (total > NAMED ? ", …" : "");
    return Verdict.held(
        Reason.MassDeletion,
        subject + " " + counts + ": " + limit + "; would delete " + named,
        "revision=" + revision);
  }

  private static boolean over(int deleting, int inventory, int maxPercent) {
    return (long) deleting * 100 > (long) maxPercent * inventory;
  }

  private static long percent(int part, int whole) {
    return Math.round(part * 100.0 / whole);
  }
}
