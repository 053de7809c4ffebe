package io.scopeguard.deletion;

import static org.assertj.core.api.Assertions.assertThat;

import io.scopeguard.api.DeletionBudget;
import io.scopeguard.scope.Verdict;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeletionBudgetJudgeTest {

  static List<String> objects(int n) {
    return IntStream.range(0, n).mapToObj(i -> "Deployment apps/app-" + i).toList();
  }

  static DeletionBudget budget(int percent, int maxObjects, int minInventory) {
    DeletionBudget budget = new DeletionBudget();
    budget.setMaxPercent(percent);
    budget.setMaxObjects(maxObjects);
    budget.setMinInventory(minInventory);
    return budget;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      nothing deleted                          | 0   | 0   | 412 | 1200 | 50 | 0  | 10 | Allowed
      the incident: 409 of 412                 | 409 | 409 | 412 | 412  | 50 | 0  | 10 | MassDeletion
      exactly at the budget is allowed         | 206 | 206 | 412 | 5000 | 50 | 0  | 10 | Allowed
      one over the budget trips                | 207 | 207 | 412 | 5000 | 50 | 0  | 10 | MassDeletion
      a few removed                            | 3   | 3   | 412 | 1200 | 50 | 0  | 10 | Allowed
      small app emptied, no absolute limit     | 5   | 5   | 5   | 1200 | 50 | 0  | 10 | Allowed
      small app emptied, absolute limit 3      | 5   | 5   | 5   | 1200 | 50 | 3  | 10 | MassDeletion
      absolute limit counts the cascade        | 1   | 30  | 1000| 5000 | 50 | 25 | 10 | MassDeletion
      small root, most of the cluster by cascade | 8 | 398 | 8   | 398  | 50 | 0  | 10 | MassDeletion
      one child pruned, cluster share small    | 1   | 40  | 10  | 600  | 50 | 0  | 100| Allowed
      """)
  void tripsOnlyOverBudget(
      String name,
      int direct,
      int deleting,
      int own,
      int cluster,
      int percent,
      int maxObjects,
      int minInventory,
      String expected) {
    Verdict verdict =
        DeletionBudgetJudge.judge(
            "Kustomization flux-system/flux-system",
            "main@sha1:9f2c",
            direct,
            objects(deleting),
            own,
            cluster,
            budget(percent, maxObjects, minInventory));

    assertThat(verdict.isAllowed() ? "Allowed" : verdict.reason().name())
        .as(name)
        .isEqualTo(expected);
  }

  @Test
  void theMessageCarriesCountsPercentagesTheBudgetAndTheFirstObjects() {
    Verdict verdict =
        DeletionBudgetJudge.judge(
            "Kustomization flux-system/flux-system",
            "main@sha1:9f2c",
            12,
            objects(409),
            412,
            600,
            budget(50, 0, 10));

    assertThat(verdict.message())
        .isEqualTo(
            "Kustomization flux-system/flux-system revision main@sha1:9f2c would delete 409"
                + " objects (cascade included): 12 of the 412 in its own inventory (3%), 409 of the cluster's 600 GitOps-managed"
                + " objects (68%): over maxPercent 50% of the cluster's GitOps inventory; would delete Deployment apps/app-0,"
                + " Deployment apps/app-1, Deployment apps/app-2, Deployment apps/app-3, Deployment apps/app-4, …");
  }
}
