package io.scopeguard.webhook;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponseBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReviewBuilder;

/**
 * Builds the {@code AdmissionReview} answers scopeguard sends: allowed, or denied with a reason.
 */
public final class AdmissionDecision {

  private AdmissionDecision() {}

  public static AdmissionReview allow(AdmissionReview request) {
    return answer(request, true, null);
  }

  /**
   * A denial the requester reads as {@code admission webhook "…" denied the request: <message>}.
   */
  public static AdmissionReview deny(AdmissionReview request, String message) {
    return answer(request, false, message);
  }

  private static AdmissionReview answer(AdmissionReview request, boolean allowed, String message) {
    AdmissionResponseBuilder response =
        new AdmissionResponseBuilder().withUid(request.getRequest().getUid()).withAllowed(allowed);
    if (!allowed) {
      response.withStatus(
          new StatusBuilder().withCode(403).withReason("Forbidden").withMessage(message).build());
    }
    return new AdmissionReviewBuilder()
        .withApiVersion("admission.k8s.io/v1")
        .withKind("AdmissionReview")
        .withResponse(response.build())
        .build();
  }
}
