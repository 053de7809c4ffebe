package io.scopeguard.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.scopeguard.testkit.EmbeddedKubernetes;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The two sources of webhook certificates: issued and stored by scopeguard, or written by
 * cert-manager.
 */
class CertificateStoreTest {

  static EmbeddedKubernetes api;

  @BeforeAll
  static void start() {
    api = EmbeddedKubernetes.start();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  static CertificateStore store(String secret, boolean issue) {
    return new CertificateStore(
        api.client(),
        "scopeguard-system",
        secret,
        issue,
        List.of("localhost"),
        List.of("127.0.0.1"),
        Duration.ofDays(90),
        Clock.systemUTC());
  }

  @Test
  void issuedCertificatesAreStoredAndSharedNotReissued() {
    CertificateStore.Current first = store("issued", true).ensure();
    CertificateStore.Current second = store("issued", true).ensure();

    assertThat(second.issued().serving())
        .as("another replica serves the same certificate")
        .isEqualTo(first.issued().serving());
    assertThat(second.caBundle()).isEqualTo(first.caBundle());
    assertThat(
            api.client()
                .secrets()
                .inNamespace("scopeguard-system")
                .withName("issued")
                .get()
                .getType())
        .isEqualTo("kubernetes.io/tls");
  }

  @Test
  void certManagersSecretIsServedAsItIs() throws Exception {
    KeyPair keys = KeyPairGenerator.getInstance("RSA").generateKeyPair();
    X500Name name = new X500Name("CN=scopeguard-webhook.scopeguard-system.svc");
    X509Certificate certificate =
        new JcaX509CertificateConverter()
            .getCertificate(
                new JcaX509v3CertificateBuilder(
                        name,
                        BigInteger.TEN,
                        new Date(),
                        new Date(System.currentTimeMillis() + 86_400_000L),
                        name,
                        keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
    api.client()
        .secrets()
        .inNamespace("scopeguard-system")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withNamespace("scopeguard-system")
                .withName("from-cert-manager")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToData("tls.crt", base64(pem(certificate)))
                .addToData("tls.key", base64(pem(keys.getPrivate())))
                .addToData("ca.crt", base64(pem(certificate)))
                .build())
        .create();

    CertificateStore.Current current = store("from-cert-manager", false).ensure();

    assertThat(current.issued().serving()).isEqualTo(certificate);
    assertThat(current.caBundle()).isEqualTo(pem(certificate));
  }

  @Test
  void aMissingCertManagerSecretIsAClearError() {
    assertThatThrownBy(() -> store("not-yet", false).ensure())
        .hasMessage(
            "no certificate in Secret scopeguard-system/not-yet yet (is cert-manager's Certificate ready?)");
  }

  static String pem(Object object) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }

  static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
