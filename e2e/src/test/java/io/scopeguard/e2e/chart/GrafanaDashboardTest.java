package io.scopeguard.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.ClusterTarget;
import io.scopeguard.demo.IncidentAScenario;
import io.scopeguard.demo.ScenarioContext;
import io.scopeguard.e2e.bench.WebhookCaller;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.runtime.ScopeguardOperator;
import io.scopeguard.testkit.CaBundleHttpClient;
import io.scopeguard.testkit.EmbeddedKubernetes;
import io.scopeguard.webhook.ResumeAdmission;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's Grafana dashboard ({@code files/dashboard.json}) is a well-formed dashboard whose
 * every query asks for metrics a running scopeguard really exports: a scopeguard runs on the
 * embedded API, holds two reconciliations, answers admission requests (one refused) and fails a
 * ClusterScope reconcile (the API answers its status write with a conflict), then its {@code
 * /metrics} is scraped. Every expression is also checked by Prometheus's own parser ({@code
 * promtool check rules}).
 */
class GrafanaDashboardTest {

  private static final Path DASHBOARD = HelmChart.DIR.resolve("files/dashboard.json");
  private static final String BROKEN_SCOPE = "status-write-refused";

  /** Series Prometheus makes itself for every scrape target. */
  private static final Set<String> PROMETHEUS_SERIES = Set.of("up");

  /**
   * Series that exist only once a Flux revision was judged, which this test's scenario does not do;
   * IncidentBReplayTest asserts scopeguard exports it.
   */
  private static final Set<String> JUDGED_REVISIONS_ONLY = Set.of("scopeguard_predicted_deletions");

  private static final ObjectMapper JSON = new ObjectMapper();

  private static KubernetesMockServer api;
  private static KubernetesClient client;
  private static ScopeguardOperator scopeguard;
  private static Set<String> exported;

  @BeforeAll
  static void runScopeguardAndScrapeIt() throws Exception {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    api =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            expectations,
            new KubernetesMixedDispatcher(expectations),
            false);
    api.init(InetAddress.getLoopbackAddress(), 0);
    client = api.createClient();
    client.resource(EmbeddedKubernetes.readCrd(EmbeddedKubernetes.SCOPEGUARD_CRD)).create();
    EmbeddedKubernetes.THIRD_PARTY_CRDS.forEach(
        crd -> client.resource(EmbeddedKubernetes.readCrd(crd)).create());
    api.expect()
        .put()
        .withPath("/apis/scopeguard.io/v1alpha1/clusterscopes/" + BROKEN_SCOPE + "/status")
        .andReturn(
            409,
            Map.of(
                "kind",
                "Status",
                "apiVersion",
                "v1",
                "status",
                "Failure",
                "code",
                409,
                "reason",
                "Conflict",
                "message",
                "the object has been modified; please apply your changes to the latest version"))
        .always();
    // a plain mock (expectations and CRUD), which answers no SelfSubjectReview: scopeguard is told
    // who it is
    scopeguard =
        ScopeguardOperator.start(
            client,
            OperatorSettings.embedded()
                .withWebhook(OperatorSettings.Webhook.onLoopback())
                .withSelfUsername("system:serviceaccount:scopeguard-system:scopeguard"),
            Clock.systemUTC());

    // this plain mock calls no webhooks: the guard loop holds what admission would have held
    ScenarioContext scenario =
        new ScenarioContext(
            client, user -> client, new PrintWriter(new StringWriter()), Duration.ofSeconds(60));
    try (IncidentAScenario incident = new IncidentAScenario()) {
      incident.setUp(scenario);
      incident.onboard(scenario);
      incident.awaitHeld(scenario);
    }
    assertThat(WebhookCaller.of(scopeguard).delete(configMap(), "someone").allowed()).isTrue();
    assertThat(
            resumeWithoutApproval(
                IncidentAScenario.kustomization(
                    scenario, IncidentAScenario.appsFor(IncidentAScenario.PROD_1))))
        .as("refused")
        .isFalse();
    ClusterScope broken = new ClusterScope();
    broken.getMetadata().setName(BROKEN_SCOPE);
    broken.getSpec().setCluster(ClusterTarget.clusterRef("fleet", "nowhere"));
    client.resource(broken).create();

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(scrape())
                    .contains("operator_sdk_controllers_execution_reconcile_failure_total{")
                    .contains("operator_sdk_reconciliations_failed_total{")
                    .contains("scopeguard_admission_denials_total{")
                    .contains("scopeguard_detection_seconds_bucket{"));
    exported = sampleNames(scrape());
  }

  @AfterAll
  static void stop() {
    if (scopeguard != null) {
      scopeguard.close();
    }
    if (client != null) {
      client.close();
    }
    if (api != null) {
      api.destroy();
    }
  }

  @Test
  void isAGrafanaDashboardWithAPrometheusDataSourceVariable() throws Exception {
    JsonNode dashboard = dashboard();

    assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(39);
    assertThat(dashboard.path("uid").asText()).isEqualTo("scopeguard");
    assertThat(dashboard.path("title").asText()).isEqualTo("scopeguard");
    assertThat(dashboard.path("templating").path("list"))
        .anySatisfy(
            variable -> {
              assertThat(variable.path("name").asText()).isEqualTo("datasource");
              assertThat(variable.path("type").asText()).isEqualTo("datasource");
              assertThat(variable.path("query").asText()).isEqualTo("prometheus");
            });
    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      assertThat(ids.add(panel.path("id").asInt()))
          .as("unique panel id %s", panel.path("id"))
          .isTrue();
      JsonNode grid = panel.path("gridPos");
      assertThat(grid.path("x").asInt() + grid.path("w").asInt())
          .as(panel.path("title").asText())
          .isBetween(1, 24);
      if ("row".equals(panel.path("type").asText())) {
        continue;
      }
      assertThat(panel.path("datasource").path("uid").asText())
          .as(panel.path("title").asText())
          .isEqualTo("${datasource}");
      assertThat(panel.path("targets"))
          .as(panel.path("title").asText())
          .isNotEmpty()
          .allSatisfy(
              target -> {
                assertThat(target.path("datasource").path("uid").asText())
                    .isEqualTo("${datasource}");
                assertThat(target.path("expr").asText()).isNotBlank();
                assertThat(target.path("refId").asText()).isNotBlank();
              });
    }
    assertThat(titles(dashboard))
        .contains(
            "scopeguard up",
            "Suspended by reason",
            "Violations by reason and enforcement",
            "Verdicts by reason",
            "Detection latency",
            "Admission latency",
            "Admission requests",
            "Admission denials by reason",
            "Reconcile errors",
            "Held reconciliations");
  }

  @Test
  void everyQueryAsksForMetricsARunningScopeguardExports() throws Exception {
    Map<String, Set<String>> used = new LinkedHashMap<>();
    for (String expr : expressions(dashboard())) {
      used.put(expr, metricNames(expr));
    }

    assertThat(used)
        .allSatisfy(
            (expr, names) -> {
              assertThat(names).as("metric names in %s", expr).isNotEmpty();
              assertThat(names)
                  .as(
                      "%s asks for metrics scopeguard does not export (exported: %s)",
                      expr, exported)
                  .allMatch(
                      name ->
                          exported.contains(name)
                              || PROMETHEUS_SERIES.contains(name)
                              || JUDGED_REVISIONS_ONLY.contains(name));
            });
    Set<String> families = new TreeSet<>();
    used.values().forEach(names -> names.forEach(name -> families.add(family(name))));
    assertThat(
            exported.stream()
                .filter(name -> name.startsWith("scopeguard_"))
                .map(GrafanaDashboardTest::family))
        .as("every scopeguard metric has a panel")
        .allMatch(families::contains);
    assertThat(families)
        .contains("operator_sdk_controllers_execution_reconcile_failure_total", "up");
  }

  @Test
  void everyAlertAsksForMetricsARunningScopeguardExports() throws Exception {
    JsonNode alerts =
        StrictModel.YAML.readTree(HelmChart.DIR.resolve("files/alerts.yaml").toFile());
    List<String> expressions = new ArrayList<>();
    alerts
        .path("groups")
        .forEach(
            group ->
                group.path("rules").forEach(rule -> expressions.add(rule.path("expr").asText())));

    assertThat(expressions)
        .hasSizeGreaterThanOrEqualTo(9)
        .allSatisfy(
            expr ->
                assertThat(metricNames(expr))
                    .as(
                        "%s asks for metrics scopeguard does not export (exported: %s)",
                        expr, exported)
                    .isNotEmpty()
                    .allMatch(name -> exported.contains(name) || PROMETHEUS_SERIES.contains(name)));
  }

  @Test
  void aMisspelledMetricNameWouldBeCaught() {
    String typo =
        "sum by (reason) (increase(scopeguard_verdict_total{job=~\"$job\", reason!=\"Allowed\"}[$__rate_interval]))";

    assertThat(metricNames(typo)).containsExactly("scopeguard_verdict_total");
    assertThat(exported)
        .doesNotContain("scopeguard_verdict_total")
        .contains("scopeguard_verdicts_total");
    assertThat(
            metricNames(
                "histogram_quantile(0.99, sum by (le, webhook) (rate(a_bucket[5m]))) / on (webhook) group_left b"))
        .containsExactlyInAnyOrder("a_bucket", "b");
  }

  @Test
  void prometheusParsesEveryExpression(@TempDir Path dir) throws Exception {
    List<String> expressions = expressions(dashboard());
    ObjectNode rules = StrictModel.YAML.createObjectNode();
    ArrayNode list =
        rules.putArray("groups").addObject().put("name", "dashboard").putArray("rules");
    for (int i = 0; i < expressions.size(); i++) {
      list.addObject()
          .put("record", "dashboard:query_" + i)
          .put("expr", expressions.get(i).replace("$__rate_interval", "5m"));
    }
    Path file = dir.resolve("dashboard-rules.yaml");
    StrictModel.YAML.writeValue(file.toFile(), rules);

    Process promtool;
    try {
      promtool =
          new ProcessBuilder("promtool", "check", "rules", file.toString())
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      throw new IllegalStateException("promtool is not installed: apt-get install prometheus", e);
    }
    String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(promtool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(promtool.exitValue()).as(output).isZero();
    assertThat(output).contains("SUCCESS: " + expressions.size() + " rules found");
  }

  /**
   * The metric names a PromQL expression selects (Grafana variables may appear in strings and
   * ranges).
   */
  static Set<String> metricNames(String expr) {
    String bare =
        expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
            .replaceAll("\\{[^}]*}", " ")
            .replaceAll("\\[[^]]*]", " ")
            .replaceAll("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    Set<String> names = new TreeSet<>();
    Matcher identifier =
        Pattern.compile("(?<![\\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?").matcher(bare);
    while (identifier.find()) {
      boolean function = identifier.group(2) != null;
      String name = identifier.group(1);
      if (!function
          && !Set.of(
                  "and",
                  "or",
                  "unless",
                  "bool",
                  "offset",
                  "group_left",
                  "group_right",
                  "inf",
                  "nan")
              .contains(name.toLowerCase(Locale.ROOT))) {
        names.add(name);
      }
    }
    return names;
  }

  private static String family(String name) {
    return name.replaceAll("_(bucket|count|sum|max)$", "");
  }

  private static List<String> expressions(JsonNode dashboard) {
    List<String> expressions = new ArrayList<>();
    dashboard
        .path("panels")
        .forEach(
            panel -> panel.path("targets").forEach(t -> expressions.add(t.path("expr").asText())));
    dashboard
        .path("templating")
        .path("list")
        .forEach(
            variable -> {
              String query = variable.path("query").path("query").asText("");
              Matcher labelValues = Pattern.compile("label_values\\(([^,]+),").matcher(query);
              if (labelValues.find()) {
                expressions.add(labelValues.group(1).trim());
              }
            });
    return expressions;
  }

  private static List<String> titles(JsonNode dashboard) {
    List<String> titles = new ArrayList<>();
    dashboard.path("panels").forEach(panel -> titles.add(panel.path("title").asText()));
    return titles;
  }

  private static JsonNode dashboard() throws IOException {
    return JSON.readTree(Files.readString(DASHBOARD));
  }

  private static String scrape() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + scopeguard.httpPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static Set<String> sampleNames(String exposition) {
    Set<String> names = new TreeSet<>();
    exposition
        .lines()
        .filter(line -> !line.isBlank() && !line.startsWith("#"))
        .forEach(line -> names.add(line.split("[{ ]", 2)[0]));
    return names;
  }

  private static GenericKubernetesResource configMap() {
    GenericKubernetesResource object = new GenericKubernetesResource();
    object.setApiVersion("v1");
    object.setKind("ConfigMap");
    object.setMetadata(
        new ObjectMetaBuilder()
            .withName("unrelated")
            .withNamespace(IncidentAScenario.NAMESPACE)
            .build());
    return object;
  }

  /**
   * Sends the resume webhook what {@code flux resume} of a held Kustomization would; true when
   * allowed.
   */
  @SuppressWarnings("unchecked")
  private static boolean resumeWithoutApproval(GenericKubernetesResource held) throws Exception {
    GenericKubernetesResource resumed = Serialization.clone(held);
    ((Map<String, Object>) resumed.getAdditionalProperties().get("spec")).put("suspend", false);
    Map<String, Object> kind =
        Map.of("group", "kustomize.toolkit.fluxcd.io", "version", "v1", "kind", "Kustomization");
    Map<String, Object> request = new LinkedHashMap<>();
    request.put("uid", UUID.randomUUID().toString());
    request.put("kind", kind);
    request.put("requestKind", kind);
    request.put("name", held.getMetadata().getName());
    request.put("namespace", held.getMetadata().getNamespace());
    request.put("operation", "UPDATE");
    request.put("userInfo", Map.of("username", "someone"));
    request.put("object", resumed);
    request.put("oldObject", held);
    var webhook = scopeguard.webhook().orElseThrow();
    HttpResponse<String> response =
        CaBundleHttpClient.trusting(webhook.caPem())
            .send(
                HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + webhook.port() + ResumeAdmission.PATH))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            Serialization.asJson(
                                Map.of(
                                    "apiVersion",
                                    "admission.k8s.io/v1",
                                    "kind",
                                    "AdmissionReview",
                                    "request",
                                    request))))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body()).at("/response/allowed").asBoolean(true);
  }
}
