package io.jobgtm.schema.operator.decide;

import io.jobgtm.schema.api.MigrationJobStatus;
import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.contract.Failure;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Version;
import io.jobgtm.schema.operator.decide.MigrationPlan.Action;
import io.jobgtm.schema.operator.decide.MigrationPlan.State;
import io.jobgtm.schema.operator.observe.MigrationSource;
import io.jobgtm.schema.operator.observe.ObservedJob;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Decides the next step for a SchemaVersion from what was observed: a pure function, no client
 * calls. At most one migration Job runs per resource; a new Job is created only when none runs and
 * none was ever run for the current spec, so a finished Job is never repeated, whether it still
 * exists or its outcome is only recorded in status.
 */
public final class MigrationPlanner {

  private MigrationPlanner() {}

  /**
   * Plans the next step.
   *
   * @param resource the SchemaVersion, with the status written last
   * @param source its migration source as observed
   * @param desiredJobName the name of the Job for the current spec
   * @param jobs the migration Jobs this resource owns
   */
  public static MigrationPlan plan(
      SchemaVersion resource,
      MigrationSource source,
      String desiredJobName,
      List<ObservedJob> jobs) {
    SchemaVersionStatus status = resource.getStatus();
    ObservedJob lastFinished =
        jobs.stream()
            .filter(ObservedJob::finished)
            .max(Comparator.comparing(job -> String.valueOf(job.finishedAt())))
            .orElse(null);

    Optional<ObservedJob> running = jobs.stream().filter(job -> !job.finished()).findFirst();
    if (running.isPresent()) {
      return whileRunning(running.get(), desiredJobName);
    }

    if (source instanceof MigrationSource.FromConfigMap configMap && !configMap.exists()) {
      return new MigrationPlan(
          Action.NONE,
          State.STALLED,
          Reasons.CONFIG_MAP_NOT_FOUND,
          "ConfigMap "
              + configMap.name()
              + " (spec.migrations.configMapRef) not found in namespace "
              + resource.getMetadata().getNamespace(),
          desiredJobName,
          lastFinished);
    }

    String target = resource.getSpec().getTargetVersion();
    String current = status == null ? null : status.getCurrentVersion();
    boolean downgradeAllowed =
        resource.getSpec().getDowngrade() != null && resource.getSpec().getDowngrade().isAllowed();
    if (!downgradeAllowed
        && Version.isValid(target)
        && Version.isValid(current)
        && Version.parse(target).isBelow(Version.parse(current))) {
      return new MigrationPlan(
          Action.NONE,
          State.STALLED,
          Reasons.DOWNGRADE_NOT_ALLOWED,
          "the database is at version "
              + current
              + " and spec.targetVersion "
              + target
              + " is below it; set spec.downgrade.allowed to run the undo scripts",
          desiredJobName,
          lastFinished);
    }

    Optional<ObservedJob> desired =
        jobs.stream().filter(job -> job.name().equals(desiredJobName)).findFirst();
    if (desired.isPresent()) {
      return outcomeOf(desired.get());
    }
    MigrationJobStatus recorded = status == null ? null : status.getLastJob();
    if (recorded != null
        && desiredJobName.equals(recorded.getName())
        && !MigrationJobStatus.RUNNING.equals(recorded.getOutcome())
        && recorded.getOutcome() != null
        && !retriable(status)) {
      // The Job ran and is gone (its TTL): its outcome lives on in the recorded status.
      return new MigrationPlan(
          Action.NONE,
          recordedState(status),
          recordedReason(status),
          recordedMessage(status),
          desiredJobName,
          null);
    }
    return new MigrationPlan(
        Action.CREATE_JOB,
        State.RECONCILING,
        Reasons.MIGRATION_RUNNING,
        "migration Job " + desiredJobName + " started for target " + target,
        desiredJobName,
        lastFinished);
  }

  // While a Job runs nothing new is recorded: any earlier Job was recorded before it started.
  private static MigrationPlan whileRunning(ObservedJob job, String desiredJobName) {
    if (job.podProblem() != null) {
      return new MigrationPlan(
          Action.NONE,
          State.STALLED,
          Reasons.CONTAINER_CONFIG_ERROR,
          "the pod of migration Job " + job.name() + " cannot start: " + job.podProblem(),
          job.name(),
          null);
    }
    if (!job.name().equals(desiredJobName)) {
      return new MigrationPlan(
          Action.NONE,
          State.RECONCILING,
          Reasons.WAITING_FOR_PREVIOUS_JOB,
          "migration Job "
              + job.name()
              + " for an earlier spec still runs; the current spec runs when it ends",
          job.name(),
          null);
    }
    if (job.failedAttempts() > 0 && job.result() != null && job.result().failure() != null) {
      Failure failure = job.result().failure();
      return new MigrationPlan(
          Action.NONE,
          State.RECONCILING,
          Reasons.RETRYING,
          "attempt "
              + job.failedAttempts()
              + " of migration Job "
              + job.name()
              + " failed ("
              + failure.reason()
              + ": "
              + failure.message()
              + "); the Job retries",
          job.name(),
          null);
    }
    return new MigrationPlan(
        Action.NONE,
        State.RECONCILING,
        Reasons.MIGRATION_RUNNING,
        "migration Job " + job.name() + " is running",
        job.name(),
        null);
  }

  private static MigrationPlan outcomeOf(ObservedJob job) {
    MigrationResult result = job.result();
    if (job.phase() == ObservedJob.Phase.Succeeded) {
      String outcome = result == null ? Reasons.MIGRATED : result.outcome().name();
      return new MigrationPlan(
          Action.NONE, State.READY, outcome, successMessage(job), job.name(), job);
    }
    if (result != null && result.failure() != null) {
      Failure failure = result.failure();
      String reason = failure.reason() == null ? Reasons.MIGRATION_FAILED : failure.reason().name();
      String version = failure.version() == null ? "" : " at version " + failure.version();
      return new MigrationPlan(
          Action.NONE,
          State.STALLED,
          reason,
          "migration Job " + job.name() + " failed" + version + ": " + failure.message(),
          job.name(),
          job);
    }
    return new MigrationPlan(
        Action.NONE,
        State.STALLED,
        Reasons.JOB_FAILED,
        "migration Job " + job.name() + " failed without a result: " + job.failure(),
        job.name(),
        job);
  }

  private static String successMessage(ObservedJob job) {
    MigrationResult result = job.result();
    if (result == null) {
      return "migration Job " + job.name() + " succeeded";
    }
    String version = result.versionAfter() == null ? "none" : result.versionAfter();
    return switch (result.outcome()) {
      case UpToDate -> "the database is at version " + version;
      case Baselined -> "baselined at version " + result.baselineVersion();
      case Downgraded ->
          "downgraded to version " + version + " (" + result.undone().size() + " undone)";
      default ->
          "migrated to version "
              + version
              + " ("
              + result.appliedCount()
              + " applied"
              + (result.baselineVersion() == null
                  ? ""
                  : ", baselined at " + result.baselineVersion())
              + ")";
    };
  }

  /**
   * Whether the recorded outcome was a failure that may pass by itself (the database was
   * unreachable, a lock was held): once its Job is gone (deleted, or its TTL ran out) the Job runs
   * again. Permanent failures wait for a change to the spec or the migrations.
   */
  private static boolean retriable(SchemaVersionStatus status) {
    return recordedState(status) == State.STALLED
        && Reasons.TRANSIENT.contains(recordedReason(status));
  }

  /** The state the recorded outcome left: Stalled after a failure, else Ready. */
  private static State recordedState(SchemaVersionStatus status) {
    return "Failed".equals(status.getLastJob().getOutcome()) ? State.STALLED : State.READY;
  }

  /** The reason the outcome was recorded with; the outcome itself for older statuses. */
  private static String recordedReason(SchemaVersionStatus status) {
    String reason = status.getLastJob().getReason();
    return reason != null ? reason : status.getLastJob().getOutcome();
  }

  private static String recordedMessage(SchemaVersionStatus status) {
    String message = status.getLastJob().getMessage();
    return message != null ? message : "";
  }
}
