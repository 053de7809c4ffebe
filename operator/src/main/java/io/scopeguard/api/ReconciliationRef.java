package io.scopeguard.api;

/**
 * The reconciliation a status row is about: its kind, namespace (absent when cluster-scoped) and
 * name.
 */
public abstract class ReconciliationRef {

  private String kind;
  private String namespace;
  private String name;

  public String getKind() {
    return kind;
  }

  public void setKind(String kind) {
    this.kind = kind;
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
}
