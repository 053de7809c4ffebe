package io.scopeguard.demo;

import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.runtime.ScopeguardOperator;
import io.scopeguard.testkit.EmbeddedKubernetes;
import io.scopeguard.testkit.Identities;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar scopeguard-demo.jar}: starts an embedded Kubernetes API, runs the real operator
 * against it, plays the scenarios and prints what scopeguard recorded. Needs no cluster.
 */
@Command(
    name = "scopeguard-demo",
    mixinStandardHelpOptions = true,
    description = "Runs scopeguard on an embedded Kubernetes API and plays its scenarios.")
public class DemoCommand implements Callable<Integer> {

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the demo with the given streams and returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine commandLine = new CommandLine(new DemoCommand());
    commandLine.setOut(out);
    commandLine.setErr(err);
    return commandLine.execute(args);
  }

  /** Every scenario, in the order the demo plays them. */
  public static final List<Scenario> SCENARIOS =
      List.of(new ScopeValidationScenario(), new IncidentAScenario(), new IncidentBScenario());

  @Spec private CommandLine.Model.CommandSpec spec;

  @Option(names = "--scenario", description = "Play only these scenarios (by name); default: all.")
  private List<String> only;

  @Option(
      names = "--http-port",
      defaultValue = "0",
      description = "Port of the operator's /metrics, /healthz and /readyz; default: a free port.")
  private int httpPort;

  @Option(
      names = "--keep-running",
      description =
          "Keep the embedded API and operator running after the scenarios (Ctrl-C stops).")
  private boolean keepRunning;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    List<Scenario> chosen =
        SCENARIOS.stream().filter(s -> only == null || only.contains(s.name())).toList();
    if (chosen.isEmpty()) {
      spec.commandLine()
          .getErr()
          .println(
              "scopeguard demo: no scenario named "
                  + only
                  + "; known: "
                  + SCENARIOS.stream().map(Scenario::name).toList());
      return 2;
    }
    OperatorSettings settings =
        OperatorSettings.embedded()
            .withHttpPort(httpPort)
            .withWebhook(OperatorSettings.Webhook.onLoopback());
    try (EmbeddedKubernetes api = EmbeddedKubernetes.start();
        ScopeguardOperator operator =
            ScopeguardOperator.start(
                api.clientAs(Identities.SCOPEGUARD), settings, Clock.systemUTC())) {
      out.printf(
          "scopeguard demo: embedded Kubernetes API at %s; operator metrics at http://localhost:%d/metrics%n%n",
          api.url(), operator.httpPort());
      ScenarioContext context =
          new ScenarioContext(api.client(), api::clientAs, out, Duration.ofSeconds(60));
      for (Scenario scenario : chosen) {
        out.printf("== %s: %s%n", scenario.name(), scenario.title());
        scenario.play(context);
        out.println();
      }
      out.flush();
      if (keepRunning) {
        out.println("Running until interrupted (Ctrl-C).");
        out.flush();
        Thread.currentThread().join();
      }
    }
    return 0;
  }
}
