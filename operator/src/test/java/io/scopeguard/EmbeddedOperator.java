package io.scopeguard;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.runtime.ScopeguardOperator;
import io.scopeguard.testkit.EmbeddedKubernetes;
import io.scopeguard.testkit.Identities;
import java.time.Clock;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension: the real operator on the embedded Kubernetes API, started once per test class.
 * Register it as a static field with {@code @RegisterExtension}.
 */
public final class EmbeddedOperator implements BeforeAllCallback, AfterAllCallback {

  private final OperatorSettings settings;
  private EmbeddedKubernetes api;
  private ScopeguardOperator operator;

  public EmbeddedOperator() {
    this(OperatorSettings.embedded());
  }

  public EmbeddedOperator(OperatorSettings settings) {
    this.settings = settings;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    api = EmbeddedKubernetes.start();
    operator =
        ScopeguardOperator.start(api.clientAs(Identities.SCOPEGUARD), settings, Clock.systemUTC());
  }

  /** Stops the operator and starts a new one on the same API: what a pod restart does. */
  public void restart() {
    operator.close();
    operator =
        ScopeguardOperator.start(api.clientAs(Identities.SCOPEGUARD), settings, Clock.systemUTC());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (operator != null) {
      operator.close();
    }
    if (api != null) {
      api.close();
    }
  }

  public KubernetesClient client() {
    return api.client();
  }

  /** The embedded API, for clients acting as other users. */
  public EmbeddedKubernetes api() {
    return api;
  }

  public ScopeguardOperator operator() {
    return operator;
  }
}
