package io.jobgtm.schema.contract;

/**
 * Whether the live schema is what the migration set makes at its version, as a comparison of the
 * two schema models found ({@link SchemaVerification}).
 */
public enum Drift {
  /** The live schema equals the replay of the set at its version. */
  None,
  /** The live schema differs from the replay; the differences are listed. */
  Drifted,
  /**
   * No comparison could be made (no shadow, a shadow of another major version, a replay that
   * failed); the reason says which. Never blocks a migration unless verification is required.
   */
  Unknown
}
