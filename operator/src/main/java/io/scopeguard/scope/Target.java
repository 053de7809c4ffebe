package io.scopeguard.scope;

/** The cluster a guarded resource acts on. */
public sealed interface Target {

  /** Index key shared with ClusterScopes: {@code local} or {@code namespace/name}. */
  String key();

  /** The cluster scopeguard runs in. */
  record Local() implements Target {
    @Override
    public String key() {
      return "local";
    }

    @Override
    public String toString() {
      return "the local cluster";
    }
  }

  /** A Cluster API Cluster. */
  record Cluster(String namespace, String name) implements Target {
    @Override
    public String key() {
      return namespace + "/" + name;
    }

    @Override
    public String toString() {
      return "Cluster " + key();
    }
  }

  /** The resource names its target in a way scopeguard does not guess at. */
  record Unresolved(String why) implements Target {
    @Override
    public String key() {
      return "unresolved";
    }

    @Override
    public String toString() {
      return "an unresolved target (" + why + ")";
    }
  }

  Target LOCAL = new Local();
}
