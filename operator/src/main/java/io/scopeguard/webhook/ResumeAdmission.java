package io.scopeguard.webhook;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.scopeguard.api.JsonMapping;
import io.scopeguard.approval.Annotations;
import io.scopeguard.approval.ApproveCommand;
import io.scopeguard.approval.HoldState;
import io.scopeguard.kinds.GuardedKind;
import io.scopeguard.kinds.Json;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resume guard: an UPDATE that turns the pause switch of a resource scopeguard holds back to
 * running, or removes the hold ({@code scopeguard.io/suspended-reason}), is refused unless the
 * resource carried a valid approval (the approve annotation equal to the hold's token) before the
 * update. This stops a parent Kustomization from silently re-applying {@code suspend: false}, and
 * {@code flux resume} while the reason still holds. A resource a person paused is never held by
 * scopeguard, so its updates pass.
 */
public final class ResumeAdmission implements UnaryOperator<AdmissionReview> {

  public static final String PATH = "/validate/resume";

  private static final Logger LOG = LoggerFactory.getLogger(ResumeAdmission.class);

  private final List<GuardedKind> kinds;

  /**
   * @param kinds the guarded kinds, for their pause switches
   */
  public ResumeAdmission(List<GuardedKind> kinds) {
    this.kinds = List.copyOf(kinds);
  }

  @Override
  public AdmissionReview apply(AdmissionReview review) {
    AdmissionRequest request = review.getRequest();
    if (!"UPDATE".equals(request.getOperation())
        || request.getOldObject() == null
        || request.getObject() == null) {
      return AdmissionDecision.allow(review);
    }
    GenericKubernetesResource before =
        JsonMapping.MAPPER.convertValue(request.getOldObject(), GenericKubernetesResource.class);
    GenericKubernetesResource after =
        JsonMapping.MAPPER.convertValue(request.getObject(), GenericKubernetesResource.class);
    Optional<GuardedKind> kind =
        kinds.stream()
            .filter(
                k ->
                    k.kind().equals(before.getKind())
                        && before.getApiVersion().startsWith(k.group() + "/"))
            .findFirst();
    HoldState held = HoldState.of(true, before.getMetadata().getAnnotations());
    if (kind.isEmpty() || !held.heldByScopeguard()) {
      return AdmissionDecision.allow(review);
    }
    boolean resumes =
        Json.flag(before, kind.get().pausePointer())
            && !Json.flag(after, kind.get().pausePointer());
    boolean stripsHold = annotation(after, Annotations.SUSPENDED_REASON) == null;
    boolean approved = held.heldToken() != null && held.heldToken().equals(held.approve());
    if (!(resumes || stripsHold) || approved) {
      return AdmissionDecision.allow(review);
    }
    String command =
        ApproveCommand.of(
            kind.get().kubectlName(),
            before.getMetadata().getNamespace(),
            before.getMetadata().getName(),
            held.heldToken());
    String message =
        "scopeguard holds "
            + before.getKind()
            + " "
            + subject(before)
            + " ("
            + held.heldReason()
            + ") and "
            + (resumes ? "it cannot be resumed" : "its hold annotations cannot be changed")
            + " without an approval; to approve: "
            + command;
    LOG.info(
        "refused UPDATE of {} {} by {}: {}",
        before.getKind(),
        subject(before),
        request.getUserInfo() == null ? "?" : request.getUserInfo().getUsername(),
        message);
    return AdmissionDecision.deny(review, message);
  }

  private static String subject(GenericKubernetesResource resource) {
    String namespace = resource.getMetadata().getNamespace();
    return (namespace == null ? "" : namespace + "/") + resource.getMetadata().getName();
  }

  private static String annotation(GenericKubernetesResource resource, String name) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(name);
  }
}
