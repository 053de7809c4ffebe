package io.scopeguard.webhook;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * The key manager the admission server serves with: each new TLS handshake uses the certificate set
 * last, so a rotated certificate takes over without a restart and without failing a request.
 */
public final class RotatingKeyManager extends X509ExtendedKeyManager {

  private final AtomicReference<X509KeyManager> current = new AtomicReference<>();
  private final AtomicReference<X509Certificate> serving = new AtomicReference<>();

  public RotatingKeyManager(WebhookCertificates.Issued certificates) {
    use(certificates);
  }

  /** Serves {@code certificates} from the next handshake on. */
  public void use(WebhookCertificates.Issued certificates) {
    current.set(keyManager(certificates.keyStore(), certificates.password()));
    serving.set(certificates.serving());
  }

  /** The certificate being served now. */
  public X509Certificate serving() {
    return serving.get();
  }

  private static X509KeyManager keyManager(KeyStore store, char[] password) {
    try {
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, password);
      return (X509KeyManager) factory.getKeyManagers()[0];
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot use the webhook certificate: " + e.getMessage(), e);
    }
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return current.get().getClientAliases(keyType, issuers);
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return current.get().chooseClientAlias(keyType, issuers, socket);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return current.get().getServerAliases(keyType, issuers);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return current.get().chooseServerAlias(keyType, issuers, socket);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return current.get().chooseServerAlias(keyType, issuers, null);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return current.get().getCertificateChain(alias);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return current.get().getPrivateKey(alias);
  }
}
