package io.scopeguard.metrics;

import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;

/**
 * The operator's meter registry: scopeguard's own meters, the operator SDK's reconcile meters and
 * JVM meters, scraped in Prometheus text format from {@code /metrics}.
 */
public final class ScopeguardMetrics implements AutoCloseable {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

  public ScopeguardMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    gcMetrics.bindTo(registry);
    // An Info metric, not a Micrometer gauge: Micrometer strips the _info suffix from gauge names.
    Info.builder()
        .name("scopeguard_build_info")
        .help("scopeguard build; the value is always 1")
        .labelNames("version", "java")
        .register(registry.getPrometheusRegistry())
        .addLabelValues(BuildInfo.version(), System.getProperty("java.version"));
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
