package io.scopeguard.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.scopeguard.approval.GuardDecision;
import io.scopeguard.flux.FluxKinds;
import io.scopeguard.flux.FluxStatus;
import io.scopeguard.flux.RefusedRevision;
import io.scopeguard.guard.Actuator;
import io.scopeguard.guard.Decisions;
import io.scopeguard.guard.PublicationRefusal;
import io.scopeguard.guard.ReadThroughFacts;
import io.scopeguard.guard.WatchedResources;
import io.scopeguard.kinds.GuardedKind;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The revision gate (validating, on the sources' {@code status}): kustomize-controller starts
 * reconciling the moment a source's {@code status.artifact} names a new revision, so the revision
 * is judged before it is written there. source-controller has the artifact in its storage by then;
 * every Kustomization consuming the source is judged against it with the same {@link Decisions} as
 * everywhere else, and while one would be held for it (over its deletion budget, or unreadable,
 * under Enforce, not approved) the status write is refused: no consumer, local, impersonating or
 * remote, ever sees the revision. source-controller retries with its backoff; the refusal is
 * recorded on the source (so the guard loop holds the consumers that trip, with the approve
 * command, and asks for the revision again once approved), and the conditions write that would
 * claim the refused revision stored is refused too, so {@code flux get sources} does not say so.
 *
 * <p>The consumers are those in the informer caches; they are not listed from the API server in the
 * write, which would cost a LIST of every reconciler of the namespace, inventories included, per
 * revision. What that leaves: a Kustomization re-pointed at this source within the cache's lag
 * (milliseconds) before a new revision arrives. Its re-pointing was judged in its own write against
 * the source's revision then, and a local one's prunes still meet the delete guard.
 */
public final class SourceRevisionAdmission
    implements UnaryOperator<AdmissionReview>, AutoCloseable {

  public static final String PATH = "/validate/source-revision";

  private static final Logger LOG = LoggerFactory.getLogger(SourceRevisionAdmission.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A refusal recorded this recently is not written again (source-controller retries from 750 ms
   * on).
   */
  private static final Duration RECORDED_RECENTLY = Duration.ofMinutes(1);

  private final WatchedResources watched;
  private final Decisions decisions;
  private static final Set<GuardDecision.Action> HOLDING =
      EnumSet.of(
          GuardDecision.Action.SUSPEND,
          GuardDecision.Action.RESUSPEND,
          GuardDecision.Action.UPDATE_HOLD);

  private final Actuator actuator;
  private final Duration judging;
  private final Duration readBudget;
  private final Clock clock;
  private final ExecutorService recording =
      Executors.newSingleThreadExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "scopeguard-refusals");
            thread.setDaemon(true);
            return thread;
          });

  /**
   * @param actuator records a refusal on the source (after answering: the answer never waits for
   *     it)
   * @param judging how long judging the consumers may take, within the webhook's timeout
   * @param readBudget how long what the caches have not seen may take to read
   */
  public SourceRevisionAdmission(
      WatchedResources watched,
      Decisions decisions,
      Actuator actuator,
      Duration judging,
      Duration readBudget,
      Clock clock) {
    this.watched = watched;
    this.decisions = decisions;
    this.actuator = actuator;
    this.judging = judging;
    this.readBudget = readBudget;
    this.clock = clock;
  }

  @Override
  public AdmissionReview apply(AdmissionReview review) {
    AdmissionRequest request = review.getRequest();
    if (!"UPDATE".equals(request.getOperation())
        || !"status".equals(request.getSubResource())
        || request.getObject() == null
        || request.getOldObject() == null) {
      return AdmissionDecision.allow(review);
    }
    Optional<GuardedKind> kind =
        watched.guardedKinds().stream()
            .filter(
                k ->
                    k.role() == GuardedKind.Role.SOURCE
                        && request.getKind() != null
                        && k.group().equals(request.getKind().getGroup())
                        && k.kind().equals(request.getKind().getKind()))
            .findFirst();
    if (kind.isEmpty()) {
      return AdmissionDecision.allow(review);
    }
    GenericKubernetesResource source =
        JSON.convertValue(request.getObject(), GenericKubernetesResource.class);
    GenericKubernetesResource before =
        JSON.convertValue(request.getOldObject(), GenericKubernetesResource.class);
    if (source.getMetadata().getNamespace() == null) {
      source.getMetadata().setNamespace(request.getNamespace());
    }
    String subject = Decisions.subject(kind.get(), source);
    Optional<FluxStatus.Artifact> artifact = FluxStatus.artifact(source);
    String revision = artifact.map(FluxStatus.Artifact::revision).orElse(null);
    if (revision == null
        || revision.equals(
            FluxStatus.artifact(before).map(FluxStatus.Artifact::revision).orElse(null))) {
      return claimsRefused(review, subject, source);
    }
    PublicationRefusal refusal;
    try {
      refusal =
          PublicationRefusal.of(
              subject,
              revision,
              decisions.decideNewRevision(
                  kind.get(),
                  source,
                  artifact.get(),
                  decisions.facts(subject, readBudget, false),
                  judging));
    } catch (ReadThroughFacts.FactsUnavailable e) {
      LOG.warn("{}: revision {} not published: {}", subject, revision, e.getMessage());
      return AdmissionDecision.deny(
          review,
          e.getMessage()
              + "; revision "
              + revision
              + " not published, to be safe"
              + " (source-controller retries)");
    } catch (RuntimeException e) {
      LOG.warn("{}: revision {} not published: judging its consumers failed", subject, revision, e);
      return AdmissionDecision.deny(
          review,
          "scopeguard could not judge revision "
              + revision
              + " of "
              + subject
              + " ("
              + e.getMessage()
              + "); not published, to be safe (source-controller retries)");
    }
    if (!refusal.refused()) {
      LOG.debug("{}: revision {} published", subject, revision);
      if (!Boolean.TRUE.equals(request.getDryRun()) && RefusedRevision.of(source).isPresent()) {
        forget(kind.get(), source, revision);
      }
      return AdmissionDecision.allow(review);
    }
    LOG.atInfo()
        .addKeyValue("resource", subject)
        .addKeyValue("action", "refused")
        .addKeyValue("revision", revision)
        .addKeyValue("held", refusal.trips().size())
        .log(
            "{}: revision {} not published ({} of its consumers held): {}",
            subject,
            revision,
            refusal.trips().size(),
            refusal.message());
    if (!Boolean.TRUE.equals(request.getDryRun())) {
      record(kind.get(), source, artifact.get(), refusal);
    }
    return AdmissionDecision.deny(review, refusal.message());
  }

  /**
   * A write that leaves the artifact as it is but whose conditions say the refused revision is
   * stored (source-controller writes its conditions before the artifact): refused, so that {@code
   * flux get sources} keeps saying it is building the new revision, not that it is ready.
   */
  private AdmissionReview claimsRefused(
      AdmissionReview review, String subject, GenericKubernetesResource source) {
    Optional<RefusedRevision> refused = RefusedRevision.pending(source, clock.instant());
    if (refused.isEmpty()) {
      return AdmissionDecision.allow(review);
    }
    String revision = refused.get().artifact().revision();
    JsonNode conditions = JSON.valueToTree(source).at("/status/conditions");
    for (JsonNode condition : conditions) {
      if ("True".equals(condition.path("status").asText())
          && condition.path("message").asText("").contains(revision)
          && ("Ready".equals(condition.path("type").asText())
              || "ArtifactInStorage".equals(condition.path("type").asText()))) {
        return AdmissionDecision.deny(
            review,
            "scopeguard ("
                + refused.get().reason()
                + "): revision "
                + revision
                + " of "
                + subject
                + " is not published (a consumer is held for it; see the RevisionRefused Event on "
                + subject
                + "); its conditions cannot say it is stored");
      }
    }
    return AdmissionDecision.allow(review);
  }

  /**
   * Records the refusal on the source, unless it already says so since recently, then holds the
   * consumers it trips with the decisions just taken: one write each, without waiting for the guard
   * loop to see the record (which it does next, and finds them held). The record comes first: a
   * hold for a revision is kept only while the source says that revision is pending.
   */
  private void record(
      GuardedKind kind,
      GenericKubernetesResource source,
      FluxStatus.Artifact artifact,
      PublicationRefusal refused) {
    String reason = refused.trips().get(0).decided().judgement().verdict().reason().name();
    Optional<RefusedRevision> recorded = RefusedRevision.of(source);
    if (recorded.isPresent()
        && recorded.get().artifact().equals(artifact)
        && recorded.get().refusedAt().plus(RECORDED_RECENTLY).isAfter(clock.instant())) {
      return;
    }
    RefusedRevision refusal = new RefusedRevision(artifact, reason, clock.instant());
    recording.execute(
        () -> {
          try {
            actuator.recordRefused(kind, source, refusal);
          } catch (KubernetesClientException e) {
            LOG.warn(
                "{}: could not record the refusal of revision {} on it ({}); the revision stays refused, but its"
                    + " consumers are not held or told until a retry records it",
                Decisions.subject(kind, source),
                artifact.revision(),
                e.getMessage());
            return;
          }
          for (Decisions.ConsumerDecided trip : refused.trips()) {
            Decisions.Decided decided = trip.decided();
            if (!HOLDING.contains(decided.decision().action())) {
              continue;
            }
            try {
              actuator.apply(
                  FluxKinds.KUSTOMIZATION,
                  trip.kustomization(),
                  decided.judgement(),
                  decided.state(),
                  decided.decision(),
                  decided.fingerprint());
            } catch (RuntimeException e) {
              LOG.info(
                  "{}: not held at once ({}); the guard loop holds it",
                  Decisions.subject(FluxKinds.KUSTOMIZATION, trip.kustomization()),
                  e.getMessage());
            }
          }
        });
  }

  /** A refusal the published revision makes obsolete (it, or a later one, is published now). */
  private void forget(GuardedKind kind, GenericKubernetesResource source, String published) {
    recording.execute(
        () -> {
          try {
            actuator.clearRefused(kind, source, "revision " + published + " published");
          } catch (KubernetesClientException e) {
            LOG.warn(
                "{}: could not clear its refusal record ({}); the guard loop clears it",
                Decisions.subject(kind, source),
                e.getMessage());
          }
        });
  }

  @Override
  public void close() {
    recording.shutdownNow();
  }
}
