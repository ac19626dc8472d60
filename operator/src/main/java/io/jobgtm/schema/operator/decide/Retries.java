package io.jobgtm.schema.operator.decide;

import io.jobgtm.schema.api.MigrationJobStatus;
import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.api.RetryStatus;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.operator.decide.Decision.Event;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * The one rule for the operator's retries ({@link RetryPolicy}), applied to the plan for the
 * current spec and attempt. Pure.
 *
 * <ul>
 *   <li>A Job of the current spec failed with a transient reason ({@link Reasons#TRANSIENT}): retry
 *       {@code n} is scheduled {@link RetryPolicy#delay} after it finished, and the resource is
 *       Reconciling ({@value Reasons#RETRY_SCHEDULED}) until then; then the next attempt's Job
 *       starts. After the limit it is Stalled ({@value Reasons#RETRIES_EXHAUSTED}).
 *   <li>A new value of the {@value SchemaVersion#RETRY_ANNOTATION} annotation while a Job of the
 *       current spec has failed (transient or not) starts the next attempt now, and the count
 *       again. Set while nothing failed, it is only recorded.
 *   <li>A success, or a changed spec or migration set (a new Job identity), starts the count again.
 * </ul>
 */
final class Retries {

  private Retries() {}

  /** What the rule decided; {@code plan} replaces the planner's when it differs. */
  record Step(
      MigrationPlan plan, int attempt, RetryStatus status, Duration requeueAfter, Event event) {}

  /**
   * Applies the rule.
   *
   * @param plan the planner's plan for {@code desiredJob}
   * @param specHash the hash of the current spec ({@link JobIdentity#specHash})
   * @param desiredJob the Job of the current spec and {@code attempt}
   * @param newlyFailed whether {@code plan} records the failure of {@code desiredJob} for the first
   *     time
   * @param failedAt when that Job finished (RFC 3339), or null
   */
  static Step apply(
      SchemaVersion resource,
      MigrationPlan plan,
      String specHash,
      String desiredJob,
      int attempt,
      boolean newlyFailed,
      String failedAt,
      RetryPolicy policy,
      Instant now) {
    RetryStatus previous = resource.getStatus() == null ? null : resource.getStatus().getRetries();
    MigrationJobStatus lastJob =
        resource.getStatus() == null ? null : resource.getStatus().getLastJob();
    boolean sameSpec = lastJob != null && desiredJob.equals(lastJob.getName());
    // A removed annotation keeps the value last acted on: setting it again is no new request.
    String annotated = retryRequest(resource);
    String request =
        annotated != null ? annotated : previous == null ? null : previous.getRequest();
    int count =
        sameSpec && previous != null && previous.getCount() != null ? previous.getCount() : 0;
    String lastReason = sameSpec && previous != null ? previous.getLastReason() : null;
    Instant next =
        sameSpec && previous != null && previous.getNextAttemptAt() != null
            ? Instant.parse(previous.getNextAttemptAt())
            : null;

    boolean failed =
        plan.jobFailed()
            && plan.state() == MigrationPlan.State.STALLED
            && plan.jobName().equals(desiredJob);
    if (!failed) {
      // Nothing to retry: a Job runs (its count carries on), it succeeded, or the spec changed.
      boolean counting = sameSpec && plan.state() == MigrationPlan.State.RECONCILING;
      return new Step(
          plan,
          attempt,
          status(counting ? count : 0, null, counting ? lastReason : null, request),
          null,
          null);
    }
    boolean newRequest =
        request != null && !request.equals(previous == null ? null : previous.getRequest());
    if (newRequest) {
      return start(
          resource,
          plan,
          specHash,
          attempt,
          status(0, null, null, request),
          new Event(
              Event.NORMAL,
              // Each request starts a new Job: its name keeps the requests' Events apart.
              JobIdentity.name(resource.getMetadata().getName(), specHash, attempt + 1),
              Reasons.RETRY_REQUESTED,
              "annotation "
                  + SchemaVersion.RETRY_ANNOTATION
                  + " asked for a retry: the spec runs again"),
          "retry requested");
    }
    if (!Reasons.TRANSIENT.contains(plan.reason())) {
      return new Step(plan, attempt, status(count, null, lastReason, request), null, null);
    }

    Event event = null;
    if (newlyFailed || (next == null && count < policy.limit())) {
      // A new failure; or one recorded before the operator kept retries, scheduled now.
      count++;
      lastReason = plan.reason();
      next =
          count > policy.limit() || failedAt == null
              ? null
              : Instant.parse(failedAt).plus(policy.delay(count, resource.getMetadata().getUid()));
      if (count > policy.limit()) {
        count = policy.limit();
      } else if (next == null) {
        next = now.truncatedTo(ChronoUnit.SECONDS);
      }
      event = newlyFailed ? retryEvent(resource, plan, count, next, policy) : null;
    }
    if (next == null) {
      String message =
          plan.message()
              + (policy.limit() == 0
                  ? "; the operator's retries are off (limit 0)."
                  : "; the operator gave up after " + policy.limit() + " retries.")
              + " Remove the cause, then set the annotation "
              + SchemaVersion.RETRY_ANNOTATION
              + " to a new value, or change the spec";
      return new Step(
          new MigrationPlan(
              MigrationPlan.Action.NONE,
              MigrationPlan.State.STALLED,
              Reasons.RETRIES_EXHAUSTED,
              message,
              plan.jobName(),
              plan.finished(),
              true),
          attempt,
          status(count, null, lastReason, request),
          null,
          event);
    }
    if (!now.isBefore(next)) {
      Step started =
          start(
              resource,
              plan,
              specHash,
              attempt,
              status(count, null, lastReason, request),
              null,
              "retry " + count + " of " + policy.limit() + " after " + lastReason);
      return new Step(started.plan(), started.attempt(), started.status(), null, event);
    }
    return new Step(
        new MigrationPlan(
            MigrationPlan.Action.NONE,
            MigrationPlan.State.RECONCILING,
            Reasons.RETRY_SCHEDULED,
            plan.message() + "; retry " + count + " of " + policy.limit() + " at " + next,
            plan.jobName(),
            plan.finished(),
            true),
        attempt,
        status(count, next.toString(), lastReason, request),
        Duration.between(now, next),
        event);
  }

  /** The value of the retry annotation, or null. */
  static String retryRequest(SchemaVersion resource) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(SchemaVersion.RETRY_ANNOTATION);
  }

  /** Starts the next attempt: the same spec under the next Job name. */
  static Step start(
      SchemaVersion resource,
      MigrationPlan plan,
      String specHash,
      int attempt,
      RetryStatus status,
      Event event,
      String why) {
    String job = JobIdentity.name(resource.getMetadata().getName(), specHash, attempt + 1);
    return new Step(
        new MigrationPlan(
            MigrationPlan.Action.CREATE_JOB,
            MigrationPlan.State.RECONCILING,
            Reasons.MIGRATION_RUNNING,
            "migration Job "
                + job
                + " started for target "
                + resource.getSpec().getTargetVersion()
                + " ("
                + why
                + ")",
            job,
            plan.finished()),
        attempt + 1,
        status,
        null,
        event);
  }

  private static Event retryEvent(
      SchemaVersion resource, MigrationPlan plan, int count, Instant next, RetryPolicy policy) {
    return next == null
        ? new Event(
            Event.WARNING,
            plan.jobName(),
            Reasons.RETRIES_EXHAUSTED,
            "gave up after " + policy.limit() + " retries; last failure " + plan.reason())
        : new Event(
            Event.NORMAL,
            // The failed Job's name keeps each retry's Event apart.
            plan.jobName(),
            Reasons.RETRY_SCHEDULED,
            "retry " + count + " of " + policy.limit() + " after " + plan.reason() + " at " + next);
  }

  private static RetryStatus status(int count, String next, String lastReason, String request) {
    if (count == 0 && next == null && lastReason == null && request == null) {
      return null;
    }
    return new RetryStatus(count == 0 ? null : count, next, lastReason, request);
  }
}
