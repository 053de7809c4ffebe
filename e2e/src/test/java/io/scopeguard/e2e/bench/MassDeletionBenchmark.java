package io.scopeguard.e2e.bench;

import static io.scopeguard.e2e.bench.BenchStats.ms;
import static io.scopeguard.e2e.bench.BenchStats.p;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.scopeguard.api.DeletionBudget;
import io.scopeguard.deletion.ArtifactFetcher;
import io.scopeguard.deletion.ArtifactLimits;
import io.scopeguard.demo.StandInSourceController;
import io.scopeguard.flux.FluxKinds;
import io.scopeguard.flux.FluxStatus;
import io.scopeguard.guard.RevisionJudge;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.runtime.ScopeguardOperator;
import io.scopeguard.testkit.FluxObjects;
import io.scopeguard.testkit.Identities;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Benchmark (not a test) of the mass-deletion hold, for inventories of 100, 1,000 and 10,000
 * objects, on the embedded API or on a real cluster (see {@link BenchCluster}). A revision keeps
 * 40% of a Kustomization's inventory (over the 50% budget) while a stand-in kustomize-controller
 * writes that Kustomization's status every 50 ms, as Flux does while it reconciles:
 *
 * <ul>
 *   <li>gate: how long scopeguard's revision gate took to judge the new artifact in that write;
 *   <li>refused: source-controller's status write of the new artifact, refused by the revision gate
 *       (it judges the revision in the write);
 *   <li>held: from the start of that write to the Kustomization carrying scopeguard's {@code
 *       MassDeletion} hold, as seen by a watch; the first round after start apart, then the steady
 *       state (100 rounds, 20 at 10,000 objects, after 10 (3) that are not counted);
 *   <li>verdict: fetch, verify, unpack, predict, diff, cascade and budget on a cold cache;
 *   <li>admission DELETE: an AdmissionReview for one of the objects, over HTTPS, when the revision
 *       was already judged, and when it was not.
 * </ul>
 *
 * <p>With the argument {@code first}, it measures the first hold after a start instead, in fresh
 * JVMs: with the start-up warm-up, and without it.
 *
 * <p>Run: {@code mvn -q -DskipTests install && mvn -q -pl e2e exec:java@mass-deletion-bench}
 * ({@code -Dexec.args="100 1000"} for other sizes, {@code -Dexec.args=first} for the first hold).
 */
public final class MassDeletionBenchmark {

  private static final String KUSTOMIZATIONS = "kustomize.toolkit.fluxcd.io/v1";
  private static final Duration STATUS_EVERY = Duration.ofMillis(50);

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("first")) {
      firstHoldAfterStart();
    } else if (args.length > 1 && args[0].equals("first-child")) {
      firstHoldChild(Integer.parseInt(args[1]));
    } else {
      int[] sizes =
          args.length > 0
              ? Arrays.stream(args).mapToInt(Integer::parseInt).toArray()
              : new int[] {100, 1000, 10000};
      boolean header = true;
      for (int size : sizes) {
        try (BenchCluster cluster = new BenchCluster()) {
          if (header) {
            cluster.header(
                "mass-deletion hold: a revision keeps 40% of the inventory (budget 50%), kustomize-controller"
                    + " writes the Kustomization's status every "
                    + STATUS_EVERY.toMillis()
                    + " ms");
            System.out.printf(
                Locale.ROOT,
                "  %7s | %-17s | %-17s | %8s | %-17s | %-17s | %-17s | %-17s | %-11s | %s%n",
                "objects",
                "gate p50/p99",
                "refused p50/p99",
                "1st held",
                "held p50/p99",
                "verdict p50/p99",
                "DELETE judged",
                "DELETE unjudged",
                "status w/f",
                "hold errors");
            header = false;
          }
          run(cluster, size);
        }
      }
    }
    System.exit(0);
  }

  private static void run(BenchCluster cluster, int objects) throws Exception {
    String ns = cluster.namespaceAndLocalScope("bench-" + objects);
    Path repo = Files.createTempDirectory("bench-repo");
    writeRepository(repo, ns, objects, (int) (objects * 0.4));
    ScopeguardOperator operator =
        cluster.startOperator(
            OperatorSettings.embedded().withWebhook(OperatorSettings.Webhook.onLoopback()));
    Rounds rounds = new Rounds();
    lastGateTotal = 0;
    int settling = objects >= 10000 ? 3 : 10;
    try (StandInSourceController source =
            new StandInSourceController(cluster.clientAs(Identities.SOURCE_CONTROLLER));
        HoldWatch holds = new HoldWatch(cluster.client(), ns, "MassDeletion")) {
      WebhookCaller admission = WebhookCaller.of(operator);
      ArtifactFetcher fetcher =
          new ArtifactFetcher(Optional.empty(), ArtifactLimits.defaults(), Duration.ofSeconds(30));
      int count = settling + (objects >= 10000 ? 20 : 100);
      for (int round = 0; round < count; round++) {
        String name = "k" + round;
        GenericKubernetesResource k =
            kustomizationWithInventory(cluster.client(), ns, name, ns, name, objects);
        kustomizationWithInventory(cluster.client(), ns, name + "-u", null, name, objects);
        cluster
            .client()
            .resource(FluxObjects.gitRepository(ns, name, "ssh://git@github.com/acme/bench"))
            .create();
        awaitCached(operator, ns, name, objects);
        awaitCached(operator, ns, name + "-u", objects);

        double errorsBefore = holdErrors(operator);
        try (StatusWriter writer =
            new StatusWriter(cluster.clientAs(Identities.KUSTOMIZE_CONTROLLER), ns, name)) {
          StandInSourceController.Attempt attempt =
              source.attempt(ns, name, repo, "main@sha1:" + String.format("%040d", round));
          if (attempt.refused() == null) {
            throw new IllegalStateException("the revision gate let a revision over budget through");
          }
          long published = attempt.artifactWriteStarted();
          rounds.refused.add(ms(attempt.artifactWriteEnded() - published));
          rounds.gate.add(gateMillis(operator));
          rounds.unjudged.add(
              timed(
                  () ->
                      admission.delete(
                          configMap(ns, name + "-u", 0), Identities.KUSTOMIZE_CONTROLLER)));
          long held = holds.await(name, Duration.ofSeconds(60));
          if (round == 0) {
            rounds.first.add(ms(held - published));
          }
          rounds.held.add(ms(held - published));
          writer.awaitWrites(3);
          rounds.statusWrites += writer.writes.get();
          rounds.statusFailures += writer.failures.get();
        }
        rounds.holdErrors += holdErrors(operator) - errorsBefore;
        for (int i = 0; i < 5; i++) {
          rounds.judged.add(
              timed(
                  () -> admission.delete(configMap(ns, name, 0), Identities.KUSTOMIZE_CONTROLLER)));
        }
        GenericKubernetesResource cached =
            operator
                .watched()
                .get(FluxKinds.KUSTOMIZATION, ns, k.getMetadata().getName())
                .orElseThrow();
        for (int sample = 0; sample < 3; sample++) {
          try (RevisionJudge cold = new RevisionJudge(operator.watched(), fetcher)) {
            rounds.verdict.add(timed(() -> cold.judge(cached, new DeletionBudget())));
          }
        }
        removeRound(cluster.client(), ns, name);
      }
    }
    rounds.settled(settling);
    System.out.printf(
        Locale.ROOT,
        "  %7d | %7.1f / %-7.1f | %7.1f / %-7.1f | %8.1f | %7.1f / %-7.1f | %7.1f / %-7.1f | %7.1f / %-7.1f"
            + " | %7.1f / %-7.1f | %5d/%-5d | %.0f%n",
        objects,
        p(rounds.gate, 0.5),
        p(rounds.gate, 0.99),
        p(rounds.refused, 0.5),
        p(rounds.refused, 0.99),
        rounds.first.get(0),
        p(rounds.held, 0.5),
        p(rounds.held, 0.99),
        p(rounds.verdict, 0.5),
        p(rounds.verdict, 0.99),
        p(rounds.judged, 0.5),
        p(rounds.judged, 0.99),
        p(rounds.unjudged, 0.5),
        p(rounds.unjudged, 0.99),
        rounds.statusWrites,
        rounds.statusFailures,
        rounds.holdErrors);
  }

  /**
   * Deletes a round's objects, so that every round meets an API server holding as much as the
   * first.
   */
  private static void removeRound(KubernetesClient client, String ns, String name) {
    var kustomizations =
        client.genericKubernetesResources(KUSTOMIZATIONS, "Kustomization").inNamespace(ns);
    kustomizations.withName(name).delete();
    kustomizations.withName(name + "-u").delete();
    client
        .genericKubernetesResources(StandInSourceController.API_VERSION, "GitRepository")
        .inNamespace(ns)
        .withName(name)
        .delete();
  }

  /** Samples of one size, in milliseconds. */
  private static final class Rounds {
    final List<Double> gate = new ArrayList<>();
    final List<Double> refused = new ArrayList<>();
    final List<Double> first = new ArrayList<>();
    final List<Double> held = new ArrayList<>();
    final List<Double> verdict = new ArrayList<>();
    final List<Double> judged = new ArrayList<>();
    final List<Double> unjudged = new ArrayList<>();
    int statusWrites;
    int statusFailures;
    double holdErrors;

    /** Drops the first rounds' samples: the table shows the steady state, the first hold apart. */
    void settled(int rounds) {
      int total = held.size();
      for (List<Double> samples : List.of(gate, refused, held, verdict, judged, unjudged)) {
        samples.subList(0, rounds * samples.size() / total).clear();
      }
    }
  }

  /**
   * The first hold after a start, in fresh JVMs (nothing of the judging path loaded or compiled):
   * with the start-up warm-up and without.
   */
  private static void firstHoldAfterStart() throws Exception {
    try (BenchCluster cluster = new BenchCluster()) {
      cluster.header("first hold after a start, 1,000 objects, each run in a fresh JVM");
    }
    System.out.printf(
        Locale.ROOT,
        "  %-22s | %14s | %-21s | %-21s%n",
        "start-up warm-up",
        "start to ready",
        "gate ms: 1st / p50",
        "held ms: 1st / p50");
    for (int rounds : new int[] {0, OperatorSettings.DEFAULT_WARM_UP_ROUNDS}) {
      Process child =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx512m",
                  "-cp",
                  classPath(),
                  MassDeletionBenchmark.class.getName(),
                  "first-child",
                  Integer.toString(rounds))
              .redirectErrorStream(true)
              .start();
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        List<String> lines = out.lines().toList();
        lines.stream()
            .filter(line -> line.startsWith("RESULT "))
            .forEach(line -> System.out.println(line.substring(7)));
        if (lines.stream().noneMatch(line -> line.startsWith("RESULT "))) {
          System.out.println("  the run with " + rounds + " warm-up rounds failed:");
          lines.stream()
              .skip(Math.max(0, lines.size() - 20))
              .forEach(line -> System.out.println("    " + line));
        }
      }
      child.waitFor();
    }
  }

  /**
   * This benchmark's class path: exec:java loads it in a class loader of its own, not on
   * java.class.path.
   */
  private static String classPath() throws Exception {
    if (MassDeletionBenchmark.class.getClassLoader() instanceof URLClassLoader loader) {
      List<String> entries = new ArrayList<>();
      for (URL url : loader.getURLs()) {
        entries.add(Path.of(url.toURI()).toString());
      }
      return String.join(File.pathSeparator, entries);
    }
    return System.getProperty("java.class.path");
  }

  private static void firstHoldChild(int warmUpRounds) throws Exception {
    String result;
    lastGateTotal = 0;
    try (BenchCluster cluster = new BenchCluster()) {
      String ns = cluster.namespaceAndLocalScope("bench-first");
      Path repo = Files.createTempDirectory("bench-repo");
      writeRepository(repo, ns, 1000, 400);
      long starting = System.nanoTime();
      ScopeguardOperator operator =
          cluster.startOperator(
              OperatorSettings.embedded()
                  .withWebhook(OperatorSettings.Webhook.onLoopback())
                  .withWarmUpRounds(warmUpRounds));
      double startUp = ms(System.nanoTime() - starting);
      List<Double> held = new ArrayList<>();
      List<Double> gate = new ArrayList<>();
      try (StandInSourceController source =
              new StandInSourceController(cluster.clientAs(Identities.SOURCE_CONTROLLER));
          HoldWatch holds = new HoldWatch(cluster.client(), ns, "MassDeletion")) {
        for (int round = 0; round <= 10; round++) {
          String name = "k" + round;
          kustomizationWithInventory(cluster.client(), ns, name, ns, name, 1000);
          cluster
              .client()
              .resource(FluxObjects.gitRepository(ns, name, "ssh://git@github.com/acme/bench"))
              .create();
          awaitCached(operator, ns, name, 1000);
          long published =
              source
                  .attempt(ns, name, repo, "main@sha1:" + String.format("%040d", round))
                  .artifactWriteStarted();
          held.add(ms(holds.await(name, Duration.ofSeconds(60)) - published));
          gate.add(gateMillis(operator));
        }
      }
      result =
          String.format(
              Locale.ROOT,
              "RESULT   %-22s | %11.0f ms | %9.1f / %-9.1f | %9.1f / %-9.1f",
              warmUpRounds == 0 ? "none (cold)" : warmUpRounds + " synthetic revisions",
              startUp,
              gate.get(0),
              p(gate.subList(1, gate.size()), 0.5),
              held.get(0),
              p(held.subList(1, held.size()), 0.5));
    }
    System.out.println();
    System.out.println(result);
    System.exit(0);
  }

  /**
   * Writes a Kustomization's status every 50 ms as kustomize-controller, as Flux does while
   * reconciling it.
   */
  private static final class StatusWriter implements AutoCloseable {
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    StatusWriter(KubernetesClient kustomizeController, String ns, String name) {
      var kustomization =
          kustomizeController
              .genericKubernetesResources(KUSTOMIZATIONS, "Kustomization")
              .inNamespace(ns)
              .withName(name);
      timer.scheduleAtFixedRate(
          () -> {
            Map<String, Object> ready =
                Map.of(
                    "type",
                    "Ready",
                    "status",
                    "Unknown",
                    "reason",
                    "Progressing",
                    "message",
                    "Reconciliation in progress (" + writes.get() + ")",
                    "lastTransitionTime",
                    Instant.now().toString());
            try {
              kustomization
                  .subresource("status")
                  .patch(
                      PatchContext.of(PatchType.JSON_MERGE),
                      Serialization.asJson(Map.of("status", Map.of("conditions", List.of(ready)))));
              writes.incrementAndGet();
            } catch (KubernetesClientException e) {
              failures.incrementAndGet();
            }
          },
          0,
          STATUS_EVERY.toMillis(),
          TimeUnit.MILLISECONDS);
    }

    void awaitWrites(int atLeast) throws InterruptedException {
      while (writes.get() + failures.get() < atLeast) {
        Thread.sleep(10);
      }
    }

    @Override
    public void close() throws InterruptedException {
      timer.shutdown();
      timer.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /**
   * How long the revision gate took to decide the status writes it judged since the last call
   * (scopeguard's share of a refusal).
   */
  private static double gateMillis(ScopeguardOperator operator) {
    Timer timer =
        operator
            .metrics()
            .registry()
            .find("scopeguard.admission")
            .tag("webhook", "source-revision")
            .timer();
    double total = timer.totalTime(TimeUnit.MILLISECONDS);
    double last = total - lastGateTotal;
    lastGateTotal = total;
    return last;
  }

  private static double lastGateTotal;

  private static double holdErrors(ScopeguardOperator operator) {
    return operator.metrics().registry().find("scopeguard.reconcile.errors").counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  private interface Timed {
    Object run() throws Exception;
  }

  private static double timed(Timed timed) throws Exception {
    long start = System.nanoTime();
    timed.run();
    return ms(System.nanoTime() - start);
  }

  private static GenericKubernetesResource configMap(String ns, String owner, int i) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("v1")
        .withKind("ConfigMap")
        .withNewMetadata()
        .withNamespace(ns)
        .withName("cm-" + i)
        .withLabels(
            Map.of(
                "kustomize.toolkit.fluxcd.io/name",
                owner,
                "kustomize.toolkit.fluxcd.io/namespace",
                ns))
        .endMetadata()
        .build();
  }

  /**
   * A Kustomization whose inventory lists {@code objects} ConfigMaps, written as
   * kustomize-controller does: to status.
   */
  static GenericKubernetesResource kustomizationWithInventory(
      KubernetesClient client, String ns, String name, String scope, String source, int objects) {
    client.resource(FluxObjects.kustomization(ns, name, scope, null, source)).create();
    return BenchCluster.writeInventory(client, ns, name, "cm-", objects);
  }

  private static void awaitCached(ScopeguardOperator operator, String ns, String name, int objects)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (operator
        .watched()
        .get(FluxKinds.KUSTOMIZATION, ns, name)
        .map(k -> FluxStatus.inventory(k).size() != objects)
        .orElse(true)) {
      if (System.nanoTime() > until) {
        throw new IllegalStateException(
            ns + "/" + name + " did not reach scopeguard's cache within 2 minutes");
      }
      Thread.sleep(5);
    }
  }

  private static void writeRepository(Path root, String ns, int objects, int kept)
      throws Exception {
    StringBuilder configMaps = new StringBuilder();
    for (int i = 0; i < kept; i++) {
      configMaps
          .append("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-")
          .append(i)
          .append(", namespace: ")
          .append(ns)
          .append("}\ndata: {key: value}\n");
    }
    Files.createDirectories(root.resolve("apps"));
    Files.writeString(root.resolve("apps/configmaps.yaml"), configMaps.toString());
    Files.writeString(root.resolve("apps/kustomization.yaml"), "resources: [configmaps.yaml]\n");
  }
}
