package io.jobgtm.schema.operator.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.operator.Fixtures;
import io.jobgtm.schema.operator.observe.MigrationSource;
import io.jobgtm.schema.operator.observe.Observed;
import io.jobgtm.schema.operator.observe.ObservedJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The operator's retries of failed Jobs, through {@link Decide#decide} as the reconciler uses it.
 */
class RetriesTest {

  private static final String IMAGE = "registry.test/schema-operator:1.0";
  private static final RetryPolicy POLICY =
      new RetryPolicy(Duration.ofSeconds(30), Duration.ofMinutes(10), 3);
  private static final String FINISHED = "2026-01-01T10:01:00Z";

  private final List<ObservedJob> jobs = new ArrayList<>();

  private static String specHash(SchemaVersion resource) {
    return JobIdentity.specHash(resource, new MigrationSource.Bundled(), IMAGE);
  }

  private static String job(SchemaVersion resource, int attempt) {
    return JobIdentity.name("workflow", specHash(resource), attempt);
  }

  private static ObservedJob failed(String name, String reason, String finishedAt) {
    return new ObservedJob(
        name,
        null,
        ObservedJob.Phase.Failed,
        "BackoffLimitExceeded",
        "BackoffLimitExceeded: Job has reached the specified backoff limit",
        Fixtures.result("Failed", "2", reason),
        1,
        null,
        null,
        "2026-01-01T10:00:00Z",
        finishedAt,
        false);
  }

  private static ObservedJob succeeded(String name) {
    return new ObservedJob(
        name,
        null,
        ObservedJob.Phase.Succeeded,
        null,
        null,
        Fixtures.result("Migrated", "2", null),
        0,
        null,
        null,
        "2026-01-01T10:00:00Z",
        FINISHED,
        false);
  }

  private Decision decide(SchemaVersion resource, Instant now) {
    Observed observed =
        new Observed(new MigrationSource.Bundled(), IMAGE, List.copyOf(jobs), List.of(), List.of());
    Decision decision = Decide.decide(resource, observed, POLICY, now);
    resource.setStatus(decision.status());
    return decision;
  }

  private static String condition(SchemaVersionStatus status, String type) {
    return Conditions.find(status.getConditions(), type)
        .filter(c -> "True".equals(c.getStatus()))
        .map(c -> c.getReason())
        .orElse(null);
  }

  private static List<String> reasons(Decision decision) {
    return decision.events().stream().map(Decision.Event::reason).toList();
  }

  @Test
  void aTransientFailureIsRetriedAfterABackOffAsTheNextAttempt() {
    SchemaVersion resource = Fixtures.schemaVersion();
    Decision created = decide(resource, Instant.parse("2026-01-01T10:00:00Z"));
    assertThat(created.createJob().name()).isEqualTo(job(resource, 0));
    jobs.add(failed(job(resource, 0), "LockTimeout", FINISHED));

    Decision scheduled = decide(resource, Instant.parse("2026-01-01T10:01:05Z"));

    SchemaVersionStatus status = scheduled.status();
    assertThat(scheduled.createJob()).isNull();
    assertThat(condition(status, Conditions.RECONCILING)).isEqualTo(Reasons.RETRY_SCHEDULED);
    assertThat(condition(status, Conditions.STALLED)).isNull();
    assertThat(status.getLastJob().getReason()).isEqualTo("LockTimeout");
    assertThat(status.getRetries().getCount()).isEqualTo(1);
    assertThat(status.getRetries().getLastReason()).isEqualTo("LockTimeout");
    Instant next = Instant.parse(status.getRetries().getNextAttemptAt());
    Duration delay = Duration.between(Instant.parse(FINISHED), next);
    assertThat(delay).isBetween(Duration.ofSeconds(24), Duration.ofSeconds(30));
    assertThat(scheduled.requeueAfter())
        .isEqualTo(Duration.between(Instant.parse("2026-01-01T10:01:05Z"), next));
    assertThat(reasons(scheduled)).containsExactly("LockTimeout", Reasons.RETRY_SCHEDULED);

    // Deciding again before the time changes nothing: no write, no Event, the same wait.
    SchemaVersionStatus before = resource.getStatus();
    Decision waiting = decide(resource, Instant.parse("2026-01-01T10:01:10Z"));
    assertThat(waiting.status()).isEqualTo(before);
    assertThat(waiting.events()).isEmpty();
    assertThat(waiting.createJob()).isNull();

    Decision retried = decide(resource, next);

    assertThat(retried.createJob().name()).isEqualTo(job(resource, 1));
    assertThat(retried.status().getLastJob().getName()).isEqualTo(job(resource, 1));
    assertThat(retried.status().getLastJob().getAttempt()).isEqualTo(1);
    assertThat(retried.status().getRetries().getCount()).isEqualTo(1);
    assertThat(retried.status().getRetries().getNextAttemptAt()).isNull();
    assertThat(retried.createJob().created().message()).contains("retry 1 of 3 after LockTimeout");
    assertThat(condition(retried.status(), Conditions.RECONCILING))
        .isEqualTo(Reasons.MIGRATION_RUNNING);
  }

  @Test
  void eachRetryWaitsLongerUntilTheLimitStallsAsRetriesExhausted() {
    SchemaVersion resource = Fixtures.schemaVersion();
    decide(resource, Instant.parse("2026-01-01T10:00:00Z"));
    Instant finished = Instant.parse(FINISHED);
    List<Duration> delays = new ArrayList<>();
    for (int attempt = 0; attempt <= POLICY.limit(); attempt++) {
      jobs.add(failed(job(resource, attempt), "DatabaseUnreachable", finished.toString()));
      Decision decision = decide(resource, finished.plusSeconds(1));
      if (attempt == POLICY.limit()) {
        assertThat(decision.createJob()).isNull();
        assertThat(condition(decision.status(), Conditions.STALLED))
            .isEqualTo(Reasons.RETRIES_EXHAUSTED);
        assertThat(decision.status().getRetries().getCount()).isEqualTo(POLICY.limit());
        assertThat(decision.status().getRetries().getNextAttemptAt()).isNull();
        assertThat(decision.requeueAfter()).isNull();
        assertThat(reasons(decision)).contains(Reasons.RETRIES_EXHAUSTED);
        assertThat(decision.status().getConditions())
            .filteredOn(c -> c.getType().equals(Conditions.STALLED))
            .singleElement()
            .satisfies(c -> assertThat(c.getMessage()).contains(SchemaVersion.RETRY_ANNOTATION));
        break;
      }
      Instant next = Instant.parse(decision.status().getRetries().getNextAttemptAt());
      delays.add(Duration.between(finished, next));
      Decision retried = decide(resource, next);
      assertThat(retried.createJob().name()).isEqualTo(job(resource, attempt + 1));
      finished = next.plusSeconds(60);
    }

    assertThat(delays).hasSize(3);
    assertThat(delays.get(0)).isBetween(Duration.ofSeconds(24), Duration.ofSeconds(30));
    assertThat(delays.get(1)).isBetween(Duration.ofSeconds(48), Duration.ofSeconds(60));
    assertThat(delays.get(2)).isBetween(Duration.ofSeconds(96), Duration.ofSeconds(120));

    // Stalled stays Stalled: no Job, no write.
    SchemaVersionStatus stalled = resource.getStatus();
    Decision again = decide(resource, finished.plus(Duration.ofHours(5)));
    assertThat(again.createJob()).isNull();
    assertThat(again.status()).isEqualTo(stalled);
  }

  @Test
  void aNewRetryAnnotationRunsAFailedSpecAgainOnceAndStartsTheCountAgain() {
    SchemaVersion resource = Fixtures.schemaVersion();
    decide(resource, Instant.parse("2026-01-01T10:00:00Z"));
    jobs.add(failed(job(resource, 0), "MigrationFailed", FINISHED));
    Decision stalled = decide(resource, Instant.parse("2026-01-01T10:02:00Z"));
    assertThat(condition(stalled.status(), Conditions.STALLED)).isEqualTo("MigrationFailed");
    assertThat(stalled.requeueAfter()).isNull();

    resource.getMetadata().setAnnotations(Map.of(SchemaVersion.RETRY_ANNOTATION, "2026-01-01"));
    Decision requested = decide(resource, Instant.parse("2026-01-01T10:03:00Z"));

    assertThat(requested.createJob().name()).isEqualTo(job(resource, 1));
    assertThat(reasons(requested)).contains(Reasons.RETRY_REQUESTED);
    assertThat(requested.status().getRetries().getRequest()).isEqualTo("2026-01-01");
    assertThat(requested.status().getRetries().getCount()).isNull();

    jobs.add(failed(job(resource, 1), "MigrationFailed", "2026-01-01T10:04:00Z"));
    Decision failedAgain = decide(resource, Instant.parse("2026-01-01T10:05:00Z"));
    assertThat(failedAgain.createJob()).isNull();
    assertThat(condition(failedAgain.status(), Conditions.STALLED)).isEqualTo("MigrationFailed");
    // The same annotation value is not a new request.
    assertThat(decide(resource, Instant.parse("2026-01-01T11:00:00Z")).createJob()).isNull();
  }

  @Test
  void theSameValueSetAgainAfterTheAnnotationWasRemovedIsNoNewRequest() {
    SchemaVersion resource = Fixtures.schemaVersion();
    decide(resource, Instant.parse("2026-01-01T10:00:00Z"));
    jobs.add(failed(job(resource, 0), "MigrationFailed", FINISHED));
    decide(resource, Instant.parse("2026-01-01T10:02:00Z"));
    resource.getMetadata().setAnnotations(Map.of(SchemaVersion.RETRY_ANNOTATION, "one"));
    assertThat(decide(resource, Instant.parse("2026-01-01T10:03:00Z")).createJob()).isNotNull();
    jobs.add(failed(job(resource, 1), "MigrationFailed", "2026-01-01T10:04:00Z"));
    decide(resource, Instant.parse("2026-01-01T10:05:00Z"));

    resource.getMetadata().setAnnotations(Map.of());
    Decision removed = decide(resource, Instant.parse("2026-01-01T10:06:00Z"));
    resource.getMetadata().setAnnotations(Map.of(SchemaVersion.RETRY_ANNOTATION, "one"));
    Decision setAgain = decide(resource, Instant.parse("2026-01-01T10:07:00Z"));

    assertThat(removed.status().getRetries().getRequest()).isEqualTo("one");
    assertThat(setAgain.createJob()).isNull();
  }

  @Test
  void withRetriesOffTheMessageSaysSoInsteadOfGivingUpAfterNone() {
    SchemaVersion resource = Fixtures.schemaVersion();
    RetryPolicy off = new RetryPolicy(Duration.ofSeconds(30), Duration.ofMinutes(10), 0);
    Observed none =
        new Observed(new MigrationSource.Bundled(), IMAGE, List.of(), List.of(), List.of());
    resource.setStatus(Decide.decide(resource, none, off, Instant.parse(FINISHED)).status());
    Observed failedOnce =
        new Observed(
            new MigrationSource.Bundled(),
            IMAGE,
            List.of(failed(job(resource, 0), "LockTimeout", FINISHED)),
            List.of(),
            List.of());

    Decision decision = Decide.decide(resource, failedOnce, off, Instant.parse(FINISHED));

    assertThat(condition(decision.status(), Conditions.STALLED))
        .isEqualTo(Reasons.RETRIES_EXHAUSTED);
    assertThat(decision.message()).contains("retries are off").doesNotContain("after 0 retries");
  }

  @Test
  void aRetryAnnotationWhileNothingFailedIsOnlyRecorded() {
    SchemaVersion resource = Fixtures.schemaVersion();
    decide(resource, Instant.parse("2026-01-01T10:00:00Z"));
    jobs.add(succeeded(job(resource, 0)));
    decide(resource, Instant.parse("2026-01-01T10:02:00Z"));

    resource.getMetadata().setAnnotations(Map.of(SchemaVersion.RETRY_ANNOTATION, "now"));
    Decision decision = decide(resource, Instant.parse("2026-01-01T10:03:00Z"));

    assertThat(decision.createJob()).isNull();
    assertThat(condition(decision.status(), Conditions.READY)).isEqualTo("Migrated");
    assertThat(decision.status().getRetries().getRequest()).isEqualTo("now");
  }

  @Test
  void aSuccessAfterRetriesClearsTheCount() {
    SchemaVersion resource = Fixtures.schemaVersion();
    decide(resource, Instant.parse("2026-01-01T10:00:00Z"));
    jobs.add(failed(job(resource, 0), "LockTimeout", FINISHED));
    Decision scheduled = decide(resource, Instant.parse("2026-01-01T10:01:05Z"));
    decide(resource, Instant.parse(scheduled.status().getRetries().getNextAttemptAt()));
    jobs.add(succeeded(job(resource, 1)));

    Decision ready = decide(resource, Instant.parse("2026-01-01T10:10:00Z"));

    assertThat(condition(ready.status(), Conditions.READY)).isEqualTo("Migrated");
    assertThat(ready.status().getRetries()).isNull();
    assertThat(ready.status().getLastJob().getName()).isEqualTo(job(resource, 1));
  }

  @Test
  void aChangedSpecStartsAgainAtAttemptZeroWithoutTheOldCount() {
    SchemaVersion resource = Fixtures.schemaVersion();
    decide(resource, Instant.parse("2026-01-01T10:00:00Z"));
    jobs.add(failed(job(resource, 0), "LockTimeout", FINISHED));
    decide(resource, Instant.parse("2026-01-01T10:01:05Z"));
    assertThat(resource.getStatus().getRetries().getCount()).isEqualTo(1);

    resource.getSpec().setTargetVersion("2");
    Decision changed = decide(resource, Instant.parse("2026-01-01T10:01:10Z"));

    assertThat(changed.createJob().name()).isEqualTo(job(resource, 0));
    assertThat(changed.status().getRetries()).isNull();
  }

  @Test
  void aDeadlineIsStalledAndNotRetriedEvenAfterATransientPodFailure() {
    SchemaVersion resource = Fixtures.schemaVersion();
    decide(resource, Instant.parse("2026-01-01T10:00:00Z"));
    jobs.add(
        new ObservedJob(
            job(resource, 0),
            null,
            ObservedJob.Phase.Failed,
            ObservedJob.DEADLINE_EXCEEDED,
            "DeadlineExceeded: Job was active longer than specified deadline",
            Fixtures.result("Failed", "2", "LockTimeout"),
            1,
            null,
            null,
            "2026-01-01T10:00:00Z",
            "2026-01-01T10:15:00Z",
            false));

    Decision decision = decide(resource, Instant.parse("2026-01-01T10:15:01Z"));

    assertThat(condition(decision.status(), Conditions.STALLED))
        .isEqualTo(Reasons.DEADLINE_EXCEEDED);
    assertThat(decision.status().getLastJob().getReason()).isEqualTo(Reasons.DEADLINE_EXCEEDED);
    assertThat(reasons(decision)).containsExactly(Reasons.DEADLINE_EXCEEDED);
    assertThat(decision.requeueAfter()).isNull();
    assertThat(decide(resource, Instant.parse("2026-01-01T12:00:00Z")).createJob()).isNull();
  }

  @Test
  void aTransientFailureRecordedBeforeRetriesExistedIsScheduledFromWhenItFinished() {
    SchemaVersion resource = Fixtures.schemaVersion();
    decide(resource, Instant.parse("2026-01-01T10:00:00Z"));
    jobs.add(failed(job(resource, 0), "DatabaseUnreachable", FINISHED));
    decide(resource, Instant.parse("2026-01-01T10:01:05Z"));
    resource.getStatus().setRetries(null);
    jobs.clear();

    Decision decision = decide(resource, Instant.parse("2026-01-01T10:01:10Z"));

    assertThat(condition(decision.status(), Conditions.RECONCILING))
        .isEqualTo(Reasons.RETRY_SCHEDULED);
    assertThat(decision.status().getRetries().getCount()).isEqualTo(1);
    assertThat(Instant.parse(decision.status().getRetries().getNextAttemptAt()))
        .isBetween(
            Instant.parse(FINISHED).plusSeconds(24), Instant.parse(FINISHED).plusSeconds(30));
  }

  @Test
  void theDelayDoublesUpToTheMaximumWithAStableJitter() {
    RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(30), Duration.ofMinutes(10), 20);
    for (int retry = 1; retry <= 12; retry++) {
      Duration full = Duration.ofSeconds(Math.min(600, 30L << (retry - 1)));
      Duration delay = policy.delay(retry, "uid");
      assertThat(delay).isBetween(full.multipliedBy(4).dividedBy(5), full);
      assertThat(policy.delay(retry, "uid")).isEqualTo(delay);
    }
    assertThat(policy.delay(1, "one")).isNotEqualTo(policy.delay(1, "another"));
  }
}
