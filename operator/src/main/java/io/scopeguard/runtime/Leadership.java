package io.scopeguard.runtime;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.scopeguard.guard.GuardReconciler;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which replica reconciles. With leader election, the operator SDK holds a Lease in scopeguard's
 * namespace and starts the ClusterScope reconciler on the leader; this class starts the guard there
 * too and exports {@code scopeguard_leader} (1 while this replica leads). Followers keep their
 * caches warm and serve admission. A leader that loses the Lease stops its guard at once and runs
 * the lost-leadership action (the command line exits); one that shuts down stops its guard, then
 * releases the Lease, so a follower takes over at once instead of after the lease duration.
 */
final class Leadership {

  private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);

  private final KubernetesClient client;
  private final String namespace;
  private final OperatorSettings.LeaderElection settings;
  private final String identity;
  private final GuardReconciler guard;
  private final Runnable lostLeadership;
  private final AtomicBoolean leading = new AtomicBoolean();
  private final AtomicBoolean lost = new AtomicBoolean();
  private final AtomicBoolean closing = new AtomicBoolean();

  Leadership(
      KubernetesClient client,
      String namespace,
      OperatorSettings.LeaderElection settings,
      GuardReconciler guard,
      MeterRegistry registry,
      Runnable lostLeadership) {
    this.client = client;
    this.namespace = namespace;
    this.settings = settings;
    this.identity = identity(settings);
    this.guard = guard;
    this.lostLeadership = lostLeadership;
    Gauge.builder("scopeguard.leader", leading, leader -> leader.get() ? 1 : 0)
        .description(
            "1 on the replica that reconciles, 0 on a follower (which serves admission only)")
        .register(registry);
  }

  private static String identity(OperatorSettings.LeaderElection settings) {
    if (settings.identity() != null && !settings.identity().isBlank()) {
      return settings.identity();
    }
    String host = System.getenv("HOSTNAME");
    return host != null && !host.isBlank() ? host : "scopeguard-" + UUID.randomUUID();
  }

  /** The operator SDK's leader election, when enabled. */
  Optional<LeaderElectionConfiguration> configuration() {
    if (!settings.enabled()) {
      return Optional.empty();
    }
    return Optional.of(
        new LeaderElectionConfiguration(
            settings.leaseName(),
            namespace,
            settings.leaseDuration(),
            settings.renewDeadline(),
            settings.retryPeriod(),
            identity,
            new LeaderCallbacks(this::startLeading, this::stopLeading, this::newLeader),
            false));
  }

  /** Called once the operator SDK started: without leader election, this replica reconciles now. */
  void started() {
    if (settings.enabled()) {
      LOG.info(
          "leader election on Lease {}/{} as {}: serving admission, reconciling once leading",
          namespace,
          settings.leaseName(),
          identity);
    } else {
      startLeading();
    }
  }

  private void startLeading() {
    if (leading.compareAndSet(false, true)) {
      guard.lead();
    }
  }

  private void stopLeading() {
    if (!leading.compareAndSet(true, false)) {
      return;
    }
    guard.follow();
    if (!closing.get() && lost.compareAndSet(false, true)) {
      LOG.error(
          "lost leadership of Lease {}/{} ({}): stopping reconciliation",
          namespace,
          settings.leaseName(),
          identity);
      lostLeadership.run();
    }
  }

  private void newLeader(String leader) {
    if (leader != null && !leader.isEmpty() && !leader.equals(identity)) {
      LOG.info(
          "Lease {}/{} is held by {}; this replica ({}) follows",
          namespace,
          settings.leaseName(),
          leader,
          identity);
    }
  }

  boolean leading() {
    return leading.get();
  }

  /** Marks the start of shutdown; false when it has already begun. */
  boolean closing() {
    return closing.compareAndSet(false, true);
  }

  /**
   * Hands the Lease back if this replica still holds it (empty holder, one-second duration, as
   * client-go does), guarded by the Lease's resourceVersion so another holder is never overwritten.
   */
  void release() {
    if (!settings.enabled() || lost.get()) {
      return;
    }
    try {
      Lease lease = client.leases().inNamespace(namespace).withName(settings.leaseName()).get();
      if (lease == null
          || lease.getSpec() == null
          || !identity.equals(lease.getSpec().getHolderIdentity())) {
        return;
      }
      ZonedDateTime now = ZonedDateTime.now();
      lease.getSpec().setHolderIdentity(null);
      lease.getSpec().setLeaseDurationSeconds(1);
      lease.getSpec().setAcquireTime(now);
      lease.getSpec().setRenewTime(now);
      client.leases().inNamespace(namespace).resource(lease).update();
      LOG.info("released Lease {}/{} ({})", namespace, settings.leaseName(), identity);
    } catch (KubernetesClientException e) {
      LOG.warn(
          "could not release Lease {}/{} ({}); a follower takes over when it expires: {}",
          namespace,
          settings.leaseName(),
          identity,
          e.getMessage());
    }
  }
}
