package io.jobgtm.schema.api;

import io.jobgtm.schema.contract.FailureReason;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The reasons of the SchemaVersion conditions and Events, one per step that can succeed or fail, in
 * one place. A migration's outcome and failure reasons are the migrator's own ({@link
 * io.jobgtm.schema.contract.Outcome}, {@link FailureReason}; docs/migrator.md) and pass through
 * unchanged as reasons; the constants here are the operator's own steps.
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

  /**
   * Reconciling=True: a Job failed with a transient reason and the operator runs the spec again
   * after a back-off ({@code status.retries.nextAttemptAt}). Also the Event of each scheduled
   * retry.
   */
  public static final String RETRY_SCHEDULED = "RetryScheduled";

  /**
   * Stalled=True: the operator's retries of a transient failure are used up; a changed spec or
   * migration set, or a new value of the {@value SchemaVersion#RETRY_ANNOTATION} annotation, runs
   * it again.
   */
  public static final String RETRIES_EXHAUSTED = "RetriesExhausted";

  /** Event: a new value of the retry annotation started a new attempt. */
  public static final String RETRY_REQUESTED = "RetryRequested";

  /**
   * Stalled=True: the migration Job ran longer than {@code spec.job.activeDeadlineSeconds} and
   * Kubernetes stopped it. Not retried by itself: a statement may have been cut halfway (a
   * concurrent index build is left INVALID); raise the deadline or fix the cause, then change the
   * spec or request a retry.
   */
  public static final String DEADLINE_EXCEEDED = "DeadlineExceeded";

  /**
   * Stalled=True: the API server refused to create the migration Job (an admission webhook or
   * policy, a LimitRange, an invalid value); the message is the API server's. Not retried until the
   * spec changes or a retry is requested.
   */
  public static final String JOB_REFUSED = "JobRefused";

  /**
   * The API server could not create the migration Job for a reason that may pass (a ResourceQuota
   * on Jobs is used up, the server is overloaded): retried like a transient migration failure.
   */
  public static final String JOB_CREATE_FAILED = "JobCreateFailed";

  /**
   * Stalled=True: the Job exists but Kubernetes cannot create its pod (a ResourceQuota on pods or
   * compute, a LimitRange, Pod Security admission); the message is the Job controller's {@code
   * FailedCreate} Event. The Job controller keeps trying until the Job's deadline.
   */
  public static final String POD_CREATION_REFUSED = "PodCreationRefused";

  /**
   * Stalled=True: the API server refused to add the scheduling gate to a Deployment of {@code
   * spec.gate.deployments}, so that Deployment's pods are not held back; the message names it and
   * gives the API server's reason.
   */
  public static final String GATE_INJECTION_REFUSED = "GateInjectionRefused";

  /**
   * Stalled=True: an older SchemaVersion in the same namespace migrates the same database and
   * schema (equal host, port, database name and schema); the message names it. The oldest keeps
   * working. The migrator's {@code SchemaOwnedByAnother} says the same across namespaces.
   */
  public static final String CONFLICTING_SCHEMA_VERSION = "ConflictingSchemaVersion";

  /** Stalled=True: the migrations ConfigMap does not exist. */
  public static final String CONFIG_MAP_NOT_FOUND = "ConfigMapNotFound";

  /**
   * Stalled=True: the Job's pod cannot start, e.g. its credentials Secret or key is missing, or a
   * volume (the CA certificates of spec.database.sslRootCert) cannot be mounted.
   */
  public static final String CONTAINER_CONFIG_ERROR = "ContainerConfigError";

  /** Stalled=True: the target is below the current version and downgrades are not allowed. */
  public static final String DOWNGRADE_NOT_ALLOWED = "DowngradeNotAllowed";

  /** Stalled=True: the migration Job failed without a result (deadline, killed, foreign image). */
  public static final String JOB_FAILED = "JobFailed";

  /** Stalled=True: the migration failed; the migrator's failure reason is used when known. */
  public static final String MIGRATION_FAILED = "MigrationFailed";

  /**
   * Event: the SchemaVersion is being deleted while its migration pod runs; the finalizer stays
   * until the pod ends (bounded by the Job's deadline), so that no statement is cut halfway.
   */
  public static final String DELETION_WAITS_FOR_MIGRATION = "DeletionWaitsForMigration";

  /**
   * Event: the migrator of a Job finished and its outcome is recorded, but another container of its
   * pod (a service mesh's sidecar) kept the pod running, so the operator deleted the Job.
   */
  public static final String JOB_ENDED = "JobEnded";

  /** Event: an unversioned schema was stamped with a version. */
  public static final String BASELINED_EVENT = "Baselined";

  /** Event: the operator removed its scheduling gate from a pod. */
  public static final String GATE_RELEASED = "GateReleased";

  /** Event: the operator added its scheduling gate to a Deployment's pod template. */
  public static final String GATE_ADDED = "GateAdded";

  /** Event: the operator created a migration Job. */
  public static final String MIGRATION_STARTED = "MigrationStarted";

  /**
   * Drifted=True: the latest verification found the live schema different from a replay of the
   * migration set at its version; the message counts the differences and names the first.
   */
  public static final String SCHEMA_DRIFTED = "SchemaDrifted";

  /** Drifted=False: the latest verification found the live schema equal to the replay. */
  public static final String SCHEMA_MATCHES = "SchemaMatches";

  /**
   * Drifted=Unknown: the latest verification could not compare (no shadow, another major version, a
   * replay that failed, a verify Job that failed or was refused); the message says why.
   */
  public static final String CANNOT_VERIFY = "CannotVerify";

  /** Event (Warning): the Drifted condition turned True; the message names the differences. */
  public static final String DRIFT_DETECTED = "DriftDetected";

  /** Event: the Drifted condition turned False, the live schema matches again. */
  public static final String DRIFT_RESOLVED = "DriftResolved";

  /** Event: the operator created a verify Job. */
  public static final String VERIFICATION_STARTED = "VerificationStarted";

  /**
   * Failure reasons that time may cure (the migrator's transient failures, and a Job that failed
   * without a result, e.g. its pods were killed or evicted): the operator retries them after a
   * back-off, up to its retry limit.
   */
  public static final Set<String> TRANSIENT =
      Stream.concat(
              Arrays.stream(FailureReason.values())
                  .filter(FailureReason::isTransient)
                  .map(FailureReason::name),
              Stream.of(JOB_FAILED, JOB_CREATE_FAILED))
          .collect(Collectors.toUnmodifiableSet());

  private Reasons() {}
}
