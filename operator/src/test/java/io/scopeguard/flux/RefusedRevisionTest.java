package io.scopeguard.flux;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.scopeguard.approval.Annotations;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A refused revision is pending until its source publishes it or source-controller stops trying it.
 */
class RefusedRevisionTest {

  private static final Instant REFUSED = Instant.parse("2026-12-02T10:00:00Z");
  private static final FluxStatus.Artifact EMPTY =
      new FluxStatus.Artifact("http://source/empty.tar.gz", "main@sha1:2", "sha256:ab");

  private static GenericKubernetesResource source(
      String publishedRevision, Map<String, String> annotations) {
    GenericKubernetesResource source =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("source.toolkit.fluxcd.io/v1")
            .withKind("GitRepository")
            .withNewMetadata()
            .withNamespace("flux-system")
            .withName("apps")
            .withAnnotations(annotations)
            .endMetadata()
            .build();
    source
        .getAdditionalProperties()
        .put(
            "status",
            Map.of(
                "artifact",
                Map.of(
                    "url",
                    "http://source/x.tar.gz",
                    "revision",
                    publishedRevision,
                    "digest",
                    "sha256:cd")));
    return source;
  }

  @Test
  void pendingWhileSourceControllerKeepsTryingItAndNotPublished() {
    GenericKubernetesResource source =
        source("main@sha1:1", new RefusedRevision(EMPTY, "MassDeletion", REFUSED).annotations());

    assertThat(RefusedRevision.pending(source, REFUSED.plusSeconds(60)))
        .map(RefusedRevision::artifact)
        .contains(EMPTY);
    assertThat(source.getMetadata().getAnnotations())
        .containsEntry(Annotations.REFUSED_REVISION, "main@sha1:2");
  }

  @Test
  void notPendingOncePublishedOrForgotten() {
    GenericKubernetesResource published =
        source("main@sha1:2", new RefusedRevision(EMPTY, "MassDeletion", REFUSED).annotations());
    GenericKubernetesResource stale =
        source("main@sha1:1", new RefusedRevision(EMPTY, "MassDeletion", REFUSED).annotations());

    assertThat(RefusedRevision.pending(published, REFUSED)).isEmpty();
    assertThat(RefusedRevision.of(published)).isPresent();
    assertThat(
            RefusedRevision.pending(
                stale, REFUSED.plus(RefusedRevision.FORGOTTEN_AFTER).plus(Duration.ofSeconds(1))))
        .isEmpty();
  }

  @Test
  void notPendingOnceALaterRevisionWasPublished() {
    GenericKubernetesResource fixed =
        source("main@sha1:3", new RefusedRevision(EMPTY, "MassDeletion", REFUSED).annotations());
    @SuppressWarnings("unchecked")
    Map<String, Object> artifact =
        new HashMap<>(
            (Map<String, Object>)
                ((Map<String, Object>) fixed.getAdditionalProperties().get("status"))
                    .get("artifact"));
    artifact.put("lastUpdateTime", REFUSED.plusSeconds(5).toString());
    fixed.getAdditionalProperties().put("status", Map.of("artifact", artifact));

    assertThat(RefusedRevision.pending(fixed, REFUSED.plusSeconds(10))).isEmpty();
  }

  @Test
  void aMangledRecordIsNoRefusal() {
    assertThat(
            RefusedRevision.of(
                source("main@sha1:1", Map.of(Annotations.REFUSED_ARTIFACT, "{not json"))))
        .isEmpty();
    assertThat(
            RefusedRevision.of(
                source("main@sha1:1", Map.of(Annotations.REFUSED_ARTIFACT, "{\"url\":\"x\"}"))))
        .isEmpty();
    assertThat(RefusedRevision.of(source("main@sha1:1", Map.of()))).isEmpty();
  }
}
