package io.scopeguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.scopeguard.demo.DemoCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The README's "try it" command: the demo jar plays every scenario and exits 0. */
class DemoCommandTest {

  @Test
  void demoPrintsWhatScopeguardRecordedAndExitsZero() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int exit =
        DemoCommand.run(new String[] {}, new PrintWriter(out, true), new PrintWriter(err, true));

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("== scopes:")
        .containsPattern("dev-1\\s+fleet/dev-1\\s+development\\s+True\\s+Valid")
        .containsPattern("prod-eu-2\\s+fleet/prod-eu-2\\s+production\\s+False\\s+ClusterNotFound")
        .as(
            "incident A: the prod Kustomizations are born suspended and nothing reaches their clusters")
        .containsPattern("platform-apps-dev-7\\s+dev-7\\s+false\\s+-")
        .containsPattern("platform-apps-prod-1\\s+\\(none\\)\\s+true\\s+ScopeReferenceMissing")
        .containsPattern("platform-apps-prod-2\\s+\\(none\\)\\s+true\\s+ScopeReferenceMissing")
        .contains("dev-7: 3 objects, prod-1: 0, prod-2: 0")
        .as("incident B: nothing is pruned until the revision is approved")
        .containsPattern("objects still present: (\\d+) of \\1\\.");
  }

  @Test
  void unknownScenarioIsAnErrorThatListsTheKnownOnes() {
    StringWriter err = new StringWriter();

    int exit =
        DemoCommand.run(
            new String[] {"--scenario", "nope"},
            new PrintWriter(new StringWriter()),
            new PrintWriter(err, true));

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("no scenario named [nope]").contains("scopes");
  }
}
