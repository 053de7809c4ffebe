package io.scopeguard.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.scopeguard.approval.Annotations;
import io.scopeguard.runtime.DurationConverter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
    ResourceName name = resource.resolve(target);
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
      if (hold.token() == null) {
        err.println(
            "scopeguard approve: the hold on "
                + name.describe()
                + " has no token; nothing written");
        return 1;
      }
      Map<String, String> before = found.getMetadata().getAnnotations();
      GenericKubernetesResource written;
      try {
        written = handle.patch(PatchContext.of(PatchType.JSON), approval(before, hold.token()));
      } catch (KubernetesClientException e) {
        if (e.getCode() == 422 || e.getCode() == 409) {
          err.println(
              "scopeguard approve: "
                  + name.describe()
                  + " changed since it was shown (its hold, token or spec): nothing written;"
                  + " run the command again to see it as it is now");
          return 1;
        }
        throw e;
      }
      Map<String, String> after = written.getMetadata().getAnnotations();
      boolean recorded =
          after.get(Annotations.APPROVED_BY) != null
              && !Objects.equals(
                  before.get(Annotations.APPROVED_AT), after.get(Annotations.APPROVED_AT));
      out.println(
          "Approved: wrote "
              + Annotations.APPROVE
              + "="
              + hold.token()
              + " on "
              + name.describe()
              + "; "
              + (recorded
                  ? "scopeguard recorded the approver as " + after.get(Annotations.APPROVED_BY)
                  : "no approver recorded: is scopeguard's webhook running?")
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

  /**
   * The approve annotation, written only while the hold is still the one shown: same token, same
   * judged spec.
   */
  private static String approval(Map<String, String> shown, String token) {
    ArrayNode patch = ExplainCommand.JSON.createArrayNode();
    for (String held : List.of(Annotations.SUSPENDED_TOKEN, Annotations.SUSPENDED_SPEC)) {
      if (shown.get(held) != null) {
        patch
            .addObject()
            .put("op", "test")
            .put("path", pointer(held))
            .put("value", shown.get(held));
      }
    }
    patch
        .addObject()
        .put("op", "add")
        .put("path", pointer(Annotations.APPROVE))
        .put("value", token);
    return patch.toString();
  }

  private static String pointer(String annotation) {
    return "/metadata/annotations/" + annotation.replace("~", "~0").replace("/", "~1");
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
