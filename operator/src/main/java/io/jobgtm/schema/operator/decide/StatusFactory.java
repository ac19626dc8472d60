package io.jobgtm.schema.operator.decide;

import io.jobgtm.schema.api.AppliedMigration;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.MigrationJobStatus;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Version;
import io.jobgtm.schema.operator.decide.MigrationPlan.State;
import io.jobgtm.schema.operator.observe.ObservedJob;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds a SchemaVersion's status from its previous status and a {@link MigrationPlan}: pure, and
 * deterministic, so that reconciling an unchanged resource yields an equal status and no write.
 * What a finished Job reported is recorded once; afterwards the status, not the Job, remembers it.
 */
public final class StatusFactory {

  /** How many applied migrations {@code status.appliedMigrations} keeps, most recent first. */
  public static final int APPLIED_HISTORY_LIMIT = 20;

  private StatusFactory() {}

  /**
   * The new status.
   *
   * @param running the Job that runs now, or null
   * @param report the reason and message a Job that finished is recorded with for the first time,
   *     or null; {@code status.lastJob} keeps them
   * @param desiredJob the name of the Job the current spec and attempt want
   * @param attempt the attempt of {@code desiredJob}
   * @param now the time of this reconciliation, used only for conditions that flip
   */
  static SchemaVersionStatus build(
      SchemaVersion resource,
      MigrationPlan plan,
      ObservedJob running,
      Decision.Event report,
      String desiredJob,
      int attempt,
      Instant now) {
    SchemaVersionStatus previous =
        resource.getStatus() == null ? new SchemaVersionStatus() : resource.getStatus();
    long generation =
        resource.getMetadata().getGeneration() == null ? 0 : resource.getMetadata().getGeneration();
    SchemaVersionStatus next = new SchemaVersionStatus();
    next.setObservedGeneration(generation);
    next.setCurrentVersion(previous.getCurrentVersion());
    next.setDatabaseState(previous.getDatabaseState());
    next.setServerVersion(previous.getServerVersion());
    next.setPendingVersions(new ArrayList<>(previous.getPendingVersions()));
    next.setPendingCount(previous.getPendingCount());
    next.setAppliedMigrations(new ArrayList<>(previous.getAppliedMigrations()));
    next.setAppliedRepeatables(previous.getAppliedRepeatables());
    next.setPendingRepeatables(previous.getPendingRepeatables());
    next.setLastJob(previous.getLastJob());
    next.setGatedPods(previous.getGatedPods());

    ObservedJob finished = plan.finished();
    if (finished != null && report != null) {
      // The Job's own reason, also when the conditions say more (RetryScheduled, RetriesExhausted).
      record(
          next,
          finished,
          report.reason(),
          report.message(),
          finished.name().equals(desiredJob) ? attempt : attemptOf(previous, finished));
    }
    if (plan.action() == MigrationPlan.Action.CREATE_JOB) {
      next.setLastJob(running(plan.jobName(), null, attempt));
    } else if (running != null) {
      next.setLastJob(
          running(
              running.name(),
              running.startedAt(),
              running.name().equals(desiredJob) ? attempt : attemptOf(previous, running)));
    }
    next.setDesiredVersion(desiredVersion(resource, next, plan));
    next.setConditions(conditions(previous, generation, plan, now));
    return next;
  }

  private static MigrationJobStatus running(String name, String startedAt, int attempt) {
    MigrationJobStatus job =
        new MigrationJobStatus(name, MigrationJobStatus.RUNNING, startedAt, null);
    job.setAttempt(attempt == 0 ? null : attempt);
    return job;
  }

  /** The attempt the status recorded for a Job of an earlier spec, when it recorded that Job. */
  private static int attemptOf(SchemaVersionStatus previous, ObservedJob job) {
    MigrationJobStatus last = previous.getLastJob();
    return last != null && job.name().equals(last.getName()) && last.getAttempt() != null
        ? last.getAttempt()
        : 0;
  }

  /** The outcome {@code status.lastJob.outcome} records for a finished Job. */
  static String outcomeOf(ObservedJob job) {
    if (job.result() != null && job.result().outcome() != null) {
      return job.result().outcome().name();
    }
    return job.phase() == ObservedJob.Phase.Succeeded ? "Succeeded" : "Failed";
  }

  /**
   * Whether a finished Job's outcome is not yet in the status: it is not the Job last recorded with
   * this outcome, and it finished after the Job last recorded.
   */
  public static boolean isNewer(ObservedJob finished, MigrationJobStatus recorded) {
    if (recorded == null) {
      return true;
    }
    if (finished.name().equals(recorded.getName())) {
      return !outcomeOf(finished).equals(recorded.getOutcome());
    }
    return recorded.getFinishedAt() == null
        || (finished.finishedAt() != null
            && finished.finishedAt().compareTo(recorded.getFinishedAt()) > 0);
  }

  private static void record(
      SchemaVersionStatus next, ObservedJob finished, String reason, String message, int attempt) {
    MigrationResult result = finished.result();
    MigrationJobStatus job =
        new MigrationJobStatus(
            finished.name(), outcomeOf(finished), finished.startedAt(), finished.finishedAt());
    job.setReason(reason);
    job.setMessage(message);
    job.setAttempt(attempt == 0 ? null : attempt);
    next.setLastJob(job);
    if (result == null) {
      return;
    }
    if (result.versionAfter() != null || result.succeeded()) {
      next.setCurrentVersion(result.versionAfter());
    }
    if (result.databaseState() != null) {
      next.setDatabaseState(result.databaseState());
    }
    // Null when the Job never reached the database: the version found before stays.
    if (result.serverVersion() != null) {
      next.setServerVersion(result.serverVersion());
    }
    next.setPendingVersions(new ArrayList<>(result.pending()));
    next.setPendingCount(result.pendingCount());
    recordRepeatables(next, result);
    List<AppliedMigration> applied = new ArrayList<>();
    for (int i = result.applied().size() - 1; i >= 0; i--) {
      io.jobgtm.schema.contract.AppliedMigration migration = result.applied().get(i);
      applied.add(
          new AppliedMigration(
              migration.version(),
              migration.description(),
              finished.finishedAt(),
              migration.durationMs()));
    }
    Set<String> undone = new HashSet<>();
    result.undone().forEach(migration -> undone.add(migration.version()));
    for (AppliedMigration earlier : next.getAppliedMigrations()) {
      if (!undone.contains(earlier.getVersion())) {
        applied.add(earlier);
      }
    }
    next.setAppliedMigrations(
        new ArrayList<>(applied.subList(0, Math.min(applied.size(), APPLIED_HISTORY_LIMIT))));
  }

  /**
   * The repeatable migrations as the result found them after the run: the whole state ({@code
   * currentRepeatables}), not only those the run applied ({@code appliedRepeatables}). A result
   * that never reached the database (no {@code databaseState}: a refused set, no connection) or
   * whose lists were cut to fit the termination message leaves the recorded ones as they were.
   */
  private static void recordRepeatables(SchemaVersionStatus next, MigrationResult result) {
    boolean cut =
        result.truncated()
            && result.currentRepeatables().isEmpty()
            && result.pendingRepeatables().isEmpty();
    if (result.databaseState() == null || cut) {
      return;
    }
    next.setAppliedRepeatables(
        result.currentRepeatables().isEmpty()
            ? null
            : new ArrayList<>(result.currentRepeatables()));
    next.setPendingRepeatables(
        result.pendingRepeatables().isEmpty()
            ? null
            : new ArrayList<>(result.pendingRepeatables()));
  }

  private static String desiredVersion(
      SchemaVersion resource, SchemaVersionStatus next, MigrationPlan plan) {
    String target = resource.getSpec().getTargetVersion();
    if (Version.isValid(target)) {
      return target;
    }
    if (plan.state() == State.READY) {
      return next.getCurrentVersion();
    }
    if (!next.getPendingVersions().isEmpty()) {
      return next.getPendingVersions().get(next.getPendingVersions().size() - 1);
    }
    return target;
  }

  private static List<io.fabric8.kubernetes.api.model.Condition> conditions(
      SchemaVersionStatus previous, long generation, MigrationPlan plan, Instant now) {
    Conditions conditions = Conditions.from(previous.getConditions(), generation, now);
    conditions.set(
        Conditions.READY,
        plan.state() == State.READY ? Conditions.TRUE : Conditions.FALSE,
        plan.reason(),
        plan.message());
    conditions.set(
        Conditions.RECONCILING,
        plan.state() == State.RECONCILING ? Conditions.TRUE : Conditions.FALSE,
        plan.reason(),
        plan.state() == State.RECONCILING ? plan.message() : "");
    conditions.set(
        Conditions.STALLED,
        plan.state() == State.STALLED ? Conditions.TRUE : Conditions.FALSE,
        plan.reason(),
        plan.state() == State.STALLED ? plan.message() : "");
    return conditions.toList();
  }
}
