package io.scopeguard.webhook;

/**
 * Decides whether Flux may delete one object it manages now: while the Kustomization that owns it
 * has a revision that is over budget or not yet judged, its deletes are refused.
 */
public interface PruneGate {

  /**
   * @param ownerNamespace namespace of the owning Kustomization
   * @param ownerName name of the owning Kustomization
   * @param object the object being deleted, as {@code Kind namespace/name}
   * @return null to allow, or the refusal message (naming scopeguard, the reason and the approve command)
   */
  String refusal(String ownerNamespace, String ownerName, String object);
}
