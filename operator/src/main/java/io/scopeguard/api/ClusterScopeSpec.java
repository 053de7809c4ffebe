package io.scopeguard.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

/** What a {@link ClusterScope} declares: the cluster, the allowed sources, the deletion budget. */
public class ClusterScopeSpec {

  @Required
  @JsonPropertyDescription(
      "The cluster this scope declares: exactly one of local (the cluster scopeguard runs in) or clusterRef (a Cluster API Cluster).")
  private ClusterTarget cluster;

  @JsonPropertyDescription("Free text (e.g. production); carried into metrics and alerts.")
  private String environment;

  @JsonPropertyDescription("Sources allowed to deliver into this cluster. Empty allows any source.")
  private List<SourceRule> sources = new ArrayList<>();

  @JsonPropertyDescription("How much one reconciliation may delete before it is held.")
  private DeletionBudget deletion = new DeletionBudget();

  @JsonPropertyDescription(
      "Who to tell when scopeguard holds, approves or refuses something on this cluster (e-mail addresses,"
          + " chat channels, on-call services): carried as metadata 'contacts' in the Flux events scopeguard"
          + " forwards to notification-controller, and shown by kubectl scopeguard status.")
  private List<String> contacts = new ArrayList<>();

  @Default("Enforce")
  @JsonPropertyDescription(
      "Enforce suspends offending reconciliations; Audit only records and alerts.")
  private Enforcement enforcement = Enforcement.Enforce;

  public ClusterTarget getCluster() {
    return cluster;
  }

  public void setCluster(ClusterTarget cluster) {
    this.cluster = cluster;
  }

  public String getEnvironment() {
    return environment;
  }

  public void setEnvironment(String environment) {
    this.environment = environment;
  }

  public List<SourceRule> getSources() {
    return sources;
  }

  public void setSources(List<SourceRule> sources) {
    this.sources = sources == null ? new ArrayList<>() : sources;
  }

  public List<String> getContacts() {
    return contacts;
  }

  public void setContacts(List<String> contacts) {
    this.contacts = contacts == null ? new ArrayList<>() : contacts;
  }

  public DeletionBudget getDeletion() {
    return deletion;
  }

  public void setDeletion(DeletionBudget deletion) {
    this.deletion = deletion == null ? new DeletionBudget() : deletion;
  }

  public Enforcement getEnforcement() {
    return enforcement;
  }

  public void setEnforcement(Enforcement enforcement) {
    this.enforcement = enforcement == null ? Enforcement.Enforce : enforcement;
  }
}
