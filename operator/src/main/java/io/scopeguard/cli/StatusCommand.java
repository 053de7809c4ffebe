package io.scopeguard.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.scopeguard.api.ClusterScope;
import io.scopeguard.api.HeldReconciliation;
import io.scopeguard.approval.ApproveCommand;
import io.scopeguard.flux.FluxKinds;
import io.scopeguard.kinds.GuardedKind;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    List<Unlisted> unlisted;
    Map<String, String> mayApprove = new HashMap<>();
    try (KubernetesClient client = target.connect()) {
      scopes =
          scope == null
              ? client.resources(ClusterScope.class).list().getItems()
              : Optional.ofNullable(client.resources(ClusterScope.class).withName(scope).get())
                  .map(List::of)
                  .orElse(List.of());
      if (scope != null && scopes.isEmpty()) {
        err.println("scopeguard status: no ClusterScope " + scope);
        return 1;
      }
      Set<String> listed = new HashSet<>();
      for (ClusterScope each : scopes) {
        for (HeldReconciliation row : rows(each)) {
          listed.add(row.getKind() + " " + row.getNamespace() + "/" + row.getName());
          if (!"Recorded".equals(row.getAction())) {
            mayApprove.put(key(row), mayApprove(client, row));
          }
        }
      }
      unlisted = scope == null ? unlisted(client, listed) : List.of();
    } catch (RuntimeException e) {
      err.println("scopeguard status: " + Commands.describe(e, target));
      return 1;
    }
    scopes = scopes.stream().sorted(Comparator.comparing(s -> s.getMetadata().getName())).toList();
    if (json) {
      out.println(ExplainCommand.JSON.writeValueAsString(json(scopes, unlisted)));
      return 0;
    }
    if (scopes.isEmpty()) {
      out.println(
          "No ClusterScope here: scopeguard holds every reconciler on this cluster until one"
              + " declares it (kubectl scopeguard preflight says more).");
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
      if (rows(each).isEmpty()) {
        out.println("  nothing held or recorded");
      }
      for (HeldReconciliation row : rows(each)) {
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
                + key(row)
                + "  "
                + row.getReason()
                + (row.getSince() == null ? "" : "  since " + row.getSince())
                + (row.getRevision() == null ? "" : "  revision " + row.getRevision()));
        out.println("      " + row.getMessage());
        if (!audit) {
          out.println("      approve: " + cliApprove(row));
          out.println("           or: " + row.getApprove());
          out.println(
              "      who may approve: anyone allowed to patch it ("
                  + mayApprove.get(key(row))
                  + "; kubectl auth can-i patch "
                  + row.getKind().toLowerCase(Locale.ROOT)
                  + "/"
                  + row.getName()
                  + " -n "
                  + row.getNamespace()
                  + " --as <someone>)");
          if ("MassDeletion".equals(row.getReason())) {
            out.println(
                "      the full list: "
                    + ApproveCommand.explain(
                        row.getKind().toLowerCase(Locale.ROOT), row.getNamespace(), row.getName()));
          }
        }
      }
    }
    if (!unlisted.isEmpty()) {
      out.println();
      out.println("Held with no ClusterScope to list them (no scope declares their cluster):");
      for (Unlisted hold : unlisted) {
        held++;
        out.println("  HELD  " + hold.subject() + "  " + hold.reason() + "  since " + hold.since());
        out.println("      approve: " + hold.approve());
      }
    }
    out.println();
    out.println(held + " held, " + recorded + " recorded under Audit.");
    return 0;
  }

  /**
   * A held resource no ClusterScope's status lists.
   *
   * @param subject e.g. {@code Kustomization apps/web}
   * @param reason why it is held
   * @param since when
   * @param approve the command that approves it
   */
  record Unlisted(String subject, String reason, String since, String approve) {}

  private static List<HeldReconciliation> rows(ClusterScope scope) {
    return scope.getStatus() == null ? List.of() : scope.getStatus().getSuspended();
  }

  private static String key(HeldReconciliation row) {
    return row.getKind() + " " + row.getNamespace() + "/" + row.getName();
  }

  /** Flux's reconcilers that carry scopeguard's hold and are in no row: held all the same. */
  private static List<Unlisted> unlisted(KubernetesClient client, Set<String> listed) {
    List<Unlisted> found = new ArrayList<>();
    for (GuardedKind kind : List.of(FluxKinds.KUSTOMIZATION, FluxKinds.HELM_RELEASE)) {
      ResourceName all = new ResourceName(kind.group(), kind.kind(), kind.plural(), null, null);
      List<GenericKubernetesResource> resources;
      try {
        resources = all.everywhere(client);
      } catch (RuntimeException e) {
        continue;
      }
      for (GenericKubernetesResource resource : resources) {
        String namespace = resource.getMetadata().getNamespace();
        ResourceName name =
            new ResourceName(
                kind.group(),
                kind.kind(),
                kind.plural(),
                namespace,
                resource.getMetadata().getName());
        Hold.of(name, resource)
            .filter(hold -> !listed.contains(name.describe()))
            .ifPresent(
                hold ->
                    found.add(
                        new Unlisted(
                            name.describe(), hold.reason(), hold.since(), hold.approveCommand())));
      }
    }
    return found;
  }

  /** Whether the user running this may approve the row, as the API server answers it. */
  private static String mayApprove(KubernetesClient client, HeldReconciliation row) {
    try {
      ResourceName name =
          ResourceName.parse(
              row.getKind().toLowerCase(Locale.ROOT) + "/" + row.getName(), row.getNamespace());
      SelfSubjectAccessReview review =
          client
              .authorization()
              .v1()
              .selfSubjectAccessReview()
              .create(
                  new SelfSubjectAccessReviewBuilder()
                      .withNewSpec()
                      .withNewResourceAttributes()
                      .withGroup(name.group())
                      .withResource(name.plural())
                      .withVerb("patch")
                      .withNamespace(name.namespace())
                      .withName(name.name())
                      .endResourceAttributes()
                      .endSpec()
                      .build());
      if (review == null || review.getStatus() == null) {
        return "whether you may: not answered";
      }
      return Boolean.TRUE.equals(review.getStatus().getAllowed()) ? "you may" : "you may not";
    } catch (RuntimeException e) {
      return "whether you may: not answered";
    }
  }

  private static String cliApprove(HeldReconciliation row) {
    return ApproveCommand.withPlugin(
        row.getKind().toLowerCase(Locale.ROOT), row.getNamespace(), row.getName());
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

  private ObjectNode json(List<ClusterScope> scopes, List<Unlisted> unlisted) {
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
    root.set("unlisted", ExplainCommand.JSON.valueToTree(unlisted));
    return root;
  }
}
