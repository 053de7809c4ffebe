package io.scopeguard.scope;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.scopeguard.api.ClusterScopeSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClusterScopeValidatorTest {

  private static final ClusterFacts CLUSTER_EXISTS = new ClusterFacts(true, true);

  private static ClusterScopeSpec spec(String yaml) {
    try {
      return Serialization.yamlMapper().readValue(yaml, ClusterScopeSpec.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      local                    | {cluster: {local: true}}                                           | true  | true  | Valid
      clusterRef, exists       | {cluster: {clusterRef: {namespace: fleet, name: dev}}}             | true  | true  | Valid
      clusterRef, absent       | {cluster: {clusterRef: {namespace: fleet, name: dev}}}             | true  | false | ClusterNotFound
      clusterRef, no CAPI      | {cluster: {clusterRef: {namespace: fleet, name: dev}}}             | false | false | ClusterApiMissing
      local, no CAPI           | {cluster: {local: true}}                                           | false | false | Valid
      no cluster               | {environment: prod}                                                | true  | true  | InvalidSpec
      both                     | {cluster: {local: true, clusterRef: {namespace: f, name: d}}}      | true  | true  | InvalidSpec
      local false only         | {cluster: {local: false}}                                          | true  | true  | InvalidSpec
      percent 0                | {cluster: {local: true}, deletion: {maxPercent: 0}}                | true  | true  | InvalidSpec
      percent 101              | {cluster: {local: true}, deletion: {maxPercent: 101}}              | true  | true  | InvalidSpec
      negative maxObjects      | {cluster: {local: true}, deletion: {maxObjects: -1}}               | true  | true  | InvalidSpec
      blank source             | '{cluster: {local: true}, sources: [{url: " "}]}'                  | true  | true  | InvalidSpec
      """)
  void decidesReadiness(String name, String yaml, boolean capi, boolean exists, String reason) {
    ScopeValidation validation =
        ClusterScopeValidator.validate(spec(yaml), new ClusterFacts(capi, exists));

    assertThat(validation.reason()).as(name).isEqualTo(reason);
    assertThat(validation.valid()).as(name).isEqualTo(reason.equals(ScopeValidation.VALID));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      missing cluster | {cluster: {clusterRef: {namespace: fleet, name: prod-eu-2}}} | Cluster API Cluster fleet/prod-eu-2 does not exist; create it or fix spec.cluster.clusterRef
      both targets    | {cluster: {local: true, clusterRef: {namespace: f, name: d}}} | spec.cluster: set exactly one of local: true or clusterRef
      percent         | {cluster: {local: true}, deletion: {maxPercent: 0}}          | spec.deletion.maxPercent must be between 1 and 100, not 0
      valid summary   | '{cluster: {local: true}, sources: [{url: "oci://a/*"}], deletion: {maxPercent: 30, maxObjects: 100}, enforcement: Audit}' | declares the local cluster; 1 allowed source(s); deletion budget 30% or 100 objects; Audit
      """)
  void explainsItsVerdictInOneLine(String name, String yaml, String message) {
    ClusterScopeSpec spec = spec(yaml);
    ClusterFacts facts =
        name.equals("missing cluster") ? new ClusterFacts(true, false) : CLUSTER_EXISTS;

    assertThat(ClusterScopeValidator.validate(spec, facts).message()).isEqualTo(message);
  }
}
