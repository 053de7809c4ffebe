package io.scopeguard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.scopeguard.deletion.DeletionReport;
import io.scopeguard.deletion.ObjectId;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code kubectl scopeguard explain KIND/NAME}: the complete list of what the held revision would
 * delete, cascade included (which child Kustomization, HelmRelease or Namespace takes which
 * objects), grouped by namespace and kind, and the source change that led to it. Read from the
 * prediction scopeguard kept on the held resource, with the user's own RBAC.
 */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = "Everything a held revision would delete, and the source change behind it.")
public final class ExplainCommand implements Callable<Integer> {

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin KubeTarget target;

  @Mixin ResourceArgument resource;
  @Mixin OutputFormat output;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean json = output.json();
    if (!json) {
      out.println(target.header());
    }
    ResourceName name = resource.resolve(target);
    try (KubernetesClient client = target.connect()) {
      GenericKubernetesResource found = name.in(client).get();
      if (found == null) {
        err.println("scopeguard explain: " + name.describe() + " not found");
        return 1;
      }
      Optional<Hold> hold = Hold.of(name, found);
      if (json) {
        out.println(JSON.writeValueAsString(json(name, hold)));
        return hold.isPresent() ? 0 : 1;
      }
      if (hold.isEmpty()) {
        out.println(name.describe() + " is not held by scopeguard: nothing to explain.");
        return 1;
      }
      hold.get().printSummary(out);
      if (hold.get().report().isPresent()) {
        Hold.printDeletions(hold.get().report().get(), out);
      } else if ("MassDeletion".equals(hold.get().reason())) {
        out.println(
            "No full list is kept with this hold: it is written right after the hold, and is"
                + " missing when the hold is a moment old, was made by an older scopeguard, or the"
                + " list could not be written or does not match this hold (scopeguard's log says"
                + " which). The counts and first objects are in its ClusterScope's status.");
      } else {
        out.println("Held for its scope, not for what it would delete: nothing to list.");
      }
      out.println("To approve: " + hold.get().approveCommand());
      return 0;
    } catch (RuntimeException e) {
      err.println("scopeguard explain: " + Commands.describe(e, target));
      return 1;
    }
  }

  private ObjectNode json(ResourceName name, Optional<Hold> hold) {
    ObjectNode root = JSON.createObjectNode();
    root.put("context", target.contextName());
    root.put("server", target.config().getMasterUrl());
    ObjectNode about = root.putObject("resource");
    about.put("group", name.group());
    about.put("kind", name.kind());
    about.put("namespace", name.namespace());
    about.put("name", name.name());
    root.put("held", hold.isPresent());
    hold.ifPresent(
        h -> {
          root.put("reason", h.reason());
          root.put("since", h.since());
          root.put("token", h.token());
          root.put("approve", h.approveCommand());
          h.report()
              .ifPresent(
                  report -> {
                    root.put("revision", report.revision());
                    root.put("deleting", report.deleting());
                    root.put("ownInventory", report.ownInventory());
                    root.put("clusterInventory", report.clusterInventory());
                    root.put("omitted", report.omitted());
                    if (report.source() != null) {
                      root.set("source", JSON.valueToTree(report.source()));
                    }
                    ArrayNode deletions = root.putArray("deletions");
                    for (DeletionReport.Entry entry : report.deletions()) {
                      ObjectNode row = identity(deletions.addObject(), entry.id());
                      row.put("id", entry.id());
                      if (entry.via() != null) {
                        identity(row.putObject("via"), entry.via());
                      }
                    }
                  });
        });
    return root;
  }

  /** An inventory id as its parts. */
  private static ObjectNode identity(ObjectNode node, String inventoryId) {
    ObjectId id = ObjectId.parse(inventoryId);
    node.put("namespace", id.namespace());
    node.put("group", id.group());
    node.put("kind", id.kind());
    node.put("name", id.name());
    return node;
  }
}
