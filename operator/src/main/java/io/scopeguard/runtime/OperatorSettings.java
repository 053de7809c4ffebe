package io.scopeguard.runtime;

import io.scopeguard.deletion.UnknownPolicy;
import io.scopeguard.flux.FluxIdentities;
import io.scopeguard.kinds.GuardedKind;
import io.scopeguard.webhook.PruneAdmission;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything an operator run is configured with. Built from flags and environment by {@link
 * io.scopeguard.ScopeguardMain}; tests and the demo build it directly.
 *
 * @param context kubeconfig context to act on; null means the kubeconfig's current context, or the
 *     in-cluster service account when there is no kubeconfig
 * @param httpPort port of the /metrics, /healthz and /readyz endpoints; 0 picks a free port
 * @param namespace the namespace scopeguard itself runs in
 * @param apiTimeout how long the start-up check waits for the API server
 * @param reconcileThreads concurrent reconciliations
 * @param onboardingKinds onboarding kinds to guard besides Flux's
 * @param artifactBaseUrl replaces scheme, host and port of artifact URLs (running outside the
 *     cluster)
 * @param unknownPolicy what to do with a revision whose deletions cannot be predicted
 * @param webhook the admission webhook's settings
 * @param leaderElection whether and how replicas elect the one that reconciles
 * @param selfUsername the user scopeguard's own requests reach the API server as; null to ask the
 *     API server (SelfSubjectReview), as the webhooks must tell scopeguard's own writes apart
 * @param judgingBudget how long one revision's judgement may take; past it the revision is
 *     unreadable, and its prunes are refused
 * @param warmUpRounds synthetic revisions judged at start-up before scopeguard reports ready, so
 *     that the first real judgement runs warm (0: none, as the cold-start benchmark measures)
 * @param notificationUrl Flux notification-controller's event endpoint, to which holds, approvals
 *     and refusals are forwarded as Flux events; empty to forward nothing
 */
public record OperatorSettings(
    String context,
    int httpPort,
    String namespace,
    Duration apiTimeout,
    int reconcileThreads,
    List<GuardedKind> onboardingKinds,
    Optional<URI> artifactBaseUrl,
    UnknownPolicy unknownPolicy,
    Webhook webhook,
    LeaderElection leaderElection,
    String selfUsername,
    Duration judgingBudget,
    int warmUpRounds,
    Optional<URI> notificationUrl) {

  /**
   * Leader election on a Lease in scopeguard's namespace: only the leader reconciles (guard and
   * ClusterScopes); every replica keeps its caches warm and serves admission.
   *
   * @param enabled whether replicas elect a leader; without it this process reconciles at once
   * @param leaseName name of the Lease
   * @param identity this replica's name in the Lease (the pod name in a cluster)
   * @param leaseDuration how long followers wait before taking over a lease that is not renewed
   * @param renewDeadline how long the leader keeps trying to renew before it gives up leading
   * @param retryPeriod how often the Lease is tried
   */
  public record LeaderElection(
      boolean enabled,
      String leaseName,
      String identity,
      Duration leaseDuration,
      Duration renewDeadline,
      Duration retryPeriod) {

    public static final String DEFAULT_LEASE = "scopeguard-leader";
    private static final Duration LEASE_DURATION = Duration.ofSeconds(15);
    private static final Duration RENEW_DEADLINE = Duration.ofSeconds(10);
    private static final Duration RETRY_PERIOD = Duration.ofSeconds(2);

    public static LeaderElection disabled() {
      return new LeaderElection(
          false, DEFAULT_LEASE, null, LEASE_DURATION, RENEW_DEADLINE, RETRY_PERIOD);
    }

    /** Enabled with client-go's usual timings (15 s lease, 10 s renew deadline, 2 s retry). */
    public static LeaderElection on(String leaseName, String identity) {
      return new LeaderElection(
          true, leaseName, identity, LEASE_DURATION, RENEW_DEADLINE, RETRY_PERIOD);
    }

    public LeaderElection withTimings(Duration lease, Duration renew, Duration retry) {
      return new LeaderElection(enabled, leaseName, identity, lease, renew, retry);
    }
  }

  /**
   * The admission webhook.
   *
   * @param enabled whether to serve and register it
   * @param port HTTPS port; 0 picks a free port
   * @param service the Service in front of scopeguard ({@code namespace/name:port}), in-cluster
   * @param url the URL the API server calls when there is no Service (outside the cluster)
   * @param timeout how long the API server waits, and how long a not-yet-judged revision may take
   * @param flux who Flux's reconcilers act as (their controllers, the default service account they
   *     impersonate): a DELETE from one of a Kustomization's identities is a prune, and judged
   * @param configurationName name of the webhook configurations
   * @param certManager whether cert-manager provides the certificates (else scopeguard issues them)
   * @param certificateSecret the Secret in scopeguard's namespace holding them
   * @param certificateValidity how long certificates scopeguard issues are valid (renewed at a
   *     third left)
   * @param renewCheck how often the certificates are checked (re-read from the Secret) and the
   *     registration verified
   * @param ownerClusterRole the ClusterRole that owns the webhook configurations, so that
   *     uninstalling scopeguard (deleting its ClusterRole) deletes them too; null for none (outside
   *     a cluster)
   * @param scopeFailurePolicy the failure policy of the scope webhook: {@code Fail} (while no
   *     replica answers, guarded reconcilers cannot be created or changed) or {@code Ignore} (they
   *     are, and only the guard loop's later hold stops them)
   */
  public record Webhook(
      boolean enabled,
      int port,
      String service,
      String url,
      Duration timeout,
      FluxIdentities flux,
      String configurationName,
      boolean certManager,
      String certificateSecret,
      Duration certificateValidity,
      Duration renewCheck,
      String ownerClusterRole,
      String scopeFailurePolicy) {

    public static final String FAIL = "Fail";
    public static final String IGNORE = "Ignore";

    public static Webhook disabled() {
      return new Webhook(
          false,
          0,
          null,
          null,
          Duration.ofSeconds(10),
          FluxIdentities.DEFAULT,
          "scopeguard",
          false,
          "scopeguard-webhook-tls",
          Duration.ofDays(90),
          Duration.ofMinutes(1),
          null,
          FAIL);
    }

    /**
     * Enabled on {@code port}, called by the API server at {@code url} (outside a cluster, tests,
     * the demo).
     */
    public static Webhook atUrl(int port, String url) {
      return new Webhook(
          true,
          port,
          null,
          url,
          Duration.ofSeconds(10),
          FluxIdentities.DEFAULT,
          "scopeguard",
          false,
          "scopeguard-webhook-tls",
          Duration.ofDays(90),
          Duration.ofMinutes(1),
          null,
          FAIL);
    }

    /**
     * Enabled on a free loopback port and called there: what the demo, tests and benchmarks run
     * with (the embedded API calls no webhooks; stand-in Flux controllers call it as the API server
     * would).
     */
    public static Webhook onLoopback() {
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException("no free port for the webhook", e);
      }
      return atUrl(port, "https://127.0.0.1:" + port + PruneAdmission.PATH);
    }

    public Webhook withCertificates(Duration validity, Duration renewCheck) {
      return new Webhook(
          enabled,
          port,
          service,
          url,
          timeout,
          flux,
          configurationName,
          certManager,
          certificateSecret,
          validity,
          renewCheck,
          ownerClusterRole,
          scopeFailurePolicy);
    }

    public Webhook withFlux(FluxIdentities identities) {
      return new Webhook(
          enabled,
          port,
          service,
          url,
          timeout,
          identities,
          configurationName,
          certManager,
          certificateSecret,
          certificateValidity,
          renewCheck,
          ownerClusterRole,
          scopeFailurePolicy);
    }

    public Webhook ownedBy(String clusterRole) {
      return new Webhook(
          enabled,
          port,
          service,
          url,
          timeout,
          flux,
          configurationName,
          certManager,
          certificateSecret,
          certificateValidity,
          renewCheck,
          clusterRole,
          scopeFailurePolicy);
    }
  }

  /**
   * Settings for an in-process run (tests, demo): free ports, default everything else, no webhook.
   */
  public static OperatorSettings embedded() {
    return new OperatorSettings(
        null,
        0,
        "scopeguard-system",
        Duration.ofSeconds(10),
        4,
        List.of(),
        Optional.empty(),
        UnknownPolicy.Allow,
        Webhook.disabled(),
        LeaderElection.disabled(),
        null,
        Duration.ofSeconds(5),
        DEFAULT_WARM_UP_ROUNDS,
        Optional.empty());
  }

  /** Synthetic revisions judged at start-up by default. */
  public static final int DEFAULT_WARM_UP_ROUNDS = 8;

  public OperatorSettings withWarmUpRounds(int rounds) {
    return new OperatorSettings(
        context,
        httpPort,
        namespace,
        apiTimeout,
        reconcileThreads,
        onboardingKinds,
        artifactBaseUrl,
        unknownPolicy,
        webhook,
        leaderElection,
        selfUsername,
        judgingBudget,
        rounds,
        notificationUrl);
  }

  public OperatorSettings withHttpPort(int port) {
    return new OperatorSettings(
        context,
        port,
        namespace,
        apiTimeout,
        reconcileThreads,
        onboardingKinds,
        artifactBaseUrl,
        unknownPolicy,
        webhook,
        leaderElection,
        selfUsername,
        judgingBudget,
        warmUpRounds,
        notificationUrl);
  }

  public OperatorSettings withOnboardingKinds(List<GuardedKind> kinds) {
    return new OperatorSettings(
        context,
        httpPort,
        namespace,
        apiTimeout,
        reconcileThreads,
        List.copyOf(kinds),
        artifactBaseUrl,
        unknownPolicy,
        webhook,
        leaderElection,
        selfUsername,
        judgingBudget,
        warmUpRounds,
        notificationUrl);
  }

  public OperatorSettings withWebhook(Webhook webhook) {
    return new OperatorSettings(
        context,
        httpPort,
        namespace,
        apiTimeout,
        reconcileThreads,
        onboardingKinds,
        artifactBaseUrl,
        unknownPolicy,
        webhook,
        leaderElection,
        selfUsername,
        judgingBudget,
        warmUpRounds,
        notificationUrl);
  }

  public OperatorSettings withSelfUsername(String username) {
    return new OperatorSettings(
        context,
        httpPort,
        namespace,
        apiTimeout,
        reconcileThreads,
        onboardingKinds,
        artifactBaseUrl,
        unknownPolicy,
        webhook,
        leaderElection,
        username,
        judgingBudget,
        warmUpRounds,
        notificationUrl);
  }

  public OperatorSettings withLeaderElection(LeaderElection leaderElection) {
    return new OperatorSettings(
        context,
        httpPort,
        namespace,
        apiTimeout,
        reconcileThreads,
        onboardingKinds,
        artifactBaseUrl,
        unknownPolicy,
        webhook,
        leaderElection,
        selfUsername,
        judgingBudget,
        warmUpRounds,
        notificationUrl);
  }

  /**
   * Forwards holds, approvals and refusals to Flux's notification-controller at {@code url} (its
   * event endpoint), or to nobody.
   */
  public OperatorSettings withNotificationUrl(Optional<URI> url) {
    return new OperatorSettings(
        context,
        httpPort,
        namespace,
        apiTimeout,
        reconcileThreads,
        onboardingKinds,
        artifactBaseUrl,
        unknownPolicy,
        webhook,
        leaderElection,
        selfUsername,
        judgingBudget,
        warmUpRounds,
        url);
  }
}
