package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.JobEnvironment;

/**
 * What drift does to {@code migrate} ({@link JobEnvironment#ON_DRIFT}, {@code --on-drift}); the
 * values are {@link JobEnvironment#DRIFT_ACTIONS}.
 */
public enum DriftAction {
  /** Migrate, and report the drift found after it in the result document. */
  Report,
  /**
   * Before writing anything, compare a Versioned schema with the replay at its version; refuse a
   * drifted one (unless its fingerprint is the accepted one) or one that cannot be compared with
   * {@link FailureReason#SchemaDrifted}.
   */
  Block
}
