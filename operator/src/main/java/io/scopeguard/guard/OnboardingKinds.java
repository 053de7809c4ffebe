package io.scopeguard.guard;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.kinds.GuardedKind;
import io.scopeguard.kinds.Json;
import io.scopeguard.scope.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Onboarding kinds the installer lists in configuration: custom resources that act on a cluster,
 * each with the JSON pointer of its pause switch and of the Cluster API cluster it targets.
 *
 * <pre>
 * - group: onboarding.example.com
 *   kind: ClusterOnboarding
 *   plural: clusteronboardings      # its resource name, for admission rules and RBAC
 *   pausePath: /spec/paused
 *   targetPath: /spec/clusterName   # a Cluster in the resource's namespace, or namespace/name
 * </pre>
 */
public final class OnboardingKinds {

  private OnboardingKinds() {}

  /**
   * One configured kind, as written in the file ({@code plural} names it in webhook rules and
   * RBAC).
   */
  @JsonIgnoreProperties(ignoreUnknown = false)
  public record Entry(
      String group, String kind, String plural, String pausePath, String targetPath) {}

  /** Reads the configuration file; every problem is reported with the entry it is in. */
  public static List<GuardedKind> read(Path file) {
    try {
      List<Entry> entries =
          new YAMLMapper().readValue(Files.readString(file), new TypeReference<List<Entry>>() {});
      return parse(entries == null ? List.of() : entries, file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read onboarding kinds from " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The guarded kinds for {@code entries}; {@code origin} names where they came from in error
   * messages.
   */
  public static List<GuardedKind> parse(List<Entry> entries, String origin) {
    List<GuardedKind> kinds = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      Entry entry = entries.get(i);
      String where = origin + " entry " + (i + 1);
      require(entry.group(), "group", where);
      require(entry.kind(), "kind", where);
      require(entry.plural(), "plural", where);
      requirePointer(entry.pausePath(), "pausePath", where);
      requirePointer(entry.targetPath(), "targetPath", where);
      String targetPath = entry.targetPath();
      kinds.add(
          GuardedKind.reconciler(
              entry.group(),
              entry.kind(),
              entry.plural(),
              entry.pausePath(),
              resource -> target(resource, targetPath),
              resource -> Optional.empty(),
              entry.kind().toLowerCase(Locale.ROOT) + "." + entry.group()));
    }
    return kinds;
  }

  static Target target(GenericKubernetesResource resource, String pointer) {
    Optional<String> value = Json.text(resource, pointer);
    if (value.isEmpty()) {
      return new Target.Unresolved("no cluster name at " + pointer);
    }
    String[] parts = value.get().split("/");
    if (parts.length == 1) {
      return resource.getMetadata().getNamespace() == null
          ? new Target.Unresolved(
              pointer
                  + " holds "
                  + value.get()
                  + " without a namespace, and the resource is cluster-scoped")
          : new Target.Cluster(resource.getMetadata().getNamespace(), parts[0]);
    }
    if (parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty()) {
      return new Target.Cluster(parts[0], parts[1]);
    }
    return new Target.Unresolved(
        pointer + " holds " + value.get() + ", which is neither name nor namespace/name");
  }

  private static void require(String value, String field, String where) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(where + ": " + field + " is required");
    }
  }

  private static void requirePointer(String value, String field, String where) {
    require(value, field, where);
    if ("pausePath".equals(field) && !value.startsWith("/spec/")) {
      throw new IllegalArgumentException(
          where
              + ": pausePath must be a JSON pointer to a boolean under /spec, such as /spec/paused, not "
              + value);
    }
    if (!value.startsWith("/")) {
      throw new IllegalArgumentException(
          where + ": " + field + " must be a JSON pointer such as /spec/paused, not " + value);
    }
  }
}
