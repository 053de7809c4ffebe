package io.scopeguard.e2e.bench;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.scopeguard.demo.StandInSourceController;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.runtime.ScopeguardOperator;
import io.scopeguard.testkit.CaBundleHttpClient;
import io.scopeguard.testkit.FluxObjects;
import io.scopeguard.testkit.Identities;
import io.scopeguard.webhook.AdmissionDecision;
import io.scopeguard.webhook.AdmissionServer;
import io.scopeguard.webhook.PruneAdmission;
import io.scopeguard.webhook.ScopeAdmission;
import io.scopeguard.webhook.WebhookCertificates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Benchmark (not a test): the admission webhooks under load, as the API server calls them. Open
 * loop at a fixed rate (default 1,000 requests/s for 30 s) over HTTPS, after 5 s of the same load
 * unmeasured (the JIT warms up), for four requests: a Flux prune DELETE of a Kustomization whose
 * pending revision was judged within budget (allowed) and over budget (denied), and the CREATE of a
 * Kustomization within its scope (the scope gate's allow path, on every Kustomization write in the
 * cluster) and without one (its hold path: the answer carries the JSON patch). Prints p50/p99/max
 * latency and errors for each.
 *
 * <p>Run: {@code mvn -q -DskipTests install && mvn -q -pl e2e exec:java@admission-bench}
 * (arguments: {@code -Dexec.args="1000 30"} = rate, seconds). The load generator then shares the
 * JVM (and its garbage collector) with the operator; {@code -Dexec.args="serve 120"} only serves,
 * and writes the four request bodies to {@code $TMPDIR/scopeguard-bench-*.json} so that {@code
 * e2e/bench/admission-load.py} drives it from another process.
 */
public final class AdmissionBenchmark {

  private static String ns;

  public static void main(String[] args) throws Exception {
    boolean serve = args.length > 0 && args[0].equals("serve");
    int rate = args.length > 0 && !serve ? Integer.parseInt(args[0]) : 1000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    OperatorSettings settings =
        OperatorSettings.embedded().withWebhook(OperatorSettings.Webhook.onLoopback());
    try (BenchCluster cluster = new BenchCluster();
        StandInSourceController source =
            new StandInSourceController(cluster.clientAs(Identities.SOURCE_CONTROLLER))) {
      KubernetesClient client = cluster.client();
      ns = cluster.namespaceAndLocalScope("bench");
      ScopeguardOperator operator = cluster.startOperator(settings);
      prepare(client, source, "within", 100, 100);
      prepare(client, source, "over", 100, 40);
      HttpClient http = client(operator.webhook().orElseThrow().caPem());
      String base = "https://127.0.0.1:" + operator.webhook().orElseThrow().port();
      List<Load> loads =
          List.of(
              new Load(
                  "within",
                  URI.create(base + PruneAdmission.PATH),
                  () -> body("within"),
                  true,
                  "prune DELETE, allowed (revision judged within budget)"),
              new Load(
                  "over",
                  URI.create(base + PruneAdmission.PATH),
                  () -> body("over"),
                  false,
                  "prune DELETE, denied (revision judged over budget)"),
              new Load(
                  "scope-allow",
                  URI.create(base + ScopeAdmission.PATH),
                  () -> scopeBody(true),
                  true,
                  "Kustomization CREATE within its scope (allowed)"),
              new Load(
                  "scope-hold",
                  URI.create(base + ScopeAdmission.PATH),
                  () -> scopeBody(false),
                  true,
                  "Kustomization CREATE without scope (held: JSON patch)"));
      for (Load load : loads) {
        for (int i = 0; i < (serve ? 2000 : 200); i++) {
          http.send(request(load.uri(), load.body().get()), HttpResponse.BodyHandlers.ofString());
        }
      }
      if (serve) {
        // The same HTTPS admission server answering "allowed" without judging anything: what the
        // harness and the machine cost on their own, so that scopeguard's share can be told apart.
        AdmissionServer baseline =
            new AdmissionServer(
                0,
                WebhookCertificates.issue(
                    List.of("localhost"),
                    List.of("127.0.0.1"),
                    Duration.ofDays(1),
                    Clock.systemUTC()),
                Map.of("/baseline", AdmissionDecision::allow));
        System.out.printf(
            "baseline (TLS, HTTP and JSON only) at https://127.0.0.1:%d/baseline%n",
            baseline.port());
        for (Load load : loads) {
          Files.writeString(
              Path.of(
                  System.getProperty("java.io.tmpdir"),
                  "scopeguard-bench-" + load.name() + ".json"),
              load.body().get());
        }
        System.out.printf(
            "serving the delete guard at %s and the scope gate at %s for %d s; request bodies in"
                + " %s/scopeguard-bench-{within,over,scope-allow,scope-hold}.json%n",
            base + PruneAdmission.PATH,
            base + ScopeAdmission.PATH,
            seconds,
            System.getProperty("java.io.tmpdir"));
        Thread.sleep(seconds * 1000L);
        return;
      }
      for (Load load : loads) {
        run(http, load, false, rate, 5);
      }
      cluster.header(
          String.format(
              "admission benchmark: %d requests/s for %d s each after a 5 s warm-up, HTTPS",
              rate, seconds));
      for (Load load : loads) {
        run(http, load, true, rate, seconds);
      }
    }
    System.exit(0);
  }

  /**
   * One kind of request: where it goes, its body, whether the answer allows it, and how the table
   * names it.
   */
  private record Load(String name, URI uri, Supplier<String> body, boolean allowed, String label) {}

  private static void run(HttpClient http, Load load, boolean print, int rate, int seconds)
      throws Exception {
    ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
    AtomicInteger errors = new AtomicInteger();
    AtomicInteger unexpected = new AtomicInteger();
    List<CompletableFuture<?>> pending = Collections.synchronizedList(new ArrayList<>());
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    int total = rate * seconds;
    AtomicInteger sent = new AtomicInteger();
    long periodNanos = 1_000_000_000L / rate;

    ticker.scheduleAtFixedRate(
        () -> {
          if (sent.incrementAndGet() > total) {
            return;
          }
          long start = System.nanoTime();
          pending.add(
              http.sendAsync(
                      request(load.uri(), load.body().get()), HttpResponse.BodyHandlers.ofString())
                  .whenComplete(
                      (response, failure) -> {
                        if (failure != null || response.statusCode() != 200) {
                          errors.incrementAndGet();
                          return;
                        }
                        latencies.add((System.nanoTime() - start) / 1e6);
                        if (response.body().contains("\"allowed\":true") != load.allowed()
                            || load.name().equals("scope-hold")
                                != response.body().contains("\"patch\"")) {
                          unexpected.incrementAndGet();
                        }
                      }));
        },
        0,
        periodNanos,
        TimeUnit.NANOSECONDS);
    while (sent.get() < total) {
      Thread.sleep(100);
    }
    ticker.shutdown();
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
        .exceptionally(e -> null)
        .join();
    if (!print) {
      return;
    }
    List<Double> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    System.out.printf(
        "  %-55s %6d answered, %d errors, %d wrong answers: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
        load.label(),
        sorted.size(),
        errors.get(),
        unexpected.get(),
        sorted.get(sorted.size() / 2),
        sorted.get((int) (sorted.size() * 0.99) - 1),
        sorted.get(sorted.size() - 1));
  }

  private static HttpRequest request(URI uri, String body) {
    return HttpRequest.newBuilder(uri)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  /** The scope gate's review of a Kustomization created within its scope, or without one. */
  private static String scopeBody(boolean scoped) {
    GenericKubernetesResource k =
        FluxObjects.kustomization(ns, "created", scoped ? ns : null, null, "within");
    return Serialization.asJson(
        Map.of(
            "apiVersion",
            "admission.k8s.io/v1",
            "kind",
            "AdmissionReview",
            "request",
            Map.of(
                "uid",
                UUID.randomUUID().toString(),
                "operation",
                "CREATE",
                "namespace",
                ns,
                "name",
                "created",
                "kind",
                Map.of(
                    "group",
                    "kustomize.toolkit.fluxcd.io",
                    "version",
                    "v1",
                    "kind",
                    "Kustomization"),
                "resource",
                Map.of(
                    "group",
                    "kustomize.toolkit.fluxcd.io",
                    "version",
                    "v1",
                    "resource",
                    "kustomizations"),
                "userInfo",
                Map.of("username", "kubernetes-admin"),
                "object",
                k)));
  }

  private static String body(String owner) {
    return Serialization.asJson(
        Map.of(
            "apiVersion",
            "admission.k8s.io/v1",
            "kind",
            "AdmissionReview",
            "request",
            Map.of(
                "uid",
                UUID.randomUUID().toString(),
                "operation",
                "DELETE",
                "namespace",
                ns,
                "name",
                "cm-0",
                "kind",
                Map.of("group", "", "version", "v1", "kind", "ConfigMap"),
                "userInfo",
                Map.of("username", "system:serviceaccount:flux-system:kustomize-controller"),
                "oldObject",
                Map.of(
                    "apiVersion",
                    "v1",
                    "kind",
                    "ConfigMap",
                    "metadata",
                    Map.of(
                        "name",
                        "cm-0",
                        "namespace",
                        ns,
                        "labels",
                        Map.of(
                            "kustomize.toolkit.fluxcd.io/name",
                            owner,
                            "kustomize.toolkit.fluxcd.io/namespace",
                            ns))))));
  }

  private static void prepare(
      KubernetesClient client, StandInSourceController source, String name, int objects, int kept)
      throws Exception {
    client
        .resource(FluxObjects.gitRepository(ns, name, "ssh://git@github.com/acme/bench"))
        .create();
    GenericKubernetesResource k = FluxObjects.kustomization(ns, name, ns, null, name);
    client.resource(k).create();
    List<Map<String, Object>> entries = new ArrayList<>();
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; i < objects; i++) {
      entries.add(Map.of("id", ns + "_cm-" + i + "__ConfigMap", "v", "v1"));
      if (i < kept) {
        yaml.append("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-")
            .append(i)
            .append(", namespace: ")
            .append(ns)
            .append("}\n");
      }
    }
    var kustomizations =
        client
            .genericKubernetesResources("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
            .inNamespace(ns);
    GenericKubernetesResource stored = kustomizations.withName(name).get();
    stored.getAdditionalProperties().put("status", Map.of("inventory", Map.of("entries", entries)));
    kustomizations.resource(stored).updateStatus();
    Path repo = Files.createTempDirectory("bench-" + name);
    Files.createDirectories(repo.resolve("apps"));
    Files.writeString(repo.resolve("apps/configmaps.yaml"), yaml.toString());
    Files.writeString(repo.resolve("apps/kustomization.yaml"), "resources: [configmaps.yaml]\n");
    try {
      source.publish(ns, name, repo, "main@sha1:" + "1".repeat(40));
    } catch (KubernetesClientException refusedByTheRevisionGate) {
      // over budget: not published; the refused revision is the one its prunes are judged against
    }
    Thread.sleep(1000);
  }

  private static HttpClient client(String caPem) throws Exception {
    return CaBundleHttpClient.trusting(caPem);
  }
}
