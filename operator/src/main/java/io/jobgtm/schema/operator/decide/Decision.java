package io.jobgtm.schema.operator.decide;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.jobgtm.schema.api.SchemaVersionStatus;
import java.time.Duration;
import java.util.List;

/**
 * What one reconciliation of a SchemaVersion does, decided by {@link Decide}: data only. The
 * reconciler carries it out and decides nothing itself.
 *
 * @param createJob the migration Job to create, or null
 * @param status the status to write (written only when it differs from the current one)
 * @param events the Events to record now
 * @param releases the pods whose gate to remove, each with the Event to record once it is removed
 * @param injections the Deployments whose pod template gets the gate, each with its Event
 * @param ends the Jobs to end (delete with their pods): their migrator finished and its outcome is
 *     recorded, but a sidecar keeps their pod running
 * @param finished the Job whose outcome this reconciliation records for the first time, for the
 *     metrics, or null
 * @param requeueAfter when to decide again although nothing changes (a scheduled retry), or null
 * @param reason the reason of the condition that is True, for the log
 * @param message the message of that condition, for the log
 * @param verifyJob the verify Job to create, or null; never together with {@code createJob}
 */
public record Decision(
    JobToCreate createJob,
    SchemaVersionStatus status,
    List<Event> events,
    List<Release> releases,
    List<Injection> injections,
    List<JobToEnd> ends,
    FinishedJob finished,
    Duration requeueAfter,
    String reason,
    String message,
    JobToCreate verifyJob) {

  /** A decision that starts no verify Job. */
  public Decision(
      JobToCreate createJob,
      SchemaVersionStatus status,
      List<Event> events,
      List<Release> releases,
      List<Injection> injections,
      List<JobToEnd> ends,
      FinishedJob finished,
      Duration requeueAfter,
      String reason,
      String message) {
    this(
        createJob,
        status,
        events,
        releases,
        injections,
        ends,
        finished,
        requeueAfter,
        reason,
        message,
        null);
  }

  public Decision {
    events = List.copyOf(events);
    releases = List.copyOf(releases);
    injections = List.copyOf(injections);
    ends = List.copyOf(ends);
  }

  /** A Job to delete, and the Event to record once it is deleted (null: none). */
  public record JobToEnd(String name, Event ended) {}

  /** A Job to create: its name and the spec hash it carries; its Event once it is created. */
  public record JobToCreate(String name, String specHash, Event created) {}

  /**
   * An Event about the SchemaVersion.
   *
   * @param type Normal or Warning
   * @param subject the object the Event is about within the resource (a Job, a pod), which keeps
   *     Events of different subjects apart
   */
  public record Event(String type, String subject, String reason, String message) {

    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";
  }

  /** A pod to release, and the Event to record once its gate is gone. */
  public record Release(Pod pod, String gate, Event released) {}

  /** A Deployment whose pod template gets the gate, and the Event to record once it has it. */
  public record Injection(Deployment deployment, String gate, Event added) {}

  /**
   * A migration Job's outcome, recorded for the first time.
   *
   * @param failureReason null when the Job succeeded
   * @param duration how long the Job ran, or null when unknown
   */
  public record FinishedJob(String outcome, String failureReason, int applied, Duration duration) {}
}
