package io.scopeguard.e2e.chart;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.Map;

/**
 * Reads Kubernetes manifests into their typed models so that any field the model does not know
 * fails, with the path of the field in the message.
 *
 * <p>fabric8's model classes accept any unknown field into {@code additionalProperties} (a Jackson
 * any-setter), and its own mapper also parks values of the wrong type there; a misspelled {@code
 * replica:} would pass silently. This mapper removes the any-setter from every model class, fails
 * on unknown properties, on scalars of the wrong type ({@code "8080"} for an integer) and on
 * duplicate keys. Kinds from other projects (Prometheus operator, cert-manager) are read into the
 * records of {@link ThirdPartyKinds}, which list the fields of their CRDs that a chart may set.
 */
public final class StrictModel {

  /** The model class of each {@code apiVersion/kind} a chart may render. */
  public static final Map<String, Class<?>> KINDS =
      Map.ofEntries(
          Map.entry("v1/ConfigMap", ConfigMap.class),
          Map.entry("v1/Secret", Secret.class),
          Map.entry("v1/Service", Service.class),
          Map.entry("v1/ServiceAccount", ServiceAccount.class),
          Map.entry("apps/v1/Deployment", Deployment.class),
          Map.entry("rbac.authorization.k8s.io/v1/ClusterRole", ClusterRole.class),
          Map.entry("rbac.authorization.k8s.io/v1/ClusterRoleBinding", ClusterRoleBinding.class),
          Map.entry("rbac.authorization.k8s.io/v1/Role", Role.class),
          Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", RoleBinding.class),
          Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
          Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
          Map.entry(
              "apiextensions.k8s.io/v1/CustomResourceDefinition", CustomResourceDefinition.class),
          Map.entry(
              "monitoring.coreos.com/v1/PrometheusRule", ThirdPartyKinds.PrometheusRule.class),
          Map.entry(
              "monitoring.coreos.com/v1/ServiceMonitor", ThirdPartyKinds.ServiceMonitor.class),
          Map.entry("cert-manager.io/v1/Issuer", ThirdPartyKinds.Issuer.class),
          Map.entry("cert-manager.io/v1/Certificate", ThirdPartyKinds.Certificate.class));

  /** YAML reader that refuses duplicate keys. */
  public static final YAMLMapper YAML =
      YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .addModule(
              new SimpleModule("no-any-setter")
                  .setDeserializerModifier(
                      new BeanDeserializerModifier() {
                        @Override
                        public BeanDeserializerBuilder updateBuilder(
                            DeserializationConfig config,
                            BeanDescription description,
                            BeanDeserializerBuilder builder) {
                          builder.setAnySetter(null);
                          builder.setIgnoreUnknownProperties(false);
                          return builder;
                        }
                      }))
          .build();

  private StrictModel() {}

  /** The model of one manifest, chosen by its {@code apiVersion} and {@code kind}. */
  public static Object read(JsonNode manifest) {
    String key = manifest.path("apiVersion").asText() + "/" + manifest.path("kind").asText();
    Class<?> type = KINDS.get(key);
    if (type == null) {
      throw new IllegalArgumentException("no model for " + key + " (add it to StrictModel.KINDS)");
    }
    return read(manifest, type);
  }

  /** One manifest read into {@code type}, failing on any field {@code type} does not declare. */
  public static <T> T read(JsonNode manifest, Class<T> type) {
    try {
      return MAPPER.treeToValue(manifest, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e.getOriginalMessage() + " at " + path(e), e);
    }
  }

  private static String path(JsonProcessingException e) {
    if (!(e instanceof JsonMappingException mapping)) {
      return "?";
    }
    StringBuilder path = new StringBuilder();
    for (var reference : mapping.getPath()) {
      path.append(
          reference.getFieldName() != null
              ? "." + reference.getFieldName()
              : "[" + reference.getIndex() + "]");
    }
    return path.length() == 0 ? "(top)" : path.substring(path.charAt(0) == '.' ? 1 : 0);
  }
}
