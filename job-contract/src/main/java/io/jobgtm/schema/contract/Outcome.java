package io.jobgtm.schema.contract;

/** What a command did. The first five are the outcomes of {@code migrate} and {@code undo}. */
public enum Outcome {
  /** At least one migration was applied. */
  Migrated,
  /** An unversioned database was stamped with a version and nothing else was applied. */
  Baselined,
  /** Nothing to do: the database is at the target version. */
  UpToDate,
  /** Undo scripts brought the database down to the target version. */
  Downgraded,
  /** The command failed; {@link MigrationResult#failure()} says why. */
  Failed,
  /** {@code info}: the state was read, nothing changed. */
  Reported,
  /** {@code plan}: what {@code migrate} would do, nothing changed. */
  Planned,
  /** {@code validate}: the applied migrations match the migration set. */
  Validated,
  /** {@code repair}: the history was repaired. */
  Repaired,
  /**
   * {@code verify}: the live schema was compared, read-only, with a replay of the migration set at
   * its version; {@link MigrationResult#verification()} holds the finding.
   */
  Verified
}
