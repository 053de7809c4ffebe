package io.scopeguard.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.HeldReconciliation;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kubectl scopeguard status}: everything scopeguard holds, cluster-wide or for one
 * ClusterScope, from the ClusterScopes' status: resource, reason, since, the counts, who may
 * approve and the exact command; and the violations recorded under Audit.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Everything scopeguard holds or recorded, and how to approve it.")
public final class StatusCommand implements Callable<Integer> {

  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin KubeTarget target;

  @Option(names = "--scope", description = "Only this ClusterScope.")
  String scope;

  @Mixin OutputFormat output;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean json = output.json();
    if (!json) {
      out.println(target.header());
    }
    List<ClusterScope> scopes;
    try (KubernetesClient client = target.connect()) {
      scopes =
          scope == null
              ? client.resources(ClusterScope.class).list().getItems()
              : java.util.Optional.ofNullable(
                      client.resources(ClusterScope.class).withName(scope).get())
                  .map(List::of)
                  .orElse(List.of());
    } catch (RuntimeException e) {
      err.println("scopeguard status: " + Commands.describe(e, target));
      return 1;
    }
    if (scope != null && scopes.isEmpty()) {
      err.println("scopeguard status: no ClusterScope " + scope);
      return 1;
    }
    scopes = scopes.stream().sorted(Comparator.comparing(s -> s.getMetadata().getName())).toList();
    if (json) {
      out.println(ExplainCommand.JSON.writeValueAsString(json(scopes)));
      return 0;
    }
    if (scopes.isEmpty()) {
      out.println(
          "No ClusterScope here: scopeguard holds every reconciler on this cluster until one"
              + " declares it (kubectl scopeguard preflight says more).");
      return 0;
    }
    int held = 0;
    int recorded = 0;
    for (ClusterScope each : scopes) {
      out.println();
      out.println(
          "ClusterScope "
              + each.getMetadata().getName()
              + " ("
              + describeTarget(each)
              + (each.getSpec().getEnvironment() == null
                  ? ""
                  : ", environment " + each.getSpec().getEnvironment())
              + ", "
              + each.getSpec().getEnforcement()
              + ")"
              + (each.getSpec().getContacts().isEmpty()
                  ? ""
                  : "; contacts: " + String.join(", ", each.getSpec().getContacts())));
      List<HeldReconciliation> rows =
          each.getStatus() == null ? List.of() : each.getStatus().getSuspended();
      if (rows.isEmpty()) {
        out.println("  nothing held or recorded");
      }
      for (HeldReconciliation row : rows) {
        boolean audit = "Recorded".equals(row.getAction());
        if (audit) {
          recorded++;
        } else {
          held++;
        }
        out.println(
            "  "
                + (audit ? "RECORDED (Audit, not suspended)" : "HELD")
                + "  "
                + row.getKind()
                + " "
                + row.getNamespace()
                + "/"
                + row.getName()
                + "  "
                + row.getReason()
                + (row.getSince() == null ? "" : "  since " + row.getSince())
                + (row.getRevision() == null ? "" : "  revision " + row.getRevision()));
        out.println("      " + row.getMessage());
        if (!audit) {
          out.println("      approve: " + cliApprove(row));
          out.println("           or: " + row.getApprove());
          out.println(
              "      who may approve: anyone allowed to patch it; check with: kubectl auth can-i"
                  + " patch "
                  + row.getKind().toLowerCase(Locale.ROOT)
                  + "/"
                  + row.getName()
                  + " -n "
                  + row.getNamespace());
          if ("MassDeletion".equals(row.getReason())) {
            out.println(
                "      the full list: kubectl scopeguard explain "
                    + row.getKind().toLowerCase(Locale.ROOT)
                    + "/"
                    + row.getName()
                    + " -n "
                    + row.getNamespace());
          }
        }
      }
    }
    out.println();
    out.println(held + " held, " + recorded + " recorded under Audit.");
    return 0;
  }

  private static String cliApprove(HeldReconciliation row) {
    return "kubectl scopeguard approve "
        + row.getKind().toLowerCase(Locale.ROOT)
        + "/"
        + row.getName()
        + " -n "
        + row.getNamespace();
  }

  static String describeTarget(ClusterScope scope) {
    if (scope.getSpec().getCluster() == null) {
      return "no cluster declared";
    }
    if (Boolean.TRUE.equals(scope.getSpec().getCluster().getLocal())) {
      return "the local cluster";
    }
    return scope.getSpec().getCluster().getClusterRef() == null
        ? "no cluster declared"
        : "Cluster "
            + scope.getSpec().getCluster().getClusterRef().getNamespace()
            + "/"
            + scope.getSpec().getCluster().getClusterRef().getName();
  }

  private ObjectNode json(List<ClusterScope> scopes) {
    ObjectNode root = ExplainCommand.JSON.createObjectNode();
    root.put("context", target.contextName());
    root.put("server", target.config().getMasterUrl());
    ArrayNode list = root.putArray("scopes");
    for (ClusterScope each : scopes) {
      ObjectNode node = list.addObject();
      node.put("name", each.getMetadata().getName());
      node.put("cluster", describeTarget(each));
      node.put("environment", each.getSpec().getEnvironment());
      node.put("enforcement", String.valueOf(each.getSpec().getEnforcement()));
      node.set("contacts", ExplainCommand.JSON.valueToTree(each.getSpec().getContacts()));
      node.set(
          "rows",
          ExplainCommand.JSON.valueToTree(
              each.getStatus() == null ? List.of() : each.getStatus().getSuspended()));
    }
    return root;
  }
}
