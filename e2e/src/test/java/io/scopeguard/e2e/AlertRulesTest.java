package io.scopeguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The chart's alerts, checked and unit-tested by Prometheus's own {@code promtool} (Debian package
 * {@code prometheus}; {@code .ci/run} installs it): each alert fires with the right labels and
 * annotations, and clears when the hold is approved.
 */
class AlertRulesTest {

  static final Path CHART = Path.of("..", "helm", "scopeguard").toAbsolutePath().normalize();

  static String promtool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("promtool"));
    command.addAll(List.of(args));
    Process process;
    try {
      process =
          new ProcessBuilder(command).directory(CHART.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException("promtool is not installed: apt-get install prometheus", e);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  @Test
  void theRulesAreValidPrometheusRules() throws Exception {
    assertThat(promtool("check", "rules", "files/alerts.yaml")).contains("SUCCESS: 10 rules found");
  }

  @Test
  void everyAlertFiresAndClearsAsItsUnitTestsSay() throws Exception {
    assertThat(promtool("test", "rules", "tests/alerts_test.yaml")).contains("SUCCESS");
  }
}
