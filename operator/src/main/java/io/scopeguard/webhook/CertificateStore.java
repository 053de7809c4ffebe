package io.scopeguard.webhook;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The webhook's certificates, kept in a Secret of scopeguard's namespace so that every replica
 * serves the same ones and the caBundle names one CA. With {@code issue} on, scopeguard issues them
 * itself and renews them once a third of their validity is left, keeping the previous CA in the
 * bundle so that callers trusting either keep working; otherwise (cert-manager) it only reads what
 * cert-manager writes there ({@code tls.crt}, {@code tls.key}, {@code ca.crt}).
 */
public final class CertificateStore {

  /** The certificates in force, and the CA bundle the webhook configurations must carry. */
  public record Current(WebhookCertificates.Issued issued, String caBundle) {}

  private final KubernetesClient client;
  private final String namespace;
  private final String secretName;
  private final boolean issue;
  private final List<String> dnsNames;
  private final List<String> ips;
  private final Duration validity;
  private final Clock clock;

  public CertificateStore(
      KubernetesClient client,
      String namespace,
      String secretName,
      boolean issue,
      List<String> dnsNames,
      List<String> ips,
      Duration validity,
      Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.secretName = secretName;
    this.issue = issue;
    this.dnsNames = List.copyOf(dnsNames);
    this.ips = List.copyOf(ips);
    this.validity = validity;
    this.clock = clock;
  }

  private volatile boolean available = true;

  /** Whether the Secret can be used (false after {@link #unavailable()}). */
  public boolean available() {
    return available;
  }

  /** The Secret cannot be used (no namespace, no permission): nothing will be read or written. */
  public void unavailable() {
    available = false;
  }

  /** The stored certificates, renewed (and stored) first when due; cert-manager's, as they are. */
  public Current ensure() {
    Secret existing = read();
    Optional<Current> stored = parse(existing);
    if (!issue) {
      return stored.orElseThrow(
          () ->
              new IllegalStateException(
                  "no certificate in Secret "
                      + namespace
                      + "/"
                      + secretName
                      + " yet (is cert-manager's Certificate ready?)"));
    }
    if (stored.isPresent() && !due(stored.get().issued().serving())) {
      return stored.get();
    }
    WebhookCertificates.Issued fresh = WebhookCertificates.issue(dnsNames, ips, validity, clock);
    String bundle =
        fresh.caPem()
            + stored.filter(s -> !expired(s.issued().ca())).map(s -> s.issued().caPem()).orElse("");
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName(secretName)
            .addToLabels("app.kubernetes.io/managed-by", "scopeguard")
            .endMetadata()
            .withType("kubernetes.io/tls")
            .addToData("tls.crt", base64(WebhookCertificates.pem(fresh.serving())))
            .addToData("tls.key", base64(pem(fresh)))
            .addToData("ca.crt", base64(bundle))
            .build();
    try {
      if (existing != null) {
        // guarded by the version read: when two replicas renew at once, one wins and the other
        // adopts its certificate
        secret.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
        client.secrets().inNamespace(namespace).resource(secret).update();
      } else {
        client.secrets().inNamespace(namespace).resource(secret).create();
      }
      return new Current(fresh, bundle);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return parse(read()).orElseThrow(() -> e);
      }
      throw e;
    }
  }

  /** Whether a certificate has a third or less of the validity scopeguard issues left. */
  boolean due(X509Certificate certificate) {
    return Instant.now(clock)
        .isAfter(certificate.getNotAfter().toInstant().minus(validity.dividedBy(3)));
  }

  private boolean expired(X509Certificate certificate) {
    return Instant.now(clock).isAfter(certificate.getNotAfter().toInstant());
  }

  private Secret read() {
    return client.secrets().inNamespace(namespace).withName(secretName).get();
  }

  private Optional<Current> parse(Secret secret) {
    Map<String, String> data =
        secret == null || secret.getData() == null ? Map.of() : secret.getData();
    if (!data.containsKey("tls.crt")
        || !data.containsKey("tls.key")
        || !data.containsKey("ca.crt")) {
      return Optional.empty();
    }
    try {
      List<X509Certificate> chain = certificates(decode(data.get("tls.crt")));
      String bundle = decode(data.get("ca.crt"));
      X509Certificate ca = certificates(bundle).get(0);
      PrivateKey key = privateKey(decode(data.get("tls.key")));
      char[] password = "scopeguard".toCharArray();
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      List<Certificate> full = new ArrayList<>(chain);
      if (!chain.contains(ca)) {
        full.add(ca);
      }
      store.setKeyEntry("webhook", key, password, full.toArray(Certificate[]::new));
      return Optional.of(
          new Current(
              new WebhookCertificates.Issued(
                  store, password, chain.get(0), ca, WebhookCertificates.pem(ca)),
              bundle));
    } catch (Exception e) {
      throw new IllegalStateException(
          "Secret "
              + namespace
              + "/"
              + secretName
              + " holds no usable certificate: "
              + e.getMessage(),
          e);
    }
  }

  private static List<X509Certificate> certificates(String pem) throws Exception {
    List<X509Certificate> certificates = new ArrayList<>();
    for (var certificate :
        CertificateFactory.getInstance("X.509")
            .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8)))) {
      certificates.add((X509Certificate) certificate);
    }
    if (certificates.isEmpty()) {
      throw new IllegalStateException("no certificate in PEM");
    }
    return certificates;
  }

  private static PrivateKey privateKey(String pem) throws IOException {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object object = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (object instanceof PEMKeyPair pair) {
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
      if (object instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      throw new IOException("not a private key");
    }
  }

  private static String pem(WebhookCertificates.Issued issued) {
    try {
      PrivateKey key = (PrivateKey) issued.keyStore().getKey("webhook", issued.password());
      return "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(key.getEncoded())
          + "\n-----END PRIVATE KEY-----\n";
    } catch (Exception e) {
      throw new IllegalStateException("cannot write the webhook key: " + e.getMessage(), e);
    }
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}
