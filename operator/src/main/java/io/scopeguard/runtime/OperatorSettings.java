package io.scopeguard.runtime;

import io.scopeguard.guard.GuardedKind;
import java.time.Duration;
import java.util.List;

/**
 * Everything an operator run is configured with. Built from flags and environment by
 * {@link io.scopeguard.ScopeguardMain}; tests and the demo build it directly.
 *
 * @param context kubeconfig context to act on; null means the kubeconfig's current context, or
 *     the in-cluster service account when there is no kubeconfig
 * @param httpPort port of the /metrics, /healthz and /readyz endpoints; 0 picks a free port
 * @param namespace the namespace scopeguard itself runs in
 * @param apiTimeout how long the start-up check waits for the API server
 * @param reconcileThreads concurrent reconciliations
 * @param onboardingKinds onboarding kinds to guard besides Flux's
 */
public record OperatorSettings(
    String context, int httpPort, String namespace, Duration apiTimeout, int reconcileThreads,
    List<GuardedKind> onboardingKinds) {

  public static final int DEFAULT_HTTP_PORT = 8080;

  /** Settings for an in-process run (tests, demo): free HTTP port, default everything else. */
  public static OperatorSettings embedded() {
    return new OperatorSettings(null, 0, "scopeguard-system", Duration.ofSeconds(10), 4, List.of());
  }

  public OperatorSettings withHttpPort(int port) {
    return new OperatorSettings(context, port, namespace, apiTimeout, reconcileThreads, onboardingKinds);
  }

  public OperatorSettings withOnboardingKinds(List<GuardedKind> kinds) {
    return new OperatorSettings(context, httpPort, namespace, apiTimeout, reconcileThreads, List.copyOf(kinds));
  }
}
