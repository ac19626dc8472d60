package io.jobgtm.schema.operator.decide;

import io.jobgtm.schema.operator.observe.ObservedJob;

/**
 * What the reconciler does next and how the resource stands, decided by {@link MigrationPlanner}.
 *
 * @param action what to do in the cluster
 * @param state the condition that is True: Ready, Reconciling or Stalled
 * @param reason the reason of that condition (and of Ready when it is False)
 * @param message the message for a person
 * @param jobName the Job this state is about (the one to create, the one running, or the last)
 * @param finished the most recent finished Job to record in status, or null
 * @param jobFailed whether the state is the failure of the Job {@code jobName} (observed, or
 *     recorded in status), which the operator may retry; false for stalls of its own, such as a
 *     missing ConfigMap
 */
public record MigrationPlan(
    Action action,
    State state,
    String reason,
    String message,
    String jobName,
    ObservedJob finished,
    boolean jobFailed) {

  /** A plan that is not about a failed Job. */
  public MigrationPlan(
      Action action,
      State state,
      String reason,
      String message,
      String jobName,
      ObservedJob finished) {
    this(action, state, reason, message, jobName, finished, false);
  }

  /** What to do in the cluster. */
  public enum Action {
    /** Create the migration Job for the current spec. */
    CREATE_JOB,
    /** Nothing: a Job runs, or the resource is Ready or Stalled. */
    NONE
  }

  /** Which of the three kstatus conditions is True. */
  public enum State {
    READY,
    RECONCILING,
    STALLED
  }
}
