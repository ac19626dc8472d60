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
    if (source instanceof MigrationSource.FromConfigMaps configMaps
        && configMaps.missing().isPresent()) {
      return new MigrationPlan(
          Action.NONE,
          State.STALLED,
          Reasons.CONFIG_MAP_NOT_FOUND,
          "ConfigMap "
              + configMaps.missing().get().name()
              + " (spec.migrations.configMapRefs) not found in namespace "
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
        && recorded.getOutcome() != null) {
      // The Job ran and is gone (its TTL): its outcome lives on in the recorded status.
      State state = recordedState(status);
      return new MigrationPlan(
          Action.NONE,
          state,
          recordedReason(status),
          recordedMessage(status),
          desiredJobName,
          null,
          state == State.STALLED);
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
    if (job.podsRefused() != null) {
      return new MigrationPlan(
          Action.NONE,
          State.STALLED,
          Reasons.POD_CREATION_REFUSED,
          "Kubernetes cannot create the pod of migration Job "
              + job.name()
              + ": "
              + job.podsRefused()
              + "; the Job controller keeps trying until spec.job.activeDeadlineSeconds",
          job.name(),
          null);
    }
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
    if (job.phase() == ObservedJob.Phase.Succeeded) {
      MigrationResult result = job.result();
      String outcome = result == null ? Reasons.MIGRATED : result.outcome().name();
      return new MigrationPlan(
          Action.NONE, State.READY, outcome, successMessage(job), job.name(), job);
    }
    return new MigrationPlan(
        Action.NONE, State.STALLED, failureReason(job), failureMessage(job), job.name(), job, true);
  }

  /**
   * Why a failed Job failed, one rule for the condition and the Event: {@value
   * Reasons#DEADLINE_EXCEEDED} when Kubernetes stopped it at its deadline (whatever an earlier pod
   * reported), else the migrator's failure reason, else {@value Reasons#JOB_FAILED}.
   */
  static String failureReason(ObservedJob job) {
    if (job.deadlineExceeded() && job.podsRefused() != null) {
      return Reasons.POD_CREATION_REFUSED;
    }
    if (job.deadlineExceeded()) {
      return Reasons.DEADLINE_EXCEEDED;
    }
    if (refused(job)) {
      return job.failureReason();
    }
    Failure failure = job.result() == null ? null : job.result().failure();
    if (failure != null) {
      return failure.reason() == null ? Reasons.MIGRATION_FAILED : failure.reason().name();
    }
    return Reasons.JOB_FAILED;
  }

  /** Whether the Job never existed: the API server refused to create it. */
  private static boolean refused(ObservedJob job) {
    return Reasons.JOB_REFUSED.equals(job.failureReason())
        || Reasons.JOB_CREATE_FAILED.equals(job.failureReason());
  }

  /** The message that goes with {@link #failureReason}. */
  static String failureMessage(ObservedJob job) {
    Failure failure = job.result() == null ? null : job.result().failure();
    String reported =
        failure == null
            ? ""
            : (failure.version() == null ? "" : " at version " + failure.version())
                + ": "
                + failure.message();
    if (job.deadlineExceeded() && job.podsRefused() != null) {
      return "Kubernetes never created the pod of migration Job "
          + job.name()
          + " before spec.job.activeDeadlineSeconds ended it, so nothing ran: "
          + job.podsRefused()
          + ". Lift the limit, then change the spec or set the annotation "
          + SchemaVersion.RETRY_ANNOTATION
          + " to a new value";
    }
    if (job.deadlineExceeded()) {
      return "migration Job "
          + job.name()
          + " ran longer than spec.job.activeDeadlineSeconds and Kubernetes stopped it; a"
          + " statement may have been cut halfway. Raise the deadline or remove the cause, then"
          + " change the spec or set the annotation "
          + SchemaVersion.RETRY_ANNOTATION
          + " to a new value"
          + (failure == null
              ? ""
              : ". An earlier attempt failed with " + failure.reason() + reported);
    }
    if (refused(job)) {
      return "the API server refused to create migration Job "
          + job.name()
          + ": "
          + job.failure()
          + (Reasons.JOB_REFUSED.equals(job.failureReason())
              ? "; change what it names, then change the spec or set the annotation "
                  + SchemaVersion.RETRY_ANNOTATION
                  + " to a new value"
              : "");
    }
    if (failure != null) {
      return "migration Job " + job.name() + " failed" + reported;
    }
    return "migration Job " + job.name() + " failed without a result: " + job.failure();
  }

  private static String successMessage(ObservedJob job) {
    MigrationResult result = job.result();
    if (result == null) {
      return "migration Job " + job.name() + " succeeded";
    }
    String version = result.versionAfter() == null ? "none" : result.versionAfter();
    return switch (result.outcome()) {
      case UpToDate -> "the database is at version " + version;
      case Baselined ->
          "baselined at version "
              + result.baselineVersion()
              + " (schema unchanged"
              + (result.previousTool() == null ? "" : "; previous tool: " + result.previousTool())
              + ")";
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
                  : ", baselined at "
                      + result.baselineVersion()
                      + (result.previousTool() == null
                          ? ""
                          : "; previous tool: " + result.previousTool()))
              + ")";
    };
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
