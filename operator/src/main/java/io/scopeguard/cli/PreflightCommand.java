package io.scopeguard.cli;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.SourceRule;
import io.scopeguard.scope.ScopeJudge;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kubectl scopeguard preflight}: before {@code flux bootstrap} or any GitOps change, which
 * cluster the current context reaches (API server, version, the kube-system namespace's UID as the
 * cluster's identity), its ClusterScope and environment, and whether a source URL would be allowed
 * there, decided by the same rule the scope judge applies. Exits 3 when the URL would be refused or
 * no ClusterScope declares the cluster.
 */
@Command(
    name = "preflight",
    mixinStandardHelpOptions = true,
    description = "Which cluster this context reaches, and whether a source URL is allowed there.")
public final class PreflightCommand implements Callable<Integer> {

  static final int REFUSED = 3;

  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin KubeTarget target;

  @Option(
      names = "--source-url",
      description =
          "A source URL (GitRepository, OCIRepository, Bucket) to check against the scope.")
  String sourceUrl;

  @Option(
      names = "--scope",
      description =
          "Check against this ClusterScope (e.g. a workload cluster's, from its management"
              + " cluster); default: the one declaring the local cluster.")
  String scope;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    out.println(target.header());
    try (KubernetesClient client = target.connect()) {
      VersionInfo version = client.getKubernetesVersion();
      out.println(
          "  Kubernetes "
              + (version == null
                  ? "(version not served)"
                  : version.getGitVersion() != null
                      ? version.getGitVersion()
                      : version.getMajor() + "." + version.getMinor()));
      out.println("  cluster identity: " + identity(client));
      List<ClusterScope> all =
          client.resources(ClusterScope.class).list().getItems().stream()
              .sorted(Comparator.comparing(s -> s.getMetadata().getName()))
              .toList();
      List<ClusterScope> chosen =
          scope != null
              ? all.stream().filter(s -> s.getMetadata().getName().equals(scope)).toList()
              : all.stream()
                  .filter(
                      s ->
                          s.getSpec().getCluster() != null
                              && Boolean.TRUE.equals(s.getSpec().getCluster().getLocal()))
                  .toList();
      if (chosen.isEmpty()) {
        out.println(
            scope != null
                ? "  no ClusterScope " + scope + " here"
                : "  no ClusterScope declares this cluster (spec.cluster.local: true): scopeguard"
                    + " holds every reconciler here that names no other scope");
        return REFUSED;
      }
      for (ClusterScope each : chosen) {
        out.println(
            "  ClusterScope "
                + each.getMetadata().getName()
                + ": "
                + StatusCommand.describeTarget(each)
                + ", environment "
                + (each.getSpec().getEnvironment() == null
                    ? "(none)"
                    : each.getSpec().getEnvironment().toUpperCase(Locale.ROOT))
                + ", "
                + each.getSpec().getEnforcement()
                + ", deletion budget "
                + each.getSpec().getDeletion().getMaxPercent()
                + "%"
                + (each.getSpec().getContacts().isEmpty()
                    ? ""
                    : ", contacts " + String.join(", ", each.getSpec().getContacts())));
      }
      long others = all.size() - chosen.size();
      if (others > 0 && scope == null) {
        out.println("  (" + others + " other ClusterScope(s) here declare Cluster API clusters)");
      }
      if (sourceUrl == null) {
        return 0;
      }
      int refused = 0;
      for (ClusterScope each : chosen) {
        String name = each.getMetadata().getName();
        if (ScopeJudge.allowed(each.getSpec(), sourceUrl)) {
          out.println("  source " + sourceUrl + ": ALLOWED by ClusterScope " + name);
        } else {
          refused++;
          out.println(
              "  source "
                  + sourceUrl
                  + ": NOT ALLOWED by ClusterScope "
                  + name
                  + " (allowed: "
                  + each.getSpec().getSources().stream()
                      .map(SourceRule::getUrl)
                      .collect(Collectors.joining(", "))
                  + "); a reconciler delivering from it here would be held");
        }
      }
      return refused > 0 ? REFUSED : 0;
    } catch (RuntimeException e) {
      err.println("scopeguard preflight: " + Commands.describe(e, target));
      return 1;
    }
  }

  private static String identity(KubernetesClient client) {
    try {
      Namespace kubeSystem = client.namespaces().withName("kube-system").get();
      return kubeSystem == null
          ? "(no kube-system namespace)"
          : "kube-system namespace UID " + kubeSystem.getMetadata().getUid();
    } catch (KubernetesClientException e) {
      return "(cannot read the kube-system namespace: HTTP " + e.getCode() + ")";
    }
  }
}
