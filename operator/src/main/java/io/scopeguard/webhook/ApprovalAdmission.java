package io.scopeguard.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.zjsonpatch.JsonDiff;
import io.scopeguard.api.JsonMapping;
import io.scopeguard.approval.Annotations;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Approver identity (mutating): when {@code scopeguard.io/approve} is added or changed, records the
 * requesting user in {@code scopeguard.io/approved-by} and the time in {@code
 * scopeguard.io/approved-at}. Those two are written only here: a value anyone else writes (a forged
 * approver, or one carried in a manifest from Git) is put back to what it was. The answer is a JSON
 * Patch, the difference (zjsonpatch) between the object as sent and as corrected.
 */
public final class ApprovalAdmission implements UnaryOperator<AdmissionReview> {

  public static final String PATH = "/mutate/approval";

  private final Clock clock;

  public ApprovalAdmission(Clock clock) {
    this.clock = clock;
  }

  @Override
  public AdmissionReview apply(AdmissionReview review) {
    AdmissionRequest request = review.getRequest();
    if (request.getObject() == null
        || !("UPDATE".equals(request.getOperation()) || "CREATE".equals(request.getOperation()))) {
      return AdmissionDecision.allow(review);
    }
    Map<String, String> before = annotations(request.getOldObject());
    Map<String, String> after = annotations(request.getObject());
    Map<String, String> wanted = new LinkedHashMap<>();
    String approve = after.get(Annotations.APPROVE);
    if (approve != null && !approve.equals(before.get(Annotations.APPROVE))) {
      String user = request.getUserInfo() == null ? null : request.getUserInfo().getUsername();
      wanted.put(Annotations.APPROVED_BY, user == null ? "unknown" : user);
      wanted.put(
          Annotations.APPROVED_AT, Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString());
    } else {
      wanted.put(Annotations.APPROVED_BY, before.get(Annotations.APPROVED_BY));
      wanted.put(Annotations.APPROVED_AT, before.get(Annotations.APPROVED_AT));
    }
    JsonNode incoming = JsonMapping.MAPPER.valueToTree(request.getObject());
    ObjectNode corrected = incoming.deepCopy();
    ObjectNode annotations = corrected.with("metadata").with("annotations");
    wanted.forEach(
        (name, value) -> {
          if (value == null) {
            annotations.remove(name);
          } else {
            annotations.put(name, value);
          }
        });
    if (annotations.isEmpty() && !incoming.path("metadata").has("annotations")) {
      ((ObjectNode) corrected.get("metadata")).remove("annotations");
    }
    JsonNode patch = JsonDiff.asJson(incoming, corrected);
    if (patch.isEmpty()) {
      return AdmissionDecision.allow(review);
    }
    AdmissionReview answer = AdmissionDecision.allow(review);
    answer.getResponse().setPatchType("JSONPatch");
    answer
        .getResponse()
        .setPatch(
            Base64.getEncoder().encodeToString(patch.toString().getBytes(StandardCharsets.UTF_8)));
    return answer;
  }

  private static Map<String, String> annotations(Object object) {
    if (object == null) {
      return Map.of();
    }
    GenericKubernetesResource resource =
        JsonMapping.MAPPER.convertValue(object, GenericKubernetesResource.class);
    Map<String, String> annotations =
        resource.getMetadata() == null ? null : resource.getMetadata().getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }
}
