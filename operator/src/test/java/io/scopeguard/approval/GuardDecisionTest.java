package io.scopeguard.approval;

import static org.assertj.core.api.Assertions.assertThat;

import io.scopeguard.api.Enforcement;
import io.scopeguard.approval.GuardDecision.Decision;
import io.scopeguard.scope.Reason;
import io.scopeguard.scope.Verdict;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The approval policy as a table. Judged now: fingerprint F1 at generation 7. Columns: verdict,
 * enforcement, paused, held reason, held token, held fingerprint, approve annotation, approved
 * fingerprint (- = absent) → action, reason, token.
 */
class GuardDecisionTest {

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      revision over budget: held, token = revision | - | -  | -                       | -         | SUSPEND     | main@sha1:bbb
      approved revision passes                     | - | -  | -                       | F1@bbb    | NONE        | -
      an older approved revision does not          | - | -  | -                       | F1@aaa    | SUSPEND     | main@sha1:bbb
      held, right revision resumes                 | main@sha1:bbb | F1@bbb | main@sha1:bbb | - | RESUME | main@sha1:bbb
      held, a generation is not the token          | main@sha1:bbb | F1@bbb | 7       | -         | KEEP        | main@sha1:bbb
      held, a newer revision re-tokens the hold    | main@sha1:aaa | F1@aaa | main@sha1:aaa | - | UPDATE_HOLD | main@sha1:bbb
      """)
  void revisionsAreApprovedOneByOne(
      String name,
      String heldToken,
      String heldSpec,
      String approve,
      String approvedRevision,
      GuardDecision.Action action,
      String token) {
    HoldState state =
        new HoldState(
            opt(heldToken) != null,
            opt(heldToken) == null ? null : "MassDeletion",
            null,
            opt(heldToken),
            opt(heldSpec),
            opt(approve),
            null,
            opt(approvedRevision));

    Decision decision =
        GuardDecision.decide(
            Verdict.held(Reason.MassDeletion, "409 of 412", "revision=main@sha1:bbb"),
            state,
            Enforcement.Enforce,
            "F1@bbb",
            "main@sha1:bbb");

    assertThat(decision.action()).as(name).isEqualTo(action);
    assertThat(decision.token()).as(name).isEqualTo(opt(token));
  }

  private static String opt(String value) {
    return value.equals("-") ? null : value;
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      allowed, untouched                         | Allowed          | Enforce | false | -                | - | -  | - | -  | NONE        | -                | -
      violation suspends with generation token   | TargetUndeclared | Enforce | false | -                | - | -  | - | -  | SUSPEND     | TargetUndeclared | 7
      violation in Audit is only recorded        | TargetUndeclared | Audit   | false | -                | - | -  | - | -  | RECORD      | TargetUndeclared | 7
      a person's pause is left alone             | TargetUndeclared | Enforce | true  | -                | - | -  | - | -  | NONE        | TargetUndeclared | -
      approved verdict is not judged again, however worded | TargetUndeclared | Enforce | false | - | - | - | 5 | = | NONE | TargetUndeclared | -
      approved spec changed: judged again        | TargetUndeclared | Enforce | false | -                | - | -  | 5 | F0 | SUSPEND     | TargetUndeclared | 7
      approval of another reason counts nothing  | ScopeNotFound    | Enforce | false | -                | - | -  | - | =TargetUndeclared | SUSPEND | ScopeNotFound | 7
      held, reason changed: re-tokened           | ScopeNotFound    | Enforce | true  | TargetUndeclared | 6 | F1 | - | -  | UPDATE_HOLD | ScopeNotFound    | 7
      held, old token cannot approve new reason  | ScopeNotFound    | Enforce | true  | TargetUndeclared | 6 | F1 | 6 | -  | UPDATE_HOLD | ScopeNotFound    | 7
      held, nothing changed                      | TargetUndeclared | Enforce | true  | TargetUndeclared | 6 | F1 | - | -  | KEEP        | TargetUndeclared | 6
      held, right token resumes                  | TargetUndeclared | Enforce | true  | TargetUndeclared | 6 | F1 | 6 | -  | RESUME      | TargetUndeclared | 6
      held, wrong token keeps it held            | TargetUndeclared | Enforce | true  | TargetUndeclared | 6 | F1 | 5 | -  | KEEP        | TargetUndeclared | 6
      held, reason gone: still held              | Allowed          | Enforce | true  | TargetUndeclared | 6 | F1 | - | -  | KEEP        | TargetUndeclared | 6
      held, reason gone, approved: resumes       | Allowed          | Enforce | true  | TargetUndeclared | 6 | F1 | 6 | -  | RESUME      | TargetUndeclared | 6
      held, flipped back: suspended again        | TargetUndeclared | Enforce | false | TargetUndeclared | 6 | F1 | - | -  | RESUSPEND   | TargetUndeclared | 6
      held, flipped back after fix: again held   | Allowed          | Enforce | false | TargetUndeclared | 6 | F1 | - | -  | RESUSPEND   | TargetUndeclared | 6
      held, spec changed: new reason and token   | SourceOutOfScope | Enforce | true  | TargetUndeclared | 6 | F0 | - | -  | UPDATE_HOLD | SourceOutOfScope | 7
      held, spec changed, old token is stale     | SourceOutOfScope | Enforce | true  | TargetUndeclared | 6 | F0 | 6 | -  | UPDATE_HOLD | SourceOutOfScope | 7
      held, spec fixed: held under new token     | Allowed          | Enforce | true  | TargetUndeclared | 6 | F0 | - | -  | UPDATE_HOLD | TargetUndeclared | 7
      held, scope switched to Audit: still held  | TargetUndeclared | Audit   | true  | TargetUndeclared | 6 | F1 | - | -  | KEEP        | TargetUndeclared | 6
      a scope approval does not approve a revision| MassDeletion     | Enforce | false | -                | - | -  | 5 | F1 | SUSPEND     | MassDeletion     | 7
      """)
  void decides(
      String name,
      String verdict,
      Enforcement enforcement,
      boolean paused,
      String heldReason,
      String heldToken,
      String heldSpec,
      String approve,
      String approvedSpec,
      GuardDecision.Action action,
      String reason,
      String token) {
    Verdict judged =
        verdict.equals("Allowed")
            ? Verdict.allowed("ok")
            : Verdict.held(Reason.valueOf(verdict), "why", "target=fleet/prod");
    String approved =
        approvedSpec.startsWith("=")
            ? GuardDecision.approvalKey(
                Verdict.held(
                    Reason.valueOf(approvedSpec.length() > 1 ? approvedSpec.substring(1) : verdict),
                    "worded otherwise in the release that approved it",
                    "target=fleet/prod"),
                "F1")
            : opt(approvedSpec);
    HoldState state =
        new HoldState(
            paused,
            opt(heldReason),
            opt(heldReason) == null ? null : "2026-11-21T10:00:00Z",
            opt(heldToken),
            opt(heldSpec),
            opt(approve),
            approved,
            null);

    Decision decision = GuardDecision.decide(judged, state, enforcement, "F1", "7");

    assertThat(decision.action()).as(name).isEqualTo(action);
    assertThat(decision.reason()).as(name).isEqualTo(opt(reason));
    assertThat(decision.token()).as(name).isEqualTo(opt(token));
  }
}
