package io.scopeguard.runtime;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.MeterRegistry;
import io.scopeguard.guard.Actuator;
import io.scopeguard.guard.Decisions;
import io.scopeguard.guard.RevisionJudge;
import io.scopeguard.guard.WatchedResources;
import io.scopeguard.webhook.AdmissionServer;
import io.scopeguard.webhook.ApprovalAdmission;
import io.scopeguard.webhook.CertificateStore;
import io.scopeguard.webhook.PruneAdmission;
import io.scopeguard.webhook.ResumeAdmission;
import io.scopeguard.webhook.RevisionGate;
import io.scopeguard.webhook.ScopeAdmission;
import io.scopeguard.webhook.SourceRevisionAdmission;
import io.scopeguard.webhook.WebhookCertificates;
import io.scopeguard.webhook.WebhookRegistration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running admission webhooks (scope gate, revision gate, delete guard, resume guard, approver
 * record): certificates made for the names the API server will call, the HTTPS admission server,
 * and the webhook configurations that point at it.
 */
public final class Webhook implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Webhook.class);
  private static final int WARM_UP_ROUNDS = 3;

  private final AdmissionServer server;
  private final RevisionGate gate;
  private final SourceRevisionAdmission revisionGate;
  private final WebhookRegistration registration;
  private final KubernetesClient client;
  private final CertificateStore store;
  private final ScheduledExecutorService renewals =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "scopeguard-certificates");
            thread.setDaemon(true);
            return thread;
          });
  private final String ownerClusterRole;
  private volatile String caBundle;

  private Webhook(
      AdmissionServer server,
      RevisionGate gate,
      SourceRevisionAdmission revisionGate,
      String caBundle,
      WebhookRegistration registration,
      KubernetesClient client,
      CertificateStore store,
      String ownerClusterRole) {
    this.ownerClusterRole = ownerClusterRole;
    this.server = server;
    this.gate = gate;
    this.revisionGate = revisionGate;
    this.caBundle = caBundle;
    this.registration = registration;
    this.client = client;
    this.store = store;
  }

  static Webhook start(
      KubernetesClient client,
      OperatorSettings settings,
      WatchedResources watched,
      RevisionJudge judge,
      Decisions decisions,
      Actuator actuator,
      String self,
      Clock clock,
      MeterRegistry registry) {
    OperatorSettings.Webhook config = settings.webhook();
    List<String> dns = new ArrayList<>(List.of("localhost"));
    List<String> ips = new ArrayList<>(List.of("127.0.0.1"));
    if (config.service() != null) {
      String[] namespaceAndName = config.service().split(":")[0].split("/", 2);
      String host = namespaceAndName[1] + "." + namespaceAndName[0] + ".svc";
      dns.add(0, host);
      dns.add(host + ".cluster.local");
    }
    if (config.url() != null) {
      String host = URI.create(config.url()).getHost();
      if (host.matches("[0-9.]+|.*:.*")) {
        ips.add(host);
      } else {
        dns.add(0, host);
      }
    }
    CertificateStore store =
        new CertificateStore(
            client,
            settings.namespace(),
            config.certificateSecret(),
            !config.certManager(),
            dns,
            ips,
            config.certificateValidity(),
            clock);
    CertificateStore.Current certificates = certificates(store, config, dns, ips, clock);
    Duration judging =
        config.timeout().minusMillis(Math.min(1000, config.timeout().toMillis() / 4));
    Duration readBudget = config.timeout().dividedBy(2);
    RevisionGate gate =
        new RevisionGate(
            watched,
            decisions,
            judge,
            settings.unknownPolicy(),
            config.flux(),
            judging,
            readBudget);
    SourceRevisionAdmission revisionGate =
        new SourceRevisionAdmission(watched, decisions, actuator, judging, readBudget, clock);
    AdmissionServer server;
    try {
      Map<String, UnaryOperator<AdmissionReview>> handlers =
          Map.of(
              PruneAdmission.PATH, new PruneAdmission(gate),
              ResumeAdmission.PATH, new ResumeAdmission(watched.guardedKinds()),
              ApprovalAdmission.PATH, new ApprovalAdmission(clock),
              ScopeAdmission.PATH, new ScopeAdmission(watched, decisions, self, readBudget, clock),
              SourceRevisionAdmission.PATH, revisionGate);
      Map<String, UnaryOperator<AdmissionReview>> ahead = new HashMap<>();
      handlers.forEach(
          (path, handler) ->
              ahead.put(
                  path, review -> RevisionJudge.answeringAdmission(() -> handler.apply(review))));
      server = new AdmissionServer(config.port(), certificates.issued(), ahead, registry);
    } catch (IOException e) {
      gate.close();
      revisionGate.close();
      throw new UncheckedIOException(
          "cannot serve the admission webhook on port " + config.port(), e);
    }
    int timeoutSeconds = (int) Math.max(1, Math.min(30, config.timeout().toSeconds()));
    WebhookRegistration registration =
        new WebhookRegistration(
            config.configurationName(),
            settings.namespace(),
            timeoutSeconds,
            config.service(),
            config.url(),
            watched.guardedKinds(),
            self,
            config.scopeFailurePolicy(),
            config.certManager() ? config.certificateSecret() : null);
    OwnerReference owner = owner(client, config.ownerClusterRole());
    if (owner == null && config.ownerClusterRole() != null) {
      LOG.warn(
          "ClusterRole {} not found: the webhook configurations are not owned by it, and must be deleted by hand"
              + " if scopeguard is removed (kubectl delete validatingwebhookconfiguration,mutatingwebhookconfiguration {})",
          config.ownerClusterRole(),
          config.configurationName());
    }
    long warmedUp = settings.warmUpRounds() > 0 ? server.warmUp(WARM_UP_ROUNDS) : 0;
    registration.apply(client, certificates.caBundle(), owner);
    LOG.info(
        "admission webhooks serving on port {} (warmed up in {} ms), registered as {} ({}); certificate valid until {}",
        server.port(),
        warmedUp,
        config.configurationName(),
        config.service() != null ? "service " + config.service() : "url " + config.url(),
        certificates.issued().serving().getNotAfter().toInstant());
    Webhook webhook =
        new Webhook(
            server,
            gate,
            revisionGate,
            certificates.caBundle(),
            registration,
            client,
            store.available() ? store : null,
            config.ownerClusterRole());
    webhook.renewEvery(config.renewCheck());
    return webhook;
  }

  /**
   * The owner of the webhook configurations, when one is configured and exists; else null
   * (unowned).
   */
  private static OwnerReference owner(KubernetesClient client, String clusterRole) {
    return clusterRole == null ? null : WebhookRegistration.ownerClusterRole(client, clusterRole);
  }

  /**
   * The stored certificates; in-memory ones for this process alone when the Secret cannot be used.
   */
  private static CertificateStore.Current certificates(
      CertificateStore store,
      OperatorSettings.Webhook config,
      List<String> dns,
      List<String> ips,
      Clock clock) {
    try {
      return store.ensure();
    } catch (KubernetesClientException e) {
      if (config.certManager()) {
        throw e;
      }
      LOG.warn(
          "cannot keep the webhook certificates in Secret {} ({}); using certificates of this process alone:"
              + " run a single replica",
          config.certificateSecret(),
          e.getMessage());
      store.unavailable();
      WebhookCertificates.Issued issued =
          WebhookCertificates.issue(dns, ips, config.certificateValidity(), clock);
      return new CertificateStore.Current(issued, issued.caPem());
    }
  }

  /**
   * Checks the certificates every {@code period}; a renewal (by this replica or another) updates
   * the caBundle, then the served certificate.
   */
  private void renewEvery(Duration period) {
    if (store == null) {
      return;
    }
    renewals.scheduleWithFixedDelay(
        this::renew, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  void renew() {
    try {
      CertificateStore.Current latest = store.ensure();
      OwnerReference owner = owner(client, ownerClusterRole);
      boolean renewed = !latest.issued().serving().equals(server.serving());
      if (!renewed && registration.registered(client, owner)) {
        return;
      }
      registration.apply(client, latest.caBundle(), owner);
      if (renewed) {
        caBundle = latest.caBundle();
        server.use(latest.issued());
        LOG.info(
            "webhook certificate renewed; valid until {}",
            latest.issued().serving().getNotAfter().toInstant());
      } else {
        LOG.warn(
            "webhook configurations {} were missing or owned by another object (deleted, or their owner"
                + " ClusterRole re-created): registered again",
            registration.name());
      }
    } catch (RuntimeException e) {
      LOG.warn("webhook check failed; serving and registered as before: {}", e.getMessage());
    }
  }

  public int port() {
    return server.port();
  }

  /** The CA bundle (PEM) the API server trusts for this webhook. */
  public String caPem() {
    return caBundle;
  }

  /** The certificate served now. */
  public X509Certificate serving() {
    return server.serving();
  }

  @Override
  public void close() {
    renewals.shutdownNow();
    server.close();
    gate.close();
    revisionGate.close();
  }
}
