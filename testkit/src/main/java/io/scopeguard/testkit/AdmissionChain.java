package io.scopeguard.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchCondition;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The admission step of an API server, for the embedded API, which has none of its own: every
 * registered mutating webhook, then every validating one, matched as the API server matches them
 * (rules, namespace and object selectors, CEL match conditions), called over HTTPS trusting the
 * configuration's caBundle, their JSON patches applied, their refusals returned to the writer with
 * the API server's wording, their failures handled by their failure policy.
 *
 * <p>A match condition that is false skips the webhook; one that fails to evaluate applies the
 * failure policy only when none is false, as the API server decides.
 *
 * <p>Not modelled: reinvocation, {@code matchPolicy: Equivalent} (other versions of a resource),
 * the {@code authorizer} CEL variable, {@code service} client configs (the embedded API reaches
 * webhooks by URL only), schema validation and pruning between the mutating and validating phases,
 * finalizers and namespace lifecycle.
 */
final class AdmissionChain {

  /** Reads the store: the JSON at a path, or null when there is none. */
  interface Store {
    JsonNode read(String path);
  }

  /**
   * One write, as admission sees it.
   *
   * @param operation CREATE, UPDATE or DELETE
   * @param path what is written
   * @param name the object's name
   * @param object the object as it would be stored (null for DELETE)
   * @param oldObject the object as stored now (null for CREATE)
   * @param username who writes
   */
  record Request(
      String operation,
      ApiPath path,
      String name,
      JsonNode object,
      JsonNode oldObject,
      String username) {}

  /**
   * The result: the object to store (after mutation), whether any webhook was called, and the
   * refusal when one refused or failed under policy Fail.
   */
  record Outcome(JsonNode object, boolean called, int code, String refusal) {
    boolean allowed() {
      return refusal == null;
    }
  }

  private record Hook(
      String name,
      boolean mutating,
      List<RuleWithOperations> rules,
      LabelSelector namespaceSelector,
      LabelSelector objectSelector,
      List<MatchCondition> matchConditions,
      String failurePolicy,
      Integer timeoutSeconds,
      WebhookClientConfig clientConfig) {}

  private static final String CONFIGURATIONS = "/apis/admissionregistration.k8s.io/v1/";

  private final Store store;
  private final ObjectMapper json;
  private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> namespaceLabels = new ConcurrentHashMap<>();
  private volatile List<Hook> hooks;

  AdmissionChain(Store store, ObjectMapper json) {
    this.store = store;
    this.json = json;
  }

  /**
   * Forgets what the store said about webhook configurations or namespaces after a write to them.
   */
  void written(ApiPath path) {
    if ("admissionregistration.k8s.io".equals(path.group())) {
      hooks = null;
    } else if (path.group().isEmpty()
        && "namespaces".equals(path.plural())
        && path.namespace() == null) {
      namespaceLabels.clear();
    }
  }

  Outcome admit(Request request) {
    List<Hook> registered = hooks();
    JsonNode object = request.object() == null ? null : request.object().deepCopy();
    boolean called = false;
    for (boolean mutatingPhase : new boolean[] {true, false}) {
      for (Hook hook : registered) {
        if (hook.mutating() != mutatingPhase) {
          continue;
        }
        Request current =
            new Request(
                request.operation(),
                request.path(),
                request.name(),
                object,
                request.oldObject(),
                request.username());
        JsonNode review;
        try {
          if (!matches(hook, current)) {
            continue;
          }
          called = true;
          review = call(hook, current);
        } catch (RuntimeException e) {
          if ("Ignore".equals(hook.failurePolicy())) {
            continue;
          }
          return new Outcome(
              object,
              true,
              500,
              "Internal error occurred: failed calling webhook \""
                  + hook.name()
                  + "\": "
                  + e.getMessage());
        }
        JsonNode response = review.path("response");
        if (!response.path("allowed").asBoolean(false)) {
          int code = response.path("status").path("code").asInt(403);
          return new Outcome(
              object,
              true,
              code == 0 ? 403 : code,
              "admission webhook \""
                  + hook.name()
                  + "\" denied the request: "
                  + response.path("status").path("message").asText(""));
        }
        if (mutatingPhase && response.hasNonNull("patch") && object != null) {
          try {
            JsonNode patch =
                json.readTree(Base64.getDecoder().decode(response.get("patch").asText()));
            object = JsonPatch.apply(patch, object);
          } catch (Exception e) {
            return new Outcome(
                object,
                true,
                500,
                "Internal error occurred: webhook \""
                    + hook.name()
                    + "\" returned a patch that does not apply: "
                    + e.getMessage());
          }
        }
      }
    }
    return new Outcome(object, called, 200, null);
  }

  private List<Hook> hooks() {
    List<Hook> known = hooks;
    if (known != null) {
      return known;
    }
    List<Hook> loaded = new ArrayList<>();
    JsonNode mutating = store.read(CONFIGURATIONS + "mutatingwebhookconfigurations");
    JsonNode validating = store.read(CONFIGURATIONS + "validatingwebhookconfigurations");
    List<MutatingWebhookConfiguration> mutatingConfigs =
        items(mutating, MutatingWebhookConfiguration.class);
    List<ValidatingWebhookConfiguration> validatingConfigs =
        items(validating, ValidatingWebhookConfiguration.class);
    mutatingConfigs.sort(Comparator.comparing(c -> c.getMetadata().getName()));
    validatingConfigs.sort(Comparator.comparing(c -> c.getMetadata().getName()));
    for (MutatingWebhookConfiguration configuration : mutatingConfigs) {
      for (MutatingWebhook w : configuration.getWebhooks()) {
        loaded.add(
            new Hook(
                w.getName(),
                true,
                w.getRules(),
                w.getNamespaceSelector(),
                w.getObjectSelector(),
                w.getMatchConditions(),
                w.getFailurePolicy(),
                w.getTimeoutSeconds(),
                w.getClientConfig()));
      }
    }
    for (ValidatingWebhookConfiguration configuration : validatingConfigs) {
      for (ValidatingWebhook w : configuration.getWebhooks()) {
        loaded.add(
            new Hook(
                w.getName(),
                false,
                w.getRules(),
                w.getNamespaceSelector(),
                w.getObjectSelector(),
                w.getMatchConditions(),
                w.getFailurePolicy(),
                w.getTimeoutSeconds(),
                w.getClientConfig()));
      }
    }
    hooks = List.copyOf(loaded);
    return hooks;
  }

  private <T> List<T> items(JsonNode list, Class<T> type) {
    List<T> items = new ArrayList<>();
    if (list != null) {
      for (JsonNode item : list.path("items")) {
        try {
          items.add(json.treeToValue(item, type));
        } catch (Exception e) {
          throw new IllegalStateException(
              "a stored webhook configuration does not read as " + type.getSimpleName(), e);
        }
      }
    }
    return items;
  }

  private boolean matches(Hook hook, Request request) {
    if (hook.rules() == null
        || hook.rules().stream().noneMatch(rule -> ruleMatches(rule, request))) {
      return false;
    }
    if (!namespaceMatches(hook.namespaceSelector(), request)) {
      return false;
    }
    if (hook.objectSelector() != null
        && !(selects(hook.objectSelector(), request.object())
            || selects(hook.objectSelector(), request.oldObject()))) {
      return false;
    }
    if (hook.matchConditions() != null) {
      JsonNode review = reviewRequest(request);
      RuntimeException error = null;
      for (MatchCondition condition : hook.matchConditions()) {
        try {
          if (!MatchConditions.holds(
              condition.getExpression(), request.object(), request.oldObject(), review)) {
            return false;
          }
        } catch (RuntimeException e) {
          error = e;
        }
      }
      if (error != null) {
        throw error;
      }
    }
    return true;
  }

  private static boolean ruleMatches(RuleWithOperations rule, Request request) {
    ApiPath path = request.path();
    boolean namespaced = path.namespace() != null;
    String scope = rule.getScope() == null ? "*" : rule.getScope();
    return anyOf(rule.getOperations(), request.operation())
        && anyOf(rule.getApiGroups(), path.group())
        && anyOf(rule.getApiVersions(), path.version())
        && rule.getResources() != null
        && rule.getResources().stream().anyMatch(r -> resourceMatches(r, path))
        && (scope.equals("*") || scope.equals(namespaced ? "Namespaced" : "Cluster"));
  }

  private static boolean anyOf(List<String> values, String value) {
    return values != null && (values.contains("*") || values.contains(value));
  }

  private static boolean resourceMatches(String pattern, ApiPath path) {
    String[] parts = pattern.split("/", 2);
    boolean resource = parts[0].equals("*") || parts[0].equals(path.plural());
    if (parts.length == 1) {
      return resource && path.subresource() == null;
    }
    return resource
        && path.subresource() != null
        && (parts[1].equals("*") || parts[1].equals(path.subresource()));
  }

  private boolean namespaceMatches(LabelSelector selector, Request request) {
    if (selector == null) {
      return true;
    }
    ApiPath path = request.path();
    if (path.namespace() == null) {
      if (path.group().isEmpty() && path.plural().equals("namespaces")) {
        JsonNode namespace = request.object() != null ? request.object() : request.oldObject();
        return LabelSelectors.matches(selector, labels(namespace, request.name()));
      }
      return true;
    }
    Map<String, String> labels =
        namespaceLabels.computeIfAbsent(
            path.namespace(), ns -> labels(store.read("/api/v1/namespaces/" + ns), ns));
    return LabelSelectors.matches(selector, labels);
  }

  /** A namespace's labels, with the one the API server sets on every namespace. */
  private static Map<String, String> labels(JsonNode namespace, String name) {
    Map<String, String> labels = new HashMap<>();
    if (namespace != null) {
      namespace
          .path("metadata")
          .path("labels")
          .fields()
          .forEachRemaining(l -> labels.put(l.getKey(), l.getValue().asText()));
    }
    labels.put("kubernetes.io/metadata.name", name);
    return labels;
  }

  private static boolean selects(LabelSelector selector, JsonNode object) {
    if (object == null) {
      return false;
    }
    Map<String, String> labels = new HashMap<>();
    object
        .path("metadata")
        .path("labels")
        .fields()
        .forEachRemaining(l -> labels.put(l.getKey(), l.getValue().asText()));
    return LabelSelectors.matches(selector, labels);
  }

  private JsonNode call(Hook hook, Request request) {
    WebhookClientConfig client = hook.clientConfig();
    if (client == null || client.getUrl() == null) {
      throw new IllegalStateException(
          "the embedded API reaches webhooks by URL only, and " + hook.name() + " has none");
    }
    String caBundle = client.getCaBundle() == null ? "" : client.getCaBundle();
    HttpClient http =
        clients.computeIfAbsent(
            caBundle,
            ca ->
                ca.isEmpty()
                    ? HttpClient.newHttpClient()
                    : CaBundleHttpClient.trusting(
                        new String(Base64.getDecoder().decode(ca), StandardCharsets.UTF_8)));
    ObjectNode review = JsonNodeFactory.instance.objectNode();
    review.put("apiVersion", "admission.k8s.io/v1");
    review.put("kind", "AdmissionReview");
    review.set("request", reviewRequest(request));
    int timeout = hook.timeoutSeconds() == null ? 10 : hook.timeoutSeconds();
    try {
      HttpResponse<byte[]> response =
          http.send(
              HttpRequest.newBuilder(URI.create(client.getUrl()))
                  .timeout(Duration.ofSeconds(timeout))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(review)))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "failed to call webhook: the server responded with HTTP " + response.statusCode());
      }
      JsonNode answer = json.readTree(response.body());
      if (!review
          .path("request")
          .path("uid")
          .asText()
          .equals(answer.path("response").path("uid").asText())) {
        throw new IllegalStateException("webhook answered with another request's uid");
      }
      return answer;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted calling " + client.getUrl(), e);
    } catch (IOException e) {
      throw new IllegalStateException(
          "failed to call webhook: Post \""
              + client.getUrl()
              + "\": "
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()),
          e);
    }
  }

  /**
   * The {@code request} of an AdmissionReview, also the {@code request} variable of match
   * conditions.
   */
  private static ObjectNode reviewRequest(Request request) {
    ApiPath path = request.path();
    JsonNode body = request.object() != null ? request.object() : request.oldObject();
    String apiVersion =
        body == null ? path.apiVersion() : body.path("apiVersion").asText(path.apiVersion());
    String kind = body == null ? "" : body.path("kind").asText("");
    ObjectNode review = JsonNodeFactory.instance.objectNode();
    review.put("uid", UUID.randomUUID().toString());
    ObjectNode kindNode = review.putObject("kind");
    kindNode.put("group", path.group());
    kindNode.put(
        "version",
        apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1) : apiVersion);
    kindNode.put("kind", kind);
    ObjectNode resource = review.putObject("resource");
    resource.put("group", path.group());
    resource.put("version", path.version());
    resource.put("resource", path.plural());
    review.set("requestKind", kindNode.deepCopy());
    review.set("requestResource", resource.deepCopy());
    if (path.subresource() != null) {
      review.put("subResource", path.subresource());
      review.put("requestSubResource", path.subresource());
    }
    review.put("name", request.name() == null ? "" : request.name());
    if (path.namespace() != null) {
      review.put("namespace", path.namespace());
    }
    review.put("operation", request.operation());
    ObjectNode user = review.putObject("userInfo");
    user.put("username", request.username());
    ArrayNode groups = user.putArray("groups");
    Identities.groups(request.username()).forEach(groups::add);
    review.set("object", request.object() == null ? null : request.object());
    review.set("oldObject", request.oldObject() == null ? null : request.oldObject());
    review.put("dryRun", false);
    return review;
  }
}
