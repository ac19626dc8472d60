package io.jobgtm.schema.operator.decide;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.MigrationJobStatus;
import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.api.VerificationStatus;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.operator.decide.Decision.Event;
import io.jobgtm.schema.operator.decide.Decision.FinishedJob;
import io.jobgtm.schema.operator.observe.Observed;
import io.jobgtm.schema.operator.observe.ObservedJob;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one decision of a reconciliation: {@code decide(resource, observed, now)} returns what to do
 * ({@link Decision}): the Job to create, the status, the Events, the gates to release or add. A
 * pure function: no client, no framework, no clock of its own.
 */
public final class Decide {

  private Decide() {}

  /**
   * Decides the next step for a SchemaVersion.
   *
   * @param resource the SchemaVersion, with the status written last
   * @param observed what the informer caches hold for it
   * @param retries how the operator retries transient failures
   * @param now the time of this reconciliation, used for conditions that flip and retries that are
   *     due
   */
  public static Decision decide(
      SchemaVersion resource, Observed observed, RetryPolicy retries, Instant now) {
    String specHash = JobIdentity.specHash(resource, observed.source(), observed.image());
    // First the plan for the attempt the status records; the retry rule may move to the next.
    int recordedAttempt = JobIdentity.attempt(resource, specHash);
    String recordedJob =
        JobIdentity.name(resource.getMetadata().getName(), specHash, recordedAttempt);
    MigrationPlan planned =
        MigrationPlanner.plan(resource, observed.source(), recordedJob, observed.jobs());
    ObservedJob running =
        observed.jobs().stream().filter(job -> !job.finished()).findFirst().orElse(null);

    MigrationJobStatus before =
        resource.getStatus() == null ? null : resource.getStatus().getLastJob();
    ObservedJob finished = planned.finished();
    boolean newlyFinished = finished != null && StatusFactory.isNewer(finished, before);
    Event report = newlyFinished ? report(planned, finished) : null;
    Optional<Verifications.Found> verified =
        Verifications.latest(
            resource, newlyFinished ? finished : null, running, observed.verifyJobs());

    Retries.Step retry =
        Retries.apply(
            resource,
            planned,
            specHash,
            recordedJob,
            recordedAttempt,
            newlyFinished && finished.name().equals(recordedJob),
            finished != null
                ? finished.finishedAt()
                : before == null ? null : before.getFinishedAt(),
            retries,
            now);
    MigrationPlan plan = retry.plan();
    int attempt = retry.attempt();
    Duration requeueAfter = retry.requeueAfter();
    if (running == null
        && plan.state() == MigrationPlan.State.STALLED
        && plan.jobFailed()
        && Reasons.SCHEMA_DRIFTED.equals(plan.reason())
        && Verifications.driftFixedSince(resource, verified)) {
      // No retry request needed: the verification that refused the migration is outdated.
      Retries.Step again =
          Retries.start(
              resource,
              plan,
              specHash,
              attempt,
              retry.status(),
              null,
              "the drift that refused the last attempt is gone");
      plan = again.plan();
      attempt = again.attempt();
    }
    Optional<SchemaVersion> older = Conflicts.olderOnTheSameSchema(resource, observed.neighbours());
    if (older.isPresent() && running == null) {
      plan = conflict(resource, older.get(), plan);
      attempt = recordedAttempt;
      // Nothing watches the other resource for this one: look again after a while.
      requeueAfter = CONFLICT_RECHECK;
    }
    String desiredJob = JobIdentity.name(resource.getMetadata().getName(), specHash, attempt);

    SchemaVersionStatus status =
        StatusFactory.build(resource, plan, running, report, desiredJob, attempt, now);
    status.setRetries(retry.status());
    List<Event> driftEvents =
        Verifications.record(resource, status, verified, newlyFinished ? finished : null, now);
    List<Event> events = new ArrayList<>();
    FinishedJob finishedJob = null;
    if (report != null) {
      events.add(report);
      MigrationResult result = finished.result();
      boolean succeeded = finished.phase() == ObservedJob.Phase.Succeeded;
      if (succeeded && result != null && result.baselineVersion() != null) {
        events.add(
            new Event(
                Event.NORMAL,
                finished.name(),
                Reasons.BASELINED_EVENT,
                "the unversioned schema was stamped with version " + result.baselineVersion()));
      }
      finishedJob =
          new FinishedJob(
              StatusFactory.outcomeOf(finished),
              succeeded ? null : report.reason(),
              result == null ? 0 : result.appliedCount(),
              duration(finished));
    }

    if (retry.event() != null) {
      events.add(retry.event());
    }
    events.addAll(driftEvents);

    Decision.JobToCreate create = null;
    if (plan.action() == MigrationPlan.Action.CREATE_JOB) {
      create =
          new Decision.JobToCreate(
              desiredJob,
              specHash,
              new Event(Event.NORMAL, desiredJob, Reasons.MIGRATION_STARTED, plan.message()));
    }

    Verifications.Schedule verify =
        Verifications.schedule(
            resource, status, plan, running, create != null, observed.verifyJobs(), specHash, now);
    if (verify.dueIn() != null
        && (requeueAfter == null || verify.dueIn().compareTo(requeueAfter) < 0)) {
      requeueAfter = verify.dueIn();
    }

    String gate = Gates.gateName(resource.getMetadata().getName());
    boolean ready = plan.state() == MigrationPlan.State.READY;
    List<Decision.Release> releases = new ArrayList<>();
    int waiting = 0;
    for (Pod pod : observed.gatedPods()) {
      if (!Gates.hasGate(pod, gate)) {
        continue;
      }
      Optional<String> why = Gates.stillWaiting(pod, status.getCurrentVersion(), ready);
      if (why.isPresent()) {
        waiting++;
        continue;
      }
      releases.add(
          release(
              pod,
              gate,
              "the database is at version " + status.getCurrentVersion() + minVersionNote(pod)));
    }
    status.setGatedPods(waiting);

    List<Decision.Injection> injections = new ArrayList<>();
    for (Deployment deployment : observed.gatedDeployments()) {
      if (Gates.hasGate(deployment.getSpec().getTemplate().getSpec(), gate)) {
        continue;
      }
      injections.add(
          new Decision.Injection(
              deployment,
              gate,
              new Event(
                  Event.NORMAL,
                  deployment.getMetadata().getName(),
                  Reasons.GATE_ADDED,
                  "added scheduling gate "
                      + gate
                      + " to Deployment "
                      + deployment.getMetadata().getName()
                      + "; its pods now wait for the schema")));
    }

    List<Decision.JobToEnd> ends = new ArrayList<>(Verifications.superseded(observed.verifyJobs()));
    for (ObservedJob job : observed.jobs()) {
      if (!job.lingering()) {
        continue;
      }
      if (before != null
          && job.name().equals(before.getName())
          && !MigrationJobStatus.RUNNING.equals(before.getOutcome())) {
        ends.add(
            new Decision.JobToEnd(
                job.name(),
                new Event(
                    Event.NORMAL,
                    job.name(),
                    Reasons.JOB_ENDED,
                    "the migrator of Job "
                        + job.name()
                        + " finished and its outcome is recorded; ended the Job, whose pod another"
                        + " container (a sidecar) kept running")));
      } else if (requeueAfter == null || requeueAfter.compareTo(LINGERING_RECHECK) > 0) {
        // Recorded by this decision: ended by the next, once the status is written.
        requeueAfter = LINGERING_RECHECK;
      }
    }
    return new Decision(
        create,
        status,
        events,
        releases,
        injections,
        ends,
        finishedJob,
        requeueAfter,
        plan.reason(),
        plan.message(),
        verify.job());
  }

  /** When to end a lingering Job whose outcome this decision records (the status first). */
  static final Duration LINGERING_RECHECK = Duration.ofSeconds(1);

  /** How often a resource Stalled by a refused gate tries the gate again. */
  static final Duration GATE_RECHECK = Duration.ofSeconds(30);

  /** How often a resource Stalled by {@link Conflicts} looks whether the other one is gone. */
  static final Duration CONFLICT_RECHECK = Duration.ofMinutes(1);

  private static MigrationPlan conflict(
      SchemaVersion resource, SchemaVersion older, MigrationPlan plan) {
    return new MigrationPlan(
        MigrationPlan.Action.NONE,
        MigrationPlan.State.STALLED,
        Reasons.CONFLICTING_SCHEMA_VERSION,
        "SchemaVersion "
            + older.getMetadata().getName()
            + " (older) already migrates database "
            + resource.getSpec().getDatabase().getName()
            + ", schema "
            + resource.getSpec().getDatabase().getSchema()
            + " on "
            + resource.getSpec().getDatabase().getHost()
            + ":"
            + resource.getSpec().getDatabase().getPort()
            + "; two resources must not migrate one schema. Delete one, or point this one"
            + " elsewhere",
        plan.jobName(),
        plan.finished());
  }

  /**
   * The decision after the API server refused an action of {@link #decide}'s: a refused Job is
   * recorded as a Job that failed at once ({@code JobRefused}, or the transient {@code
   * JobCreateFailed} that is retried after a back-off); a refused gate leaves the resource Stalled
   * ({@code GateInjectionRefused}) naming the Deployment. The reconciler writes the status and
   * records the Events, and acts on nothing else of this decision.
   */
  public static Decision refused(
      SchemaVersion resource,
      Observed observed,
      Refusal refusal,
      RetryPolicy retries,
      Instant now) {
    String at = now.truncatedTo(ChronoUnit.SECONDS).toString();
    if (refusal.action() == Refusal.Action.CREATE_VERIFY_JOB) {
      return verifyJobRefused(resource, observed, refusal, retries, now);
    }
    if (refusal.action() == Refusal.Action.CREATE_JOB) {
      // First the decision that asked for the Job (its status names the Job and its attempt),
      // then that Job as failed at once.
      Decision intended = decide(resource, observed, retries, now);
      SchemaVersion asked = Serialization.clone(resource);
      asked.setStatus(intended.status());
      List<ObservedJob> jobs = new ArrayList<>(observed.jobs());
      jobs.add(
          ObservedJob.refused(
              refusal.target(),
              refusal.isTransient() ? Reasons.JOB_CREATE_FAILED : Reasons.JOB_REFUSED,
              refusal.message(),
              at));
      Decision refused = decide(asked, observed.withJobs(jobs), retries, now);
      List<Event> events = new ArrayList<>(intended.events());
      events.addAll(refused.events());
      return new Decision(
          null,
          refused.status(),
          events,
          List.of(),
          List.of(),
          List.of(),
          refused.finished(),
          // A retry already due is created by the next reconciliation, which nothing else starts.
          refused.createJob() != null ? Duration.ofSeconds(1) : refused.requeueAfter(),
          refused.reason(),
          refused.message());
    }
    if (refusal.isTransient()) {
      // The Deployment changed under the patch, or the server was busy: try again shortly, and
      // report nothing yet.
      return new Decision(
          null,
          resource.getStatus(),
          List.of(),
          List.of(),
          List.of(),
          List.of(),
          null,
          retries.initialDelay(),
          Reasons.GATE_INJECTION_REFUSED,
          refusal.message());
    }
    Decision decision = decide(resource, observed, retries, now);
    String message =
        "the API server refused to add scheduling gate "
            + Gates.gateName(resource.getMetadata().getName())
            + " to Deployment "
            + refusal.target()
            + ", so its pods are not held back for the schema: "
            + refusal.message();
    SchemaVersionStatus status = decision.status();
    // From the conditions written last, so that an unchanged refusal writes nothing.
    status.setConditions(
        Conditions.from(
                resource.getStatus() == null ? null : resource.getStatus().getConditions(),
                resource.getMetadata().getGeneration() == null
                    ? 0
                    : resource.getMetadata().getGeneration(),
                now)
            .set(Conditions.READY, Conditions.FALSE, Reasons.GATE_INJECTION_REFUSED, message)
            .set(Conditions.RECONCILING, Conditions.FALSE, Reasons.GATE_INJECTION_REFUSED, "")
            .set(Conditions.STALLED, Conditions.TRUE, Reasons.GATE_INJECTION_REFUSED, message)
            .toList());
    // The reconciliation acted on the rest of the decision and recorded its Events and metrics;
    // the policy may go without anything the operator watches changing: look again.
    Duration requeueAfter =
        decision.requeueAfter() != null && decision.requeueAfter().compareTo(GATE_RECHECK) < 0
            ? decision.requeueAfter()
            : GATE_RECHECK;
    return new Decision(
        null,
        status,
        List.of(
            new Event(Event.WARNING, refusal.target(), Reasons.GATE_INJECTION_REFUSED, message)),
        List.of(),
        List.of(),
        List.of(),
        null,
        requeueAfter,
        Reasons.GATE_INJECTION_REFUSED,
        message);
  }

  /**
   * A verify Job the API server refused: Drifted Unknown ({@code CannotVerify}) with the API
   * server's message, and the refusal counts as the verification, so the next verify Job is asked
   * for {@code spec.verify.interval} later. The rest of the decision was carried out already.
   */
  private static Decision verifyJobRefused(
      SchemaVersion resource,
      Observed observed,
      Refusal refusal,
      RetryPolicy retries,
      Instant now) {
    Decision decision = decide(resource, observed, retries, now);
    SchemaVersionStatus status = decision.status();
    VerificationStatus verification =
        status.getVerification() == null ? new VerificationStatus() : status.getVerification();
    verification.setLastVerifiedAt(now.truncatedTo(ChronoUnit.SECONDS).toString());
    verification.setLastJob(refusal.target());
    status.setVerification(verification);
    String message =
        "the API server refused to create verify Job "
            + refusal.target()
            + ", so the schema was not verified: "
            + refusal.message();
    status.setConditions(
        Conditions.from(
                status.getConditions(),
                resource.getMetadata().getGeneration() == null
                    ? 0
                    : resource.getMetadata().getGeneration(),
                now)
            .set(Conditions.DRIFTED, Conditions.UNKNOWN, Reasons.CANNOT_VERIFY, message)
            .toList());
    Duration interval = resource.getSpec().getVerify().intervalDuration();
    return new Decision(
        null,
        status,
        List.of(new Event(Event.WARNING, refusal.target(), Reasons.CANNOT_VERIFY, message)),
        List.of(),
        List.of(),
        List.of(),
        null,
        interval,
        Reasons.CANNOT_VERIFY,
        message);
  }

  /**
   * What the SchemaVersion's deletion does: release every pod that waits for it, whatever its
   * state, and take its gate out of the Deployments it added it to.
   */
  public static List<Decision.Release> onDeletion(SchemaVersion resource, List<Pod> gatedPods) {
    String gate = Gates.gateName(resource.getMetadata().getName());
    return gatedPods.stream()
        .filter(pod -> Gates.hasGate(pod, gate))
        .map(pod -> release(pod, gate, "the SchemaVersion is being deleted"))
        .toList();
  }

  /**
   * Whether the deletion of a SchemaVersion must wait: one of its migration pods has a migrator
   * that runs (a container started and not terminated). A pod that is pending or between attempts
   * has changed nothing yet and does not hold the deletion.
   *
   * @return the Event that says the deletion waits, naming the pod, when it must
   */
  public static Optional<Event> deletionWaitsFor(SchemaVersion resource, List<Pod> migrationPods) {
    return migrationPods.stream()
        .filter(ObservedJob::migratorRuns)
        .findFirst()
        .map(
            pod ->
                new Event(
                    Event.NORMAL,
                    pod.getMetadata().getName(),
                    Reasons.DELETION_WAITS_FOR_MIGRATION,
                    "the SchemaVersion is being deleted; it goes once migration pod "
                        + pod.getMetadata().getName()
                        + " ends, so that no statement is cut halfway (its gates are released"
                        + " already)"));
  }

  private static Decision.Release release(Pod pod, String gate, String why) {
    String name = pod.getMetadata().getName();
    return new Decision.Release(
        pod,
        gate,
        new Event(Event.NORMAL, name, Reasons.GATE_RELEASED, "released pod " + name + ": " + why));
  }

  /** The Event that reports a finished Job, the first time its outcome is recorded. */
  private static Event report(MigrationPlan plan, ObservedJob finished) {
    if (finished.phase() != ObservedJob.Phase.Succeeded) {
      return new Event(
          Event.WARNING,
          finished.name(),
          MigrationPlanner.failureReason(finished),
          MigrationPlanner.failureMessage(finished));
    }
    String message =
        plan.state() == MigrationPlan.State.READY && plan.jobName().equals(finished.name())
            ? plan.message()
            : "migration Job "
                + finished.name()
                + " finished: "
                + StatusFactory.outcomeOf(finished);
    return new Event(Event.NORMAL, finished.name(), StatusFactory.outcomeOf(finished), message);
  }

  private static Duration duration(ObservedJob job) {
    if (job.startedAt() == null || job.finishedAt() == null) {
      return null;
    }
    return Duration.between(Instant.parse(job.startedAt()), Instant.parse(job.finishedAt()));
  }

  private static String minVersionNote(Pod pod) {
    String minVersion =
        pod.getMetadata().getAnnotations() == null
            ? null
            : pod.getMetadata().getAnnotations().get(Gates.MIN_VERSION);
    return minVersion == null
        ? " and the SchemaVersion is Ready"
        : ", which satisfies min-version " + minVersion;
  }
}
