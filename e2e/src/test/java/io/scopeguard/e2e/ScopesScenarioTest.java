package io.scopeguard.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.demo.ScopeValidationScenario;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The demo's "scopes" scenario, asserted: what a person sees after writing those ClusterScopes. */
class ScopesScenarioTest {

  @RegisterExtension static final E2eCluster CLUSTER = new E2eCluster();

  @BeforeAll
  static void play() {
    new ScopeValidationScenario().play(CLUSTER.scenario());
  }

  private static Condition ready(String name) {
    return CLUSTER
        .client()
        .resources(ClusterScope.class)
        .withName(name)
        .get()
        .readyCondition()
        .orElseThrow();
  }

  @Test
  void validScopesAreReady() {
    assertThat(ready(ScopeValidationScenario.LOCAL_SCOPE).getStatus()).isEqualTo("True");
    assertThat(ready(ScopeValidationScenario.DEV_SCOPE).getStatus()).isEqualTo("True");
  }

  @Test
  void aScopeNamingAMissingClusterSaysSo() {
    Condition condition = ready(ScopeValidationScenario.MISSING_SCOPE);

    assertThat(condition.getStatus()).isEqualTo("False");
    assertThat(condition.getReason()).isEqualTo("ClusterNotFound");
    assertThat(condition.getMessage()).contains("fleet/prod-eu-2 does not exist");
  }

  @Test
  void aScopeDeclaringTwoClustersIsRefusedOrReported() {
    ClusterScope stored =
        CLUSTER
            .client()
            .resources(ClusterScope.class)
            .withName(ScopeValidationScenario.TWO_TARGETS_SCOPE)
            .get();

    if (stored == null) {
      assertThat(CLUSTER.printed())
          .contains("two-targets was refused by the API server")
          .contains("set exactly one of local: true or clusterRef");
    } else {
      // The embedded API runs no CEL and stores it; scopeguard then refuses to treat it as usable.
      assertThat(ready(ScopeValidationScenario.TWO_TARGETS_SCOPE).getReason())
          .isEqualTo("InvalidSpec");
    }
  }

  @Test
  void printsOneRowPerStoredScope() {
    assertThat(CLUSTER.printed())
        .containsPattern("local-cluster\\s+local\\s+management\\s+True\\s+Valid")
        .containsPattern("prod-eu-2\\s+fleet/prod-eu-2\\s+production\\s+False\\s+ClusterNotFound");
  }
}
