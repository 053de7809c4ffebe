package io.scopeguard.guard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.approval.Annotations;
import io.scopeguard.approval.ApproveCommand;
import io.scopeguard.approval.Fingerprint;
import io.scopeguard.approval.GuardDecision;
import io.scopeguard.approval.GuardDecision.Decision;
import io.scopeguard.approval.HoldState;
import io.scopeguard.deletion.DeletionReport;
import io.scopeguard.flux.FluxKinds;
import io.scopeguard.flux.RefusedRevision;
import io.scopeguard.kinds.GuardedKind;
import io.scopeguard.kinds.Json;
import io.scopeguard.notify.FluxEventForwarder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Applies guard decisions to the cluster: pauses and resumes guarded resources through their own
 * pause switch (a JSON merge patch with scopeguard's field manager and the resource version read,
 * so a concurrent change makes it fail and be judged again), annotates why, and emits Events. A
 * hold's Warning Event has a name derived from the resource and the hold's token, so it is told
 * once whoever made the hold (admission or this loop) and however often a replica restarts.
 */
public final class Actuator {

  /** The field manager of every write scopeguard makes. */
  public static final String FIELD_MANAGER = "scopeguard";

  private static final Logger LOG = LoggerFactory.getLogger(Actuator.class);

  private final KubernetesClient client;
  private final WatchedResources watched;
  private final Clock clock;
  private final FluxEventForwarder notifications;
  private final Map<String, String> lastEvent = new ConcurrentHashMap<>();
  private final Map<String, String> told = new ConcurrentHashMap<>();
  private final Map<String, Instant> held = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Boolean>> writing = new ConcurrentHashMap<>();

  public Actuator(KubernetesClient client, WatchedResources watched, Clock clock) {
    this(client, watched, clock, FluxEventForwarder.disabled());
  }

  /**
   * @param notifications where each Event scopeguard records is also forwarded, as a Flux event
   */
  public Actuator(
      KubernetesClient client,
      WatchedResources watched,
      Clock clock,
      FluxEventForwarder notifications) {
    this.client = client;
    this.watched = watched;
    this.clock = clock;
    this.notifications = notifications;
  }

  /**
   * Acts on a decision.
   *
   * @return whether a hold took effect now: this call suspended the resource, or it is the first to
   *     tell of a hold admission wrote into the resource's own write
   */
  public boolean apply(
      GuardedKind kind,
      GenericKubernetesResource resource,
      Judgement judgement,
      HoldState state,
      Decision decision,
      String fingerprint) {
    ResourceKey key = ResourceKey.of(kind, resource);
    String message = judgement.verdict().message();
    Map<String, String> context = context(judgement.home(), judgement.revision());
    switch (decision.action()) {
      case NONE -> {
        if (judgement.warning() == null) {
          lastEvent.remove(key.id());
        } else if (eventOnce(
            key, resource, "Warning", "PredictionUnknown", judgement.warning(), context)) {
          LOG.info("{}: prediction unknown, not held: {}", key, judgement.warning());
        }
      }
      case KEEP -> {
        if (state.approvalMismatch()
            && eventOnce(
                key,
                resource,
                "Warning",
                "ApprovalIgnored",
                Annotations.APPROVE
                    + "="
                    + state.approve()
                    + " does not match the token "
                    + state.heldToken()
                    + "; nothing resumed. To approve: "
                    + approve(kind, resource, state.heldToken()),
                context)) {
          LOG.info(
              "{}: approval {} ignored, expected token {}",
              key,
              state.approve(),
              state.heldToken());
        }
        String approveCommand = approve(kind, resource, state.heldToken());
        if (holdTold(
            key,
            resource,
            state.heldReason(),
            state.heldToken(),
            message
                + ". Stored suspended by scopeguard's admission webhook in the write that made it; to approve: "
                + approveCommand,
            context)) {
          if (judgement.report() != null) {
            keepPrediction(kind, resource, state.heldToken(), judgement.report());
          }
          decision(key, state.heldReason(), judgement, "held")
              .log(
                  "{}: held at admission ({}): {}; approve: {}",
                  key,
                  state.heldReason(),
                  message,
                  approveCommand);
          return true;
        }
      }
      case RECORD -> {
        if (eventOnce(
            key,
            resource,
            "Warning",
            decision.reason(),
            "Audit: "
                + message
                + ". ClusterScope "
                + judgement.homeName()
                + " enforces Audit: nothing suspended",
            context)) {
          decision(key, decision.reason(), judgement, "recorded")
              .log("{}: recorded {} (Audit, not suspended): {}", key, decision.reason(), message);
        }
      }
      case SUSPEND, RESUSPEND, UPDATE_HOLD -> {
        String hold =
            key.id() + "|" + decision.reason() + "|" + decision.token() + "|" + fingerprint;
        if (decision.action() == GuardDecision.Action.SUSPEND && !claimHold(hold)) {
          return false;
        }
        String since =
            state.heldAt() != null
                ? state.heldAt()
                : Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        JudgedPatch holding =
            JudgedPatch.of(resource)
                .annotate(Annotations.SUSPENDED_REASON, decision.reason())
                .annotate(Annotations.SUSPENDED_AT, since)
                .annotate(Annotations.SUSPENDED_TOKEN, decision.token())
                .annotate(Annotations.SUSPENDED_SPEC, fingerprint)
                .remove(Annotations.APPROVE)
                .drop(Annotations.PREDICTION);
        boolean written = false;
        try {
          send(kind, resource, holding.set(kind.pausePointer(), BooleanNode.TRUE));
          written = true;
        } finally {
          holdWritten(hold, written);
        }
        if (judgement.report() != null) {
          keepPrediction(kind, resource, decision.token(), judgement.report());
        }
        String what =
            switch (decision.action()) {
              case RESUSPEND -> "was resumed while held; suspended again";
              case UPDATE_HOLD -> "changed while held; still held";
              default -> "suspended";
            };
        String approveCommand = approve(kind, resource, decision.token());
        String told =
            message + ". " + capitalize(what) + " by scopeguard; to approve: " + approveCommand;
        if (decision.action() == GuardDecision.Action.RESUSPEND) {
          event(resource, "Warning", decision.reason(), told, null, context);
        } else {
          holdTold(key, resource, decision.reason(), decision.token(), told, context);
        }
        lastEvent.remove(key.id());
        decision(
                key,
                decision.reason(),
                judgement,
                decision.action().name().toLowerCase(Locale.ROOT))
            .log(
                "{}: {} ({}): {}; approve: {}",
                key,
                what,
                decision.reason(),
                message,
                approveCommand);
        return decision.action() != GuardDecision.Action.UPDATE_HOLD;
      }
      case RESUME -> {
        JudgedPatch resume = JudgedPatch.of(resource);
        for (String name :
            new String[] {
              Annotations.APPROVE,
              Annotations.SUSPENDED_REASON,
              Annotations.SUSPENDED_AT,
              Annotations.SUSPENDED_TOKEN,
              Annotations.SUSPENDED_SPEC
            }) {
          resume.remove(name);
        }
        resume.drop(Annotations.PREDICTION);
        if (decision.approval() != null) {
          resume.annotate(HoldState.approvalAnnotation(decision.reason()), decision.approval());
        }
        send(kind, resource, resume.set(kind.pausePointer(), BooleanNode.FALSE));
        held.keySet().removeIf(hold -> hold.startsWith(key.id() + "|"));
        String approver = approver(resource);
        event(
            resource,
            "Normal",
            "Approved",
            "Approved by "
                + approver
                + " with token "
                + decision.token()
                + " (was held: "
                + decision.reason()
                + "); resumed by scopeguard",
            null,
            withApprover(context, approver, decision.token()));
        decision(key, decision.reason(), judgement, "resumed")
            .addKeyValue("approver", approver)
            .log(
                "{}: approved by {} with token {}, resumed (was held: {})",
                key,
                approver,
                decision.token(),
                decision.reason());
        if (kind.equals(FluxKinds.KUSTOMIZATION) && HoldState.aboutRevision(decision.reason())) {
          requestPublication(resource, decision.token());
        }
      }
      default -> throw new IllegalStateException("unhandled action " + decision.action());
    }
    return false;
  }

  /**
   * Records on a source that the revision gate refused to let it publish an artifact: its consumers
   * are judged against that revision (and held for it) until it is published or forgotten.
   */
  public void recordRefused(
      GuardedKind kind, GenericKubernetesResource source, RefusedRevision refused) {
    ObjectNode annotations = Json.object();
    refused.annotations().forEach(annotations::put);
    ObjectNode patch = Json.object();
    patch.with("metadata").set("annotations", annotations);
    send(kind, source, patch);
  }

  /**
   * Tells once per revision, in a Warning Event on the source, that its revision was not published
   * and which consumers wait for a person.
   */
  public void tellRefused(
      GuardedKind kind,
      GenericKubernetesResource source,
      String revision,
      String message,
      Optional<ClusterScope> scope) {
    String name =
        source.getMetadata().getName()
            + ".refused-"
            + Fingerprint.digest(source.getMetadata().getUid() + "|" + revision);
    ResourceKey key = ResourceKey.of(kind, source);
    if (!("refused|" + revision).equals(told.get(key.id()))) {
      if (event(source, "Warning", "RevisionRefused", message, name, context(scope, revision))) {
        LOG.info("{}: revision {} not published: {}", key, revision, message);
      }
      told.put(key.id(), "refused|" + revision);
    }
  }

  /**
   * Forgets a refusal the source no longer needs: it published that revision, or stopped trying it.
   */
  public void clearRefused(GuardedKind kind, GenericKubernetesResource source, String why) {
    ObjectNode annotations = Json.object();
    annotations.set(Annotations.REFUSED_REVISION, NullNode.getInstance());
    annotations.set(Annotations.REFUSED_ARTIFACT, NullNode.getInstance());
    ObjectNode patch = Json.object();
    patch.with("metadata").set("annotations", annotations);
    send(kind, source, patch);
    told.remove(ResourceKey.of(kind, source).id());
    LOG.info(
        "{}: refusal of revision {} cleared ({})",
        ResourceKey.of(kind, source),
        source.getMetadata().getAnnotations().get(Annotations.REFUSED_REVISION),
        why);
  }

  /**
   * After a person approved a revision the gate refused: asks source-controller to fetch now, as
   * {@code flux reconcile source} does, so the revision lands in seconds and not after its retry
   * backoff (up to 15 minutes).
   */
  private void requestPublication(GenericKubernetesResource kustomization, String revision) {
    FluxKinds.KUSTOMIZATION
        .sourceRef()
        .apply(kustomization)
        .flatMap(watched::source)
        .filter(
            source ->
                RefusedRevision.pending(source.resource(), Instant.now(clock))
                    .map(refused -> refused.artifact().revision().equals(revision))
                    .orElse(false))
        .ifPresent(
            source -> {
              ObjectNode patch = Json.object();
              patch
                  .with("metadata")
                  .with("annotations")
                  .put(Annotations.FLUX_RECONCILE_REQUESTED, Instant.now(clock).toString());
              try {
                send(source.kind(), source.resource(), patch);
                LOG.info(
                    "{}: asked source-controller to publish the approved revision {} now",
                    ResourceKey.of(source.kind(), source.resource()),
                    revision);
              } catch (KubernetesClientException e) {
                LOG.warn(
                    "{}: could not ask source-controller to publish the approved revision {} now ({}); it will on its"
                        + " next retry",
                    ResourceKey.of(source.kind(), source.resource()),
                    revision,
                    e.getMessage());
              }
            });
  }

  /**
   * Keeps what the held revision would delete on the held resource, in a write of its own right
   * after the hold, whoever made the hold (this loop, or admission in the write that made it): the
   * hold stays small and quick, and the prediction is written only while that very hold stands (the
   * patch tests its token). Failing to keep it costs {@code explain} the full list, not the hold; a
   * resource deleted meanwhile needs no list.
   */
  private void keepPrediction(
      GuardedKind kind, GenericKubernetesResource resource, String token, DeletionReport report) {
    ArrayNode operations = JsonNodeFactory.instance.arrayNode();
    operations
        .addObject()
        .put("op", "test")
        .put("path", "/metadata/annotations/" + JudgedPatch.escape(Annotations.SUSPENDED_TOKEN))
        .put("value", token);
    operations
        .addObject()
        .put("op", "add")
        .put("path", "/metadata/annotations/" + JudgedPatch.escape(Annotations.PREDICTION))
        .put("value", report.encode());
    try {
      send(kind, resource, PatchType.JSON, operations.toString());
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return;
      }
      LOG.warn(
          "{}: the list of what revision {} would delete was not kept with its hold (HTTP {}: {});"
              + " explain shows the counts only",
          ResourceKey.of(kind, resource),
          token,
          e.getCode(),
          e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage());
    }
  }

  /**
   * Tells of a hold once: its Warning Event is named after the resource and the token, so a second
   * telling (another replica, a restart, admission having made the hold) finds it there.
   *
   * @return whether this call told it
   */
  private boolean holdTold(
      ResourceKey key,
      GenericKubernetesResource resource,
      String reason,
      String token,
      String message,
      Map<String, String> context) {
    String signature = "hold|" + reason + "|" + token;
    if (signature.equals(told.get(key.id()))) {
      return false;
    }
    String name =
        resource.getMetadata().getName()
            + ".hold-"
            + Fingerprint.digest(resource.getMetadata().getUid() + "|" + reason + "|" + token);
    boolean created = event(resource, "Warning", reason, message, name, context);
    told.put(key.id(), signature);
    if (created && key.kind().equals(FluxKinds.KUSTOMIZATION) && "MassDeletion".equals(reason)) {
      tellSourceOfHold(key, resource, token);
    }
    return created;
  }

  /**
   * On the source whose new revision caused a MassDeletion hold, a Warning Event pointing at the
   * held consumer, so that {@code kubectl describe} of the source tells the story too. Once per
   * consumer and revision, whoever tells it.
   */
  private void tellSourceOfHold(
      ResourceKey key, GenericKubernetesResource kustomization, String revision) {
    FluxKinds.KUSTOMIZATION
        .sourceRef()
        .apply(kustomization)
        .flatMap(watched::source)
        .ifPresent(
            source ->
                event(
                    source.resource(),
                    "Warning",
                    "ConsumerHeld",
                    "scopeguard holds "
                        + key
                        + " (MassDeletion): revision "
                        + revision
                        + " of this source would make it delete most of its cluster's inventory."
                        + " What it would delete: "
                        + ApproveCommand.explain(
                            key.kind().kubectlName(), key.namespace(), key.name())
                        + "; to approve: "
                        + approve(key.kind(), kustomization, revision),
                    source.resource().getMetadata().getName()
                        + ".held-"
                        + Fingerprint.digest(
                            source.resource().getMetadata().getUid()
                                + "|"
                                + kustomization.getMetadata().getUid()
                                + "|"
                                + revision),
                    Map.of("revision", revision)));
  }

  /**
   * What a forwarded event carries besides its message: the revision, and the ClusterScope with its
   * environment and contacts.
   */
  private static Map<String, String> context(Optional<ClusterScope> scope, String revision) {
    Map<String, String> context = new LinkedHashMap<>();
    if (revision != null) {
      context.put("revision", revision);
    }
    scope.ifPresent(
        s -> {
          context.put("scope", s.getMetadata().getName());
          if (s.getSpec().getEnvironment() != null) {
            context.put("environment", s.getSpec().getEnvironment());
          }
          if (!s.getSpec().getContacts().isEmpty()) {
            context.put("contacts", String.join(", ", s.getSpec().getContacts()));
          }
        });
    return context;
  }

  /**
   * An approval's context: the approver and token, and no {@code revision}, which Flux's
   * commit-status providers would read as the revision being applied successfully.
   */
  private static Map<String, String> withApprover(
      Map<String, String> context, String approver, String token) {
    Map<String, String> more = new LinkedHashMap<>(context);
    more.remove("revision");
    more.put("approver", approver);
    more.put("token", token);
    return more;
  }

  /**
   * Who approved, as scopeguard's admission webhook recorded it; "an unrecorded user" without the
   * webhook.
   */
  public static String approver(GenericKubernetesResource resource) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    String by = annotations == null ? null : annotations.get(Annotations.APPROVED_BY);
    return by == null ? "an unrecorded user" : by;
  }

  /** The approve command for a resource of this kind. */
  public static String approve(GuardedKind kind, GenericKubernetesResource resource, String token) {
    return ApproveCommand.of(
        kind.kubectlName(),
        resource.getMetadata().getNamespace(),
        resource.getMetadata().getName(),
        token);
  }

  /** The resource is gone: forget what was told about it. */
  public void forget(ResourceKey key) {
    lastEvent.remove(key.id());
    told.remove(key.id());
    held.keySet().removeIf(hold -> hold.startsWith(key.id() + "|"));
  }

  /**
   * Claims this very hold (resource, reason, token, spec) for this writer, or returns false when it
   * was claimed or written moments ago: the revision gate and the guard loop can both decide it
   * from the same event, at the same instant, and the second write would only repeat the Event and
   * the log line. Nobody else can have undone it since (the resume guard refuses anyone else's
   * resume of a held resource). A writer that waited for another whose write failed writes it
   * itself.
   */
  private boolean claimHold(String hold) {
    Instant now = Instant.now(clock);
    held.values().removeIf(at -> at.isBefore(now.minus(JUST_HELD)));
    if (held.containsKey(hold)) {
      return false;
    }
    CompletableFuture<Boolean> other = writing.putIfAbsent(hold, new CompletableFuture<>());
    if (other == null) {
      return true;
    }
    try {
      return !other.get(JUST_HELD.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    } catch (ExecutionException | TimeoutException e) {
      return true;
    }
  }

  private void holdWritten(String hold, boolean written) {
    if (written) {
      held.put(hold, Instant.now(clock));
    }
    CompletableFuture<Boolean> claim = writing.remove(hold);
    if (claim != null) {
      claim.complete(written);
    }
  }

  private static final Duration JUST_HELD = Duration.ofSeconds(5);

  /**
   * Writes a hold or a resume: applied only while the spec and the approval are as judged (else the
   * API server refuses it, and the guard loop judges again), never refused for a status write.
   */
  private void send(GuardedKind kind, GenericKubernetesResource resource, JudgedPatch patch) {
    try {
      send(kind, resource, patch.type(), patch.json());
    } catch (KubernetesClientException e) {
      if ((e.getCode() == 409 || e.getCode() == 422)
          && patch.changedSince(cached(kind, resource))) {
        throw new ChangedSinceJudged(
            "HTTP "
                + e.getCode()
                + ": "
                + (e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage()),
            e);
      }
      throw e;
    }
  }

  /**
   * A hold or resume the API server refused (409 or 422) while the resource as stored differs from
   * the judged one in what the patch tests (spec, scope label, approval): not an error; the
   * resource is to be judged again. A refusal of a resource that did not change is an error.
   */
  public static final class ChangedSinceJudged extends RuntimeException {
    ChangedSinceJudged(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The resource as stored now, or null. */
  /**
   * The resource as the informer cache has it now (scopeguard reads nothing else: its role grants
   * no get); when the cache has not seen the change yet, the refusal counts as an error and the
   * retry judges it again.
   */
  private GenericKubernetesResource cached(GuardedKind kind, GenericKubernetesResource resource) {
    return watched
        .get(kind, resource.getMetadata().getNamespace(), resource.getMetadata().getName())
        .orElse(null);
  }

  /** Writes annotations with a JSON merge patch: no conflict with anything. */
  private void send(GuardedKind kind, GenericKubernetesResource resource, ObjectNode patch) {
    send(kind, resource, PatchType.JSON_MERGE, patch.toString());
  }

  private void send(
      GuardedKind kind, GenericKubernetesResource resource, PatchType type, String patch) {
    GroupVersionKind gvk =
        watched
            .servedVersion(kind)
            .orElseThrow(() -> new IllegalStateException(kind + " is no longer served"));
    var resources = client.genericKubernetesResources(gvk.apiVersion(), gvk.getKind());
    String namespace = resource.getMetadata().getNamespace();
    (namespace == null ? resources : resources.inNamespace(namespace))
        .resource(resource)
        .patch(
            new PatchContext.Builder().withPatchType(type).withFieldManager(FIELD_MANAGER).build(),
            patch);
  }

  private boolean eventOnce(
      ResourceKey key,
      GenericKubernetesResource resource,
      String type,
      String reason,
      String message,
      Map<String, String> context) {
    String signature = reason + "|" + message;
    if (signature.equals(lastEvent.get(key.id()))) {
      return false;
    }
    if (event(resource, type, reason, message, null, context)) {
      lastEvent.put(key.id(), signature);
    }
    return true;
  }

  /**
   * Creates an Event; {@code name} null for a unique one.
   *
   * @return whether it was created (false when one of that name exists, or the write failed)
   */
  private boolean event(
      GenericKubernetesResource resource,
      String type,
      String reason,
      String message,
      String name,
      Map<String, String> context) {
    String namespace =
        resource.getMetadata().getNamespace() == null
            ? "default"
            : resource.getMetadata().getNamespace();
    String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    try {
      client
          .v1()
          .events()
          .inNamespace(namespace)
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withNamespace(namespace)
                  .withName(
                      name != null
                          ? name
                          : resource.getMetadata().getName()
                              + "."
                              + Long.toHexString(System.nanoTime()))
                  .endMetadata()
                  .withInvolvedObject(
                      new ObjectReferenceBuilder()
                          .withApiVersion(resource.getApiVersion())
                          .withKind(resource.getKind())
                          .withNamespace(resource.getMetadata().getNamespace())
                          .withName(resource.getMetadata().getName())
                          .withUid(resource.getMetadata().getUid())
                          .withResourceVersion(resource.getMetadata().getResourceVersion())
                          .build())
                  .withType(type)
                  .withReason(reason)
                  .withMessage(
                      message.length() > 1024 ? message.substring(0, 1021) + "..." : message)
                  .withReportingComponent("scopeguard")
                  .withNewSource()
                  .withComponent("scopeguard")
                  .endSource()
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withCount(1)
                  .build())
          .create();
      notifications.forward(resource, "Warning".equals(type), reason, message, context);
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        LOG.warn(
            "could not record Event {} on {} {}: {}; forwarded to notification-controller all the"
                + " same",
            reason,
            resource.getKind(),
            resource.getMetadata().getName(),
            e.getMessage());
        notifications.forward(resource, "Warning".equals(type), reason, message, context);
      }
      return false;
    }
  }

  /**
   * A decision's log line, with its fields for the JSON logs: resource, action, reason, revision,
   * counts.
   */
  private static LoggingEventBuilder decision(
      ResourceKey key, String reason, Judgement judgement, String action) {
    LoggingEventBuilder line =
        LOG.atInfo()
            .addKeyValue("resource", key.toString())
            .addKeyValue("action", action)
            .addKeyValue("reason", reason);
    if (judgement.revision() != null) {
      line = line.addKeyValue("revision", judgement.revision());
    }
    if (judgement.predictedDeletions() != null) {
      line = line.addKeyValue("deleting", judgement.predictedDeletions());
    }
    return line;
  }

  private static String capitalize(String text) {
    return Character.toUpperCase(text.charAt(0)) + text.substring(1);
  }
}
