package io.scopeguard.cli;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.scopeguard.approval.Annotations;
import io.scopeguard.approval.ApproveCommand;
import io.scopeguard.deletion.DeletionReport;
import io.scopeguard.deletion.ObjectId;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A hold as a person reads it off the held resource: why, since when, the token that approves it,
 * and for a {@code MassDeletion} the full prediction scopeguard kept with it.
 *
 * @param name the resource
 * @param reason the reason code, e.g. MassDeletion
 * @param since when scopeguard first held it
 * @param token the token that approves exactly this hold
 * @param report what the held revision would delete; empty for a scope hold, or when not recorded
 */
public record Hold(
    ResourceName name, String reason, String since, String token, Optional<DeletionReport> report) {

  /** The hold on {@code resource}, or empty when scopeguard does not hold it. */
  public static Optional<Hold> of(ResourceName name, GenericKubernetesResource resource) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    if (annotations == null || annotations.get(Annotations.SUSPENDED_REASON) == null) {
      return Optional.empty();
    }
    String token = annotations.get(Annotations.SUSPENDED_TOKEN);
    return Optional.of(
        new Hold(
            name,
            annotations.get(Annotations.SUSPENDED_REASON),
            annotations.get(Annotations.SUSPENDED_AT),
            token,
            DeletionReport.decode(annotations.get(Annotations.PREDICTION))
                .filter(report -> matches(report, resource, token))));
  }

  /**
   * Whether a kept prediction is this hold's: the same resource, the revision the token approves,
   * every id readable. One that is not is not shown, lest a person approve what they did not see.
   */
  static boolean matches(DeletionReport report, GenericKubernetesResource resource, String token) {
    String subject =
        resource.getKind()
            + " "
            + (resource.getMetadata().getNamespace() == null
                ? ""
                : resource.getMetadata().getNamespace() + "/")
            + resource.getMetadata().getName();
    if (!subject.equals(report.subject()) || token == null || !token.equals(report.revision())) {
      return false;
    }
    try {
      for (DeletionReport.Entry entry : report.deletions()) {
        ObjectId.parse(entry.id());
        if (entry.via() != null) {
          ObjectId.parse(entry.via());
        }
      }
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The command that approves it. */
  public String approveCommand() {
    return ApproveCommand.withPlugin(
        name.kind() != null
            ? name.kind().toLowerCase(Locale.ROOT)
            : name.plural() + "." + name.group(),
        name.namespace(),
        name.name());
  }

  /** What it is held for, the counts and the source change: what explain and approve show first. */
  public void printSummary(PrintWriter out) {
    out.println(name.describe() + " is held by scopeguard: " + reason + ", since " + since);
    out.println("  token: " + token);
    report.ifPresent(
        r -> {
          out.println(
              "  revision "
                  + r.revision()
                  + " would delete "
                  + r.deleting()
                  + " objects, cascade included ("
                  + r.ownInventory()
                  + " in its own inventory, "
                  + r.clusterInventory()
                  + " GitOps-managed objects in the cluster)");
          if (r.source() != null) {
            DeletionReport.SourceChange s = r.source();
            out.println("  source: " + s.kind() + " " + s.namespace() + "/" + s.name());
            out.println(
                "    url:      "
                    + (s.previousUrl() != null ? s.previousUrl() + "  ->  " : "")
                    + (s.url() == null ? "(unknown)" : s.url())
                    + (s.previousUrl() == null
                        ? "  (no change of URL seen by this scopeguard)"
                        : "  (changed at " + s.urlChangedAt() + ")"));
            out.println(
                "    revision: "
                    + (s.appliedRevision() == null ? "(none applied)" : s.appliedRevision())
                    + " (applied)  ->  "
                    + r.revision()
                    + " (held)");
          }
        });
  }

  /** The deletions grouped by namespace (cluster-scoped last), then kind, each with its cause. */
  public static void printDeletions(DeletionReport report, PrintWriter out) {
    Map<String, Map<String, List<DeletionReport.Entry>>> grouped = group(report.deletions());
    out.println("What it would delete, by namespace and kind:");
    grouped.forEach(
        (namespace, kinds) -> {
          int count = kinds.values().stream().mapToInt(List::size).sum();
          out.println(
              "  "
                  + (namespace.isEmpty() ? "cluster-scoped" : "namespace " + namespace)
                  + " ("
                  + count
                  + ")");
          kinds.forEach(
              (kind, entries) -> {
                out.println("    " + kind + " (" + entries.size() + ")");
                for (DeletionReport.Entry entry : entries) {
                  ObjectId id = ObjectId.parse(entry.id());
                  out.println(
                      "      "
                          + id.name()
                          + (entry.via() == null ? "" : "   via " + via(entry.via())));
                }
              });
        });
    if (report.omitted() > 0) {
      out.println(
          "  ... and "
              + report.omitted()
              + " more not listed: the list kept with the hold is bounded");
    }
  }

  static Map<String, Map<String, List<DeletionReport.Entry>>> group(
      List<DeletionReport.Entry> deletions) {
    Map<String, Map<String, List<DeletionReport.Entry>>> grouped =
        new TreeMap<>(
            (a, b) -> a.isEmpty() != b.isEmpty() ? (a.isEmpty() ? 1 : -1) : a.compareTo(b));
    for (DeletionReport.Entry entry : deletions) {
      ObjectId id = ObjectId.parse(entry.id());
      grouped
          .computeIfAbsent(id.namespace(), n -> new TreeMap<>())
          .computeIfAbsent(
              id.kind() + (id.group().isEmpty() ? "" : "." + id.group()), k -> new ArrayList<>())
          .add(entry);
    }
    grouped
        .values()
        .forEach(
            kinds ->
                kinds
                    .values()
                    .forEach(
                        l -> l.sort(Comparator.comparing(e -> ObjectId.parse(e.id()).name()))));
    return grouped;
  }

  /** A cause as a person reads it: {@code Kustomization flux-system/apps}. */
  static String via(String inventoryId) {
    ObjectId id = ObjectId.parse(inventoryId);
    return id.kind() + " " + (id.namespace().isEmpty() ? "" : id.namespace() + "/") + id.name();
  }
}
