package io.scopeguard.e2e.bench;

import static io.scopeguard.e2e.bench.BenchStats.ms;
import static io.scopeguard.e2e.bench.BenchStats.usedHeapAfterGc;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.ClusterTarget;
import io.scopeguard.flux.FluxKinds;
import io.scopeguard.guard.Decisions;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.runtime.ScopeguardOperator;
import io.scopeguard.testkit.FluxObjects;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark (not a test): scopeguard judges and suspends N guarded Kustomizations spread over C
 * Cluster API clusters on the embedded API. Half the clusters are declared by a ClusterScope; every
 * Kustomization violates its scope (a third carry no label, a third target an undeclared cluster, a
 * third a cluster declared by another scope), so every one must end up suspended.
 *
 * <p>Prints the time from the first creation to the last suspension, per-resource latency from
 * creation to suspension (p50/p99, as seen by a watch), and the heap scopeguard retains.
 *
 * <p>Run: {@code mvn -q -DskipTests install && mvn -q -pl e2e exec:java@scope-guard-bench}
 * (arguments: {@code -Dexec.args="2000 200"}).
 */
public final class ScopeGuardBenchmark {

  public static void main(String[] args) throws Exception {
    int resources = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int clusters = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    try (BenchCluster cluster = new BenchCluster()) {
      KubernetesClient client = cluster.client();
      String ns = cluster.namespace("fleet");
      for (int c = 0; c < clusters; c++) {
        client
            .resource(FluxObjects.capiCluster("cluster.x-k8s.io/v1beta2", ns, cluster(c)))
            .create();
        if (c % 2 == 0) {
          ClusterScope scope = new ClusterScope();
          scope.getMetadata().setName(ns + "-" + cluster(c));
          scope.getSpec().setCluster(ClusterTarget.clusterRef(ns, cluster(c)));
          cluster.create(scope);
        }
      }
      ScopeguardOperator operator =
          cluster.startOperator(OperatorSettings.embedded().withHttpPort(0));

      Map<String, Long> created = new ConcurrentHashMap<>();
      HoldWatch observer = new HoldWatch(client, ns, null);
      Map<String, Long> suspended = observer.held();

      long start = System.nanoTime();
      ExecutorService creators = Executors.newFixedThreadPool(4);
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < resources; i++) {
        int n = i;
        futures.add(
            creators.submit(
                () -> {
                  int target = n % clusters;
                  String scope =
                      switch (n % 3) {
                        case 0 -> null;
                        case 1 -> ns + "-" + cluster((target / 2 * 2 + 2) % clusters);
                        default -> "no-such-scope";
                      };
                  String name = "k-" + n;
                  client
                      .resource(FluxObjects.kustomization(ns, name, scope, cluster(target), "repo"))
                      .create();
                  created.put(name, System.nanoTime());
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      creators.shutdown();
      long createdAll = System.nanoTime();
      while (suspended.size() < resources) {
        if (System.nanoTime() - start > 300_000_000_000L) {
          throw new IllegalStateException(
              "only " + suspended.size() + " of " + resources + " suspended after 300 s");
        }
        Thread.sleep(20);
      }
      long done = System.nanoTime();
      observer.close();
      long guardCpu = threadCpu("scopeguard-guard");
      Timer detection = operator.metrics().registry().find("scopeguard.detection").timer();
      double detectionP50 = percentile(detection, 0.5);
      double detectionP99 = percentile(detection, 0.99);
      double judgeMicros = judgeEverything(operator, 5);
      long heapWith = usedHeapAfterGc();
      operator.close();
      long heapWithout = usedHeapAfterGc();

      List<Long> latencies = new ArrayList<>();
      created.forEach((name, t) -> latencies.add(Math.max(0, suspended.get(name) - t)));
      Collections.sort(latencies);
      cluster.header(
          String.format(
              "scope guard benchmark: %d Kustomizations over %d clusters (%d ClusterScopes)",
              resources, clusters, (clusters + 1) / 2));
      System.out.printf("  created all in                 %7.0f ms%n", ms(createdAll - start));
      System.out.printf("  first creation -> all suspended %7.0f ms%n", ms(done - start));
      System.out.printf(
          "  creation -> suspension p50     %7.1f ms%n", ms(latencies.get(latencies.size() / 2)));
      System.out.printf(
          "  creation -> suspension p99     %7.1f ms%n",
          ms(latencies.get((int) (latencies.size() * 0.99) - 1)));
      System.out.printf(
          "  creation -> suspension max     %7.1f ms%n", ms(latencies.get(latencies.size() - 1)));
      System.out.printf(
          "  scopeguard's share: guard threads used %.0f ms CPU; judging one resource from the caches takes %.1f us%n",
          ms(guardCpu), judgeMicros);
      System.out.printf(
          "  scopeguard_detection_seconds (queued -> suspension landed) p50 %.1f ms, p99 %.1f ms%n",
          detectionP50, detectionP99);
      System.out.printf(
          "  heap used after GC: %.1f MiB with scopeguard running, %.1f MiB after it stopped%n",
          heapWith / 1048576.0, heapWithout / 1048576.0);
      System.out.printf(
          "  => scopeguard retains about %.1f MiB for %d guarded resources%n",
          (heapWith - heapWithout) / 1048576.0, resources);
      System.out.println(
          "  (the embedded API serves every request on one event loop and scans its whole store per"
              + " request; end-to-end times above are bound by it, not by scopeguard)");
    }
    System.exit(0);
  }

  private static double judgeEverything(ScopeguardOperator operator, int rounds) {
    Decisions facts = new Decisions(operator.watched());
    List<GenericKubernetesResource> all = operator.watched().byIndexAll(FluxKinds.KUSTOMIZATION);
    long start = System.nanoTime();
    int judged = 0;
    for (int r = 0; r < rounds; r++) {
      for (GenericKubernetesResource k : all) {
        if (!facts.judge(FluxKinds.KUSTOMIZATION, k, operator.watched()).verdict().isAllowed()) {
          judged++;
        }
      }
    }
    return (System.nanoTime() - start) / 1000.0 / Math.max(1, judged);
  }

  private static double percentile(Timer timer, double p) {
    for (ValueAtPercentile v : timer.takeSnapshot().percentileValues()) {
      if (Math.abs(v.percentile() - p) < 1e-9) {
        return v.value(TimeUnit.MILLISECONDS);
      }
    }
    return Double.NaN;
  }

  private static long threadCpu(String prefix) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long total = 0;
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith(prefix)) {
        total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return total;
  }

  private static String cluster(int c) {
    return String.format("c-%03d", c);
  }
}
