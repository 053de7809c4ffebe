package io.scopeguard.e2e.bench;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.ClusterTarget;
import io.scopeguard.e2e.TargetCluster;
import io.scopeguard.runtime.OperatorSettings;
import io.scopeguard.runtime.ScopeguardOperator;
import io.scopeguard.testkit.FluxObjects;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Where a benchmark runs: the embedded API, or a real cluster when {@code KUBECONFIG} and {@code
 * SCOPEGUARD_BENCH_CONTEXT} are both set (the webhook then served at {@code
 * SCOPEGUARD_BENCH_WEBHOOK_URL}). A benchmark creates its objects in namespaces of its own (a
 * random suffix, so a shared cluster's own namespaces are never touched) and everything it created
 * is removed on close, Flux finalizers left by the stand-in controllers included.
 */
final class BenchCluster implements AutoCloseable {

  private static final String[] FINALIZED = {
    "kustomize.toolkit.fluxcd.io/v1/Kustomization",
    "helm.toolkit.fluxcd.io/v2/HelmRelease",
    "source.toolkit.fluxcd.io/v1/GitRepository"
  };

  private final TargetCluster cluster = TargetCluster.open("SCOPEGUARD_BENCH_CONTEXT");
  private final String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
  private final List<String> namespaces = new CopyOnWriteArrayList<>();
  private final List<HasMetadata> clusterScoped = new CopyOnWriteArrayList<>();
  private final List<ScopeguardOperator> operators = new CopyOnWriteArrayList<>();

  /**
   * Prints the report's header: what is measured, where (API server and its version), on how many
   * cores.
   */
  void header(String what) {
    System.out.printf(
        Locale.ROOT,
        "%s%n  on %s, %d cores, max heap %d MiB%n",
        what,
        cluster.describe(),
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
  }

  KubernetesClient client() {
    return cluster.client();
  }

  KubernetesClient clientAs(String username) {
    return cluster.clientAs(username);
  }

  boolean isEmbedded() {
    return cluster.isEmbedded();
  }

  /** A namespace of this run's own, named {@code prefix-<suffix>}. */
  String namespace(String prefix) {
    String name = prefix + "-" + suffix;
    client()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    namespaces.add(name);
    return name;
  }

  /**
   * A namespace of this run's own and a ClusterScope of the same name declaring the local cluster.
   */
  String namespaceAndLocalScope(String prefix) {
    String name = namespace(prefix);
    ClusterScope scope = new ClusterScope();
    scope.getMetadata().setName(name);
    scope.getSpec().setCluster(ClusterTarget.local());
    create(scope);
    return name;
  }

  /** Creates a cluster-scoped object, removed on close. */
  <T extends HasMetadata> T create(T resource) {
    T created = client().resource(resource).create();
    clusterScoped.add(created);
    return created;
  }

  /** scopeguard, started on this cluster with its webhook where the API server reaches it. */
  ScopeguardOperator startOperator(OperatorSettings settings) {
    ScopeguardOperator operator =
        ScopeguardOperator.start(
            cluster.scopeguardClient(),
            cluster.reachable(settings, "SCOPEGUARD_BENCH_WEBHOOK_URL"),
            Clock.systemUTC());
    operators.add(operator);
    return operator;
  }

  @Override
  public void close() {
    try {
      operators.forEach(ScopeguardOperator::close);
      if (!cluster.isEmbedded()) {
        cluster.removeWebhooks();
        namespaces.forEach(this::removeFinalizers);
        namespaces.forEach(ns -> client().namespaces().withName(ns).delete());
        clusterScoped.forEach(resource -> client().resource(resource).delete());
        namespaces.forEach(
            ns ->
                client()
                    .namespaces()
                    .withName(ns)
                    .waitUntilCondition(n -> n == null, 10, TimeUnit.MINUTES));
      }
    } finally {
      cluster.close();
    }
  }

  private void removeFinalizers(String namespace) {
    for (String kind : FINALIZED) {
      int slash = kind.lastIndexOf('/');
      try {
        var resources =
            client()
                .genericKubernetesResources(kind.substring(0, slash), kind.substring(slash + 1))
                .inNamespace(namespace);
        for (GenericKubernetesResource resource : resources.list().getItems()) {
          if (!resource.getMetadata().getFinalizers().isEmpty()) {
            resources
                .withName(resource.getMetadata().getName())
                .edit(
                    r -> {
                      r.getMetadata().setFinalizers(List.of());
                      return r;
                    });
          }
        }
      } catch (KubernetesClientException e) {
        System.err.printf(
            "could not remove the finalizers of %s in %s: %s%n", kind, namespace, e.getMessage());
      }
    }
  }

  /**
   * Writes a Kustomization's inventory as kustomize-controller does, to its status: {@code objects}
   * ConfigMaps of {@code ns} named {@code <prefix><i>}.
   */
  static GenericKubernetesResource writeInventory(
      KubernetesClient client, String ns, String name, String prefix, int objects) {
    List<Map<String, Object>> entries = new ArrayList<>(objects);
    for (int i = 0; i < objects; i++) {
      entries.add(Map.of("id", ns + "_" + prefix + i + "__ConfigMap", "v", "v1"));
    }
    return client
        .genericKubernetesResources(FluxObjects.KUSTOMIZATIONS, "Kustomization")
        .inNamespace(ns)
        .withName(name)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            Serialization.asJson(
                Map.of("status", Map.of("inventory", Map.of("entries", entries)))));
  }
}
