package io.scopeguard.webhook;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delete guard: a DELETE, by a Flux controller's service account, of an object carrying
 * Flux's owner labels is passed to the {@link PruneGate}; every other request is allowed. The
 * webhook configuration already narrows what reaches it; this checks again so that a broad
 * configuration can never make it refuse ordinary traffic.
 */
public final class PruneAdmission implements UnaryOperator<AdmissionReview> {

  public static final String PATH = "/validate/prune";
  public static final String OWNER_NAME = "kustomize.toolkit.fluxcd.io/name";
  public static final String OWNER_NAMESPACE = "kustomize.toolkit.fluxcd.io/namespace";
  public static final String PRUNE = "kustomize.toolkit.fluxcd.io/prune";

  private static final Logger LOG = LoggerFactory.getLogger(PruneAdmission.class);

  private final PruneGate gate;
  private final Set<String> fluxUsers;

  /**
   * @param gate decides per owner
   * @param fluxUsers usernames of Flux's controllers, e.g. {@code system:serviceaccount:flux-system:kustomize-controller}
   */
  public PruneAdmission(PruneGate gate, Set<String> fluxUsers) {
    this.gate = gate;
    this.fluxUsers = Set.copyOf(fluxUsers);
  }

  @Override
  public AdmissionReview apply(AdmissionReview review) {
    AdmissionRequest request = review.getRequest();
    if (!"DELETE".equals(request.getOperation()) || request.getUserInfo() == null
        || !fluxUsers.contains(request.getUserInfo().getUsername()) || request.getOldObject() == null) {
      return AdmissionDecision.allow(review);
    }
    GenericKubernetesResource object = Serialization.jsonMapper().convertValue(request.getOldObject(), GenericKubernetesResource.class);
    Map<String, String> labels = object.getMetadata().getLabels();
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    if (labels == null || labels.get(OWNER_NAME) == null || labels.get(OWNER_NAMESPACE) == null
        || "disabled".equals(labels.get(PRUNE)) || (annotations != null && "disabled".equals(annotations.get(PRUNE)))) {
      return AdmissionDecision.allow(review);
    }
    String what = object.getKind() + " " + (object.getMetadata().getNamespace() == null ? "" : object.getMetadata().getNamespace() + "/")
        + object.getMetadata().getName();
    String refusal = gate.refusal(labels.get(OWNER_NAMESPACE), labels.get(OWNER_NAME), what);
    if (refusal == null) {
      return AdmissionDecision.allow(review);
    }
    LOG.info("refused DELETE of {} by {}: {}", what, request.getUserInfo().getUsername(), refusal);
    return AdmissionDecision.deny(review, refusal);
  }
}
