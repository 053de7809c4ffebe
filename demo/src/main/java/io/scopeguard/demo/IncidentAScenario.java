package io.scopeguard.demo;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.ClusterTarget;
import io.scopeguard.api.HeldReconciliation;
import io.scopeguard.api.SourceRule;
import io.scopeguard.approval.Annotations;
import io.scopeguard.capi.ClusterApi;
import io.scopeguard.guard.Crds;
import io.scopeguard.testkit.FluxObjects;
import io.scopeguard.testkit.Identities;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Incident A replayed: a management cluster runs Flux and Cluster API over three workload clusters,
 * each with its ClusterScope ({@code dev-7} for development, {@code prod-1} and {@code prod-2} for
 * customers). An onboarding component whose scope never arrived creates one Kustomization per
 * cluster; only dev-7's names its scope. A stand-in kustomize-controller starts reconciling each
 * the instant its creation event arrives and applies to the workload cluster through the Cluster
 * API kubeconfig Secret. Scopeguard's admission stores the two prod ones suspended in the very
 * write that creates them: no controller ever sees them running, and nothing reaches prod-1 or
 * prod-2. Approving one with the token shown in status resumes exactly that one.
 */
public final class IncidentAScenario implements Scenario, AutoCloseable {

  public static final String NAMESPACE = "onboarding";
  public static final String DEV = "dev-7";
  public static final String PROD_1 = "prod-1";
  public static final String PROD_2 = "prod-2";
  public static final List<String> CLUSTERS = List.of(DEV, PROD_1, PROD_2);
  public static final String REPOSITORY = "platform-apps";
  public static final String REPOSITORY_URL = "ssh://git@github.com/acme/platform-apps";
  public static final String REVISION = "main@sha1:" + "d".repeat(40);

  /** The onboarding component, as the API server knows it. */
  public static final String ONBOARDING =
      Identities.serviceAccount("onboarding", "onboarding-operator");

  private final Map<String, Boolean> bornSuspended = new ConcurrentHashMap<>();
  private WorkloadClusters clusters;
  private StandInSourceController source;
  private StandInKustomizeController kustomize;
  private Watch watch;

  @Override
  public String name() {
    return "incident-a";
  }

  @Override
  public String title() {
    return "an onboarding component without its scope targets three clusters; the prod ones are born suspended";
  }

  /** Kustomization name for a cluster. */
  public static String appsFor(String cluster) {
    return "platform-apps-" + cluster;
  }

  @Override
  public void play(ScenarioContext context) {
    PrintWriter out = context.out();
    try (this) {
      setUp(context);
      onboard(context);
      awaitHeld(context);
      out.println(
          "  The onboarding component created a Kustomization per cluster; the first event each controller saw:");
      printKustomizations(context);
      out.printf(
          "  Applied by the stand-in kustomize-controller: %s: %d objects, %s: %d, %s: %d%n",
          DEV,
          kustomize.appliesTo(DEV).size(),
          PROD_1,
          kustomize.appliesTo(PROD_1).size(),
          PROD_2,
          kustomize.appliesTo(PROD_2).size());
      for (String cluster : List.of(PROD_1, PROD_2)) {
        HeldReconciliation row = row(context, cluster);
        out.printf(
            "%n  ClusterScope %s lists %s: %s%n    %s%n    approve: %s%n",
            cluster, row.getName(), row.getReason(), row.getMessage(), row.getApprove());
      }
      String token = approve(context, appsFor(PROD_2));
      out.printf(
          "%n  A person decides prod-2 should have the apps after all and approves with token %s:%n",
          token);
      awaitResumed(context, appsFor(PROD_2));
      context.await(
          "the approved one to be applied",
          () -> kustomize.appliesTo(PROD_2).size() >= 3 ? true : null);
      out.printf(
          "  %s resumed and applied (%d objects); %s stays held, %d objects there.%n",
          appsFor(PROD_2),
          kustomize.appliesTo(PROD_2).size(),
          appsFor(PROD_1),
          kustomize.appliesTo(PROD_1).size());
      out.flush();
    }
  }

  /**
   * The fleet: three workload clusters with their Cluster API objects, kubeconfig Secrets and
   * ClusterScopes, the apps repository, and the stand-in Flux controllers, running.
   */
  public void setUp(ScenarioContext context) {
    var clusterKind =
        Crds.servedKind(context.client(), ClusterApi.CLUSTERS_CRD)
            .orElseThrow(
                () -> new IllegalStateException("this scenario needs Cluster API's Cluster kind"));
    try {
      clusters = new WorkloadClusters();
      source = new StandInSourceController(context.clientAs(Identities.SOURCE_CONTROLLER)).start();
      kustomize =
          new StandInKustomizeController(
                  context.clientAs(Identities.KUSTOMIZE_CONTROLLER), context::clientAs)
              .start();
      context.create(
          new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build());
      for (String cluster : CLUSTERS) {
        clusters.register(context, clusterKind.apiVersion(), NAMESPACE, cluster);
        ClusterScope scope = new ClusterScope();
        scope.getMetadata().setName(cluster);
        scope.getSpec().setCluster(ClusterTarget.clusterRef(NAMESPACE, cluster));
        scope.getSpec().setEnvironment(cluster.equals(DEV) ? "development" : "production");
        scope.getSpec().setSources(List.of(new SourceRule(REPOSITORY_URL)));
        context.create(scope);
      }
      Path apps = Files.createTempDirectory("platform-apps");
      Files.createDirectories(apps.resolve("apps"));
      Files.writeString(
          apps.resolve("apps/kustomization.yaml"),
          """
          apiVersion: kustomize.config.k8s.io/v1beta1
          kind: Kustomization
          resources: [platform.yaml]
          """);
      Files.writeString(
          apps.resolve("apps/platform.yaml"),
          """
          apiVersion: v1
          kind: Namespace
          metadata: {name: platform}
          ---
          apiVersion: v1
          kind: ConfigMap
          metadata: {name: platform-settings, namespace: platform}
          data: {tier: customer}
          ---
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: platform-agent, namespace: platform}
          spec: {replicas: 1, selector: {matchLabels: {app: agent}}, template: {metadata: {labels: {app: agent}}, spec: {containers: [{name: agent, image: "ghcr.io/acme/agent:1"}]}}}
          """);
      source.push(REPOSITORY_URL, apps, REVISION);
      context.create(FluxObjects.gitRepository(NAMESPACE, REPOSITORY, REPOSITORY_URL));
      context.await(
          "the apps repository to be fetched",
          () -> source.fetched().contains(REPOSITORY_URL) ? true : null);
      watch =
          context
              .client()
              .genericKubernetesResources(FluxObjects.KUSTOMIZATIONS, "Kustomization")
              .inNamespace(NAMESPACE)
              .watch(
                  new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, GenericKubernetesResource k) {
                      bornSuspended.putIfAbsent(
                          k.getMetadata().getName(), FluxObjects.suspended(k));
                    }

                    @Override
                    public void onClose(WatcherException cause) {}
                  });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The onboarding component, its scope missing, creates a Kustomization per cluster: only dev-7's
   * names a scope.
   */
  public void onboard(ScenarioContext context) {
    var onboarding = context.clientAs(ONBOARDING);
    for (String cluster : CLUSTERS) {
      GenericKubernetesResource k =
          FluxObjects.kustomization(
              NAMESPACE, appsFor(cluster), cluster.equals(DEV) ? DEV : null, cluster, REPOSITORY);
      context.remember(onboarding.resource(k).create());
    }
  }

  /**
   * Waits until both prod Kustomizations are listed as held in their clusters' ClusterScopes and
   * dev-7 is applied.
   */
  public void awaitHeld(ScenarioContext context) {
    for (String cluster : List.of(PROD_1, PROD_2)) {
      context.await(
          "ClusterScope " + cluster + " to list " + appsFor(cluster),
          () -> {
            ClusterScope scope =
                context.client().resources(ClusterScope.class).withName(cluster).get();
            return scope != null
                    && scope.getStatus() != null
                    && scope.getStatus().getSuspended().stream()
                        .anyMatch(row -> row.getName().equals(appsFor(cluster)))
                ? scope
                : null;
          });
    }
    context.await("dev-7 to be applied", () -> kustomize.appliesTo(DEV).size() >= 3 ? true : null);
  }

  /** The status row of the Kustomization for {@code cluster} in that cluster's ClusterScope. */
  public static HeldReconciliation row(ScenarioContext context, String cluster) {
    return context
        .client()
        .resources(ClusterScope.class)
        .withName(cluster)
        .get()
        .getStatus()
        .getSuspended()
        .stream()
        .filter(r -> r.getName().equals(appsFor(cluster)))
        .findFirst()
        .orElseThrow();
  }

  /**
   * Approves a held Kustomization with the token scopeguard put on it, as a person would; returns
   * the token.
   */
  public String approve(ScenarioContext context, String name) {
    String token =
        FluxObjects.annotation(kustomization(context, name), Annotations.SUSPENDED_TOKEN);
    FluxObjects.annotate(
        context.client(),
        FluxObjects.KUSTOMIZATIONS,
        "Kustomization",
        NAMESPACE,
        name,
        Annotations.APPROVE,
        token);
    return token;
  }

  public void awaitResumed(ScenarioContext context, String name) {
    context.await(
        name + " to be resumed",
        () -> {
          GenericKubernetesResource k = kustomization(context, name);
          return !FluxObjects.suspended(k)
                  && FluxObjects.annotation(k, Annotations.SUSPENDED_REASON) == null
              ? k
              : null;
        });
  }

  /**
   * Whether the first watch event of the Kustomization showed it suspended; null before it arrived.
   */
  public Boolean bornSuspended(String name) {
    return bornSuspended.get(name);
  }

  public StandInKustomizeController kustomizeController() {
    return kustomize;
  }

  public WorkloadClusters clusters() {
    return clusters;
  }

  public static GenericKubernetesResource kustomization(ScenarioContext context, String name) {
    return context
        .client()
        .genericKubernetesResources(FluxObjects.KUSTOMIZATIONS, "Kustomization")
        .inNamespace(NAMESPACE)
        .withName(name)
        .get();
  }

  private void printKustomizations(ScenarioContext context) {
    PrintWriter out = context.out();
    out.printf(
        "    %-22s %-12s %-15s %-22s %s%n",
        "KUSTOMIZATION", "SCOPE LABEL", "BORN SUSPENDED", "REASON", "TOKEN");
    for (String cluster : CLUSTERS) {
      GenericKubernetesResource k = kustomization(context, appsFor(cluster));
      Map<String, String> labels = k.getMetadata().getLabels();
      String label = labels == null ? null : labels.get(FluxObjects.SCOPE_LABEL);
      String reason = FluxObjects.annotation(k, Annotations.SUSPENDED_REASON);
      String token = FluxObjects.annotation(k, Annotations.SUSPENDED_TOKEN);
      out.printf(
          "    %-22s %-12s %-15s %-22s %s%n",
          appsFor(cluster),
          label == null ? "(none)" : label,
          bornSuspended(appsFor(cluster)),
          reason == null ? "-" : reason,
          token == null ? "-" : token);
    }
  }

  @Override
  public void close() {
    if (watch != null) {
      watch.close();
    }
    if (kustomize != null) {
      kustomize.close();
    }
    if (source != null) {
      source.close();
    }
    if (clusters != null) {
      clusters.close();
    }
  }
}
