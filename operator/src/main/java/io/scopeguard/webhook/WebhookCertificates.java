package io.scopeguard.webhook;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates scopeguard makes for its admission webhook when nothing else (cert-manager) provides
 * them: a CA, and a serving certificate signed by it for the webhook's DNS names and IPs. The CA's
 * PEM goes into the webhook configuration's {@code caBundle}.
 */
public final class WebhookCertificates {

  /** A serving key and certificate chain, with the CA that signed it. */
  public record Issued(
      KeyStore keyStore,
      char[] password,
      X509Certificate serving,
      X509Certificate ca,
      String caPem) {}

  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookCertificates() {}

  /**
   * @param dnsNames names the API server will call, e.g. {@code
   *     scopeguard-webhook.scopeguard-system.svc}
   * @param ips IP addresses the API server will call (out-of-cluster URL mode), may be empty
   * @param validity how long the serving certificate is valid (the CA lives ten times longer)
   */
  public static Issued issue(
      List<String> dnsNames, List<String> ips, Duration validity, Clock clock) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256);
      KeyPair caKeys = generator.generateKeyPair();
      KeyPair servingKeys = generator.generateKeyPair();
      Instant now = Instant.now(clock);
      Instant notBefore = now.minus(Duration.ofMinutes(5));
      X500Name caName = new X500Name("CN=scopeguard webhook CA");

      X509v3CertificateBuilder ca =
          new JcaX509v3CertificateBuilder(
              caName,
              serial(),
              Date.from(notBefore),
              Date.from(now.plus(validity.multipliedBy(10))),
              caName,
              caKeys.getPublic());
      ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      ca.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate caCert = sign(ca, caKeys);

      X509v3CertificateBuilder serving =
          new JcaX509v3CertificateBuilder(
              caName,
              serial(),
              Date.from(notBefore),
              Date.from(now.plus(validity)),
              new X500Name("CN=" + dnsNames.get(0)),
              servingKeys.getPublic());
      List<GeneralName> names = new ArrayList<>();
      dnsNames.forEach(name -> names.add(new GeneralName(GeneralName.dNSName, name)));
      for (String ip : ips) {
        names.add(
            new GeneralName(GeneralName.iPAddress, InetAddress.getByName(ip).getHostAddress()));
      }
      serving.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(names.toArray(GeneralName[]::new)));
      serving.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      serving.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      X509Certificate servingCert = sign(serving, caKeys);

      char[] password = Long.toHexString(RANDOM.nextLong()).toCharArray();
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(
          "webhook", servingKeys.getPrivate(), password, new Certificate[] {servingCert, caCert});
      return new Issued(store, password, servingCert, caCert, pem(caCert));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create webhook certificates: " + e.getMessage(), e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
  }

  static String pem(X509Certificate certificate) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(certificate);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
