package io.scopeguard.guard;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import java.util.Optional;

/**
 * Which version of a third-party kind to watch, read from its CustomResourceDefinition.
 *
 * <p>Read from the CRD rather than from API discovery: the CRD says the same thing on every API
 * server, while the embedded test API serves no group discovery.
 */
public final class Crds {

  private Crds() {}

  /**
   * Whether the CRD's schema for {@code version} keeps a boolean at {@code pointer} (a JSON pointer
   * under the object): declared as a boolean, or inside a part that preserves unknown fields. A
   * field the schema does not keep is pruned by the API server, so a pause switch there would not
   * stick.
   */
  public static boolean keepsBoolean(CustomResourceDefinition crd, String version, String pointer) {
    var schema =
        crd.getSpec().getVersions().stream()
            .filter(v -> v.getName().equals(version))
            .findFirst()
            .map(v -> v.getSchema() == null ? null : v.getSchema().getOpenAPIV3Schema())
            .orElse(null);
    if (schema == null) {
      return true;
    }
    for (String raw : pointer.substring(1).split("/")) {
      String part = raw.replace("~1", "/").replace("~0", "~");
      var properties = schema.getProperties();
      var next = properties == null ? null : properties.get(part);
      if (next == null) {
        return Boolean.TRUE.equals(schema.getXKubernetesPreserveUnknownFields());
      }
      schema = next;
    }
    return "boolean".equals(schema.getType())
        || Boolean.TRUE.equals(schema.getXKubernetesPreserveUnknownFields());
  }

  /** The storage version of the CRD if served, else its first served version; empty when absent. */
  public static Optional<GroupVersionKind> servedKind(KubernetesClient client, String crdName) {
    CustomResourceDefinition crd =
        client.apiextensions().v1().customResourceDefinitions().withName(crdName).get();
    return Optional.ofNullable(crd).flatMap(Crds::servedKind);
  }

  /** As {@link #servedKind(KubernetesClient, String)}, from a CRD already read. */
  public static Optional<GroupVersionKind> servedKind(CustomResourceDefinition crd) {
    var served =
        crd.getSpec().getVersions().stream()
            .filter(CustomResourceDefinitionVersion::getServed)
            .toList();
    return served.stream()
        .filter(CustomResourceDefinitionVersion::getStorage)
        .findFirst()
        .or(() -> served.stream().findFirst())
        .map(
            version ->
                new GroupVersionKind(
                    crd.getSpec().getGroup(),
                    version.getName(),
                    crd.getSpec().getNames().getKind()));
  }
}
