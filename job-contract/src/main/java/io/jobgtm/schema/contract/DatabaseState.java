package io.jobgtm.schema.contract;

/** What the migrator found in the target schema before acting. */
public enum DatabaseState {
  /** No tables in the target schema (or no schema at all): every migration applies. */
  Fresh,
  /**
   * Tables but no applied migration history: the schema predates migration tracking. Migrating
   * needs a baseline, which only the baseline policy allows.
   */
  Unversioned,
  /** A migration history with applied migrations: only pending migrations apply. */
  Versioned
}
