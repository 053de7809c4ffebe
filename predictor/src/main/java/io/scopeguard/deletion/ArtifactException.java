package io.scopeguard.deletion;

/**
 * A source artifact could not be fetched or was refused. Checked: the caller must turn it into an
 * {@code Unknown} verdict, never into "nothing will be deleted".
 */
public final class ArtifactException extends Exception {

  /** Why, in one word a machine can match on. */
  public enum Reason {
    /** The downloaded bytes do not hash to the digest the source reports. */
    DigestMismatch,
    /** The source reports no digest, or one in an algorithm or form scopeguard cannot verify. */
    UnsupportedDigest,
    /** The download, one file, or all files together exceed their limit. */
    TooLarge,
    /** The archive holds more entries than allowed. */
    TooManyFiles,
    /** An entry's path is absolute or climbs out of the tree with {@code ..}. */
    PathTraversal,
    /** A symlink or hardlink points outside the tree. */
    LinkOutsideTree,
    /** An entry's path has more segments than allowed. */
    TooDeep,
    /** The archive inflates far more than its compressed size: a gzip bomb. */
    CompressionRatio,
    /** The gzip or tar stream ends before the archive does. */
    Truncated,
    /** Zero bytes were served. */
    Empty,
    /** source-controller could not be reached or did not answer in time. */
    Unreachable,
    /** source-controller answered with a status other than 2xx. */
    HttpStatus,
    /** Not a gzip-compressed tar archive that scopeguard can read, or not an artifact URL. */
    Malformed
  }

  private final Reason reason;

  public ArtifactException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public ArtifactException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
