package io.scopeguard.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/** Which cluster a {@link ClusterScope} declares: the local one, or a Cluster API Cluster. */
@ValidationRule(value = ClusterTarget.EXACTLY_ONE_RULE, message = ClusterTarget.EXACTLY_ONE_MESSAGE)
public class ClusterTarget {

  /** CEL rule: exactly one of {@code local: true} and {@code clusterRef}. */
  public static final String EXACTLY_ONE_RULE =
      "(has(self.local) && self.local) != has(self.clusterRef)";

  public static final String EXACTLY_ONE_MESSAGE = "set exactly one of local: true or clusterRef";

  @JsonPropertyDescription("true when this scope declares the cluster scopeguard runs in.")
  private Boolean local;

  @JsonPropertyDescription("The Cluster API Cluster this scope declares.")
  private ClusterRef clusterRef;

  public ClusterTarget() {}

  public static ClusterTarget local() {
    ClusterTarget target = new ClusterTarget();
    target.setLocal(true);
    return target;
  }

  public static ClusterTarget clusterRef(String namespace, String name) {
    ClusterTarget target = new ClusterTarget();
    target.setClusterRef(new ClusterRef(namespace, name));
    return target;
  }

  public Boolean getLocal() {
    return local;
  }

  public void setLocal(Boolean local) {
    this.local = local;
  }

  public ClusterRef getClusterRef() {
    return clusterRef;
  }

  public void setClusterRef(ClusterRef clusterRef) {
    this.clusterRef = clusterRef;
  }

  /** True when the spec names the local cluster. */
  public boolean declaresLocal() {
    return Boolean.TRUE.equals(local);
  }
}
