package io.scopeguard.scope;

/** Why scopeguard holds a reconciliation; checked in this order, the first failing check wins. */
public enum Reason {
  /** A reconciler that acts on a cluster carries no {@code scopeguard.io/scope} label. */
  ScopeReferenceMissing,
  /** The label names a ClusterScope that does not exist (or was deleted). */
  ScopeNotFound,
  /** The resource targets a cluster declared by a ClusterScope other than its own. */
  TargetOutOfScope,
  /** The resource targets a cluster that no ClusterScope declares. */
  TargetUndeclared,
  /** Its source URL is not allowed by its ClusterScope. */
  SourceOutOfScope,
  /** The pending revision would delete more than the ClusterScope's budget. */
  MassDeletion,
  /**
   * What the pending revision would delete cannot be predicted (remote bases, substitution from
   * cluster data, an artifact that cannot be read); handled by the configured policy.
   */
  PredictionUnknown
}
