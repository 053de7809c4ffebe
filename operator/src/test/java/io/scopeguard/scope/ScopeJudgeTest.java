package io.scopeguard.scope;

import static org.assertj.core.api.Assertions.assertThat;

import io.scopeguard.api.ClusterRef;
import io.scopeguard.api.ClusterScopeSpec;
import io.scopeguard.api.ClusterTarget;
import io.scopeguard.api.SourceRule;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every reason, its precedence, and the edges of source matching. Columns: label (- = none),
 * whether that scope exists, what it declares, the resource's target, scopes declaring the target,
 * the source URL (- = none), the scope's allowlist (; separated, - = empty).
 */
class ScopeJudgeTest {

  private static ClusterScopeSpec scope(String declares, String allowlist) {
    ClusterScopeSpec spec = new ClusterScopeSpec();
    spec.setCluster(
        declares.equals("local")
            ? ClusterTarget.local()
            : ClusterTarget.clusterRef(declares.split("/")[0], declares.split("/")[1]));
    if (!allowlist.equals("-")) {
      spec.setSources(Arrays.stream(allowlist.split(";")).map(SourceRule::new).toList());
    }
    return spec;
  }

  private static Target target(String text) {
    if (text.equals("local")) {
      return Target.LOCAL;
    }
    if (text.equals("unresolved")) {
      return new Target.Unresolved("secret foo does not follow the convention");
    }
    return new Target.Cluster(text.split("/")[0], text.split("/")[1]);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      no label                              | -   | false | local       | fleet/prod | -           | -                                    | -                              | ScopeReferenceMissing
      no label, even with a bad source      | -   | false | local       | fleet/prod | -           | https://evil                         | -                              | ScopeReferenceMissing
      label names a missing scope           | dev | false | fleet/dev   | fleet/dev  | -           | -                                    | -                              | ScopeNotFound
      missing scope wins over target        | dev | false | fleet/dev   | fleet/prod | prod        | -                                    | -                              | ScopeNotFound
      target declared by another scope      | dev | true  | fleet/dev   | fleet/prod | prod        | -                                    | -                              | TargetOutOfScope
      target declared by nobody             | dev | true  | fleet/dev   | fleet/prod | -           | -                                    | -                              | TargetUndeclared
      local scope, remote target            | mgmt| true  | local       | fleet/dev  | -           | -                                    | -                              | TargetUndeclared
      remote scope, local target            | dev | true  | fleet/dev   | local      | mgmt        | -                                    | -                              | TargetOutOfScope
      unresolved target                     | dev | true  | fleet/dev   | unresolved | -           | -                                    | -                              | TargetUndeclared
      target wins over source               | dev | true  | fleet/dev   | fleet/prod | -           | https://evil                         | https://good                   | TargetUndeclared
      source not allowed                    | dev | true  | fleet/dev   | fleet/dev  | dev         | ssh://git@github.com/acme/other      | ssh://git@github.com/acme/dev  | SourceOutOfScope
      source allowed exactly                | dev | true  | fleet/dev   | fleet/dev  | dev         | ssh://git@github.com/acme/dev        | ssh://git@github.com/acme/dev  | Allowed
      .git and trailing slash ignored       | dev | true  | fleet/dev   | fleet/dev  | dev         | ssh://git@github.com/acme/dev.git/   | ssh://git@github.com/acme/dev  | Allowed
      scheme case ignored                   | dev | true  | fleet/dev   | fleet/dev  | dev         | SSH://git@github.com/acme/dev        | ssh://git@github.com/acme/dev  | Allowed
      empty allowlist allows any            | dev | true  | fleet/dev   | fleet/dev  | dev         | https://anything                     | -                              | Allowed
      OCI glob one segment                  | dev | true  | fleet/dev   | fleet/dev  | dev         | oci://ghcr.io/acme/manifests/app     | oci://ghcr.io/acme/manifests/* | Allowed
      OCI glob does not cross segments      | dev | true  | fleet/dev   | fleet/dev  | dev         | oci://ghcr.io/acme/manifests/a/b     | oci://ghcr.io/acme/manifests/* | SourceOutOfScope
      double star crosses segments          | dev | true  | fleet/dev   | fleet/dev  | dev         | oci://ghcr.io/acme/manifests/a/b     | oci://ghcr.io/acme/**          | Allowed
      glob is anchored                      | dev | true  | fleet/dev   | fleet/dev  | dev         | oci://ghcr.io/acme/manifests/a.evil  | oci://ghcr.io/acme/manifests/a | SourceOutOfScope
      prefix is not a match                 | dev | true  | fleet/dev   | fleet/dev  | dev         | ssh://git@github.com/acme/dev-evil   | ssh://git@github.com/acme/dev  | SourceOutOfScope
      regex characters are literal          | dev | true  | fleet/dev   | fleet/dev  | dev         | https://gitXhub.com/acme             | https://git.hub.com/acme       | SourceOutOfScope
      question mark is one character        | dev | true  | fleet/dev   | fleet/dev  | dev         | https://a.example/repo-1             | https://a.example/repo-?       | Allowed
      one of several rules                  | dev | true  | fleet/dev   | fleet/dev  | dev         | https://b.example/x                  | https://a.example/x;https://b.example/* | Allowed
      Bucket address matched                | dev | true  | fleet/dev   | fleet/dev  | dev         | https://minio.example:9000/prod/apps | https://minio.example:9000/prod/** | Allowed
      Bucket in another bucket              | dev | true  | fleet/dev   | fleet/dev  | dev         | https://minio.example:9000/test/apps | https://minio.example:9000/prod/** | SourceOutOfScope
      source without URL yet is not judged  | dev | true  | fleet/dev   | fleet/dev  | dev         | (none)                               | https://good                   | Allowed
      dot-dot cannot climb out of a glob    | dev | true  | fleet/dev   | fleet/dev  | dev         | https://github.com/acme/../evil/repo | https://github.com/acme/**     | SourceOutOfScope
      encoded dot-dot neither               | dev | true  | fleet/dev   | fleet/dev  | dev         | https://github.com/acme/%2e%2e/evil  | https://github.com/acme/**     | SourceOutOfScope
      single-star cannot match dot-dot      | dev | true  | fleet/dev   | fleet/dev  | dev         | https://github.com/acme/../evil      | https://github.com/acme/*/evil | SourceOutOfScope
      """)
  void reconcilerVerdicts(
      String name,
      String label,
      boolean scopeExists,
      String declares,
      String target,
      String declaring,
      String url,
      String allowlist,
      String expected) {
    GuardFacts.SourceFacts source =
        url.equals("-")
            ? null
            : new GuardFacts.SourceFacts(
                "GitRepository flux-system/repo", url.equals("(none)") ? null : url);
    GuardFacts facts =
        new GuardFacts(
            "Kustomization fleet/apps",
            true,
            label.equals("-") ? null : label,
            "its label",
            scopeExists ? scope(declares, allowlist) : null,
            target(target),
            declaring.equals("-") ? List.of() : List.of(declaring),
            source,
            List.of());

    Verdict verdict = ScopeJudge.judge(facts);

    assertThat(verdict.isAllowed() ? "Allowed" : verdict.reason().name())
        .as(name)
        .isEqualTo(expected);
  }

  @Test
  void aScopeDeclaringTwoClustersDeclaresNeither() {
    ClusterScopeSpec invalid = scope("local", "-");
    invalid.getCluster().setClusterRef(new ClusterRef("fleet", "dev"));

    assertThat(ScopeJudge.declares(invalid, Target.LOCAL)).isFalse();
    assertThat(ScopeJudge.declares(invalid, new Target.Cluster("fleet", "dev"))).isFalse();
    assertThat(ScopeJudge.declares(scope("fleet/dev", "-"), new Target.Cluster(null, "dev")))
        .isFalse();
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      unlabelled source without consumers is left alone | -   | false | https://evil | https://good | -            | Allowed   | -
      labelled source, scope missing                    | dev | false | https://good | https://good | -            | ScopeNotFound | -
      labelled source, URL not allowed                  | dev | true  | https://evil | https://good | -            | SourceOutOfScope | -
      labelled source, URL allowed                      | dev | true  | https://good | https://good | -            | Allowed   | -
      a consumer's scope does not allow the URL         | -   | false | https://evil | -            | https://good | SourceOutOfScope | prod
      every consumer's scope allows it                  | -   | false | https://good | -            | https://good | Allowed   | -
      a consumer's scope with an empty allowlist        | -   | false | https://evil | -            | -            | Allowed   | -
      own scope allows, a consumer's does not           | dev | true  | https://evil | https://evil | https://good | SourceOutOfScope | prod
      """)
  void sourceVerdicts(
      String name,
      String label,
      boolean scopeExists,
      String url,
      String allowlist,
      String consumerAllows,
      String expected,
      String about) {
    List<GuardFacts.Consumer> consumers =
        consumerAllows.equals("-") && !name.contains("empty allowlist")
            ? List.of()
            : List.of(
                new GuardFacts.Consumer(
                    "Kustomization fleet/apps-prod-1",
                    "prod",
                    scope("fleet/prod", consumerAllows)));
    GuardFacts facts =
        new GuardFacts(
            "GitRepository flux-system/repo",
            false,
            label.equals("-") ? null : label,
            "its label",
            scopeExists ? scope("local", allowlist) : null,
            Target.LOCAL,
            List.of(),
            new GuardFacts.SourceFacts("its own URL", url),
            consumers);

    Verdict verdict = ScopeJudge.judge(facts);

    assertThat(verdict.isAllowed() ? "Allowed" : verdict.reason().name())
        .as(name)
        .isEqualTo(expected);
    assertThat(verdict.scope())
        .as(name + ": the scope it is listed under")
        .isEqualTo(about.equals("-") ? null : about);
    if (about.equals("prod")) {
      assertThat(verdict.message())
          .isEqualTo(
              "GitRepository flux-system/repo fetches from https://evil, which ClusterScope"
                  + " prod of its consumer Kustomization fleet/apps-prod-1 does not allow (allowed: https://good)");
    }
  }

  @Test
  void aScopeNamedByTheNamespaceSaysSo() {
    GuardFacts facts =
        new GuardFacts(
            "Kustomization flux-system/flux-system",
            true,
            "prod",
            "the label of Namespace flux-system",
            null,
            Target.LOCAL,
            List.of(),
            null,
            List.of());

    assertThat(ScopeJudge.judge(facts).message())
        .isEqualTo(
            "Kustomization flux-system/flux-system names ClusterScope prod"
                + " (from the label of Namespace flux-system), which does not exist");
  }

  @Test
  void aVerdictIsBoundToItsFactsNotItsWording() {
    GuardFacts declaredByA =
        new GuardFacts(
            "Kustomization fleet/apps",
            true,
            "dev",
            "its label",
            scope("fleet/dev", "-"),
            target("fleet/prod"),
            List.of("a"),
            null,
            List.of());
    GuardFacts declaredByAandB =
        new GuardFacts(
            "Kustomization fleet/apps",
            true,
            "dev",
            "its label",
            scope("fleet/dev", "-"),
            target("fleet/prod"),
            List.of("a", "b"),
            null,
            List.of());
    GuardFacts otherTarget =
        new GuardFacts(
            "Kustomization fleet/apps",
            true,
            "dev",
            "its label",
            scope("fleet/dev", "-"),
            target("fleet/prod-2"),
            List.of("a"),
            null,
            List.of());

    assertThat(ScopeJudge.judge(declaredByA).message())
        .isNotEqualTo(ScopeJudge.judge(declaredByAandB).message());
    assertThat(ScopeJudge.judge(declaredByA).binding())
        .as("another scope declaring the target changes no fact judged")
        .isEqualTo(ScopeJudge.judge(declaredByAandB).binding());
    assertThat(ScopeJudge.judge(declaredByA).binding())
        .isNotEqualTo(ScopeJudge.judge(otherTarget).binding());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      missing label    | - | - | Kustomization fleet/apps has no scopeguard.io/scope label; it acts on Cluster fleet/prod (declared by no ClusterScope) and must name the ClusterScope it acts under
      undeclared       | dev | - | Kustomization fleet/apps acts on Cluster fleet/prod, which no ClusterScope declares; ClusterScope dev declares Cluster fleet/dev
      out of scope     | dev | prod | Kustomization fleet/apps acts on Cluster fleet/prod, declared by ClusterScope prod, not by its own ClusterScope dev (Cluster fleet/dev)
      """)
  void messagesSayWhatAndWhere(String name, String label, String declaring, String message) {
    GuardFacts facts =
        new GuardFacts(
            "Kustomization fleet/apps",
            true,
            label.equals("-") ? null : label,
            "its label",
            scope("fleet/dev", "-"),
            target("fleet/prod"),
            declaring.equals("-") ? List.of() : List.of(declaring),
            null,
            List.of());

    assertThat(ScopeJudge.judge(facts).message()).isEqualTo(message);
  }
}
