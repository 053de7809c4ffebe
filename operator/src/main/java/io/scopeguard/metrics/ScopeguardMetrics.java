package io.scopeguard.metrics;

import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The operator's meter registry: scopeguard's own meters, the operator SDK's reconcile meters and
 * JVM meters, scraped in Prometheus text format from {@code /metrics}.
 */
public final class ScopeguardMetrics implements AutoCloseable {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

  public ScopeguardMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    Gauge.builder("scopeguard_build_info", () -> 1)
        .description("scopeguard build; the value is always 1")
        .tag("version", BuildInfo.version())
        .tag("java", System.getProperty("java.version"))
        .register(registry);
  }

  /** The registry scopeguard's components register their meters on. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The operator SDK's reconcile meters, without per-resource series (low cardinality). */
  public MicrometerMetrics operatorSdkMetrics() {
    return MicrometerMetrics.withoutPerResourceMetrics(registry);
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    gcMetrics.close();
    registry.close();
  }
}
