package io.scopeguard.api;

/** What scopeguard does with a violation: suspend it ({@code Enforce}) or only record it. */
public enum Enforcement {
  /** Suspend the offending reconciliation, record and alert. */
  Enforce,
  /** Record and alert; never suspend. */
  Audit
}
