package io.scopeguard.testkit;

import java.util.Arrays;
import java.util.Optional;

/**
 * A request path of the Kubernetes API read the way the API server routes it: {@code
 * /api/v1/namespaces/ns/configmaps/name} or {@code
 * /apis/group/version/namespaces/ns/plural/name/status}.
 *
 * @param group API group, empty for the core group
 * @param version API version
 * @param namespace the namespace in the path, or null (cluster-scoped, or a collection across
 *     namespaces)
 * @param plural the resource, e.g. {@code kustomizations}
 * @param name the object's name, or null for a collection
 * @param subresource e.g. {@code status}, or null
 */
public record ApiPath(
    String group,
    String version,
    String namespace,
    String plural,
    String name,
    String subresource) {

  /**
   * The path parsed, without its query; empty when it names no resource (discovery, /version, …).
   */
  public static Optional<ApiPath> parse(String pathAndQuery) {
    String path = pathAndQuery.split("\\?", 2)[0];
    String[] parts =
        Arrays.stream(path.split("/")).filter(p -> !p.isEmpty()).toArray(String[]::new);
    int at;
    String group;
    String version;
    if (parts.length >= 3 && parts[0].equals("api")) {
      group = "";
      version = parts[1];
      at = 2;
    } else if (parts.length >= 4 && parts[0].equals("apis")) {
      group = parts[1];
      version = parts[2];
      at = 3;
    } else {
      return Optional.empty();
    }
    String[] rest = Arrays.copyOfRange(parts, at, parts.length);
    if (rest[0].equals("namespaces") && rest.length >= 3) {
      return Optional.of(
          new ApiPath(
              group,
              version,
              rest[1],
              rest[2],
              rest.length > 3 ? rest[3] : null,
              rest.length > 4 ? rest[4] : null));
    }
    return Optional.of(
        new ApiPath(
            group,
            version,
            null,
            rest[0],
            rest.length > 1 ? rest[1] : null,
            rest.length > 2 ? rest[2] : null));
  }

  /** The path of the object itself (no subresource), for reading it from the store. */
  public String objectPath(String objectName) {
    String prefix = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    return prefix
        + (namespace == null ? "" : "/namespaces/" + namespace)
        + "/"
        + plural
        + "/"
        + objectName;
  }

  /** The API group and version as an object's {@code apiVersion} spells them. */
  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }
}
