package io.scopeguard.approval;

/** The annotations through which scopeguard holds resources and people approve them. */
public final class Annotations {

  public static final String PREFIX = "scopeguard.io/";

  /** Set by a person: the token shown in status approves exactly what was judged. */
  public static final String APPROVE = PREFIX + "approve";

  /** Why scopeguard holds the resource; its presence means scopeguard (not a person) paused it. */
  public static final String SUSPENDED_REASON = PREFIX + "suspended-reason";

  /** When scopeguard first held it (RFC 3339). */
  public static final String SUSPENDED_AT = PREFIX + "suspended-at";

  /** The token that approves this hold: the judged generation (scope reasons) or revision. */
  public static final String SUSPENDED_TOKEN = PREFIX + "suspended-token";

  /**
   * While a revision is held for MassDeletion: everything it would delete and the source change
   * behind it (gzip-compressed JSON in base64, bounded); removed with the hold. Written only by
   * scopeguard; {@code kubectl scopeguard explain} reads it.
   */
  public static final String PREDICTION = PREFIX + "prediction";

  /** Fingerprint of what was judged, so a later change of spec is judged afresh. */
  public static final String SUSPENDED_SPEC = PREFIX + "suspended-spec";

  /**
   * Fingerprint of the spec a person approved for a scope reason; that spec is not judged again.
   */
  public static final String APPROVED_SPEC = PREFIX + "approved-spec";

  /**
   * Fingerprint and revision a person approved for MassDeletion; that revision is not judged again.
   */
  public static final String APPROVED_REVISION = PREFIX + "approved-revision";

  /**
   * Who added or changed the approve annotation; written only by scopeguard's admission webhook.
   */
  public static final String APPROVED_BY = PREFIX + "approved-by";

  /**
   * When the approve annotation was added or changed; written only by scopeguard's admission
   * webhook.
   */
  public static final String APPROVED_AT = PREFIX + "approved-at";

  /**
   * On a source: the revision source-controller tried to publish and scopeguard's revision gate
   * refused, because a consumer would delete over its budget. Written only by scopeguard.
   */
  public static final String REFUSED_REVISION = PREFIX + "refused-revision";

  /**
   * On a source: the refused artifact itself (JSON: url, revision, digest, when last refused), to
   * judge it again.
   */
  public static final String REFUSED_ARTIFACT = PREFIX + "refused-artifact";

  /** Flux's annotation asking a controller to reconcile now ({@code flux reconcile} writes it). */
  public static final String FLUX_RECONCILE_REQUESTED = "reconcile.fluxcd.io/requestedAt";

  /** The label naming the ClusterScope a resource acts under. */
  public static final String SCOPE_LABEL = PREFIX + "scope";

  private Annotations() {}
}
