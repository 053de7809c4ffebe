package io.scopeguard.runtime;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.scopeguard.capi.ClusterApi;
import io.scopeguard.metrics.ScopeguardMetrics;
import io.scopeguard.scope.ClusterScopeReconciler;
import io.scopeguard.scope.ScopeConditions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running scopeguard: the operator SDK with scopeguard's reconcilers, the meter registry and
 * the HTTP endpoints, started together and closed together.
 */
public final class ScopeguardOperator implements AutoCloseable {

  /** Field manager of every write scopeguard makes. */
  public static final String FIELD_MANAGER = "scopeguard";

  private static final Logger LOG = LoggerFactory.getLogger(ScopeguardOperator.class);

  private final Operator operator;
  private final ScopeguardMetrics metrics;
  private final HttpEndpoints http;

  private ScopeguardOperator(Operator operator, ScopeguardMetrics metrics, HttpEndpoints http) {
    this.operator = operator;
    this.metrics = metrics;
    this.http = http;
  }

  /** Registers the reconcilers, starts them and waits for their informers to sync. */
  public static ScopeguardOperator start(KubernetesClient client, OperatorSettings settings, Clock clock) {
    ScopeguardMetrics metrics = new ScopeguardMetrics();
    Operator operator = new Operator(overrider -> overrider
        .withKubernetesClient(client)
        .withCloseClientOnStop(false)
        .withUseSSAToPatchPrimaryResource(false)
        .withConcurrentReconciliationThreads(settings.reconcileThreads())
        .withMetrics(metrics.operatorSdkMetrics()));
    operator.register(
        new ClusterScopeReconciler(ClusterApi.clusterKind(client), new ScopeConditions(clock)),
        controller -> controller.withFieldManager(FIELD_MANAGER));
    HttpEndpoints http;
    try {
      http = new HttpEndpoints(settings.httpPort(), metrics, () -> notReadyReason(operator));
    } catch (IOException e) {
      metrics.close();
      throw new UncheckedIOException("cannot serve HTTP on port " + settings.httpPort(), e);
    }
    try {
      operator.start();
    } catch (RuntimeException e) {
      http.close();
      metrics.close();
      throw e;
    }
    LOG.info("scopeguard started: {} controller(s); metrics and probes on port {}",
        operator.getRegisteredControllersNumber(), http.port());
    return new ScopeguardOperator(operator, metrics, http);
  }

  private static String notReadyReason(Operator operator) {
    RuntimeInfo info = operator.getRuntimeInfo();
    if (!info.isStarted()) {
      return "operator starting";
    }
    String unhealthy = info.unhealthyEventSources().entrySet().stream()
        .filter(controller -> !controller.getValue().isEmpty())
        .map(controller -> controller.getKey() + " " + controller.getValue().keySet())
        .collect(Collectors.joining(", "));
    return unhealthy.isEmpty() ? null : "informers not synced or failing: " + unhealthy;
  }

  /** The port of /metrics, /healthz and /readyz. */
  public int httpPort() {
    return http.port();
  }

  public ScopeguardMetrics metrics() {
    return metrics;
  }

  /** Stops reconciling, then the endpoints; in-flight reconciliations finish first. */
  @Override
  public void close() {
    LOG.info("scopeguard stopping");
    try {
      operator.stop();
    } finally {
      http.close();
      metrics.close();
    }
  }
}
