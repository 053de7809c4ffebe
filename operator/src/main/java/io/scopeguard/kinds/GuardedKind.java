package io.scopeguard.kinds;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.scope.Target;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * A kind scopeguard watches but does not own: how to pause it, which cluster it acts on, and where
 * its source is.
 *
 * @param group API group
 * @param kind kind
 * @param plural its resource name in the API (what webhook rules and RBAC name), e.g. {@code
 *     kustomizations}
 * @param role what the kind is to scopeguard
 * @param pausePointer JSON pointer of its boolean pause switch, e.g. {@code /spec/suspend}
 * @param target the cluster a reconciler acts on (unused for other roles)
 * @param sourceRef the source a reconciler delivers from, if any
 * @param sourceUrl the URL of a source (sources only)
 * @param kubectlName how {@code kubectl} names the kind unambiguously
 */
public record GuardedKind(
    String group,
    String kind,
    String plural,
    Role role,
    String pausePointer,
    Function<GenericKubernetesResource, Target> target,
    Function<GenericKubernetesResource, Optional<SourceRef>> sourceRef,
    Function<GenericKubernetesResource, Optional<String>> sourceUrl,
    String kubectlName) {

  /** What a watched kind is to scopeguard. */
  public enum Role {
    /** Acts on a cluster: needs a scope label, has a target, is suspended when out of scope. */
    RECONCILER,
    /** Delivers content; judged through its reconcilers, and by its own URL when labelled. */
    SOURCE,
    /** Cluster API Cluster: the inventory of targetable clusters; never judged. */
    CLUSTER
  }

  /** A reference from a reconciler to its source. */
  public record SourceRef(String kind, String namespace, String name) {
    public String key() {
      return kind + "/" + namespace + "/" + name;
    }

    @Override
    public String toString() {
      return kind + " " + namespace + "/" + name;
    }
  }

  public static GuardedKind reconciler(
      String group,
      String kind,
      String plural,
      String pausePointer,
      Function<GenericKubernetesResource, Target> target,
      Function<GenericKubernetesResource, Optional<SourceRef>> sourceRef,
      String kubectlName) {
    return new GuardedKind(
        group,
        kind,
        plural,
        Role.RECONCILER,
        pausePointer,
        target,
        sourceRef,
        r -> Optional.empty(),
        kubectlName);
  }

  public static GuardedKind source(
      String group,
      String kind,
      String plural,
      Function<GenericKubernetesResource, Optional<String>> url) {
    return new GuardedKind(
        group,
        kind,
        plural,
        Role.SOURCE,
        "/spec/suspend",
        r -> Target.LOCAL,
        r -> Optional.empty(),
        url,
        kind.toLowerCase(Locale.ROOT));
  }

  public static GuardedKind cluster(String group, String kind, String plural) {
    return new GuardedKind(
        group,
        kind,
        plural,
        Role.CLUSTER,
        null,
        r -> Target.LOCAL,
        r -> Optional.empty(),
        r -> Optional.empty(),
        kind.toLowerCase(Locale.ROOT) + "." + group);
  }

  /** {@code Kind.group}, e.g. {@code Kustomization.kustomize.toolkit.fluxcd.io}. */
  public String id() {
    return kind + "." + group;
  }

  /** Kinds are equal by group and kind; the readers are not part of identity. */
  @Override
  public boolean equals(Object other) {
    return other instanceof GuardedKind that && group.equals(that.group) && kind.equals(that.kind);
  }

  @Override
  public int hashCode() {
    return 31 * group.hashCode() + kind.hashCode();
  }

  @Override
  public String toString() {
    return id();
  }
}
