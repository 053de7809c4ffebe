package io.scopeguard.flux;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.scopeguard.kinds.GuardedKind.SourceRef;
import io.scopeguard.scope.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FluxKindsTest {

  static GenericKubernetesResource resource(String yaml) {
    return Serialization.unmarshal(yaml, GenericKubernetesResource.class);
  }

  static GenericKubernetesResource kustomization(String spec) {
    return resource(
        """
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {namespace: fleet, name: apps}
        spec:
        """
            + spec.indent(2));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      no kubeConfig is the local cluster    | 'prune: true'                                                   | local
      Cluster API kubeconfig Secret         | 'kubeConfig: {secretRef: {name: prod-eu-1-kubeconfig}}'          | fleet/prod-eu-1
      key does not matter                   | 'kubeConfig: {secretRef: {name: dev-kubeconfig, key: value.yaml}}' | fleet/dev
      """)
  void resolvesTargets(String name, String spec, String key) {
    assertThat(FluxKinds.kubeConfigTarget(kustomization(spec)).key()).as(name).isEqualTo(key);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      name off the convention      | 'kubeConfig: {secretRef: {name: prod-admin}}'          | does not follow the Cluster API convention <cluster>-kubeconfig
      suffix alone                 | 'kubeConfig: {secretRef: {name: -kubeconfig}}'         | does not follow the Cluster API convention
      workload identity ConfigMap  | 'kubeConfig: {configMapRef: {name: aks-prod}}'         | configMapRef names no Cluster API cluster
      """)
  void reportsTargetsItWillNotGuess(String name, String spec, String why) {
    Target target = FluxKinds.kubeConfigTarget(kustomization(spec));

    assertThat(target).as(name).isInstanceOf(Target.Unresolved.class);
    assertThat(((Target.Unresolved) target).why()).contains(why);
  }

  @Test
  void kustomizationSourceDefaultsToItsNamespace() {
    assertThat(
            FluxKinds.kustomizationSource(
                kustomization("sourceRef: {kind: GitRepository, name: fleet-repo}")))
        .contains(new SourceRef("GitRepository", "fleet", "fleet-repo"));
    assertThat(
            FluxKinds.kustomizationSource(
                kustomization("sourceRef: {kind: OCIRepository, name: m, namespace: flux-system}")))
        .contains(new SourceRef("OCIRepository", "flux-system", "m"));
  }

  @Test
  void helmReleaseSourceFromChartTemplateOrChartRef() {
    GenericKubernetesResource template =
        resource(
            """
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata: {namespace: apps, name: podinfo}
        spec:
          chart: {spec: {chart: podinfo, sourceRef: {kind: HelmRepository, name: podinfo}}}
        """);
    GenericKubernetesResource chartRef =
        resource(
            """
        apiVersion: helm.toolkit.fluxcd.io/v2
        kind: HelmRelease
        metadata: {namespace: apps, name: podinfo}
        spec:
          chartRef: {kind: OCIRepository, name: podinfo, namespace: flux-system}
        """);

    assertThat(FluxKinds.helmReleaseSource(template))
        .contains(new SourceRef("HelmRepository", "apps", "podinfo"));
    assertThat(FluxKinds.helmReleaseSource(chartRef))
        .contains(new SourceRef("OCIRepository", "flux-system", "podinfo"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      https by default   | '{endpoint: minio.example:9000, bucketName: prod}'                 | https://minio.example:9000/prod
      insecure is http   | '{endpoint: minio.minio.svc:9000, bucketName: prod, insecure: true}' | http://minio.minio.svc:9000/prod
      with prefix        | '{endpoint: s3.amazonaws.com, bucketName: acme, prefix: fleet/}'   | https://s3.amazonaws.com/acme/fleet
      scheme kept        | '{endpoint: "http://gcs.local/", bucketName: b}'                   | http://gcs.local/b
      """)
  void bucketsAreComparedByAddress(String name, String spec, String url) {
    GenericKubernetesResource bucket =
        resource(
            """
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: Bucket
        metadata: {namespace: flux-system, name: b}
        spec: %s
        """
                .formatted(spec));

    assertThat(FluxKinds.bucketUrl(bucket)).as(name).contains(url);
  }
}
