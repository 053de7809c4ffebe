package io.scopeguard.e2e.bench;

import io.scopeguard.testkit.Identities;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.scopeguard.api.DeletionBudget;
import io.scopeguard.approval.Annotations;
import io.scopeguard.deletion.ArtifactFetcher;
import io.scopeguard.deletion.ArtifactLimits;
import io.scopeguard.deletion.RevisionJudge;
import io.scopeguard.testkit.EmbeddedKubernetes;
import io.scopeguard.testkit.FluxObjects;
import io.scopeguard.demo.StandInSourceController;
import io.scopeguard.flux.FluxKinds;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.runtime.ScopeguardOperator;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Benchmark (not a test) of the mass-deletion guard on the embedded API, for inventories of 100,
 * 1,000 and 10,000 objects. A revision keeps 40% of the inventory (so it is over the 50% budget):
 *
 * <ul>
 *   <li>verdict: fetch the artifact, verify, unpack, predict, diff, cascade, budget — timed on a cold
 *       cache, the work between an artifact event and a decision;
 *   <li>event → suspension: from publishing the artifact in the GitRepository's status to the
 *       Kustomization carrying scopeguard's hold, seen by a watch (bound by the embedded API);
 *   <li>admission DELETE: an AdmissionReview for one of its objects, over HTTPS, when the revision
 *       was already judged, and when it was not (the webhook judges it then and there).
 * </ul>
 *
 * <p>Run: {@code mvn -q -DskipTests install && mvn -q -pl e2e exec:java@mass-deletion-bench}.
 */
public final class MassDeletionBenchmark {

  public static void main(String[] args) throws Exception {
    int[] sizes = args.length > 0 ? java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray() : new int[] {100, 1000, 10000};
    System.out.printf("mass-deletion benchmark: embedded API, %d cores, revision keeps 40%% of the inventory (budget 50%%)%n",
        Runtime.getRuntime().availableProcessors());
    System.out.printf("  %8s | %-21s | %-21s | %-21s | %-21s | %s%n", "objects", "verdict p50/p99 ms",
        "event->held p50/p99", "DELETE judged p50/p99", "DELETE unjudged p50/p99", "heap MiB");
    for (int size : sizes) {
      run(size);
    }
    System.exit(0);
  }

  private static void run(int objects) throws Exception {
    OperatorSettings settings = OperatorSettings.embedded().withWebhook(OperatorSettings.Webhook.onLoopback());
    Path repo = Files.createTempDirectory("bench-repo");
    writeRepository(repo, objects, (int) (objects * 0.4));
    try (EmbeddedKubernetes api = EmbeddedKubernetes.start();
        ScopeguardOperator operator = ScopeguardOperator.start(api.clientAs(Identities.SCOPEGUARD), settings, Clock.systemUTC());
        StandInSourceController source = new StandInSourceController(api.clientAs(Identities.SOURCE_CONTROLLER))) {
      KubernetesClient client = api.client();
      BenchFixtures.namespaceAndLocalScope(client, "bench");
      WebhookCaller admission = WebhookCaller.of(operator);
      ArtifactFetcher fetcher = new ArtifactFetcher(Optional.empty(), ArtifactLimits.defaults(), Duration.ofSeconds(30));
      int warmUp = 2;

      int rounds = objects >= 10000 ? 10 : 27;
      List<Double> verdict = new ArrayList<>();
      List<Double> held = new ArrayList<>();
      List<Double> deleteJudged = new ArrayList<>();
      List<Double> deleteUnjudged = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        String name = "k" + round;
        client.resource(FluxObjects.gitRepository("bench", name, "ssh://git@github.com/acme/bench")).create();
        GenericKubernetesResource k = FluxObjects.kustomization("bench", name, "bench", null, name);
        client.resource(k).create();
        setInventory(client, name, objects);
        GenericKubernetesResource unlabelled = FluxObjects.kustomization("bench", name + "-u", null, null, name);
        client.resource(unlabelled).create();
        setInventory(client, name + "-u", objects);
        awaitCached(operator, name, objects);
        awaitCached(operator, name + "-u", objects);

        long published = System.nanoTime();
        try {
          source.publish("bench", name, repo, "main@sha1:" + String.format("%040d", round));
        } catch (io.fabric8.kubernetes.client.KubernetesClientException refusedByTheRevisionGate) {
          // over budget: the revision gate refuses to publish it, and the guard loop holds the Kustomization
        }
        GenericKubernetesResource deleted = configMap(name, 0);
        deleteUnjudged.add(ms(() -> admission.delete(configMapOwnedBy(name + "-u"), "system:serviceaccount:flux-system:kustomize-controller")));
        while (!held(client, name)) {
          Thread.sleep(1);
        }
        held.add((System.nanoTime() - published) / 1e6);
        for (int i = 0; i < 5; i++) {
          deleteJudged.add(ms(() -> admission.delete(deleted, "system:serviceaccount:flux-system:kustomize-controller")));
        }
        GenericKubernetesResource cached = operator.watched().get(FluxKinds.KUSTOMIZATION, "bench", name).orElseThrow();
        for (int sample = 0; sample < 4; sample++) {
          RevisionJudge cold = new RevisionJudge(operator.watched(), fetcher);
          double took = ms(() -> cold.judge(cached, new DeletionBudget()));
          if (round >= warmUp) {
            verdict.add(took);
          }
        }
        if (round < warmUp) {
          held.clear();
          deleteJudged.clear();
          deleteUnjudged.clear();
        }
      }
      long heap = usedHeapAfterGc();
      System.out.printf("  %8d | %9.1f / %-9.1f | %9.1f / %-9.1f | %9.1f / %-9.1f | %9.1f / %-11.1f | %.0f%n", objects,
          p(verdict, 0.5), p(verdict, 0.99), p(held, 0.5), p(held, 0.99), p(deleteJudged, 0.5), p(deleteJudged, 0.99),
          p(deleteUnjudged, 0.5), p(deleteUnjudged, 0.99), heap / 1048576.0);
    }
  }

  private interface Timed {
    Object run() throws Exception;
  }

  private static double ms(Timed timed) throws Exception {
    long start = System.nanoTime();
    timed.run();
    return (System.nanoTime() - start) / 1e6;
  }

  private static GenericKubernetesResource configMap(String owner, int i) {
    return new GenericKubernetesResourceBuilder().withApiVersion("v1").withKind("ConfigMap")
        .withNewMetadata().withNamespace("bench").withName("cm-" + i)
          .withLabels(Map.of("kustomize.toolkit.fluxcd.io/name", owner, "kustomize.toolkit.fluxcd.io/namespace", "bench"))
        .endMetadata().build();
  }

  private static GenericKubernetesResource configMapOwnedBy(String owner) {
    return configMap(owner, 0);
  }

  private static void setInventory(KubernetesClient client, String name, int objects) {
    List<Map<String, Object>> entries = new ArrayList<>(objects);
    for (int i = 0; i < objects; i++) {
      entries.add(Map.of("id", "bench_cm-" + i + "__ConfigMap", "v", "v1"));
    }
    var kustomizations = client.genericKubernetesResources("kustomize.toolkit.fluxcd.io/v1", "Kustomization").inNamespace("bench");
    GenericKubernetesResource k = kustomizations.withName(name).get();
    k.getAdditionalProperties().put("status", Map.of("inventory", Map.of("entries", entries)));
    kustomizations.resource(k).updateStatus();
  }

  private static void awaitCached(ScopeguardOperator operator, String name, int objects) throws InterruptedException {
    while (operator.watched().get(FluxKinds.KUSTOMIZATION, "bench", name)
        .map(k -> io.scopeguard.flux.FluxStatus.inventory(k).size() != objects).orElse(true)) {
      Thread.sleep(5);
    }
  }

  private static boolean held(KubernetesClient client, String name) {
    GenericKubernetesResource k = client.genericKubernetesResources("kustomize.toolkit.fluxcd.io/v1", "Kustomization")
        .inNamespace("bench").withName(name).get();
    return "MassDeletion".equals(FluxObjects.annotation(k, Annotations.SUSPENDED_REASON));
  }

  private static void writeRepository(Path root, int objects, int kept) throws Exception {
    StringBuilder configMaps = new StringBuilder();
    for (int i = 0; i < kept; i++) {
      configMaps.append("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-").append(i)
          .append(", namespace: bench}\ndata: {key: value}\n");
    }
    Files.createDirectories(root.resolve("apps"));
    Files.writeString(root.resolve("apps/configmaps.yaml"), configMaps.toString());
    Files.writeString(root.resolve("apps/kustomization.yaml"), "resources: [configmaps.yaml]\n");
  }

  private static double p(List<Double> values, double quantile) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(quantile * sorted.size()) - 1));
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
