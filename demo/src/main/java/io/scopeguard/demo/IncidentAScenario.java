package io.scopeguard.demo;

import io.scopeguard.testkit.FluxObjects;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.ClusterTarget;
import io.scopeguard.api.HeldReconciliation;
import io.scopeguard.api.SourceRule;
import io.scopeguard.approval.Annotations;
import io.scopeguard.capi.ClusterApi;
import io.scopeguard.flux.FluxKinds;
import io.scopeguard.runtime.Crds;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/**
 * Incident A replayed: an onboarding component whose scope never arrived creates Kustomizations
 * for three Cluster API clusters. The dev one names the ClusterScope declaring its cluster and
 * runs; one prod one names no scope (ScopeReferenceMissing), the other was templated from dev and
 * names dev's scope (TargetUndeclared). Both prod ones are suspended before they act; approving
 * one with the token shown in status resumes exactly that one.
 */
public final class IncidentAScenario implements Scenario {

  public static final String NAMESPACE = "onboarding";
  public static final String DEV_CLUSTER = "dev-eu-1";
  public static final String PROD_UNSCOPED = "prod-eu-1";
  public static final String PROD_TEMPLATED = "prod-us-1";
  public static final String REPOSITORY = "apps";

  @Override
  public String name() {
    return "incident-a";
  }

  @Override
  public String title() {
    return "an onboarding component without its scope targets three clusters; the two prod ones are held";
  }

  /** Kustomization name for a cluster. */
  public static String appsFor(String cluster) {
    return "apps-" + cluster;
  }

  @Override
  public void play(ScenarioContext context) {
    setUp(context);
    PrintWriter out = context.out();
    out.println("  The onboarding component created a Kustomization per cluster; scopeguard judged them:");
    awaitHeld(context);
    printKustomizations(context);
    ClusterScope dev = context.client().resources(ClusterScope.class).withName(DEV_CLUSTER).get();
    out.printf("%n  ClusterScope %s lists what it holds:%n", DEV_CLUSTER);
    for (HeldReconciliation row : dev.getStatus().getSuspended()) {
      out.printf("    %s %s/%s  %s: %s%n      approve: %s%n", row.getKind(), row.getNamespace(), row.getName(),
          row.getReason(), row.getMessage(), row.getApprove());
    }
    String token = approve(context, appsFor(PROD_TEMPLATED));
    out.printf("%n  A person approves %s with token %s; scopeguard resumes exactly that one:%n", appsFor(PROD_TEMPLATED), token);
    awaitResumed(context, appsFor(PROD_TEMPLATED));
    printKustomizations(context);
    out.flush();
  }

  /** Creates the clusters, the dev ClusterScope, the source and the three Kustomizations. */
  public void setUp(ScenarioContext context) {
    var clusterKind = Crds.servedKind(context.client(), ClusterApi.CLUSTERS_CRD).orElseThrow(() ->
        new IllegalStateException("this scenario needs Cluster API's Cluster kind"));
    context.create(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build());
    for (String cluster : List.of(DEV_CLUSTER, PROD_UNSCOPED, PROD_TEMPLATED)) {
      context.create(FluxObjects.capiCluster(clusterKind.apiVersion(), NAMESPACE, cluster));
    }
    ClusterScope dev = new ClusterScope();
    dev.getMetadata().setName(DEV_CLUSTER);
    dev.getSpec().setCluster(ClusterTarget.clusterRef(NAMESPACE, DEV_CLUSTER));
    dev.getSpec().setEnvironment("development");
    dev.getSpec().setSources(List.of(new SourceRule("ssh://git@github.com/acme/apps")));
    context.create(dev);
    context.create(FluxObjects.gitRepository(NAMESPACE, REPOSITORY, "ssh://git@github.com/acme/apps"));
    context.create(FluxObjects.kustomization(NAMESPACE, appsFor(DEV_CLUSTER), DEV_CLUSTER, DEV_CLUSTER, REPOSITORY));
    context.create(FluxObjects.kustomization(NAMESPACE, appsFor(PROD_UNSCOPED), null, PROD_UNSCOPED, REPOSITORY));
    context.create(FluxObjects.kustomization(NAMESPACE, appsFor(PROD_TEMPLATED), DEV_CLUSTER, PROD_TEMPLATED, REPOSITORY));
  }

  /** Waits until both prod Kustomizations are held and dev's ClusterScope lists the templated one. */
  public void awaitHeld(ScenarioContext context) {
    for (String cluster : List.of(PROD_UNSCOPED, PROD_TEMPLATED)) {
      context.await(appsFor(cluster) + " to be suspended", () -> {
        GenericKubernetesResource k = kustomization(context, appsFor(cluster));
        return FluxObjects.suspended(k) && FluxObjects.annotation(k, Annotations.SUSPENDED_REASON) != null ? k : null;
      });
    }
    context.await("ClusterScope " + DEV_CLUSTER + " to list " + appsFor(PROD_TEMPLATED), () -> {
      ClusterScope dev = context.client().resources(ClusterScope.class).withName(DEV_CLUSTER).get();
      return dev != null && dev.getStatus() != null && dev.getStatus().getSuspended().stream()
          .anyMatch(row -> row.getName().equals(appsFor(PROD_TEMPLATED))) ? dev : null;
    });
  }

  /** Approves a held Kustomization with the token scopeguard put on it, as a person would; returns the token. */
  public String approve(ScenarioContext context, String name) {
    String token = FluxObjects.annotation(kustomization(context, name), Annotations.SUSPENDED_TOKEN);
    FluxObjects.annotate(context.client(), FluxKinds.KUSTOMIZE_GROUP + "/v1", "Kustomization", NAMESPACE, name,
        Annotations.APPROVE, token);
    return token;
  }

  public void awaitResumed(ScenarioContext context, String name) {
    context.await(name + " to be resumed", () -> {
      GenericKubernetesResource k = kustomization(context, name);
      return !FluxObjects.suspended(k) && FluxObjects.annotation(k, Annotations.SUSPENDED_REASON) == null ? k : null;
    });
  }

  public static GenericKubernetesResource kustomization(ScenarioContext context, String name) {
    return context.client().genericKubernetesResources(FluxKinds.KUSTOMIZE_GROUP + "/v1", "Kustomization")
        .inNamespace(NAMESPACE).withName(name).get();
  }



  private static void printKustomizations(ScenarioContext context) {
    PrintWriter out = context.out();
    out.printf("    %-16s %-22s %-10s %-22s %s%n", "KUSTOMIZATION", "SCOPE LABEL", "SUSPENDED", "REASON", "TOKEN");
    for (String cluster : List.of(DEV_CLUSTER, PROD_UNSCOPED, PROD_TEMPLATED)) {
      GenericKubernetesResource k = kustomization(context, appsFor(cluster));
      Map<String, String> labels = k.getMetadata().getLabels();
      String label = labels == null ? null : labels.get(Annotations.SCOPE_LABEL);
      String reason = FluxObjects.annotation(k, Annotations.SUSPENDED_REASON);
      String token = FluxObjects.annotation(k, Annotations.SUSPENDED_TOKEN);
      out.printf("    %-16s %-22s %-10s %-22s %s%n", appsFor(cluster), label == null ? "(none)" : label,
          FluxObjects.suspended(k), reason == null ? "-" : reason, token == null ? "-" : token);
    }
  }
}
