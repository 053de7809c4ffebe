package io.scopeguard.deletion;

import java.util.Comparator;
import java.util.Objects;
import java.util.Set;

/**
 * The identity of one object as Flux records it in an inventory: namespace (empty for
 * cluster-scoped objects), name, API group (empty for the core group) and kind. The version is not
 * part of it.
 *
 * <p>{@link #inventoryId()} and {@link #parse(String)} use Flux's text form {@code
 * <namespace>_<name>_<group>_<kind>}, in which a {@code :} in the name of an RBAC object is written
 * {@code __}.
 */
public record ObjectId(String namespace, String name, String group, String kind)
    implements Comparable<ObjectId> {

  private static final String RBAC_GROUP = "rbac.authorization.k8s.io";
  private static final Set<String> RBAC_KINDS =
      Set.of("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding");
  private static final Comparator<ObjectId> ORDER =
      Comparator.comparing(ObjectId::group)
          .thenComparing(ObjectId::kind)
          .thenComparing(ObjectId::namespace)
          .thenComparing(ObjectId::name);

  public ObjectId {
    namespace = namespace == null ? "" : namespace;
    group = group == null ? "" : group;
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
  }

  /** Flux's inventory entry id, e.g. {@code podinfo_podinfo_apps_Deployment}. */
  public String inventoryId() {
    String encoded = isRbac(group, kind) ? name.replace(":", "__") : name;
    return namespace + "_" + encoded + "_" + group + "_" + kind;
  }

  /**
   * Reads an inventory entry id: the namespace runs up to the first {@code _}, the last two {@code
   * _}-separated fields are group and kind, the rest is the name.
   *
   * @throws IllegalArgumentException when the id does not have that shape
   */
  public static ObjectId parse(String id) {
    if (id == null) {
      throw new IllegalArgumentException("inventory id is null");
    }
    int first = id.indexOf('_');
    int last = id.lastIndexOf('_');
    int beforeLast = last > 0 ? id.lastIndexOf('_', last - 1) : -1;
    if (first < 0 || beforeLast <= first) {
      throw new IllegalArgumentException(
          "inventory id '"
              + id
              + "' is not <namespace>_<name>_<group>_<kind>: it needs at least three '_' separators");
    }
    String namespace = id.substring(0, first);
    String name = id.substring(first + 1, beforeLast);
    String group = id.substring(beforeLast + 1, last);
    String kind = id.substring(last + 1);
    if (name.isEmpty() || kind.isEmpty()) {
      throw new IllegalArgumentException(
          "inventory id '" + id + "' has an empty " + (name.isEmpty() ? "name" : "kind"));
    }
    return new ObjectId(
        namespace, isRbac(group, kind) ? name.replace("__", ":") : name, group, kind);
  }

  public boolean isClusterScoped() {
    return namespace.isEmpty();
  }

  @Override
  public int compareTo(ObjectId other) {
    return ORDER.compare(this, other);
  }

  /** Readable form for messages, e.g. {@code Deployment.apps podinfo/podinfo}. */
  @Override
  public String toString() {
    return kind
        + (group.isEmpty() ? "" : "." + group)
        + " "
        + (namespace.isEmpty() ? "" : namespace + "/")
        + name;
  }

  private static boolean isRbac(String group, String kind) {
    return RBAC_GROUP.equals(group) && RBAC_KINDS.contains(kind);
  }
}
