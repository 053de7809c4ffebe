package io.scopeguard.webhook;

/**
 * Decides whether one DELETE of an object a Kustomization manages may happen now: a prune (the
 * request comes from an identity that Kustomization acts as) is refused while the revision it
 * prunes for is over budget, unreadable or not yet judged; anyone else's delete is theirs to make.
 */
public interface PruneGate {

  /**
   * @param ownerNamespace namespace of the owning Kustomization
   * @param ownerName name of the owning Kustomization
   * @param object the object being deleted, as {@code Kind namespace/name}
   * @param user who sends the DELETE
   * @return null to allow, or the refusal message (naming scopeguard, the reason and the approve
   *     command)
   */
  String refusal(String ownerNamespace, String ownerName, String object, String user);
}
