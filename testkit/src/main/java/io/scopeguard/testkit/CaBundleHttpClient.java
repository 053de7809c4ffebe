package io.scopeguard.testkit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * HTTP clients that trust exactly the certificates of a PEM CA bundle, as the API server trusts a
 * webhook's caBundle.
 */
public final class CaBundleHttpClient {

  private CaBundleHttpClient() {}

  /** A client trusting only {@code caPem}'s certificates. */
  public static HttpClient trusting(String caPem) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (var certificate :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(caPem.getBytes(StandardCharsets.UTF_8)))) {
        trust.setCertificateEntry("ca" + i++, (X509Certificate) certificate);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, factory.getTrustManagers(), null);
      return HttpClient.newBuilder().sslContext(ssl).build();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("not a usable PEM CA bundle: " + e.getMessage(), e);
    }
  }
}
