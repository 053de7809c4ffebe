package io.scopeguard.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The generated ClusterScope CRD refuses what a person must not be able to store, and matches the
 * Java model and the committed copies in {@code crds/} and the chart.
 */
class ClusterScopeCrdTest {

  static final Path GENERATED =
      Path.of("target/classes/META-INF/fabric8/clusterscopes.scopeguard.io-v1.yml");
  static final Path ROOT_COPY = Path.of("../crds/clusterscopes.scopeguard.io-v1.yml");
  static final Path CHART_COPY =
      Path.of("../helm/scopeguard/crds/clusterscopes.scopeguard.io-v1.yml");

  static CrdSchema schema;

  @BeforeAll
  static void loadGeneratedCrd() throws IOException {
    schema = CrdSchema.of(GENERATED);
  }

  static String scope(String spec) {
    return """
        apiVersion: scopeguard.io/v1alpha1
        kind: ClusterScope
        metadata: {name: prod-eu-1}
        spec:
        """
        + spec.indent(2);
  }

  @Test
  void acceptsTheDesignExample() throws IOException {
    assertThat(
            schema.violations(
                scope(
                    """
        cluster: {local: true}
        environment: production
        sources:
          - url: "ssh://git@github.com/acme/prod-fleet"
          - url: "oci://ghcr.io/acme/manifests/*"
        deletion: {maxPercent: 50, maxObjects: 0, minInventory: 10}
        enforcement: Enforce
        """)))
        .isEmpty();
    assertThat(
            schema.violations(scope("cluster: {clusterRef: {namespace: fleet, name: prod-eu-1}}")))
        .isEmpty();
  }

  @Test
  void refusesBothLocalAndClusterRef() throws IOException {
    assertThat(
            schema.violations(
                scope("cluster: {local: true, clusterRef: {namespace: fleet, name: prod-eu-1}}")))
        .containsExactly(".spec.cluster: set exactly one of local: true or clusterRef");
  }

  @Test
  void refusesNeitherLocalNorClusterRef() throws IOException {
    assertThat(schema.violations(scope("cluster: {}")))
        .containsExactly(".spec.cluster: set exactly one of local: true or clusterRef");
    assertThat(schema.violations(scope("cluster: {local: false}")))
        .containsExactly(".spec.cluster: set exactly one of local: true or clusterRef");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      maxPercent 0                 | deletion: {maxPercent: 0}          | maxPercent
      maxPercent over 100          | deletion: {maxPercent: 101}        | maxPercent
      negative maxObjects          | deletion: {maxObjects: -1}         | maxObjects
      negative minInventory        | deletion: {minInventory: -5}       | minInventory
      unknown enforcement          | enforcement: Block                 | enforcement
      empty source url             | 'sources: [{url: ""}]'             | url
      clusterRef without namespace | cluster: {clusterRef: {name: x}}   | namespace
      clusterRef name not DNS      | cluster: {clusterRef: {namespace: fleet, name: Prod_1}} | name
      """)
  void refusesOutOfRangeValues(String name, String specLine, String field) throws IOException {
    String spec =
        specLine.startsWith("cluster:") ? specLine : "cluster: {local: true}\n" + specLine;
    List<String> violations = schema.violations(scope(spec));
    assertThat(violations).as(name).isNotEmpty().anyMatch(v -> v.contains(field));
  }

  @Test
  void refusesAScopeWithoutCluster() throws IOException {
    assertThat(schema.violations(scope("environment: production")))
        .anyMatch(v -> v.contains("cluster"));
  }

  @Test
  void everyFieldOfTheModelIsDeclaredInTheSchema() {
    ClusterScope full =
        Serialization.unmarshal(
            """
        apiVersion: scopeguard.io/v1alpha1
        kind: ClusterScope
        metadata: {name: full}
        spec:
          cluster: {local: true, clusterRef: {namespace: a, name: b}}
          environment: production
          sources: [{url: "oci://x/*"}]
          deletion: {maxPercent: 10, maxObjects: 5, minInventory: 3}
          enforcement: Audit
        status:
          observedGeneration: 3
          cluster: local
          conditions: [{type: Ready, status: "True", reason: Valid, message: ok, observedGeneration: 3, lastTransitionTime: "2026-11-21T10:00:00Z"}]
          inventory: {objects: 412, reconcilers: 14}
          suspended:
            - {kind: Kustomization, namespace: flux-system, name: flux-system, reason: MassDeletion, message: m,
               revision: "main@sha1:9f2c", since: "2026-11-21T10:00:00Z", approve: "kubectl annotate", action: Suspended}
          suspendedCount: 1
        """,
            ClusterScope.class);
    var json = Serialization.jsonMapper().valueToTree(full);

    assertThat(schema.undeclaredFields(json)).isEmpty();
    assertThat(json.at("/status/suspended/0/approve").asText()).isEqualTo("kubectl annotate");
  }

  @Test
  void committedCopiesEqualTheGeneratedCrd() throws IOException {
    String generated = Files.readString(GENERATED);
    assertThat(Files.readString(ROOT_COPY))
        .as("crds/ copy (refresh: mvn -pl operator process-classes -Dupdate-crds)")
        .isEqualTo(generated);
    assertThat(Files.readString(CHART_COPY))
        .as("chart copy (refresh: mvn -pl operator process-classes -Dupdate-crds)")
        .isEqualTo(generated);
  }
}
