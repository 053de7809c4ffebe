package io.scopeguard;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.scopeguard.cli.ApproveHoldCommand;
import io.scopeguard.cli.ExplainCommand;
import io.scopeguard.cli.PreflightCommand;
import io.scopeguard.cli.StatusCommand;
import io.scopeguard.deletion.UnknownPolicy;
import io.scopeguard.flux.FluxIdentities;
import io.scopeguard.guard.OnboardingKinds;
import io.scopeguard.kinds.GuardedKind;
import io.scopeguard.metrics.BuildInfo;
import io.scopeguard.runtime.DurationConverter;
import io.scopeguard.runtime.KubernetesConnection;
import io.scopeguard.runtime.LogFormat;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.runtime.ScopeguardOperator;
import io.scopeguard.runtime.StartupException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code scopeguard} command: runs the operator against the cluster of the kubeconfig, or
 * in-cluster. (The embedded demo is a jar of its own, {@code demo/}, so this one carries no mock
 * API.)
 */
@Command(
    name = "scopeguard",
    mixinStandardHelpOptions = true,
    versionProvider = ScopeguardMain.Version.class,
    description = {
      "Keeps GitOps and cluster-onboarding automation inside its declared scope.",
      "Runs the operator in-cluster or against a kubeconfig; with a command (status, explain,"
          + " approve, preflight), acts for a person through their kubeconfig.",
      "Every option can also be set by the environment variable shown."
    })
public class ScopeguardMain implements Callable<Integer> {

  @Spec private CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--kubeconfig",
      defaultValue = "${env:KUBECONFIG}",
      description =
          "Kubeconfig file (env KUBECONFIG). Without one, the in-cluster service account is used.")
  private String kubeconfig;

  @Option(
      names = "--context",
      defaultValue = "${env:SCOPEGUARD_CONTEXT}",
      description =
          "Kubeconfig context to act on (env SCOPEGUARD_CONTEXT); default: the current context.")
  private String context;

  @Option(
      names = "--http-port",
      defaultValue = "${env:SCOPEGUARD_HTTP_PORT:-8080}",
      description =
          "Port of /metrics, /healthz and /readyz (env SCOPEGUARD_HTTP_PORT; default ${DEFAULT-VALUE}).")
  private int httpPort;

  @Option(
      names = "--namespace",
      defaultValue = "${env:SCOPEGUARD_NAMESPACE:-scopeguard-system}",
      description =
          "Namespace scopeguard runs in (env SCOPEGUARD_NAMESPACE; default ${DEFAULT-VALUE}).")
  private String namespace;

  @Option(
      names = "--api-timeout",
      defaultValue = "${env:SCOPEGUARD_API_TIMEOUT:-10s}",
      converter = DurationConverter.class,
      description =
          "How long start-up waits for the API server, e.g. 10s (env SCOPEGUARD_API_TIMEOUT; default ${DEFAULT-VALUE}).")
  private Duration apiTimeout;

  @Option(
      names = "--reconcile-threads",
      defaultValue = "${env:SCOPEGUARD_RECONCILE_THREADS:-4}",
      description =
          "Concurrent reconciliations (env SCOPEGUARD_RECONCILE_THREADS; default ${DEFAULT-VALUE}).")
  private int reconcileThreads;

  @Option(
      names = "--onboarding-kinds",
      defaultValue = "${env:SCOPEGUARD_ONBOARDING_KINDS}",
      description =
          "YAML file listing onboarding kinds to guard (group, kind, pausePath, targetPath) (env SCOPEGUARD_ONBOARDING_KINDS).")
  private Path onboardingKinds;

  @Option(
      names = "--artifact-base-url",
      defaultValue = "${env:SCOPEGUARD_ARTIFACT_BASE_URL}",
      description =
          "Replaces scheme, host and port of Flux artifact URLs, e.g. http://localhost:9090 through a port-forward"
              + " to source-controller when running outside the cluster (env SCOPEGUARD_ARTIFACT_BASE_URL).")
  private URI artifactBaseUrl;

  @Option(
      names = "--unknown-prediction",
      defaultValue = "${env:SCOPEGUARD_UNKNOWN_PREDICTION:-Allow}",
      description =
          "Allow (record and alert) or Hold a revision whose deletions cannot be predicted"
              + " (env SCOPEGUARD_UNKNOWN_PREDICTION; default ${DEFAULT-VALUE}).")
  private UnknownPolicy unknownPolicy;

  @Option(
      names = "--judging-budget",
      defaultValue = "${env:SCOPEGUARD_JUDGING_BUDGET:-5s}",
      converter = DurationConverter.class,
      description =
          "How long judging one revision may take; past it the revision is unreadable and its prunes are refused"
              + " (env SCOPEGUARD_JUDGING_BUDGET; default ${DEFAULT-VALUE}).")
  private Duration judgingBudget;

  @Option(
      names = "--webhook",
      negatable = true,
      defaultValue = "${env:SCOPEGUARD_WEBHOOK:-true}",
      fallbackValue = "true",
      description =
          "Serve and register the admission webhook that refuses Flux's prune of an unjudged or over-budget"
              + " revision (env SCOPEGUARD_WEBHOOK; default ${DEFAULT-VALUE}).")
  private boolean webhook;

  @Option(
      names = "--webhook-port",
      defaultValue = "${env:SCOPEGUARD_WEBHOOK_PORT:-9443}",
      description =
          "HTTPS port of the admission webhook (env SCOPEGUARD_WEBHOOK_PORT; default ${DEFAULT-VALUE}).")
  private int webhookPort;

  @Option(
      names = "--webhook-service",
      defaultValue = "${env:SCOPEGUARD_WEBHOOK_SERVICE}",
      description =
          "Service the API server calls, namespace/name:port (in-cluster; env SCOPEGUARD_WEBHOOK_SERVICE).")
  private String webhookService;

  @Option(
      names = "--webhook-url",
      defaultValue = "${env:SCOPEGUARD_WEBHOOK_URL}",
      description =
          "URL the API server calls when scopeguard runs outside the cluster, e.g."
              + " https://192.168.1.10:9443/validate/prune (env SCOPEGUARD_WEBHOOK_URL).")
  private String webhookUrl;

  @Option(
      names = "--webhook-certificates",
      defaultValue = "${env:SCOPEGUARD_WEBHOOK_CERTIFICATES:-self}",
      description =
          "Who provides the webhook's certificates: self (scopeguard issues, stores and renews them) or"
              + " cert-manager (env SCOPEGUARD_WEBHOOK_CERTIFICATES; default ${DEFAULT-VALUE}).")
  private String webhookCertificates;

  @Option(
      names = "--webhook-secret",
      defaultValue = "${env:SCOPEGUARD_WEBHOOK_SECRET:-scopeguard-webhook-tls}",
      description =
          "Secret in scopeguard's namespace holding the webhook's certificates (env SCOPEGUARD_WEBHOOK_SECRET;"
              + " default ${DEFAULT-VALUE}).")
  private String webhookSecret;

  @Option(
      names = "--webhook-timeout",
      defaultValue = "${env:SCOPEGUARD_WEBHOOK_TIMEOUT:-10s}",
      converter = DurationConverter.class,
      description =
          "How long the API server waits for the webhook (1s-30s; env SCOPEGUARD_WEBHOOK_TIMEOUT; default ${DEFAULT-VALUE}).")
  private Duration webhookTimeout;

  @Option(
      names = "--webhook-owner",
      defaultValue = "${env:SCOPEGUARD_WEBHOOK_OWNER}",
      description =
          "ClusterRole that owns the webhook configurations scopeguard registers, so that deleting it"
              + " (helm uninstall) deletes them too (env SCOPEGUARD_WEBHOOK_OWNER; the chart sets its ClusterRole).")
  private String webhookOwner;

  @Option(
      names = "--scope-webhook-failure-policy",
      defaultValue = "${env:SCOPEGUARD_SCOPE_WEBHOOK_FAILURE_POLICY:-Fail}",
      description =
          "Fail (while no replica answers, a Kustomization, HelmRelease, onboarding resource or source cannot be"
              + " created or changed) or Ignore (it can, and only the guard loop's later hold stops it)"
              + " (env SCOPEGUARD_SCOPE_WEBHOOK_FAILURE_POLICY; default ${DEFAULT-VALUE}).")
  private String scopeFailurePolicy;

  @Option(
      names = "--flux-default-service-account",
      defaultValue = "${env:SCOPEGUARD_FLUX_DEFAULT_SERVICE_ACCOUNT}",
      description =
          "The --default-service-account of Flux's controllers (multi-tenancy lockdown): a reconciler that names"
              + " no serviceAccountName applies and prunes as this service account of its own namespace"
              + " (env SCOPEGUARD_FLUX_DEFAULT_SERVICE_ACCOUNT; default: none).")
  private String fluxDefaultServiceAccount;

  @Option(
      names = "--self-username",
      defaultValue = "${env:SCOPEGUARD_SELF_USERNAME}",
      description =
          "The user scopeguard's requests reach the API server as; default: asked of the API server"
              + " (SelfSubjectReview), else read from the in-cluster service account token (env SCOPEGUARD_SELF_USERNAME).")
  private String selfUsername;

  @Option(
      names = "--leader-election",
      negatable = true,
      defaultValue = "${env:SCOPEGUARD_LEADER_ELECTION:-false}",
      fallbackValue = "true",
      description =
          "Elect one reconciling replica on a Lease in --namespace; every replica serves admission"
              + " (env SCOPEGUARD_LEADER_ELECTION; default ${DEFAULT-VALUE}; the chart turns it on).")
  private boolean leaderElection;

  @Option(
      names = "--leader-election-lease",
      defaultValue = "${env:SCOPEGUARD_LEADER_ELECTION_LEASE:-scopeguard-leader}",
      description =
          "Name of the Lease (env SCOPEGUARD_LEADER_ELECTION_LEASE; default ${DEFAULT-VALUE}).")
  private String leaderElectionLease;

  @Option(
      names = "--notification-url",
      defaultValue = "${env:SCOPEGUARD_NOTIFICATION_URL}",
      description =
          "Flux notification-controller's event endpoint, e.g. http://notification-controller.flux-system.svc.cluster.local./:"
              + " holds, approvals and refused revisions are forwarded there as Flux events, so existing Alerts fire"
              + " (env SCOPEGUARD_NOTIFICATION_URL; default: forward nothing).")
  private URI notificationUrl;

  @Option(
      names = "--log-format",
      defaultValue = "${env:SCOPEGUARD_LOG_FORMAT:-plain}",
      description =
          "plain (one line per event) or json (one object per event, with resource, reason, revision and"
              + " counts as fields, for log shippers) (env SCOPEGUARD_LOG_FORMAT; default ${DEFAULT-VALUE}).")
  private LogFormat logFormat;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams and returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    return run(
        args,
        () -> new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
        out,
        err);
  }

  /**
   * As {@link #run(String[], PrintWriter, PrintWriter)}, reading what a person types (approve's
   * confirmation) from {@code in}.
   */
  public static int run(
      String[] args, Supplier<BufferedReader> in, PrintWriter out, PrintWriter err) {
    CommandLine commandLine = new CommandLine(new ScopeguardMain());
    commandLine.addSubcommand(new StatusCommand());
    commandLine.addSubcommand(new ExplainCommand());
    commandLine.addSubcommand(new ApproveHoldCommand(in));
    commandLine.addSubcommand(new PreflightCommand());
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExecutionExceptionHandler(
        (e, failed, parsed) -> {
          if (failed.getCommand() instanceof ScopeguardMain) {
            throw e;
          }
          failed
              .getErr()
              .println(
                  "scopeguard "
                      + failed.getCommandName()
                      + ": "
                      + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
          return e instanceof IllegalArgumentException ? 2 : 1;
        });
    return commandLine.execute(args);
  }

  @Override
  public Integer call() throws InterruptedException {
    if (logFormat != LogFormat.plain) {
      logFormat.use();
    }
    if (kubeconfig != null && !kubeconfig.isBlank()) {
      System.setProperty("kubeconfig", kubeconfig);
    }
    List<GuardedKind> onboarding;
    try {
      onboarding = onboardingKinds == null ? List.of() : OnboardingKinds.read(onboardingKinds);
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("scopeguard: " + e.getMessage());
      return 2;
    }
    if (!List.of(OperatorSettings.Webhook.FAIL, OperatorSettings.Webhook.IGNORE)
        .contains(scopeFailurePolicy)) {
      spec.commandLine()
          .getErr()
          .println(
              "scopeguard: --scope-webhook-failure-policy must be Fail or Ignore, not "
                  + scopeFailurePolicy);
      return 2;
    }
    if (webhook && blankToNull(webhookService) == null && blankToNull(webhookUrl) == null) {
      spec.commandLine()
          .getErr()
          .println(
              "scopeguard: the webhook needs --webhook-service (in-cluster) or --webhook-url"
                  + " (outside the cluster), or --no-webhook");
      return 2;
    }
    if (notificationUrl != null
        && !notificationUrl.toString().isBlank()
        && !List.of("http", "https").contains(String.valueOf(notificationUrl.getScheme()))) {
      spec.commandLine()
          .getErr()
          .println(
              "scopeguard: --notification-url must be an http or https URL, not "
                  + notificationUrl);
      return 2;
    }
    OperatorSettings settings =
        new OperatorSettings(
            blankToNull(context),
            httpPort,
            namespace,
            apiTimeout,
            reconcileThreads,
            onboarding,
            Optional.ofNullable(artifactBaseUrl),
            unknownPolicy,
            new OperatorSettings.Webhook(
                webhook,
                webhookPort,
                blankToNull(webhookService),
                blankToNull(webhookUrl),
                webhookTimeout,
                new FluxIdentities(
                    FluxIdentities.DEFAULT.controllers(), blankToNull(fluxDefaultServiceAccount)),
                "scopeguard",
                "cert-manager".equals(webhookCertificates),
                webhookSecret,
                Duration.ofDays(90),
                Duration.ofMinutes(1),
                blankToNull(webhookOwner),
                scopeFailurePolicy),
            leaderElection
                ? OperatorSettings.LeaderElection.on(leaderElectionLease, null)
                : OperatorSettings.LeaderElection.disabled(),
            blankToNull(selfUsername),
            judgingBudget,
            OperatorSettings.DEFAULT_WARM_UP_ROUNDS,
            Optional.ofNullable(notificationUrl).filter(url -> !url.toString().isBlank()));
    KubernetesClient client;
    try {
      client = KubernetesConnection.connect(settings);
    } catch (StartupException e) {
      spec.commandLine().getErr().println("scopeguard: " + e.getMessage());
      return 1;
    }
    ScopeguardOperator operator;
    try {
      operator =
          ScopeguardOperator.start(
              client,
              settings,
              Clock.systemUTC(),
              () -> {
                // Exit rather than go on: the guard is already stopped, and a restarted process
                // starts from a
                // clean state, as a follower or leader again (what controller-runtime and the
                // operator SDK do too).
                new Thread(() -> System.exit(1), "scopeguard-exit").start();
              });
    } catch (StartupException e) {
      spec.commandLine().getErr().println("scopeguard: " + e.getMessage());
      client.close();
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    operator.close();
                    client.close();
                  } finally {
                    stopped.countDown();
                  }
                },
                "scopeguard-shutdown"));
    stopped.await();
    return 0;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  /** Prints the build's version for {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"scopeguard " + BuildInfo.version()};
    }
  }
}
