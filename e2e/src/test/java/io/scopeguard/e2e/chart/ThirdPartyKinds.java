package io.scopeguard.e2e.chart;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;
import java.util.Map;

/**
 * Typed models of the Prometheus operator's and cert-manager's kinds the chart renders, for {@link
 * StrictModel}: each record lists the fields of that kind's CRD (monitoring.coreos.com/v1,
 * cert-manager.io/v1) a chart may set, so that a misspelled field fails instead of being ignored by
 * the API server's pruning.
 */
public final class ThirdPartyKinds {

  private ThirdPartyKinds() {}

  /** monitoring.coreos.com/v1 PrometheusRule. */
  public record PrometheusRule(
      String apiVersion, String kind, ObjectMeta metadata, PrometheusRuleSpec spec) {}

  /** Its spec. */
  public record PrometheusRuleSpec(List<RuleGroup> groups) {}

  /** A rule group. */
  public record RuleGroup(
      String name,
      String interval,
      Integer limit,
      @JsonProperty("query_offset") String queryOffset,
      @JsonProperty("partial_response_strategy") String partialResponseStrategy,
      Map<String, String> labels,
      List<Rule> rules) {}

  /** An alerting or recording rule. */
  public record Rule(
      String alert,
      String record,
      String expr,
      @JsonProperty("for") String pendingFor,
      @JsonProperty("keep_firing_for") String keepFiringFor,
      Map<String, String> labels,
      Map<String, String> annotations) {}

  /** monitoring.coreos.com/v1 ServiceMonitor. */
  public record ServiceMonitor(
      String apiVersion, String kind, ObjectMeta metadata, ServiceMonitorSpec spec) {}

  /** Its spec. */
  public record ServiceMonitorSpec(
      LabelSelector selector,
      NamespaceSelector namespaceSelector,
      List<Endpoint> endpoints,
      String jobLabel,
      List<String> targetLabels,
      List<String> podTargetLabels,
      Long sampleLimit,
      String scrapeProtocols) {}

  /** Which namespaces a ServiceMonitor selects Services in. */
  public record NamespaceSelector(Boolean any, List<String> matchNames) {}

  /** A scrape endpoint of a ServiceMonitor. */
  public record Endpoint(
      String port,
      IntOrString targetPort,
      String path,
      String scheme,
      String interval,
      String scrapeTimeout,
      Boolean honorLabels,
      Boolean honorTimestamps,
      Map<String, List<String>> params,
      Boolean followRedirects,
      Boolean enableHttp2,
      List<Map<String, Object>> relabelings,
      List<Map<String, Object>> metricRelabelings) {}

  /** cert-manager.io/v1 Issuer. */
  public record Issuer(String apiVersion, String kind, ObjectMeta metadata, IssuerSpec spec) {}

  /** Its spec: the issuer types a chart may use here. */
  public record IssuerSpec(SelfSigned selfSigned, Ca ca) {}

  /** A self-signing issuer. */
  public record SelfSigned(List<String> crlDistributionPoints) {}

  /** A CA issuer. */
  public record Ca(
      String secretName, List<String> crlDistributionPoints, List<String> ocspServers) {}

  /** cert-manager.io/v1 Certificate. */
  public record Certificate(
      String apiVersion, String kind, ObjectMeta metadata, CertificateSpec spec) {}

  /** Its spec. */
  public record CertificateSpec(
      String secretName,
      String commonName,
      List<String> dnsNames,
      List<String> ipAddresses,
      String duration,
      String renewBefore,
      Boolean isCA,
      List<String> usages,
      IssuerRef issuerRef,
      PrivateKey privateKey,
      Integer revisionHistoryLimit,
      Map<String, Object> secretTemplate) {}

  /** The issuer a Certificate names. */
  public record IssuerRef(String name, String kind, String group) {}

  /** The key a Certificate asks for. */
  public record PrivateKey(
      String algorithm, Integer size, String encoding, String rotationPolicy) {}
}
