package io.scopeguard.cli;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.scopeguard.approval.Annotations;
import io.scopeguard.runtime.DurationConverter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kubectl scopeguard approve KIND/NAME}: shows what the hold is about (the same summary as
 * explain) and its token, asks for confirmation (or {@code --yes}), and writes the approve
 * annotation with the user's own credentials. scopeguard's admission webhook records the user as
 * the approver, and the guard resumes the resource.
 */
@Command(
    name = "approve",
    mixinStandardHelpOptions = true,
    description = "Approve exactly what a hold judged: writes scopeguard.io/approve=<token>.")
public final class ApproveHoldCommand implements Callable<Integer> {

  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin KubeTarget target;

  @Mixin ResourceArgument resource;

  @Option(names = "--yes", description = "Do not ask for confirmation.")
  boolean yes;

  @Option(
      names = "--token",
      description =
          "Approve only if the hold's token is this one (what you saw in status or an alert).")
  String expectedToken;

  @Option(
      names = "--wait",
      defaultValue = "0s",
      converter = DurationConverter.class,
      description =
          "Wait up to this long for scopeguard to resume it, e.g. 60s (default: no wait).")
  Duration wait;

  private final Supplier<BufferedReader> input;

  /** Reads the confirmation from {@code input}. */
  public ApproveHoldCommand(Supplier<BufferedReader> input) {
    this.input = input;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    out.println(target.header());
    ResourceName name;
    try {
      name = resource.resolve(target);
    } catch (IllegalArgumentException e) {
      err.println("scopeguard approve: " + e.getMessage());
      return 2;
    }
    try (KubernetesClient client = target.connect()) {
      Resource<GenericKubernetesResource> handle = name.in(client);
      GenericKubernetesResource found = handle.get();
      if (found == null) {
        err.println("scopeguard approve: " + name.describe() + " not found");
        return 1;
      }
      Optional<Hold> held = Hold.of(name, found);
      if (held.isEmpty()) {
        out.println(name.describe() + " is not held by scopeguard: nothing to approve.");
        return 1;
      }
      Hold hold = held.get();
      hold.printSummary(out);
      if (expectedToken != null && !expectedToken.equals(hold.token())) {
        err.println(
            "scopeguard approve: the hold's token is "
                + hold.token()
                + ", not "
                + expectedToken
                + ": what is held is not what you meant to approve; nothing written");
        return 1;
      }
      if (!yes && !confirmed(out, hold)) {
        out.println("Not approved; nothing written.");
        return 1;
      }
      String patch =
          ExplainCommand.JSON.writeValueAsString(
              Map.of("metadata", Map.of("annotations", Map.of(Annotations.APPROVE, hold.token()))));
      GenericKubernetesResource written =
          handle.patch(PatchContext.of(PatchType.JSON_MERGE), patch);
      Map<String, String> annotations = written.getMetadata().getAnnotations();
      out.println(
          "Approved: wrote "
              + Annotations.APPROVE
              + "="
              + hold.token()
              + " on "
              + name.describe()
              + "; scopeguard recorded the approver as "
              + Optional.ofNullable(annotations.get(Annotations.APPROVED_BY))
                  .orElse("(not recorded: is scopeguard's webhook running?)")
              + ".");
      if (wait.isZero()) {
        out.println("scopeguard resumes it once it sees the approval: kubectl scopeguard status");
        return 0;
      }
      return awaitResume(handle, out, err);
    } catch (RuntimeException e) {
      err.println("scopeguard approve: " + Commands.describe(e, target));
      return 1;
    }
  }

  private boolean confirmed(PrintWriter out, Hold hold) throws IOException {
    out.print(
        "Approve "
            + hold.name().describe()
            + " with token "
            + hold.token()
            + " on context "
            + target.contextName()
            + " ("
            + target.config().getMasterUrl()
            + ")? Type yes to approve: ");
    out.flush();
    String answer = input.get().readLine();
    out.println();
    return answer != null && answer.strip().equalsIgnoreCase("yes");
  }

  private int awaitResume(
      Resource<GenericKubernetesResource> handle, PrintWriter out, PrintWriter err)
      throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < deadline) {
      GenericKubernetesResource now = handle.get();
      if (now != null
          && (now.getMetadata().getAnnotations() == null
              || now.getMetadata().getAnnotations().get(Annotations.SUSPENDED_REASON) == null)) {
        out.println("Resumed by scopeguard.");
        return 0;
      }
      Thread.sleep(250);
    }
    err.println(
        "scopeguard approve: not resumed within "
            + wait.toSeconds()
            + " s; the approval is written: see kubectl scopeguard status");
    return 1;
  }
}
