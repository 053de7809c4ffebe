package io.scopeguard.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.BooleanNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.scopeguard.approval.Annotations;
import io.scopeguard.kinds.Json;
import io.scopeguard.testkit.EmbeddedKubernetes;
import io.scopeguard.testkit.FluxObjects;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A hold written as a {@link JudgedPatch} lands though the controller wrote status since it was
 * judged, and is refused when the spec or the approval changed since: then it must be judged again.
 */
class JudgedPatchTest {

  private static EmbeddedKubernetes api;

  @BeforeAll
  static void start() {
    api = EmbeddedKubernetes.start();
    api.client()
        .resource(new NamespaceBuilder().withNewMetadata().withName("held").endMetadata().build())
        .create();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static GenericKubernetesResource create(String name) {
    return api.client()
        .resource(FluxObjects.kustomization("held", name, "prod", null, "fleet"))
        .create();
  }

  private static GenericKubernetesResource annotated(String name) {
    create(name);
    FluxObjects.annotate(
        api.client(),
        FluxObjects.KUSTOMIZATIONS,
        "Kustomization",
        "held",
        name,
        "reconcile.fluxcd.io/requestedAt",
        "2026-12-02T10:00:00Z");
    return api.client()
        .genericKubernetesResources(FluxObjects.KUSTOMIZATIONS, "Kustomization")
        .inNamespace("held")
        .withName(name)
        .get();
  }

  private static GenericKubernetesResource patch(
      GenericKubernetesResource judged, JudgedPatch patch) {
    return api.client()
        .genericKubernetesResources(FluxObjects.KUSTOMIZATIONS, "Kustomization")
        .inNamespace("held")
        .withName(judged.getMetadata().getName())
        .patch(PatchContext.of(patch.type()), patch.json());
  }

  private static JudgedPatch hold(GenericKubernetesResource judged) {
    return JudgedPatch.of(judged)
        .annotate(Annotations.SUSPENDED_REASON, "MassDeletion")
        .remove(Annotations.APPROVE)
        .set("/spec/suspend", BooleanNode.TRUE);
  }

  @Test
  void aStatusWriteSinceTheJudgementDoesNotStopTheHold() {
    GenericKubernetesResource judged = annotated("busy");
    GenericKubernetesResource status = api.client().resource(judged).get();
    status.getAdditionalProperties().put("status", Map.of("lastAttemptedRevision", "main@sha1:2"));
    api.client().resource(status).updateStatus();

    GenericKubernetesResource held = patch(judged, hold(judged));

    assertThat(FluxObjects.suspended(held)).isTrue();
    assertThat(FluxObjects.annotation(held, Annotations.SUSPENDED_REASON))
        .isEqualTo("MassDeletion");
  }

  @Test
  void aSpecChangeOrAnApprovalSinceTheJudgementMustBeJudgedAgain() {
    GenericKubernetesResource judged = annotated("changed");
    FluxObjects.setSpec(
        api.client(),
        FluxObjects.KUSTOMIZATIONS,
        "Kustomization",
        "held",
        "changed",
        "path",
        "./other");
    assertThatThrownBy(() -> patch(judged, hold(judged)))
        .isInstanceOf(KubernetesClientException.class);

    GenericKubernetesResource approved = create("approved");
    FluxObjects.annotate(
        api.client(),
        FluxObjects.KUSTOMIZATIONS,
        "Kustomization",
        "held",
        "approved",
        Annotations.APPROVE,
        "t1");
    GenericKubernetesResource judgedWithApproval = api.client().resource(approved).get();
    FluxObjects.annotate(
        api.client(),
        FluxObjects.KUSTOMIZATIONS,
        "Kustomization",
        "held",
        "approved",
        Annotations.APPROVE,
        "t2");
    assertThatThrownBy(() -> patch(judgedWithApproval, hold(judgedWithApproval)))
        .as("the approval changed since")
        .isInstanceOf(KubernetesClientException.class);
  }

  /**
   * A resource judged without annotations: a JSON patch could only replace the whole map, so the
   * hold is merged in, keeping what was annotated since, and lands whatever changed (holding is the
   * safe direction; the change is judged on its own event).
   */
  @Test
  void aHoldOnAResourceWithoutAnnotationsKeepsThoseWrittenSince() {
    GenericKubernetesResource judged = create("bare");
    FluxObjects.annotate(
        api.client(),
        FluxObjects.KUSTOMIZATIONS,
        "Kustomization",
        "held",
        "bare",
        "reconcile.fluxcd.io/requestedAt",
        "2026-12-02T10:00:00Z");
    FluxObjects.setSpec(
        api.client(),
        FluxObjects.KUSTOMIZATIONS,
        "Kustomization",
        "held",
        "bare",
        "path",
        "./other");

    GenericKubernetesResource held = patch(judged, hold(judged));

    assertThat(FluxObjects.suspended(held)).isTrue();
    assertThat(FluxObjects.annotation(held, Annotations.SUSPENDED_REASON))
        .isEqualTo("MassDeletion");
    assertThat(FluxObjects.annotation(held, "reconcile.fluxcd.io/requestedAt"))
        .isEqualTo("2026-12-02T10:00:00Z");
  }

  /** An approval written after the judgement (of something else) never survives the hold. */
  @Test
  void anApprovalWrittenSinceTheJudgementIsClearedByTheHold() {
    GenericKubernetesResource judged = annotated("late-approval");
    FluxObjects.annotate(
        api.client(),
        FluxObjects.KUSTOMIZATIONS,
        "Kustomization",
        "held",
        "late-approval",
        Annotations.APPROVE,
        "main@sha1:1");

    GenericKubernetesResource held = patch(judged, hold(judged));

    assertThat(FluxObjects.suspended(held)).isTrue();
    assertThat(FluxObjects.annotation(held, Annotations.APPROVE)).isNull();
  }

  /**
   * The scope label is part of what an approval is bound to, and changing it does not bump the
   * generation.
   */
  @Test
  void aScopeLabelChangedSinceTheJudgementMustBeJudgedAgain() {
    GenericKubernetesResource judged = annotated("relabelled");
    api.client()
        .genericKubernetesResources(FluxObjects.KUSTOMIZATIONS, "Kustomization")
        .inNamespace("held")
        .withName("relabelled")
        .edit(
            k -> {
              k.getMetadata().getLabels().put(Annotations.SCOPE_LABEL, "staging");
              return k;
            });
    JudgedPatch patch = hold(judged);

    assertThatThrownBy(() -> patch(judged, patch)).isInstanceOf(KubernetesClientException.class);
    assertThat(patch.changedSince(api.client().resource(judged).get())).isTrue();
    assertThat(patch.changedSince(judged)).isFalse();
  }

  @Test
  void aPausePathBelowObjectsTheResourceLacksIsCreated() {
    GenericKubernetesResource judged = create("deep");
    GenericKubernetesResource held =
        patch(judged, JudgedPatch.of(judged).set("/spec/onboarding/paused", BooleanNode.TRUE));
    assertThat(Json.flag(held, "/spec/onboarding/paused")).isTrue();
  }
}
