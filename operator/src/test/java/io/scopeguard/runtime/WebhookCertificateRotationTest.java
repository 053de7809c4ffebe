package io.scopeguard.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.scopeguard.EmbeddedOperator;
import io.scopeguard.testkit.CaBundleHttpClient;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The webhook's certificates are kept in a Secret and renewed before they expire: the served chain
 * and the caBundle of the webhook configuration change together, and a caller that trusts whatever
 * caBundle is registered (as the API server does) never sees a failed request.
 */
class WebhookCertificateRotationTest {

  static final OperatorSettings.Webhook WEBHOOK =
      OperatorSettings.Webhook.onLoopback()
          .withCertificates(Duration.ofSeconds(3), Duration.ofMillis(200));

  @RegisterExtension
  static final EmbeddedOperator SCOPEGUARD =
      new EmbeddedOperator(OperatorSettings.embedded().withWebhook(WEBHOOK));

  static final String REVIEW =
      """
      {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"1","operation":"DELETE",
       "userInfo":{"username":"alice"},"oldObject":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}}}""";

  @Test
  void anExpiringCertificateIsReplacedWithoutAFailedRequest() throws Exception {
    Set<BigInteger> served = new LinkedHashSet<>();
    List<String> failures = new ArrayList<>();
    long until = System.nanoTime() + Duration.ofSeconds(7).toNanos();
    while (System.nanoTime() < until) {
      String bundle = registeredBundle();
      try {
        HttpResponse<String> response =
            client(bundle)
                .send(
                    HttpRequest.newBuilder(URI.create(WEBHOOK.url()))
                        .POST(HttpRequest.BodyPublishers.ofString(REVIEW))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        served.add(
            ((X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0])
                .getSerialNumber());
      } catch (Exception e) {
        failures.add(e.toString());
      }
      Thread.sleep(50);
    }

    assertThat(failures).as("requests that failed during rotation").isEmpty();
    assertThat(served).as("certificates served").hasSizeGreaterThanOrEqualTo(2);
    X509Certificate current = SCOPEGUARD.operator().webhook().orElseThrow().serving();
    assertThat(current.getSerialNumber()).isEqualTo(List.copyOf(served).get(served.size() - 1));
    Secret secret =
        SCOPEGUARD
            .client()
            .secrets()
            .inNamespace("scopeguard-system")
            .withName("scopeguard-webhook-tls")
            .get();
    assertThat(certificates(decode(secret.getData().get("tls.crt"))).get(0).getSerialNumber())
        .isEqualTo(current.getSerialNumber());
    boolean signedByRegisteredCa =
        certificates(registeredBundle()).stream()
            .anyMatch(
                ca -> {
                  try {
                    current.verify(ca.getPublicKey());
                    return true;
                  } catch (Exception e) {
                    return false;
                  }
                });
    assertThat(signedByRegisteredCa)
        .as("the served certificate is signed by a CA in the registered caBundle")
        .isTrue();
  }

  private static String registeredBundle() {
    var configuration =
        SCOPEGUARD
            .client()
            .admissionRegistration()
            .v1()
            .validatingWebhookConfigurations()
            .withName("scopeguard")
            .get();
    return decode(configuration.getWebhooks().get(0).getClientConfig().getCaBundle());
  }

  private static HttpClient client(String bundle) throws Exception {
    return CaBundleHttpClient.trusting(bundle);
  }

  private static List<X509Certificate> certificates(String pem) throws Exception {
    List<X509Certificate> list = new ArrayList<>();
    for (var c :
        CertificateFactory.getInstance("X.509")
            .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8)))) {
      list.add((X509Certificate) c);
    }
    return list;
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}
