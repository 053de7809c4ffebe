package io.scopeguard.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.approval.Annotations;
import io.scopeguard.flux.FluxKinds;
import io.scopeguard.testkit.FluxObjects;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which Kustomization writes the scope gate judges for what the current revision would then delete:
 * those that change what Flux applies, which it starts doing within milliseconds.
 */
class ChangesWhatItAppliesTest {

  private static GenericKubernetesResource kustomization() {
    return FluxObjects.kustomization("flux-system", "apps", "prod", null, "fleet");
  }

  @SuppressWarnings("unchecked")
  private static GenericKubernetesResource with(String field, Object value) {
    GenericKubernetesResource k = kustomization();
    ((Map<String, Object>) k.getAdditionalProperties().get("spec")).put(field, value);
    return k;
  }

  private static boolean judged(GenericKubernetesResource before, GenericKubernetesResource after) {
    return Decisions.changesWhatItApplies(FluxKinds.KUSTOMIZATION, before, after);
  }

  @Test
  void whatItBuildsAndWhetherItPrunes() {
    assertThat(judged(kustomization(), with("path", "./empty"))).isTrue();
    assertThat(judged(kustomization(), with("targetNamespace", "other"))).isTrue();
    assertThat(judged(kustomization(), with("namePrefix", "v2-"))).isTrue();
    assertThat(judged(kustomization(), with("components", List.of("./c")))).isTrue();
    assertThat(
            judged(
                kustomization(),
                with("sourceRef", Map.of("kind", "GitRepository", "name", "empty"))))
        .isTrue();
    assertThat(judged(with("prune", false), kustomization())).as("prune turned on").isTrue();
  }

  @Test
  void notWhatLeavesTheBuildAlone() {
    assertThat(judged(kustomization(), with("interval", "1m"))).isFalse();
    assertThat(judged(kustomization(), with("prune", false)))
        .as("prune turned off deletes nothing")
        .isFalse();
    assertThat(judged(null, kustomization())).as("created: nothing in its inventory yet").isFalse();
    assertThat(judged(kustomization(), with("suspend", true)))
        .as("a pause applies nothing")
        .isFalse();
  }

  @Test
  void aPersonResumingTheirOwnPauseButNotScopeguardsHold() {
    assertThat(judged(with("suspend", true), kustomization())).isTrue();
    GenericKubernetesResource held = with("suspend", true);
    held.getMetadata().setAnnotations(Map.of(Annotations.SUSPENDED_REASON, "MassDeletion"));
    assertThat(judged(held, kustomization()))
        .as("the resume guard and the approval table own that")
        .isFalse();
  }
}
