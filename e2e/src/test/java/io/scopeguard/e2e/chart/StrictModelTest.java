package io.scopeguard.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

/**
 * The strict reading {@link ChartRenderTest} relies on really catches what a typo would produce.
 */
class StrictModelTest {

  private static final String DEPLOYMENT =
      """
      ---
      # Source: scopeguard/templates/deployment.yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: scopeguard, namespace: scopeguard-system}
      spec:
        %s
        selector: {matchLabels: {app: scopeguard}}
        template:
          metadata: {labels: {app: scopeguard}}
          spec:
            containers:
              - name: scopeguard
                image: scopeguard:0.1.0
                ports: [{name: http, containerPort: %s}]
                readinessProbe:
                  httpGet: {%s: /readyz, port: http}
      """;

  private static String deployment(String replicas, String containerPort, String pathKey) {
    return DEPLOYMENT.formatted(replicas, containerPort, pathKey);
  }

  @Test
  void aWellFormedManifestReadsIntoItsModel() {
    Deployment deployment =
        Manifests.parse(deployment("replicas: 2", "8080", "path")).one(Deployment.class);

    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(deployment.getAdditionalProperties()).isEmpty();
  }

  @Test
  void aMisspelledFieldFailsNamingTheTemplateTheFieldAndItsPath() {
    Deployment lenient =
        Serialization.unmarshal(deployment("replica: 2", "8080", "path"), Deployment.class);
    assertThat(lenient.getSpec().getAdditionalProperties())
        .as("fabric8's own reading keeps it silently")
        .containsEntry("replica", 2);

    assertThatThrownBy(() -> Manifests.parse(deployment("replica: 2", "8080", "path")))
        .hasMessageContaining("scopeguard/templates/deployment.yaml")
        .hasMessageContaining("Deployment scopeguard")
        .hasMessageContaining("Unrecognized field \"replica\"")
        .hasMessageContaining("at spec.replica");
  }

  @Test
  void aMisspelledFieldDeepInsideFails() {
    assertThatThrownBy(() -> Manifests.parse(deployment("replicas: 1", "8080", "paht")))
        .hasMessageContaining("Unrecognized field \"paht\"")
        .hasMessageContaining("spec.template.spec.containers[0].readinessProbe.httpGet.paht");
  }

  @Test
  void aValueOfTheWrongTypeFails() {
    assertThatThrownBy(() -> Manifests.parse(deployment("replicas: 1", "\"8080\"", "path")))
        .hasMessageContaining("containerPort");
    assertThatThrownBy(() -> Manifests.parse(deployment("replicas: [1]", "8080", "path")))
        .hasMessageContaining("spec.replicas");
  }

  @Test
  void aDuplicateKeyFails() {
    assertThatThrownBy(
            () -> Manifests.parse(deployment("replicas: 1\n  replicas: 2", "8080", "path")))
        .hasMessageContaining("Duplicate field 'replicas'");
  }

  @Test
  void thirdPartyKindsAreStrictToo() {
    String rule =
        """
        apiVersion: monitoring.coreos.com/v1
        kind: PrometheusRule
        metadata: {name: scopeguard}
        spec:
          groups:
            - name: scopeguard
              rules:
                - alert: ScopeguardDown
                  expr: absent(up)
                  %s: 5m
        """;

    assertThat(
            Manifests.parse(rule.formatted("for"))
                .one(ThirdPartyKinds.PrometheusRule.class)
                .spec()
                .groups()
                .get(0)
                .rules()
                .get(0)
                .pendingFor())
        .isEqualTo("5m");
    assertThatThrownBy(() -> Manifests.parse(rule.formatted("fro")))
        .hasMessageContaining("Unrecognized field \"fro\"")
        .hasMessageContaining("spec.groups[0].rules[0].fro");
  }

  @Test
  void aKindWithoutAModelFails() {
    assertThatThrownBy(
            () -> Manifests.parse("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: x}\n"))
        .hasMessageContaining("no model for batch/v1/CronJob");
  }
}
