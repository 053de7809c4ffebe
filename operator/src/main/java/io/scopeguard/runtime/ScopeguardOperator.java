package io.scopeguard.runtime;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.scopeguard.capi.ClusterApi;
import io.scopeguard.deletion.ArtifactFetcher;
import io.scopeguard.deletion.ArtifactLimits;
import io.scopeguard.flux.FluxKinds;
import io.scopeguard.guard.Actuator;
import io.scopeguard.guard.ClusterScopeReconciler;
import io.scopeguard.guard.Decisions;
import io.scopeguard.guard.GuardReconciler;
import io.scopeguard.guard.JudgingWarmUp;
import io.scopeguard.guard.ReadThroughFacts;
import io.scopeguard.guard.RevisionJudge;
import io.scopeguard.guard.ScopeReport;
import io.scopeguard.guard.WatchedResources;
import io.scopeguard.kinds.GuardedKind;
import io.scopeguard.metrics.GuardMetrics;
import io.scopeguard.metrics.ScopeguardMetrics;
import io.scopeguard.notify.FluxEventForwarder;
import io.scopeguard.scope.ScopeConditions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running scopeguard: the shared informers, the guard's reconcile loop, the operator SDK with
 * the ClusterScope reconciler, the meter registry and the HTTP endpoints, started together and
 * closed together.
 */
public final class ScopeguardOperator implements AutoCloseable {

  /** Field manager of every write scopeguard makes. */
  private static final Logger LOG = LoggerFactory.getLogger(ScopeguardOperator.class);

  private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(2);

  private final Operator operator;
  private final WatchedResources watched;
  private final GuardReconciler guard;
  private final GuardMetrics guardMetrics;
  private final ScopeguardMetrics metrics;
  private final HttpEndpoints http;
  private final Webhook webhook;
  private final Leadership leadership;
  private final RevisionJudge revisions;
  private final ReadThroughFacts.Reader reader;
  private static final Duration ARTIFACT_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration WARM_UP_DEADLINE = Duration.ofSeconds(20);

  private ScopeguardOperator(
      Operator operator,
      WatchedResources watched,
      GuardReconciler guard,
      GuardMetrics guardMetrics,
      ScopeguardMetrics metrics,
      HttpEndpoints http,
      Webhook webhook,
      Leadership leadership,
      RevisionJudge revisions,
      ReadThroughFacts.Reader reader) {
    this.revisions = revisions;
    this.reader = reader;
    this.webhook = webhook;
    this.leadership = leadership;
    this.operator = operator;
    this.watched = watched;
    this.guard = guard;
    this.guardMetrics = guardMetrics;
    this.metrics = metrics;
    this.http = http;
  }

  /**
   * Starts everything and waits for the informers to sync; a replica that loses leadership stops
   * reconciling (closes this instance). The command line exits instead, see the four-argument form.
   */
  public static ScopeguardOperator start(
      KubernetesClient client, OperatorSettings settings, Clock clock) {
    AtomicReference<ScopeguardOperator> self = new AtomicReference<>();
    ScopeguardOperator started =
        start(
            client,
            settings,
            clock,
            () ->
                new Thread(
                        () -> Optional.ofNullable(self.get()).ifPresent(ScopeguardOperator::close),
                        "scopeguard-stop")
                    .start());
    self.set(started);
    return started;
  }

  /**
   * Starts everything and waits for the informers to sync.
   *
   * @param lostLeadership run once when this replica stops leading while not being closed
   */
  public static ScopeguardOperator start(
      KubernetesClient client, OperatorSettings settings, Clock clock, Runnable lostLeadership) {
    ScopeguardMetrics metrics = new ScopeguardMetrics();
    List<GuardedKind> kinds = new ArrayList<>(FluxKinds.ALL);
    kinds.addAll(settings.onboardingKinds());
    kinds.add(ClusterApi.CLUSTER);
    WatchedResources watched = new WatchedResources(client, kinds);
    GuardMetrics guardMetrics = new GuardMetrics(metrics.registry());
    guardMetrics.guarding(
        kinds.stream()
            .filter(kind -> kind.role() != GuardedKind.Role.CLUSTER)
            .map(GuardedKind::kind)
            .toList());
    RevisionJudge revisions =
        new RevisionJudge(
            watched,
            new ArtifactFetcher(
                settings.artifactBaseUrl(), ArtifactLimits.defaults(), ARTIFACT_TIMEOUT),
            settings.judgingBudget(),
            RevisionJudge.NODE_BUDGET,
            clock);
    ReadThroughFacts.Reader reader = new ReadThroughFacts.Reader(watched, client, clock);
    Decisions decisions = new Decisions(watched, revisions, settings.unknownPolicy(), reader);
    FluxEventForwarder notifications =
        new FluxEventForwarder(settings.notificationUrl().orElse(null), metrics.registry(), clock);
    Actuator actuator = new Actuator(client, watched, clock, notifications);
    GuardReconciler guard =
        new GuardReconciler(
            watched, decisions, actuator, guardMetrics, clock, settings.reconcileThreads());
    watched.addListener(guard);
    ClusterScopeReconciler scopes =
        new ClusterScopeReconciler(
            watched, new ScopeReport(watched, decisions, clock), new ScopeConditions(clock));

    Leadership leadership =
        new Leadership(
            client,
            settings.namespace(),
            settings.leaderElection(),
            guard,
            metrics.registry(),
            lostLeadership);
    Operator operator =
        new Operator(
            overrider -> {
              overrider
                  .withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .withUseSSAToPatchPrimaryResource(false)
                  .withConcurrentReconciliationThreads(settings.reconcileThreads())
                  .withMetrics(metrics.operatorSdkMetrics());
              leadership.configuration().ifPresent(overrider::withLeaderElectionConfiguration);
            });
    operator.register(scopes, controller -> controller.withFieldManager(Actuator.FIELD_MANAGER));
    AtomicReference<Webhook> serving = new AtomicReference<>();
    AtomicBoolean warm = new AtomicBoolean();
    HttpEndpoints http;
    try {
      http =
          new HttpEndpoints(
              settings.httpPort(),
              metrics,
              () -> {
                String reason =
                    warm.get() ? notReadyReason(operator, watched) : "judging path warming up";
                if (reason == null && settings.webhook().enabled() && serving.get() == null) {
                  return "admission webhook not serving yet";
                }
                return reason;
              });
    } catch (IOException e) {
      guard.close();
      revisions.close();
      reader.close();
      metrics.close();
      throw new UncheckedIOException("cannot serve HTTP on port " + settings.httpPort(), e);
    }
    Webhook webhook = null;
    try {
      watched.start(SYNC_TIMEOUT);
      warmUp(watched, settings.warmUpRounds());
      warm.set(true);
      if (settings.webhook().enabled()) {
        String self = SelfIdentity.of(client, settings.selfUsername());
        LOG.info("scopeguard's own writes come from {}; its webhooks let them through", self);
        webhook =
            Webhook.start(
                client,
                settings,
                watched,
                revisions,
                decisions,
                actuator,
                self,
                clock,
                metrics.registry());
        serving.set(webhook);
      }
      operator.start();
      leadership.started();
    } catch (RuntimeException e) {
      new ScopeguardOperator(
              operator,
              watched,
              guard,
              guardMetrics,
              metrics,
              http,
              webhook,
              leadership,
              revisions,
              reader)
          .close();
      throw e;
    }
    LOG.info(
        "scopeguard started: guarding {}; metrics and probes on port {}",
        watched.activeKinds().stream().map(GuardedKind::kind).collect(Collectors.joining(", ")),
        http.port());
    return new ScopeguardOperator(
        operator,
        watched,
        guard,
        guardMetrics,
        metrics,
        http,
        webhook,
        leadership,
        revisions,
        reader);
  }

  private static void warmUp(WatchedResources watched, int rounds) {
    if (rounds <= 0) {
      return;
    }
    try {
      JudgingWarmUp.Result warmUp = JudgingWarmUp.run(watched, rounds, WARM_UP_DEADLINE);
      LOG.info(
          "judging path warmed up: {} synthetic revisions ({} allowed, {} held), first {} ms, last {} ms",
          warmUp.rounds(),
          warmUp.allowed(),
          warmUp.heldForMassDeletion(),
          Math.round(warmUp.firstMillis()),
          Math.round(warmUp.lastMillis()));
    } catch (RuntimeException e) {
      LOG.warn(
          "could not warm up the judging path ({}); the first judgement after this start will be slower",
          e.toString());
    }
  }

  private static String notReadyReason(Operator operator, WatchedResources watched) {
    String informers = watched.notSynced();
    if (informers != null) {
      return "informers not synced: " + informers;
    }
    RuntimeInfo info = operator.getRuntimeInfo();
    if (!info.isStarted()) {
      return "operator starting";
    }
    String unhealthy =
        info.unhealthyEventSources().entrySet().stream()
            .filter(controller -> !controller.getValue().isEmpty())
            .map(controller -> controller.getKey() + " " + controller.getValue().keySet())
            .collect(Collectors.joining(", "));
    return unhealthy.isEmpty() ? null : "informers not synced or failing: " + unhealthy;
  }

  /** The port of /metrics, /healthz and /readyz. */
  public int httpPort() {
    return http.port();
  }

  public ScopeguardMetrics metrics() {
    return metrics;
  }

  public GuardMetrics guardMetrics() {
    return guardMetrics;
  }

  public WatchedResources watched() {
    return watched;
  }

  /** The running admission webhook, if enabled. */
  public Optional<Webhook> webhook() {
    return Optional.ofNullable(webhook);
  }

  /** Whether this replica reconciles (it leads, or runs without leader election). */
  public boolean leading() {
    return leadership.leading();
  }

  /** Whether the guard has nothing queued or in progress. */
  public boolean guardIdle() {
    return guard.idle();
  }

  /**
   * Stops reconciling first (the guard at once, then the operator SDK), hands the Lease over, and
   * only then stops serving admission, the informers and the endpoints: a successor never acts
   * while this replica still does, and admission is answered until the end.
   */
  @Override
  public void close() {
    if (!leadership.closing()) {
      return;
    }
    LOG.info("scopeguard stopping");
    try {
      guard.follow();
      operator.stop();
      leadership.release();
    } finally {
      if (webhook != null) {
        webhook.close();
      }
      guard.close();
      revisions.close();
      reader.close();
      watched.close();
      http.close();
      metrics.close();
    }
  }
}
