package io.scopeguard.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.Optional;

/**
 * Declares one cluster that automation may act on: which cluster it is, which sources may deliver
 * into it, and how much one reconciliation may delete at once. Cluster-scoped; one per cluster.
 */
@Group(ClusterScope.GROUP)
@Version(ClusterScope.VERSION)
@Kind("ClusterScope")
@Plural("clusterscopes")
@Singular("clusterscope")
@ShortNames("cscope")
@AdditionalPrinterColumn(
    name = "Cluster",
    jsonPath = ".status.cluster",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Environment",
    jsonPath = ".spec.environment",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Enforcement",
    jsonPath = ".spec.enforcement",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Suspended",
    jsonPath = ".status.suspendedCount",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Inventory",
    jsonPath = ".status.inventory.objects",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class ClusterScope extends CustomResource<ClusterScopeSpec, ClusterScopeStatus> {

  public static final String GROUP = "scopeguard.io";
  public static final String VERSION = "v1alpha1";

  /** The standard condition summarising whether the spec is usable. */
  public static final String READY = "Ready";

  @Override
  protected ClusterScopeSpec initSpec() {
    return new ClusterScopeSpec();
  }

  /** The Ready condition, if status carries one. */
  public Optional<Condition> readyCondition() {
    if (getStatus() == null || getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return getStatus().getConditions().stream().filter(c -> READY.equals(c.getType())).findFirst();
  }
}
