package io.scopeguard.deletion;

/** What to do with a revision whose deletions cannot be predicted. */
public enum UnknownPolicy {
  /** Let it through; record it in status, metrics and an Event (the default). */
  Allow,
  /** Hold it like a mass deletion until a person approves the revision. */
  Hold
}
