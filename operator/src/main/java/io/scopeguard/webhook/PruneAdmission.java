package io.scopeguard.webhook;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.scopeguard.api.JsonMapping;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delete guard: every DELETE of an object carrying Flux's owner labels is passed to the {@link
 * PruneGate} with who sends it, whoever that is (Flux's multi-tenancy makes kustomize-controller
 * prune as the tenant's service account); every other request is allowed. The webhook configuration
 * already narrows what reaches it; this checks again so that a broad configuration can never make
 * it refuse ordinary traffic.
 */
public final class PruneAdmission implements UnaryOperator<AdmissionReview> {

  public static final String PATH = "/validate/prune";
  public static final String OWNER_NAME = "kustomize.toolkit.fluxcd.io/name";
  public static final String OWNER_NAMESPACE = "kustomize.toolkit.fluxcd.io/namespace";
  public static final String PRUNE = "kustomize.toolkit.fluxcd.io/prune";

  private static final Logger LOG = LoggerFactory.getLogger(PruneAdmission.class);

  private final PruneGate gate;

  /**
   * @param gate decides per owner and requester
   */
  public PruneAdmission(PruneGate gate) {
    this.gate = gate;
  }

  @Override
  public AdmissionReview apply(AdmissionReview review) {
    AdmissionRequest request = review.getRequest();
    if (!"DELETE".equals(request.getOperation()) || request.getOldObject() == null) {
      return AdmissionDecision.allow(review);
    }
    String user = request.getUserInfo() == null ? null : request.getUserInfo().getUsername();
    GenericKubernetesResource object =
        JsonMapping.MAPPER.convertValue(request.getOldObject(), GenericKubernetesResource.class);
    Map<String, String> labels = object.getMetadata().getLabels();
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    if (labels == null
        || labels.get(OWNER_NAME) == null
        || labels.get(OWNER_NAMESPACE) == null
        || "disabled".equals(labels.get(PRUNE))
        || (annotations != null && "disabled".equals(annotations.get(PRUNE)))) {
      return AdmissionDecision.allow(review);
    }
    String what =
        object.getKind()
            + " "
            + (object.getMetadata().getNamespace() == null
                ? ""
                : object.getMetadata().getNamespace() + "/")
            + object.getMetadata().getName();
    String refusal = gate.refusal(labels.get(OWNER_NAMESPACE), labels.get(OWNER_NAME), what, user);
    if (refusal == null) {
      return AdmissionDecision.allow(review);
    }
    LOG.atInfo()
        .addKeyValue("resource", what)
        .addKeyValue("action", "refused")
        .addKeyValue("user", user)
        .log("refused DELETE of {} by {}: {}", what, user, refusal);
    return AdmissionDecision.deny(review, refusal);
  }
}
