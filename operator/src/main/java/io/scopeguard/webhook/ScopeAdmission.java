package io.scopeguard.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.zjsonpatch.JsonDiff;
import io.scopeguard.approval.Annotations;
import io.scopeguard.approval.ApproveCommand;
import io.scopeguard.guard.Decisions;
import io.scopeguard.guard.FactSource;
import io.scopeguard.guard.ReadThroughFacts;
import io.scopeguard.guard.WatchedResources;
import io.scopeguard.kinds.GuardedKind;
import io.scopeguard.kinds.Json;
import io.scopeguard.scope.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scope gate (mutating): judges every guarded reconciler and source as it is created or
 * changed, with the same {@link Decisions} the guard loop uses, and when the verdict is a hold
 * under {@code Enforce} writes the pause switch and the hold annotations into that same write. The
 * object is stored suspended: no controller ever sees it running, so no reconcile of it starts.
 *
 * <p>Facts the caches have not seen yet (a ClusterScope, Cluster, Namespace or source created in
 * the same {@code kubectl apply}) are read through to the API server. Scopeguard's own annotations
 * (the hold and the approvals it accepted) are written only by scopeguard: a request from anyone
 * else that sets or changes one is refused, so neither a hold nor an approval can be forged.
 * Holding what changes while held, resuming and Audit stay as the approval table says: a person's
 * resume of a held object is refused by the resume guard, an approval is acted on by the guard
 * loop.
 */
public final class ScopeAdmission implements UnaryOperator<AdmissionReview> {

  public static final String PATH = "/mutate/scope";

  /**
   * scopeguard's hold on a resource; set, changed and removed only by scopeguard (removing it is
   * the resume guard's to judge).
   */
  static final List<String> HOLD_ANNOTATIONS =
      List.of(
          Annotations.SUSPENDED_REASON,
          Annotations.SUSPENDED_AT,
          Annotations.SUSPENDED_TOKEN,
          Annotations.SUSPENDED_SPEC,
          Annotations.PREDICTION);

  /**
   * The revision gate's record of a revision it refused a source: set only by scopeguard, removed
   * by anyone (the gate records it again).
   */
  static final List<String> REFUSAL_RECORDS =
      List.of(Annotations.REFUSED_REVISION, Annotations.REFUSED_ARTIFACT);

  /**
   * The approvals scopeguard accepted; set only by scopeguard, removed by anyone (that revokes
   * them).
   */
  static final List<String> APPROVAL_RECORDS =
      List.of(Annotations.APPROVED_SPEC, Annotations.APPROVED_REVISION);

  private static final Logger LOG = LoggerFactory.getLogger(ScopeAdmission.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final WatchedResources watched;
  private final Decisions decisions;
  private final String self;
  private final Duration readBudget;
  private final Clock clock;

  /**
   * @param self the user scopeguard's own writes come from (they pass untouched)
   * @param readBudget how long misses may be read through, per request
   */
  public ScopeAdmission(
      WatchedResources watched,
      Decisions decisions,
      String self,
      Duration readBudget,
      Clock clock) {
    this.watched = watched;
    this.decisions = decisions;
    this.self = self;
    this.readBudget = readBudget;
    this.clock = clock;
  }

  @Override
  public AdmissionReview apply(AdmissionReview review) {
    AdmissionRequest request = review.getRequest();
    String user = request.getUserInfo() == null ? null : request.getUserInfo().getUsername();
    if (request.getObject() == null
        || request.getSubResource() != null
        || self.equals(user)
        || !("CREATE".equals(request.getOperation()) || "UPDATE".equals(request.getOperation()))) {
      return AdmissionDecision.allow(review);
    }
    Optional<GuardedKind> kind = kind(request);
    if (kind.isEmpty()) {
      return AdmissionDecision.allow(review);
    }
    JsonNode incoming = JSON.valueToTree(request.getObject());
    JsonNode previous =
        request.getOldObject() == null ? null : JSON.valueToTree(request.getOldObject());
    GenericKubernetesResource object = JSON.convertValue(incoming, GenericKubernetesResource.class);
    if (object.getMetadata().getNamespace() == null && request.getNamespace() != null) {
      object.getMetadata().setNamespace(request.getNamespace());
    }
    String subject = Decisions.subject(kind.get(), object);
    String forged = forged(previous, incoming);
    if (forged != null) {
      String message =
          "scopeguard: "
              + forged
              + " is written only by scopeguard (its hold annotations "
              + String.join(", ", HOLD_ANNOTATIONS)
              + ", the approvals it accepted, "
              + String.join(" and ", APPROVAL_RECORDS)
              + ", and the revisions it refused a source, "
              + String.join(" and ", REFUSAL_RECORDS)
              + "); to approve a hold, set "
              + Annotations.APPROVE
              + " to the token shown in the ClusterScope's status";
      LOG.info("{}: refused {} by {}: {}", subject, request.getOperation(), user, message);
      return AdmissionDecision.deny(review, message);
    }
    GenericKubernetesResource before =
        previous == null ? null : JSON.convertValue(previous, GenericKubernetesResource.class);
    Decisions.Admission admission;
    try {
      FactSource facts =
          decisions.facts(subject, readBudget, locationChanges(kind.get(), before, object));
      admission =
          decisions.decideAtAdmission(
              kind.get(), object, before, facts, generation(kind.get(), previous, incoming));
    } catch (ReadThroughFacts.FactsUnavailable e) {
      LOG.warn("{}: refused {} by {}: {}", subject, request.getOperation(), user, e.getMessage());
      return AdmissionDecision.deny(
          review, e.getMessage() + "; refused to be safe, retry the write");
    }
    Decisions.Decided decided = admission.decided();
    Verdict verdict = decided.judgement().verdict();
    if (admission.action() == Decisions.AdmissionAction.NONE) {
      if (!verdict.isAllowed()) {
        LOG.info(
            "{}: {} by {} admitted without a hold ({}, {}, {}): {}",
            subject,
            request.getOperation(),
            user,
            verdict.reason(),
            decided.judgement().enforcement(),
            decided.decision().action(),
            verdict.message());
      }
      return AdmissionDecision.allow(review);
    }
    ObjectNode held = incoming.deepCopy();
    Json.put(held, kind.get().pausePointer(), BooleanNode.TRUE);
    if (admission.action() == Decisions.AdmissionAction.HOLD) {
      ObjectNode annotations =
          held.withObjectProperty("metadata").withObjectProperty("annotations");
      annotations.put(Annotations.SUSPENDED_REASON, decided.decision().reason());
      annotations.put(
          Annotations.SUSPENDED_AT,
          decided.state().heldAt() != null
              ? decided.state().heldAt()
              : Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString());
      annotations.put(Annotations.SUSPENDED_TOKEN, decided.decision().token());
      annotations.put(Annotations.SUSPENDED_SPEC, decided.fingerprint());
      annotations.remove(Annotations.APPROVE);
      annotations.remove(Annotations.PREDICTION);
      LOG.info(
          "{}: stored suspended at admission ({} by {}; {}, token {}): {}; approve: {}",
          subject,
          request.getOperation(),
          user,
          decided.decision().reason(),
          decided.decision().token(),
          verdict.message(),
          ApproveCommand.of(
              kind.get().kubectlName(),
              object.getMetadata().getNamespace(),
              object.getMetadata().getName(),
              decided.decision().token()));
    } else {
      LOG.info(
          "{}: {} by {} turned the pause switch off while scopeguard holds it ({}); kept paused",
          subject,
          request.getOperation(),
          user,
          decided.state().heldReason());
    }
    AdmissionReview answer = AdmissionDecision.allow(review);
    answer.getResponse().setPatchType("JSONPatch");
    answer
        .getResponse()
        .setPatch(
            Base64.getEncoder()
                .encodeToString(
                    JsonDiff.asJson(incoming, held).toString().getBytes(StandardCharsets.UTF_8)));
    return answer;
  }

  private Optional<GuardedKind> kind(AdmissionRequest request) {
    String group = request.getKind() == null ? null : request.getKind().getGroup();
    String kind = request.getKind() == null ? null : request.getKind().getKind();
    return watched.guardedKinds().stream()
        .filter(k -> k.group().equals(group) && k.kind().equals(kind))
        .findFirst();
  }

  /**
   * A source created or re-pointed: its consumers are read through too, so that one created moments
   * before counts.
   */
  private static boolean locationChanges(
      GuardedKind kind, GenericKubernetesResource before, GenericKubernetesResource after) {
    return kind.role() == GuardedKind.Role.SOURCE
        && (before == null
            || !kind.sourceUrl().apply(before).equals(kind.sourceUrl().apply(after)));
  }

  /**
   * The first of scopeguard's own annotations the request sets or changes, or null. Removing the
   * whole hold (resuming) is the resume guard's to judge; removing a recorded approval only revokes
   * it.
   */
  static String forged(JsonNode previous, JsonNode incoming) {
    Map<String, String> before = annotations(previous);
    Map<String, String> after = annotations(incoming);
    boolean holdRemoved = HOLD_ANNOTATIONS.stream().noneMatch(after::containsKey);
    for (String name : HOLD_ANNOTATIONS) {
      if (!Objects.equals(before.get(name), after.get(name))
          && !(after.get(name) == null && holdRemoved)) {
        return name;
      }
    }
    for (String name :
        Stream.concat(APPROVAL_RECORDS.stream(), REFUSAL_RECORDS.stream()).toList()) {
      if (!Objects.equals(before.get(name), after.get(name)) && after.get(name) != null) {
        return name;
      }
    }
    return null;
  }

  private static Map<String, String> annotations(JsonNode object) {
    Map<String, String> annotations = new HashMap<>();
    if (object != null) {
      object
          .path("metadata")
          .path("annotations")
          .fields()
          .forEachRemaining(field -> annotations.put(field.getKey(), field.getValue().asText()));
    }
    return annotations;
  }

  /**
   * The generation the object will have once stored, for a new hold's token: 1 when created; on an
   * update, one more than before when anything but metadata and status changes (the pause switch
   * this hold turns on counts).
   */
  private static Long generation(GuardedKind kind, JsonNode previous, JsonNode incoming) {
    if (previous == null) {
      return 1L;
    }
    long before = previous.path("metadata").path("generation").asLong(0);
    ObjectNode after = incoming.deepCopy();
    Json.put(after, kind.pausePointer(), BooleanNode.TRUE);
    ObjectNode was = previous.deepCopy();
    for (ObjectNode node : List.of(after, was)) {
      node.remove("metadata");
      node.remove("status");
    }
    return was.equals(after) ? before : before + 1;
  }
}
