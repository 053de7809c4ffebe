package io.scopeguard.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A reference to a Cluster API {@code Cluster} by namespace and name. */
public class ClusterRef {

  static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
  static final String DNS_SUBDOMAIN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  @Required
  @Pattern(DNS_LABEL)
  @Size(min = 1, max = 63)
  @JsonPropertyDescription("Namespace of the Cluster API Cluster.")
  private String namespace;

  @Required
  @Pattern(DNS_SUBDOMAIN)
  @Size(min = 1, max = 253)
  @JsonPropertyDescription("Name of the Cluster API Cluster.")
  private String name;

  public ClusterRef() {}

  public ClusterRef(String namespace, String name) {
    this.namespace = namespace;
    this.name = name;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
