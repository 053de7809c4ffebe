package io.scopeguard.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A real Prometheus server (Debian package {@code prometheus}; {@code .ci/run} installs it) on
 * loopback, for the tests of a class: it loads a rules file as shipped, scrapes scopeguard's {@code
 * /metrics} every second as job {@code scopeguard} and evaluates the rules every second. Its log
 * goes to a file, printed when a test fails; the process is always stopped after the class. A
 * machine without {@code prometheus} on the PATH skips the class.
 */
public final class PrometheusServer
    implements ExecutionCondition, BeforeAllCallback, AfterAllCallback, TestWatcher {

  /** The scrape job's name; the chart's rules select {@code job=~".*scopeguard.*"}. */
  public static final String JOB = "scopeguard";

  /** One alert as {@code /api/v1/alerts} reports it; {@code labels} include {@code alertname}. */
  public record Alert(
      String name, String state, Map<String, String> labels, Map<String, String> annotations) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Path rules;
  private final IntSupplier scrapePort;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Path directory;
  private Path log;
  private Process process;
  private URI base;

  /**
   * @param rules the rules file to load, as shipped
   * @param scrapePort the port of scopeguard's {@code /metrics} on 127.0.0.1, asked for when the
   *     class starts
   */
  public PrometheusServer(Path rules, IntSupplier scrapePort) {
    this.rules = rules.toAbsolutePath().normalize();
    this.scrapePort = scrapePort;
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return onPath("prometheus").isPresent()
        ? ConditionEvaluationResult.enabled("prometheus is on the PATH")
        : ConditionEvaluationResult.disabled(
            "prometheus is not on the PATH: apt-get install prometheus"
                + " (CI's .ci/run installs it)");
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Path binary = onPath("prometheus").orElseThrow();
    directory = Files.createTempDirectory("scopeguard-prometheus");
    log = directory.resolve("prometheus.log");
    Path config = directory.resolve("prometheus.yml");
    Files.writeString(
        config,
        """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        rule_files:
          - %s
        scrape_configs:
          - job_name: %s
            static_configs:
              - targets: ["127.0.0.1:%d"]
        """
            .formatted(JSON.writeValueAsString(rules.toString()), JOB, scrapePort.getAsInt()));
    int port = freeLoopbackPort();
    base = URI.create("http://127.0.0.1:" + port);
    process =
        new ProcessBuilder(
                binary.toString(),
                "--config.file=" + config,
                "--web.listen-address=127.0.0.1:" + port,
                "--storage.tsdb.path=" + directory.resolve("data"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      await("Prometheus to be ready at " + base)
          .atMost(START_TIMEOUT)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new IllegalStateException(
                      "Prometheus exited with " + process.exitValue() + ":\n" + log());
                }
                return ready();
              });
      // Prometheus hands its targets to the scrapers only some seconds after it starts; a test that
      // acts before the first scrape would find counters that already stood above 0 when first
      // seen.
      await("Prometheus's first scrape of scopeguard")
          .atMost(START_TIMEOUT)
          .pollInterval(Duration.ofMillis(200))
          .until(() -> query("up{job=\"" + JOB + "\"}").containsValue("1"));
    } catch (RuntimeException e) {
      System.out.println("Prometheus log (" + log + "):\n" + log());
      throw e;
    }
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    System.out.println("Prometheus log (" + log + "):\n" + log());
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException, InterruptedException {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (directory != null) {
      try (Stream<Path> files = Files.walk(directory)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  /** The alerts pending or firing now ({@code /api/v1/alerts}); resolved ones are not listed. */
  public List<Alert> alerts() {
    List<Alert> alerts = new ArrayList<>();
    for (JsonNode alert : api("/api/v1/alerts").path("alerts")) {
      Map<String, String> labels = strings(alert.path("labels"));
      alerts.add(
          new Alert(
              labels.get("alertname"),
              alert.path("state").asText(),
              labels,
              strings(alert.path("annotations"))));
    }
    return alerts;
  }

  /** The labels and value of each sample of an instant query ({@code /api/v1/query}). */
  public Map<Map<String, String>, String> query(String promql) {
    Map<Map<String, String>, String> samples = new LinkedHashMap<>();
    for (JsonNode sample :
        api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))
            .path("result")) {
      samples.put(strings(sample.path("metric")), sample.path("value").path(1).asText());
    }
    return samples;
  }

  /** What the server logged so far. */
  public String log() {
    try {
      return log == null || !Files.exists(log) ? "(no log)" : Files.readString(log);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  private boolean ready() {
    try {
      return get("/-/ready").statusCode() == 200;
    } catch (UncheckedIOException notListeningYet) {
      return false;
    }
  }

  private JsonNode api(String pathAndQuery) {
    HttpResponse<String> response = get(pathAndQuery);
    try {
      JsonNode body = JSON.readTree(response.body());
      if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
        throw new IllegalStateException(
            "Prometheus answered "
                + response.statusCode()
                + " to "
                + pathAndQuery
                + ": "
                + response.body());
      }
      return body.path("data");
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Prometheus answered " + pathAndQuery + " with no JSON: " + response.body(), e);
    }
  }

  private HttpResponse<String> get(String pathAndQuery) {
    try {
      return http.send(
          HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reach Prometheus at " + base + pathAndQuery, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> strings(JsonNode object) {
    Map<String, String> map = new LinkedHashMap<>();
    object.fields().forEachRemaining(field -> map.put(field.getKey(), field.getValue().asText()));
    return map;
  }

  private static Optional<Path> onPath(String command) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, command))
        .filter(Files::isExecutable)
        .findFirst();
  }

  private static int freeLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
