package io.jobgtm.schema.operator.decide;

import io.fabric8.kubernetes.api.model.Condition;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.MigrationJobStatus;
import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.api.VerificationStatus;
import io.jobgtm.schema.api.VerifySpec;
import io.jobgtm.schema.contract.Drift;
import io.jobgtm.schema.contract.Failure;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.SchemaVerification;
import io.jobgtm.schema.operator.decide.Decision.Event;
import io.jobgtm.schema.operator.observe.ObservedJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one rule for drift: which verification the status records (the newest of a migration Job's
 * and a verify Job's), the {@code Drifted} condition and its Events, and when the next verify Job
 * starts. Pure.
 *
 * <ul>
 *   <li>Every result document with a verification counts, a migration Job's or a verify Job's; a
 *       failed verify Job counts as {@code Unknown}. A verify Job that started before the last
 *       migration finished, or whose result comes while a migration runs, is left out: it may have
 *       compared a schema halfway through.
 *   <li>A verify Job starts {@code spec.verify.interval} after the last verification (at once when
 *       there was none, or when the {@value SchemaVersion#VERIFY_ANNOTATION} annotation has a value
 *       not acted on yet, with or without an interval), while no migration Job runs or is to be
 *       created and the resource is Ready or Stalled by {@code SchemaDrifted} (where its finding
 *       may lift the refusal). Its name is {@code <name>-verify-<n>}, n the Unix time of the last
 *       verification or migration, so that deciding twice before the Job is seen names the same
 *       Job.
 *   <li>A verify Job's result changes the drift findings only: never versions, gates, retries or
 *       {@code status.lastJob}.
 * </ul>
 */
final class Verifications {

  /** How many difference lines the condition and the Event name. */
  static final int LINES_SHOWN = 5;

  private Verifications() {}

  /**
   * A verification to record.
   *
   * @param job the Job that made it
   * @param at when that Job finished (RFC 3339)
   * @param verification the finding, or null when the verify Job failed
   * @param cannotVerify why there is no finding (a failed verify Job), or null
   */
  record Found(
      String job,
      String at,
      SchemaVerification verification,
      String cannotVerify,
      String serverVersion) {

    Drift drift() {
      return verification == null || verification.drift() == null
          ? Drift.Unknown
          : verification.drift();
    }
  }

  /** The verify Job to create now, or how long until one is due; both null for neither. */
  record Schedule(Decision.JobToCreate job, Duration dueIn) {}

  /**
   * The newest verification not yet in the status.
   *
   * @param newlyFinished the migration Job whose outcome this decision records first, or null
   * @param running the migration Job that runs, or null
   */
  static Optional<Found> latest(
      SchemaVersion resource,
      ObservedJob newlyFinished,
      ObservedJob running,
      List<ObservedJob> verifyJobs) {
    SchemaVersionStatus previous = resource.getStatus();
    String lastVerifiedAt = lastVerifiedAt(previous);
    Found fromMigration = null;
    if (newlyFinished != null
        && newlyFinished.finishedAt() != null
        && newlyFinished.result() != null
        && newlyFinished.result().verification() != null) {
      fromMigration =
          new Found(
              newlyFinished.name(),
              newlyFinished.finishedAt(),
              newlyFinished.result().verification(),
              null,
              newlyFinished.result().serverVersion());
    }
    String migrationFinished =
        later(
            lastMigrationFinished(previous),
            newlyFinished == null ? null : newlyFinished.finishedAt());
    Found fromVerify =
        running != null
            ? null
            : verifyJobs.stream()
                .filter(ObservedJob::finished)
                .filter(job -> job.finishedAt() != null && job.startedAt() != null)
                .filter(
                    job -> lastVerifiedAt == null || job.finishedAt().compareTo(lastVerifiedAt) > 0)
                .filter(
                    job ->
                        migrationFinished == null
                            || job.startedAt().compareTo(migrationFinished) >= 0)
                .max(Comparator.comparing(ObservedJob::finishedAt))
                .map(Verifications::fromVerifyJob)
                .orElse(null);
    if (fromMigration == null) {
      return Optional.ofNullable(fromVerify);
    }
    if (fromVerify == null || fromVerify.at().compareTo(fromMigration.at()) <= 0) {
      return Optional.of(fromMigration);
    }
    return Optional.of(fromVerify);
  }

  private static Found fromVerifyJob(ObservedJob job) {
    MigrationResult result = job.result();
    if (job.phase() == ObservedJob.Phase.Succeeded
        && result != null
        && result.verification() != null) {
      return new Found(
          job.name(), job.finishedAt(), result.verification(), null, result.serverVersion());
    }
    Failure failure = result == null ? null : result.failure();
    String why =
        failure != null
            ? failure.reason() + ": " + failure.message()
            : job.phase() == ObservedJob.Phase.Succeeded
                ? "its result holds no verification"
                : job.deadlineExceeded()
                    ? "it ran longer than spec.job.activeDeadlineSeconds"
                    : "it failed without a result: " + job.failure();
    return new Found(
        job.name(),
        job.finishedAt(),
        null,
        "verify Job " + job.name() + " could not verify the schema: " + why,
        result == null ? null : result.serverVersion());
  }

  /**
   * Records {@code found} in {@code next} (the Drifted condition, the fingerprint, the server
   * version, {@code status.verification}) and returns the Events of a flip: DriftDetected when
   * Drifted turns True, DriftResolved when it turns False. Without {@code found}, the condition
   * written last stays, at the current generation.
   */
  static List<Event> record(
      SchemaVersion resource,
      SchemaVersionStatus next,
      Optional<Found> found,
      ObservedJob newlyFinished,
      Instant now) {
    SchemaVersionStatus previous =
        resource.getStatus() == null ? new SchemaVersionStatus() : resource.getStatus();
    long generation =
        resource.getMetadata().getGeneration() == null ? 0 : resource.getMetadata().getGeneration();
    next.setSchemaFingerprint(previous.getSchemaFingerprint());
    next.setServerVersion(previous.getServerVersion());
    next.setVerification(copy(previous.getVerification()));
    if (newlyFinished != null
        && newlyFinished.result() != null
        && newlyFinished.result().serverVersion() != null) {
      next.setServerVersion(newlyFinished.result().serverVersion());
    }
    Optional<Condition> before = Conditions.find(next.getConditions(), Conditions.DRIFTED);
    if (found.isEmpty()) {
      before.ifPresent(
          condition ->
              next.setConditions(
                  Conditions.from(next.getConditions(), generation, now)
                      .set(
                          Conditions.DRIFTED,
                          condition.getStatus(),
                          condition.getReason(),
                          condition.getMessage())
                      .toList()));
      return List.of();
    }
    Found finding = found.get();
    SchemaVerification verification = finding.verification();
    if (finding.serverVersion() != null) {
      next.setServerVersion(finding.serverVersion());
    }
    if (verification != null && verification.fingerprint() != null) {
      next.setSchemaFingerprint(verification.fingerprint());
    }
    VerificationStatus recorded =
        next.getVerification() == null ? new VerificationStatus() : next.getVerification();
    recorded.setLastVerifiedAt(finding.at());
    recorded.setVersion(verification == null ? null : verification.version());
    recorded.setDifferenceCount(
        verification == null || finding.drift() != Drift.Drifted
            ? null
            : verification.differenceCount());
    next.setVerification(recorded);

    String status;
    String reason;
    String message;
    switch (finding.drift()) {
      case Drifted -> {
        status = Conditions.TRUE;
        reason = Reasons.SCHEMA_DRIFTED;
        message = driftMessage(resource, verification);
      }
      case None -> {
        status = Conditions.FALSE;
        reason = Reasons.SCHEMA_MATCHES;
        message =
            "the live schema matches the migration set at version "
                + versionOf(verification)
                + " (verified by Job "
                + finding.job()
                + ")";
      }
      default -> {
        status = Conditions.UNKNOWN;
        reason = Reasons.CANNOT_VERIFY;
        message =
            finding.cannotVerify() != null
                ? finding.cannotVerify()
                : verification.reason() == null
                    ? "the schema could not be compared"
                    : verification.reason();
      }
    }
    next.setConditions(
        Conditions.from(next.getConditions(), generation, now)
            .set(Conditions.DRIFTED, status, reason, message)
            .toList());

    String was = before.map(Condition::getStatus).orElse(null);
    List<Event> events = new ArrayList<>();
    if (Conditions.TRUE.equals(status) && !Conditions.TRUE.equals(was)) {
      events.add(
          new Event(
              Event.WARNING,
              finding.job(),
              Reasons.DRIFT_DETECTED,
              "Job " + finding.job() + " found the live schema different: " + message));
    } else if (Conditions.FALSE.equals(status) && Conditions.TRUE.equals(was)) {
      events.add(
          new Event(
              Event.NORMAL,
              finding.job(),
              Reasons.DRIFT_RESOLVED,
              "Job "
                  + finding.job()
                  + " found the live schema equal to the migration set at version "
                  + versionOf(verification)
                  + " again"));
    }
    return events;
  }

  /** "N differences from the migration set at version V: first; second; ... (and k more)". */
  static String driftMessage(SchemaVersion resource, SchemaVerification verification) {
    int count = Math.max(verification.differenceCount(), verification.differences().size());
    List<String> shown =
        verification
            .differences()
            .subList(0, Math.min(LINES_SHOWN, verification.differences().size()));
    StringBuilder message =
        new StringBuilder()
            .append(count)
            .append(count == 1 ? " difference" : " differences")
            .append(" from the migration set at version ")
            .append(versionOf(verification))
            .append(": ")
            .append(String.join("; ", shown));
    if (count > shown.size()) {
      message.append(" (and ").append(count - shown.size()).append(" more)");
    }
    VerifySpec verify = resource.getSpec().getVerify();
    if (verify != null
        && verify.getAcceptedFingerprint() != null
        && verify.getAcceptedFingerprint().equals(verification.fingerprint())) {
      message.append("; accepted: the fingerprint is spec.verify.acceptedFingerprint");
    }
    return message.toString();
  }

  /**
   * Whether a migration refused for drift ({@code SchemaDrifted}) may run again: a verification
   * after that refusal found the schema matching, in this decision or recorded before.
   */
  static boolean driftFixedSince(SchemaVersion resource, Optional<Found> found) {
    SchemaVersionStatus previous = resource.getStatus();
    MigrationJobStatus lastJob = previous == null ? null : previous.getLastJob();
    if (lastJob == null
        || lastJob.getFinishedAt() == null
        || !Reasons.SCHEMA_DRIFTED.equals(lastJob.getReason())) {
      return false;
    }
    if (found.isPresent()) {
      return found.get().drift() == Drift.None
          && found.get().at().compareTo(lastJob.getFinishedAt()) > 0;
    }
    String lastVerifiedAt = lastVerifiedAt(previous);
    return lastVerifiedAt != null
        && lastVerifiedAt.compareTo(lastJob.getFinishedAt()) > 0
        && Conditions.find(previous.getConditions(), Conditions.DRIFTED)
            .map(condition -> Conditions.FALSE.equals(condition.getStatus()))
            .orElse(false);
  }

  /**
   * When the next verify Job starts.
   *
   * @param next the status this decision writes, with the verification recorded
   * @param plan the plan after retries
   * @param running the migration Job that runs, or null
   * @param migrationToCreate whether this decision creates a migration Job
   */
  static Schedule schedule(
      SchemaVersion resource,
      SchemaVersionStatus next,
      MigrationPlan plan,
      ObservedJob running,
      boolean migrationToCreate,
      List<ObservedJob> verifyJobs,
      String specHash,
      Instant now) {
    VerifySpec verify = resource.getSpec().getVerify();
    Duration interval = verify == null ? null : verify.intervalDuration();
    String request = verifyRequest(resource);
    boolean requested =
        request != null
            && !request.equals(
                next.getVerification() == null ? null : next.getVerification().getRequest());
    boolean settled =
        plan.state() == MigrationPlan.State.READY
            || (plan.state() == MigrationPlan.State.STALLED
                && Reasons.SCHEMA_DRIFTED.equals(plan.reason()));
    if ((interval == null && !requested)
        || running != null
        || migrationToCreate
        || !settled
        || verifyJobs.stream().anyMatch(job -> !job.finished())) {
      return new Schedule(null, null);
    }
    String last = lastVerifiedAt(next);
    Instant due = last == null || requested ? now : Instant.parse(last).plus(interval);
    if (now.isBefore(due)) {
      return new Schedule(null, Duration.between(now, due));
    }
    String anchor = later(last, lastMigrationFinished(next));
    String name =
        verifyJobName(
            resource.getMetadata().getName(),
            anchor == null ? 0 : Instant.parse(anchor).getEpochSecond());
    VerificationStatus recorded =
        next.getVerification() == null ? new VerificationStatus() : next.getVerification();
    recorded.setLastJob(name);
    if (requested) {
      recorded.setRequest(request);
    }
    next.setVerification(recorded);
    return new Schedule(
        new Decision.JobToCreate(
            name,
            specHash,
            new Event(
                Event.NORMAL,
                name,
                Reasons.VERIFICATION_STARTED,
                "verify Job "
                    + name
                    + " started: it compares the live schema, read-only, with the migration set"
                    + (last == null ? "" : "; the last verification was at " + last)
                    + (requested
                        ? " (requested by the annotation " + SchemaVersion.VERIFY_ANNOTATION + ")"
                        : " (spec.verify.interval " + verify.getInterval() + ")"))),
        null);
  }

  /** The value of the {@value SchemaVersion#VERIFY_ANNOTATION} annotation, or null. */
  static String verifyRequest(SchemaVersion resource) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(SchemaVersion.VERIFY_ANNOTATION);
  }

  /**
   * The finished verify Jobs to delete: all but the newest, once the newest is recorded or left
   * out; what Kubernetes' TTL would do later, so that one resource keeps at most one.
   */
  static List<Decision.JobToEnd> superseded(List<ObservedJob> verifyJobs) {
    List<ObservedJob> finished =
        verifyJobs.stream()
            .filter(job -> job.finished() && job.finishedAt() != null)
            .sorted(Comparator.comparing(ObservedJob::finishedAt).reversed())
            .toList();
    return finished.stream().skip(1).map(job -> new Decision.JobToEnd(job.name(), null)).toList();
  }

  /**
   * {@code <resource name>-verify-<n>}, the name cut so that the whole is at most 63 characters.
   */
  static String verifyJobName(String resourceName, long n) {
    String suffix = "-verify-" + n;
    int room = JobIdentity.MAX_NAME_LENGTH - suffix.length();
    String base = resourceName.length() > room ? resourceName.substring(0, room) : resourceName;
    return base.replaceAll("[.-]+$", "") + suffix;
  }

  private static String versionOf(SchemaVerification verification) {
    return verification == null || verification.version() == null ? "none" : verification.version();
  }

  private static String lastVerifiedAt(SchemaVersionStatus status) {
    return status == null || status.getVerification() == null
        ? null
        : status.getVerification().getLastVerifiedAt();
  }

  private static String lastMigrationFinished(SchemaVersionStatus status) {
    return status == null || status.getLastJob() == null
        ? null
        : status.getLastJob().getFinishedAt();
  }

  private static String later(String a, String b) {
    if (a == null) {
      return b;
    }
    return b == null || a.compareTo(b) >= 0 ? a : b;
  }

  private static VerificationStatus copy(VerificationStatus verification) {
    if (verification == null) {
      return null;
    }
    VerificationStatus copy = new VerificationStatus();
    copy.setLastVerifiedAt(verification.getLastVerifiedAt());
    copy.setVersion(verification.getVersion());
    copy.setDifferenceCount(verification.getDifferenceCount());
    copy.setLastJob(verification.getLastJob());
    copy.setRequest(verification.getRequest());
    return copy;
  }
}
