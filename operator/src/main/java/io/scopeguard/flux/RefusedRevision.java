package io.scopeguard.flux;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.approval.Annotations;
import io.scopeguard.kinds.Json;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * A revision scopeguard's revision gate refused to let a source publish, as recorded on the source
 * ({@link Annotations#REFUSED_REVISION}, {@link Annotations#REFUSED_ARTIFACT}). While it is
 * pending, it is the revision the source's consumers are judged against: the one source-controller
 * keeps trying to publish. It stops being pending once the source publishes it (a person approved)
 * or a later revision (the repository was fixed), or when source-controller has not tried it again
 * for {@link #FORGOTTEN_AFTER} (the repository moved back; source-controller retries at least every
 * 15 minutes while it has a revision to publish).
 *
 * @param artifact the refused artifact (url, revision, digest)
 * @param reason why: the reason the first consumer it trips is held for (MassDeletion,
 *     PredictionUnknown)
 * @param refusedAt when the gate last refused it
 */
public record RefusedRevision(FluxStatus.Artifact artifact, String reason, Instant refusedAt) {

  /**
   * Longer than source-controller's longest retry delay (15 minutes, {@code --max-retry-delay}).
   */
  public static final Duration FORGOTTEN_AFTER = Duration.ofMinutes(20);

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The refusal recorded on a source, whether or not it is still pending. */
  public static Optional<RefusedRevision> of(GenericKubernetesResource source) {
    Map<String, String> annotations = source.getMetadata().getAnnotations();
    String recorded = annotations == null ? null : annotations.get(Annotations.REFUSED_ARTIFACT);
    if (recorded == null) {
      return Optional.empty();
    }
    try {
      JsonNode node = JSON.readTree(recorded);
      String url = node.path("url").asText("");
      String revision = node.path("revision").asText("");
      String digest = node.path("digest").asText("");
      if (url.isEmpty() || revision.isEmpty() || digest.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(
          new RefusedRevision(
              new FluxStatus.Artifact(url, revision, digest),
              node.path("reason").asText(""),
              Instant.parse(node.path("refusedAt").asText(""))));
    } catch (IOException | DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /**
   * The refusal on a source that is still pending at {@code now}: neither it nor a later revision
   * published since (the artifact's {@code lastUpdateTime} after the refusal), not forgotten.
   */
  public static Optional<RefusedRevision> pending(GenericKubernetesResource source, Instant now) {
    Optional<String> published = FluxStatus.artifact(source).map(FluxStatus.Artifact::revision);
    Optional<Instant> publishedAt =
        Json.text(source, "/status/artifact/lastUpdateTime").flatMap(RefusedRevision::instant);
    return of(source)
        .filter(refused -> !published.map(refused.artifact().revision()::equals).orElse(false))
        .filter(refused -> publishedAt.map(at -> !at.isAfter(refused.refusedAt())).orElse(true))
        .filter(refused -> now.isBefore(refused.refusedAt().plus(FORGOTTEN_AFTER)));
  }

  private static Optional<Instant> instant(String text) {
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** The annotations recording this refusal. */
  public Map<String, String> annotations() {
    ObjectNode node = JSON.createObjectNode();
    node.put("url", artifact.url());
    node.put("revision", artifact.revision());
    node.put("digest", artifact.digest());
    node.put("reason", reason);
    node.put("refusedAt", refusedAt.toString());
    return Map.of(
        Annotations.REFUSED_REVISION,
        artifact.revision(),
        Annotations.REFUSED_ARTIFACT,
        node.toString());
  }
}
