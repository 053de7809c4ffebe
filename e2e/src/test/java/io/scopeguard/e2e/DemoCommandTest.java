package io.scopeguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.scopeguard.ScopeguardMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The README's "try it" command: {@code scopeguard demo} plays every scenario and exits 0. */
class DemoCommandTest {

  @Test
  void demoPrintsWhatScopeguardRecordedAndExitsZero() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int exit = ScopeguardMain.run(new String[] {"demo"}, new PrintWriter(out, true), new PrintWriter(err, true));

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("== scopes:")
        .containsPattern("dev-1\\s+fleet/dev-1\\s+development\\s+True\\s+Valid")
        .containsPattern("prod-eu-2\\s+fleet/prod-eu-2\\s+production\\s+False\\s+ClusterNotFound");
  }

  @Test
  void unknownScenarioIsAnErrorThatListsTheKnownOnes() {
    StringWriter err = new StringWriter();

    int exit = ScopeguardMain.run(new String[] {"demo", "--scenario", "nope"},
        new PrintWriter(new StringWriter()), new PrintWriter(err, true));

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("no scenario named [nope]").contains("scopes");
  }
}
