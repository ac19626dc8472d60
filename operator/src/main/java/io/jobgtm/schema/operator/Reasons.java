package io.jobgtm.schema.operator;

import java.util.Set;

/**
 * The reasons of the SchemaVersion conditions, one per step that can succeed or fail. Reasons of a
 * migration failure are the migrator's own failure reasons (docs/migrator.md) and pass through
 * unchanged; these are the operator's.
 */
public final class Reasons {

  /** Ready=True: the last migration Job reached the target. */
  public static final String MIGRATED = "Migrated";

  public static final String BASELINED = "Baselined";
  public static final String UP_TO_DATE = "UpToDate";
  public static final String DOWNGRADED = "Downgraded";

  /** Reconciling=True: a migration Job for the current spec runs. */
  public static final String MIGRATION_RUNNING = "MigrationRunning";

  /** Reconciling=True: a Job for an earlier spec still runs; the new spec runs after it. */
  public static final String WAITING_FOR_PREVIOUS_JOB = "WaitingForPreviousJob";

  /** Reconciling=True: an attempt failed with a transient error and the Job retries. */
  public static final String RETRYING = "Retrying";

  /** Stalled=True: the migrations ConfigMap does not exist. */
  public static final String CONFIG_MAP_NOT_FOUND = "ConfigMapNotFound";

  /** Stalled=True: the Job's pod cannot start, e.g. its credentials Secret or key is missing. */
  public static final String CONTAINER_CONFIG_ERROR = "ContainerConfigError";

  /** Stalled=True: the target is below the current version and downgrades are not allowed. */
  public static final String DOWNGRADE_NOT_ALLOWED = "DowngradeNotAllowed";

  /** Stalled=True: the migration Job failed without a result (deadline, killed, foreign image). */
  public static final String JOB_FAILED = "JobFailed";

  /** Stalled=True: the migration failed; the migrator's failure reason is used when known. */
  public static final String MIGRATION_FAILED = "MigrationFailed";

  /**
   * Stalled reasons that time may cure (the migrator's transient failures, and a Job that failed
   * without a result, e.g. past its deadline): a new Job runs once the failed one is gone.
   */
  public static final Set<String> TRANSIENT =
      Set.of("DatabaseUnreachable", "LockTimeout", "MigrationInterrupted", JOB_FAILED);

  private Reasons() {}
}
