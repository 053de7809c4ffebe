package io.scopeguard.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the Git repository of incident B as a directory: production's fleet repo, the "empty"
 * repository that a re-run bootstrap points Flux at (only the flux-system path survives, listing
 * nothing else), and a benign revision that removes a few objects.
 *
 * <p>The fleet: {@code clusters/prod} (applied by Kustomization flux-system) holds four Namespaces,
 * three child Kustomizations ({@code apps-a}, {@code apps-b}, {@code infra}, each over {@value
 * #PER_CHILD} Deployments, Services and ConfigMaps) and a HelmRelease {@code podinfo}.
 */
public final class FleetRepository {

  public static final int PER_CHILD = 110;

  /** The ClusterScope every reconciler of the fleet names. */
  public static final String SCOPE = "prod";

  public static final List<String> CHILDREN = List.of("apps-a", "apps-b", "infra");

  private FleetRepository() {}

  /**
   * Production's repository; {@code removeFromAppsA} drops that many ConfigMaps from apps-a (a
   * benign change).
   */
  public static void writeFleet(Path root, int removeFromAppsA) throws IOException {
    List<String> top = new ArrayList<>(List.of("namespaces.yaml", "podinfo.yaml"));
    StringBuilder namespaces = new StringBuilder();
    for (String ns : List.of("apps-a", "apps-b", "infra", "podinfo")) {
      namespaces
          .append("---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ")
          .append(ns)
          .append('\n');
    }
    write(root.resolve("clusters/prod/namespaces.yaml"), namespaces.toString());
    for (String child : CHILDREN) {
      top.add(child + ".yaml");
      write(
          root.resolve("clusters/prod/" + child + ".yaml"),
          """
          apiVersion: kustomize.toolkit.fluxcd.io/v1
          kind: Kustomization
          metadata:
            name: %s
            namespace: flux-system
            labels: {scopeguard.io/scope: prod}
          spec:
            interval: 10m
            path: ./workloads/%s
            prune: true
            sourceRef:
              kind: GitRepository
              name: flux-system
          """
              .formatted(child, child));
      writeWorkload(
          root.resolve("workloads/" + child), child, child.equals("apps-a") ? removeFromAppsA : 0);
    }
    write(
        root.resolve("clusters/prod/podinfo.yaml"),
        """
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata:
          name: podinfo
          namespace: podinfo
          labels: {scopeguard.io/scope: prod}
        spec:
          interval: 10m
          chart:
            spec:
              chart: podinfo
              sourceRef:
                kind: HelmRepository
                name: podinfo
        """);
    kustomization(root.resolve("clusters/prod"), top);
  }

  /**
   * What bootstrap leaves in a new, empty repository: the path exists and lists nothing of the
   * fleet.
   */
  public static void writeEmpty(Path root) throws IOException {
    write(root.resolve("clusters/prod/flux-system/README.md"), "bootstrap placeholder\n");
    kustomization(root.resolve("clusters/prod"), List.of());
  }

  private static void writeWorkload(Path dir, String namespace, int removeConfigMaps)
      throws IOException {
    int each = PER_CHILD / 3;
    List<String> files = new ArrayList<>();
    StringBuilder deployments = new StringBuilder();
    StringBuilder services = new StringBuilder();
    StringBuilder configMaps = new StringBuilder();
    for (int i = 0; i < each; i++) {
      deployments.append(
          """
          ---
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: app-%d, namespace: %s}
          spec: {replicas: 1, selector: {matchLabels: {app: app-%d}}, template: {metadata: {labels: {app: app-%d}}, spec: {containers: [{name: app, image: "ghcr.io/acme/app:1"}]}}}
          """
              .formatted(i, namespace, i, i));
      services.append(
          """
          ---
          apiVersion: v1
          kind: Service
          metadata: {name: app-%d, namespace: %s}
          spec: {selector: {app: app-%d}, ports: [{port: 80}]}
          """
              .formatted(i, namespace, i));
    }
    for (int i = 0; i < PER_CHILD - 2 * each - removeConfigMaps; i++) {
      configMaps.append(
          """
          ---
          apiVersion: v1
          kind: ConfigMap
          metadata: {name: settings-%d, namespace: %s}
          data: {key: value-%d}
          """
              .formatted(i, namespace, i));
    }
    write(dir.resolve("deployments.yaml"), deployments.toString());
    write(dir.resolve("services.yaml"), services.toString());
    write(dir.resolve("configmaps.yaml"), configMaps.toString());
    files.addAll(List.of("deployments.yaml", "services.yaml", "configmaps.yaml"));
    kustomization(dir, files);
  }

  private static void kustomization(Path dir, List<String> resources) throws IOException {
    StringBuilder yaml =
        new StringBuilder(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:");
    if (resources.isEmpty()) {
      yaml.append(" []\n");
    } else {
      yaml.append('\n');
      resources.forEach(r -> yaml.append("  - ").append(r).append('\n'));
    }
    write(dir.resolve("kustomization.yaml"), yaml.toString());
  }

  private static void write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }
}
