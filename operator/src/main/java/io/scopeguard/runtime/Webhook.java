package io.scopeguard.runtime;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.scopeguard.deletion.RevisionGate;
import io.scopeguard.deletion.RevisionJudge;
import io.scopeguard.guard.WatchedResources;
import io.scopeguard.guard.GuardedKind;
import io.scopeguard.webhook.AdmissionServer;
import io.scopeguard.webhook.ApprovalAdmission;
import io.scopeguard.webhook.ResumeAdmission;
import io.scopeguard.webhook.PruneAdmission;
import io.scopeguard.webhook.WebhookCertificates;
import io.scopeguard.webhook.WebhookRegistration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running delete guard: certificates made for the names the API server will call, the HTTPS
 * admission server, and the ValidatingWebhookConfiguration that points at it.
 */
public final class Webhook implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Webhook.class);
  private static final Duration CERTIFICATE_VALIDITY = Duration.ofDays(365);

  private final AdmissionServer server;
  private final RevisionGate gate;
  private final String caPem;

  private Webhook(AdmissionServer server, RevisionGate gate, String caPem) {
    this.server = server;
    this.gate = gate;
    this.caPem = caPem;
  }

  static Webhook start(KubernetesClient client, OperatorSettings settings, WatchedResources watched, RevisionJudge judge,
      Clock clock, io.micrometer.core.instrument.MeterRegistry registry) {
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
    WebhookCertificates.Issued certificates = WebhookCertificates.issue(dns, ips, CERTIFICATE_VALIDITY, clock);
    Duration judging = config.timeout().minusMillis(Math.min(1000, config.timeout().toMillis() / 4));
    RevisionGate gate = new RevisionGate(watched, judge, settings.unknownPolicy(), judging);
    AdmissionServer server;
    try {
      server = new AdmissionServer(config.port(), certificates, Map.of(
          PruneAdmission.PATH, new PruneAdmission(gate, config.fluxUsers()),
          ResumeAdmission.PATH, new ResumeAdmission(watched.guardedKinds()),
          ApprovalAdmission.PATH, new ApprovalAdmission(clock)), registry);
    } catch (IOException e) {
      gate.close();
      throw new UncheckedIOException("cannot serve the admission webhook on port " + config.port(), e);
    }
    int timeoutSeconds = (int) Math.max(1, Math.min(30, config.timeout().toSeconds()));
    List<String> groups = watched.guardedKinds().stream().map(GuardedKind::group).distinct().sorted().toList();
    new WebhookRegistration(config.configurationName(), settings.namespace(), config.fluxUsers(), timeoutSeconds,
        config.service(), config.url(), groups).apply(client, certificates.caPem());
    LOG.info("delete guard serving on port {}, registered as ValidatingWebhookConfiguration {} ({})", server.port(),
        config.configurationName(), config.service() != null ? "service " + config.service() : "url " + config.url());
    return new Webhook(server, gate, certificates.caPem());
  }

  public int port() {
    return server.port();
  }

  /** The CA bundle (PEM) the API server trusts for this webhook. */
  public String caPem() {
    return caPem;
  }

  @Override
  public void close() {
    server.close();
    gate.close();
  }
}
