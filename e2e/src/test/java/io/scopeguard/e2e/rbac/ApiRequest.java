package io.scopeguard.e2e.rbac;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One request to the Kubernetes API as the authorizer sees it: a verb on a resource (with
 * subresource) of an API group, in a namespace, possibly by name; or a verb on a non-resource URL.
 *
 * @param verb get, list, watch, create, update, patch, delete or deletecollection
 * @param group API group, "" for the core group; null for a non-resource URL
 * @param resource resource, with "/subresource" when there is one; for a non-resource URL, the path
 * @param namespace namespace, or null for a cluster-scoped resource
 * @param name the object's name, when the request names one (also through a metadata.name field
 *     selector)
 */
public record ApiRequest(
    String verb, String group, String resource, String namespace, String name) {

  /** What the authorizer would make of {@code method} on {@code pathAndQuery}. */
  public static ApiRequest of(String method, String pathAndQuery) {
    String[] pathAndQueryParts = pathAndQuery.split("\\?", 2);
    Map<String, String> query =
        pathAndQueryParts.length < 2
            ? Map.of()
            : Arrays.stream(pathAndQueryParts[1].split("&"))
                .map(p -> p.split("=", 2))
                .collect(
                    Collectors.toMap(
                        p -> p[0],
                        p -> p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "",
                        (a, b) -> b));
    List<String> segments =
        Arrays.stream(pathAndQueryParts[0].split("/")).filter(s -> !s.isEmpty()).toList();
    String group;
    List<String> rest;
    if (segments.size() >= 2 && segments.get(0).equals("api")) {
      group = "";
      rest = segments.subList(2, segments.size());
    } else if (segments.size() >= 3 && segments.get(0).equals("apis")) {
      group = segments.get(1);
      rest = segments.subList(3, segments.size());
    } else {
      return new ApiRequest(
          method.toLowerCase(Locale.ROOT), null, pathAndQueryParts[0], null, null);
    }
    if (rest.isEmpty()) {
      return new ApiRequest(
          method.toLowerCase(Locale.ROOT), null, pathAndQueryParts[0], null, null);
    }
    String namespace = null;
    if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
      namespace = rest.get(1);
      rest = rest.subList(2, rest.size());
    }
    String resource = rest.get(0);
    String name = rest.size() > 1 ? rest.get(1) : null;
    if (rest.size() > 2) {
      resource = resource + "/" + rest.get(2);
    }
    String fieldSelector = query.getOrDefault("fieldSelector", "");
    if (name == null
        && fieldSelector.startsWith("metadata.name=")
        && !fieldSelector.contains(",")) {
      name = fieldSelector.substring("metadata.name=".length());
    }
    boolean collection = rest.size() == 1;
    String verb =
        switch (method) {
          case "GET" -> "true".equals(query.get("watch")) ? "watch" : collection ? "list" : "get";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> collection ? "deletecollection" : "delete";
          default -> method.toLowerCase(Locale.ROOT);
        };
    return new ApiRequest(verb, group, resource, namespace, name);
  }

  /** Whether this is a request on a non-resource URL (discovery, /version). */
  public boolean nonResource() {
    return group == null;
  }

  @Override
  public String toString() {
    return nonResource()
        ? verb + " " + resource
        : verb
            + " "
            + (group.isEmpty() ? "" : group + "/")
            + resource
            + (namespace != null ? " in " + namespace : "")
            + (name != null ? " named " + name : "");
  }
}
