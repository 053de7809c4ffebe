package io.scopeguard.e2e.bench;

import static io.scopeguard.e2e.bench.BenchStats.ms;
import static io.scopeguard.e2e.bench.BenchStats.usedHeapAfterGc;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Counter;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.ClusterTarget;
import io.scopeguard.approval.Annotations;
import io.scopeguard.demo.StandInSourceController;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.runtime.ScopeguardOperator;
import io.scopeguard.testkit.FluxObjects;
import io.scopeguard.testkit.Identities;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark (not a test): scopeguard at the scale of a large Cluster API management cluster. By
 * default 5,000 guarded Kustomizations over 200 workload clusters (one namespace, Cluster and
 * ClusterScope each), 1,000 GitRepositories with artifacts, and inventories adding up to 500,000
 * entries. Everything is within scope and budget, as on a normal day. It prints:
 *
 * <ul>
 *   <li>start-up to ready (informers synced, judging path warmed up, webhook serving), and to every
 *       resource judged once (guard queue idle) and every ClusterScope's status written;
 *   <li>the heap scopeguard retains, after a full GC (the process's heap with it running, minus the
 *       same process before it started: the embedded API and the benchmark's own objects);
 *   <li>a full re-judgement as after a leader change: a second instance takes over from the first
 *       and judges everything again; while it does, one source publishes a revision that would
 *       delete most of one Kustomization's inventory, and the time from that status write to the
 *       hold is measured.
 * </ul>
 *
 * <p>Run: {@code mvn -q -DskipTests install && MAVEN_OPTS=-Xmx4g mvn -q -pl e2e
 * exec:java@scale-bench} (arguments: {@code -Dexec.args="5000 200 500000 1000"} = Kustomizations,
 * clusters, inventory entries, sources).
 */
public final class ScaleBenchmark {

  private static final String KUSTOMIZATIONS = "kustomize.toolkit.fluxcd.io/v1";

  public static void main(String[] args) throws Exception {
    int reconcilers = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    int clusters = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int entries = args.length > 2 ? Integer.parseInt(args[2]) : 500_000;
    int sources = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
    int perCluster = reconcilers / clusters;
    int sourcesPerCluster = Math.max(1, sources / clusters);
    int perInventory = entries / reconcilers;
    try (BenchCluster cluster = new BenchCluster()) {
      cluster.header(
          String.format(
              Locale.ROOT,
              "scale: %,d Kustomizations over %d clusters (%d ClusterScopes), %,d"
                  + " inventory entries, %,d GitRepositories with artifacts",
              reconcilers,
              clusters,
              clusters,
              entries,
              sourcesPerCluster * clusters));
      KubernetesClient client = cluster.client();
      Path repo = Files.createTempDirectory("scale-repo");
      writeRepository(repo, perCluster / sourcesPerCluster + 1, perInventory, perInventory);
      Path overBudget = Files.createTempDirectory("scale-over");
      writeRepository(overBudget, perCluster / sourcesPerCluster + 1, perInventory, perInventory);
      writeDir(overBudget.resolve("k0"), perInventory / 5);

      long setUp = System.nanoTime();
      List<String> namespaces = new ArrayList<>();
      try (StandInSourceController source =
          new StandInSourceController(cluster.clientAs(Identities.SOURCE_CONTROLLER))) {
        ExecutorService creators = Executors.newFixedThreadPool(4);
        List<Future<?>> created = new ArrayList<>();
        for (int c = 0; c < clusters; c++) {
          String ns = cluster.namespace(clusterName(c));
          namespaces.add(ns);
          String name = clusterName(c);
          created.add(
              creators.submit(
                  () -> {
                    client
                        .resource(FluxObjects.capiCluster("cluster.x-k8s.io/v1beta2", ns, name))
                        .create();
                    ClusterScope scope = new ClusterScope();
                    scope.getMetadata().setName(ns);
                    scope.getSpec().setCluster(ClusterTarget.clusterRef(ns, name));
                    cluster.create(scope);
                    for (int s = 0; s < sourcesPerCluster; s++) {
                      client
                          .resource(
                              FluxObjects.gitRepository(
                                  ns, "repo-" + s, "ssh://git@github.com/acme/fleet"))
                          .create();
                      source.publish(ns, "repo-" + s, repo, "main@sha1:" + "1".repeat(40));
                    }
                    for (int k = 0; k < perCluster; k++) {
                      String repository = "repo-" + (k % sourcesPerCluster);
                      GenericKubernetesResource kustomization =
                          FluxObjects.kustomization(ns, "k" + k, ns, name, repository);
                      setPath(kustomization, "./k" + (k / sourcesPerCluster), ns);
                      client.resource(kustomization).create();
                      BenchCluster.writeInventory(
                          client, ns, "k" + k, "k" + (k / sourcesPerCluster) + "-", perInventory);
                    }
                    return null;
                  }));
        }
        for (Future<?> future : created) {
          future.get();
        }
        creators.shutdown();
        System.out.printf(
            Locale.ROOT,
            "  set up in %.0f s (not scopeguard's time)%n",
            ms(System.nanoTime() - setUp) / 1000);

        long before = usedHeapAfterGc();
        OperatorSettings settings =
            OperatorSettings.embedded().withWebhook(OperatorSettings.Webhook.onLoopback());
        long starting = System.nanoTime();
        ScopeguardOperator first = cluster.startOperator(settings);
        long ready = System.nanoTime();
        awaitIdle(first);
        long judged = System.nanoTime();
        awaitScopeStatuses(client, namespaces);
        long reported = System.nanoTime();
        long heldAlready =
            namespaces.stream()
                .flatMap(
                    ns ->
                        client
                            .genericKubernetesResources(KUSTOMIZATIONS, "Kustomization")
                            .inNamespace(ns)
                            .list()
                            .getItems()
                            .stream())
                .filter(k -> FluxObjects.annotation(k, Annotations.SUSPENDED_REASON) != null)
                .count();
        if (heldAlready > 0) {
          throw new IllegalStateException(
              heldAlready + " Kustomizations held: the fleet is not within scope and budget");
        }
        long with = usedHeapAfterGc();
        System.out.printf(
            Locale.ROOT, "  start-up to ready                  %7.0f ms%n", ms(ready - starting));
        System.out.printf(
            Locale.ROOT,
            "  start-up to everything judged      %7.0f ms (%,.0f verdicts)%n",
            ms(judged - starting),
            verdicts(first));
        System.out.printf(
            Locale.ROOT,
            "  start-up to every ClusterScope's status %4.0f ms%n",
            ms(reported - starting));
        System.out.printf(
            Locale.ROOT,
            "  heap retained by scopeguard        %7.1f MiB (process %.0f MiB with it, %.0f MiB before)%n",
            (with - before) / 1048576.0,
            with / 1048576.0,
            before / 1048576.0);

        first.close();
        System.out.printf(
            Locale.ROOT,
            "  heap after it stopped              %7.1f MiB retained (in this JVM; a replica that stops"
                + " leading exits)%n",
            (usedHeapAfterGc() - before) / 1048576.0);
        long takingOver = System.nanoTime();
        ScopeguardOperator second = cluster.startOperator(settings);
        long secondReady = System.nanoTime();
        HoldWatch hold = new HoldWatch(client, namespaces.get(0), "MassDeletion");
        StandInSourceController.Attempt attempt =
            source.attempt(namespaces.get(0), "repo-0", overBudget, "main@sha1:" + "2".repeat(40));
        long held = hold.await("k0", Duration.ofMinutes(2));
        awaitIdle(second);
        long secondJudged = System.nanoTime();
        hold.close();
        System.out.printf(
            Locale.ROOT,
            "  leader change: ready %.0f ms, everything judged again %.0f ms%n",
            ms(secondReady - takingOver),
            ms(secondJudged - takingOver));
        System.out.printf(
            Locale.ROOT,
            "  one hold during the re-judgement: artifact -> %s %.1f ms, -> held %.1f ms%n",
            attempt.refused() != null ? "refused" : "PUBLISHED (not refused!)",
            ms(attempt.artifactWriteEnded() - attempt.artifactWriteStarted()),
            ms(held - attempt.artifactWriteStarted()));
        System.out.printf(
            Locale.ROOT,
            "  heap after it, with scopeguard      %7.1f MiB retained%n",
            (usedHeapAfterGc() - before) / 1048576.0);
      }
    }
    System.exit(0);
  }

  private static String clusterName(int c) {
    return String.format(Locale.ROOT, "c%03d", c);
  }

  private static void setPath(
      GenericKubernetesResource kustomization, String path, String targetNamespace) {
    @SuppressWarnings("unchecked")
    Map<String, Object> spec =
        (Map<String, Object>) kustomization.getAdditionalProperties().get("spec");
    spec.put("path", path);
    spec.put("targetNamespace", targetNamespace);
  }

  /**
   * A repository with {@code dirs} directories {@code k<i>}, each a kustomization of {@code kept}
   * of its objects.
   */
  private static void writeRepository(Path root, int dirs, int objects, int kept) throws Exception {
    for (int d = 0; d < dirs; d++) {
      writeDir(root.resolve("k" + d), kept);
    }
  }

  private static void writeDir(Path dir, int kept) throws Exception {
    String name = dir.getFileName().toString();
    StringBuilder configMaps = new StringBuilder();
    for (int i = 0; i < kept; i++) {
      configMaps
          .append("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ")
          .append(name)
          .append('-')
          .append(i)
          .append("}\ndata: {key: value}\n");
    }
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("configmaps.yaml"), configMaps.toString());
    Files.writeString(dir.resolve("kustomization.yaml"), "resources: [configmaps.yaml]\n");
  }

  private static void awaitIdle(ScopeguardOperator operator) throws InterruptedException {
    int idleInARow = 0;
    long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
    while (idleInARow < 5) {
      if (System.nanoTime() > until) {
        throw new IllegalStateException("the guard loop was still busy after 15 minutes");
      }
      idleInARow = operator.guardIdle() ? idleInARow + 1 : 0;
      Thread.sleep(20);
    }
  }

  private static void awaitScopeStatuses(KubernetesClient client, List<String> scopes)
      throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
    while (System.nanoTime() < until) {
      long written =
          client.resources(ClusterScope.class).list().getItems().stream()
              .filter(scope -> scopes.contains(scope.getMetadata().getName()))
              .filter(
                  scope ->
                      scope.getStatus() != null
                          && scope.getStatus().getObservedGeneration() != null)
              .count();
      if (written == scopes.size()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "not every ClusterScope's status was written within 15 minutes");
  }

  private static double verdicts(ScopeguardOperator operator) {
    return operator.metrics().registry().find("scopeguard.verdicts").counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }
}
