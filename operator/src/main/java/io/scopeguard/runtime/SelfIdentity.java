package io.scopeguard.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user scopeguard's own requests reach the API server as. Its webhooks must tell its own writes
 * (a hold, a resume after approval) from everybody else's: only scopeguard writes its hold
 * annotations. Asked of the API server itself ({@code SelfSubjectReview}, what {@code kubectl auth
 * whoami} does), so it is right in-cluster and from a laptop alike; failing that, the in-cluster
 * service account token says it.
 */
public final class SelfIdentity {

  private static final Logger LOG = LoggerFactory.getLogger(SelfIdentity.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

  private SelfIdentity() {}

  /**
   * @param configured the user named in settings, which wins; null to ask
   * @throws StartupException when nobody can say (the webhooks would then take scopeguard's own
   *     writes for a person's, and refuse them)
   */
  public static String of(KubernetesClient client, String configured) {
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    for (String version : new String[] {"v1", "v1beta1"}) {
      Optional<String> asked = ask(client, version);
      if (asked.isPresent()) {
        return asked.get();
      }
    }
    return fromServiceAccountToken()
        .orElseThrow(
            () ->
                new StartupException(
                    "cannot tell which user scopeguard acts as:"
                        + " the API server answers no SelfSubjectReview (Kubernetes 1.27 and later do) and there is no in-cluster service"
                        + " account token; name it with --self-username"));
  }

  private static Optional<String> ask(KubernetesClient client, String version) {
    try {
      String answer =
          client.raw(
              "/apis/authentication.k8s.io/" + version + "/selfsubjectreviews",
              "POST",
              Map.of(
                  "apiVersion", "authentication.k8s.io/" + version, "kind", "SelfSubjectReview"));
      if (answer == null) {
        return Optional.empty();
      }
      String username = JSON.readTree(answer).at("/status/userInfo/username").asText("");
      return username.isEmpty() ? Optional.empty() : Optional.of(username);
    } catch (IOException | RuntimeException e) {
      LOG.debug("SelfSubjectReview {} not answered: {}", version, e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * The {@code sub} claim of the mounted service account token: {@code
   * system:serviceaccount:<ns>:<name>}.
   */
  private static Optional<String> fromServiceAccountToken() {
    try {
      if (!Files.isReadable(TOKEN)) {
        return Optional.empty();
      }
      String[] parts = Files.readString(TOKEN).trim().split("\\.");
      if (parts.length < 2) {
        return Optional.empty();
      }
      JsonNode claims =
          JSON.readTree(
              new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
      String subject = claims.path("sub").asText("");
      return subject.isEmpty() ? Optional.empty() : Optional.of(subject);
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
