package io.jobgtm.schema.operator.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.contract.SchemaVerification;
import io.jobgtm.schema.operator.Fixtures;
import io.jobgtm.schema.operator.decide.Decision.Event;
import io.jobgtm.schema.operator.observe.MigrationSource;
import io.jobgtm.schema.operator.observe.Observed;
import io.jobgtm.schema.operator.observe.ObservedJob;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Drift in the decision: the Drifted condition, the fingerprint and Events from every result with a
 * verification, verify Jobs on their interval, and a migration refused for drift run again once a
 * verification finds the drift gone.
 */
class DriftDecisionTest {

  private static final String IMAGE = "registry.test/schema-operator:1.0";
  private static final String LIVE = "sha256:" + "a".repeat(64);
  private static final String EXPECTED = "sha256:" + "b".repeat(64);
  private static final List<String> DIFFERENCES =
      List.of(
          "missing column public.job_listings.is_remote",
          "extra index public.job_listings_title_idx");

  private static final String MIGRATED_AT = "2026-01-01T10:01:00Z";
  private static final Instant AFTER_MIGRATION = Instant.parse("2026-01-01T10:02:00Z");

  private static SchemaVersion resource(String verify) {
    return Fixtures.schemaVersion(verify);
  }

  private static String job(SchemaVersion resource, int attempt) {
    return JobIdentity.name(
        "workflow", JobIdentity.specHash(resource, new MigrationSource.Bundled(), IMAGE), attempt);
  }

  private static ObservedJob finished(
      String name, ObservedJob.Phase phase, MigrationResult result, String start, String end) {
    return new ObservedJob(name, null, phase, null, null, result, 0, null, null, start, end, false);
  }

  private static ObservedJob running(String name, String start) {
    return new ObservedJob(
        name, null, ObservedJob.Phase.Running, null, null, null, 0, null, null, start, null, false);
  }

  private static MigrationResult migrated(SchemaVerification verification) {
    return Fixtures.result("Migrated", "2", null)
        .withServerVersion("17.6")
        .withVerification(verification);
  }

  private static MigrationResult verified(SchemaVerification verification) {
    MigrationResult migrate = Fixtures.result("UpToDate", "2", null);
    return new MigrationResult(
            MigrationResult.API_VERSION,
            "verify",
            Outcome.Verified,
            migrate.databaseState(),
            "2",
            "2",
            null,
            null,
            List.of(),
            0,
            List.of(),
            List.of(),
            0,
            List.of(),
            List.of(),
            null,
            null,
            900,
            false)
        .withServerVersion("17.6")
        .withVerification(verification);
  }

  private static Decision decide(
      SchemaVersion resource, List<ObservedJob> jobs, List<ObservedJob> verifyJobs, Instant now) {
    Observed observed =
        new Observed(
            new MigrationSource.Bundled(),
            IMAGE,
            jobs,
            List.of(),
            List.of(),
            List.of(),
            verifyJobs);
    return Decide.decide(resource, observed, RetryPolicy.DEFAULT, now);
  }

  private static SchemaVersion withStatus(SchemaVersion resource, SchemaVersionStatus status) {
    SchemaVersion next = Serialization.clone(resource);
    next.setStatus(status);
    return next;
  }

  private static Condition drifted(SchemaVersionStatus status) {
    return Conditions.find(status.getConditions(), Conditions.DRIFTED).orElseThrow();
  }

  /** A resource Ready at 2 after a migration whose check found {@code verification}. */
  private static Decision afterMigration(SchemaVersion resource, SchemaVerification verification) {
    return decide(
        resource,
        List.of(
            finished(
                job(resource, 0),
                ObservedJob.Phase.Succeeded,
                migrated(verification),
                "2026-01-01T10:00:00Z",
                MIGRATED_AT)),
        List.of(),
        AFTER_MIGRATION);
  }

  @Test
  void aMigrationThatFoundDriftIsReadyAndDriftedWithTheFirstDifferencesAndAWarning() {
    SchemaVersion resource = resource("");

    Decision decision =
        afterMigration(resource, SchemaVerification.drifted("2", LIVE, EXPECTED, DIFFERENCES));

    SchemaVersionStatus status = decision.status();
    assertThat(Conditions.isTrue(status.getConditions(), Conditions.READY)).isTrue();
    assertThat(drifted(status).getStatus()).isEqualTo("True");
    assertThat(drifted(status).getReason()).isEqualTo(Reasons.SCHEMA_DRIFTED);
    assertThat(drifted(status).getMessage())
        .isEqualTo(
            "2 differences from the migration set at version 2: missing column"
                + " public.job_listings.is_remote; extra index public.job_listings_title_idx");
    assertThat(status.getSchemaFingerprint()).isEqualTo(LIVE);
    assertThat(status.getServerVersion()).isEqualTo("17.6");
    assertThat(status.getVerification().getLastVerifiedAt()).isEqualTo(MIGRATED_AT);
    assertThat(status.getVerification().getDifferenceCount()).isEqualTo(2);
    assertThat(decision.events())
        .filteredOn(event -> event.reason().equals(Reasons.DRIFT_DETECTED))
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.type()).isEqualTo(Event.WARNING);
              assertThat(event.message()).contains("missing column public.job_listings.is_remote");
            });
  }

  @Test
  void noVerificationNoDriftedCondition() {
    SchemaVersion resource = resource("");

    Decision decision = afterMigration(resource, null);

    assertThat(Conditions.find(decision.status().getConditions(), Conditions.DRIFTED)).isEmpty();
    assertThat(decision.status().getSchemaFingerprint()).isNull();
    assertThat(decision.verifyJob()).isNull();
  }

  @Test
  void aVerifyJobThatFindsTheDriftGoneClearsItAndChangesNothingElse() {
    SchemaVersion resource = resource("verify: {interval: 6h}");
    SchemaVersion drifted =
        withStatus(
            resource,
            afterMigration(resource, SchemaVerification.drifted("2", LIVE, EXPECTED, DIFFERENCES))
                .status());
    ObservedJob migration =
        finished(
            job(resource, 0),
            ObservedJob.Phase.Succeeded,
            migrated(SchemaVerification.drifted("2", LIVE, EXPECTED, DIFFERENCES)),
            "2026-01-01T10:00:00Z",
            MIGRATED_AT);
    ObservedJob verify =
        finished(
            "workflow-verify-1767261660",
            ObservedJob.Phase.Succeeded,
            verified(SchemaVerification.matches("2", EXPECTED)),
            "2026-01-01T16:01:00Z",
            "2026-01-01T16:01:30Z");

    Decision decision =
        decide(drifted, List.of(migration), List.of(verify), Instant.parse("2026-01-01T16:02:00Z"));

    SchemaVersionStatus status = decision.status();
    assertThat(drifted(status).getStatus()).isEqualTo("False");
    assertThat(drifted(status).getReason()).isEqualTo(Reasons.SCHEMA_MATCHES);
    assertThat(status.getSchemaFingerprint()).isEqualTo(EXPECTED);
    assertThat(status.getVerification().getLastVerifiedAt()).isEqualTo("2026-01-01T16:01:30Z");
    assertThat(status.getLastJob()).isEqualTo(drifted.getStatus().getLastJob());
    assertThat(status.getCurrentVersion()).isEqualTo("2");
    assertThat(status.getRetries()).isEqualTo(drifted.getStatus().getRetries());
    assertThat(decision.createJob()).isNull();
    assertThat(decision.events()).extracting(Event::reason).containsExactly(Reasons.DRIFT_RESOLVED);
    assertThat(decision.requeueAfter()).isEqualTo(Duration.ofHours(6).minusSeconds(30));
  }

  @Test
  void aFailedVerifyJobMakesDriftUnknownWithItsReason() {
    SchemaVersion resource = resource("verify: {interval: 6h}");
    SchemaVersion ready =
        withStatus(
            resource, afterMigration(resource, SchemaVerification.matches("2", EXPECTED)).status());
    ObservedJob verify =
        finished(
            "workflow-verify-1767261660",
            ObservedJob.Phase.Failed,
            null,
            "2026-01-01T16:01:00Z",
            "2026-01-01T16:01:30Z");

    Decision decision =
        decide(ready, List.of(), List.of(verify), Instant.parse("2026-01-01T16:02:00Z"));

    assertThat(drifted(decision.status()).getStatus()).isEqualTo("Unknown");
    assertThat(drifted(decision.status()).getReason()).isEqualTo(Reasons.CANNOT_VERIFY);
    assertThat(drifted(decision.status()).getMessage())
        .startsWith("verify Job workflow-verify-1767261660 could not verify the schema");
    assertThat(Conditions.isTrue(decision.status().getConditions(), Conditions.READY)).isTrue();
    assertThat(decision.events()).isEmpty();
  }

  @Test
  void aVerifyJobStartsAnIntervalAfterTheLastVerificationAndNotBefore() {
    SchemaVersion resource = resource("verify: {interval: 6h}");
    SchemaVersion ready =
        withStatus(
            resource, afterMigration(resource, SchemaVerification.matches("2", EXPECTED)).status());

    Decision early = decide(ready, List.of(), List.of(), Instant.parse("2026-01-01T16:00:59Z"));
    Decision due = decide(ready, List.of(), List.of(), Instant.parse("2026-01-01T16:01:00Z"));

    assertThat(early.verifyJob()).isNull();
    assertThat(early.requeueAfter()).isEqualTo(Duration.ofSeconds(1));
    assertThat(due.verifyJob().name())
        .isEqualTo("workflow-verify-" + Instant.parse(MIGRATED_AT).getEpochSecond());
    assertThat(due.verifyJob().created().reason()).isEqualTo(Reasons.VERIFICATION_STARTED);
    assertThat(due.createJob()).isNull();
    assertThat(due.status().getVerification().getLastJob()).isEqualTo(due.verifyJob().name());
    // Deciding again before the Job is seen names the same Job.
    assertThat(
            decide(
                    withStatus(ready, due.status()),
                    List.of(),
                    List.of(),
                    Instant.parse("2026-01-01T16:01:05Z"))
                .verifyJob()
                .name())
        .isEqualTo(due.verifyJob().name());
  }

  @Test
  void aVerifyRequestStartsAVerifyJobAtOnceWithOrWithoutAnIntervalAndOnceAValue() {
    for (String verify : List.of("verify: {interval: 6h}", "")) {
      SchemaVersion resource = resource(verify);
      SchemaVersion ready =
          withStatus(
              resource,
              afterMigration(resource, SchemaVerification.matches("2", EXPECTED)).status());
      ready.getMetadata().setAnnotations(Map.of(SchemaVersion.VERIFY_ANNOTATION, "fixed-by-hand"));

      Decision asked = decide(ready, List.of(), List.of(), AFTER_MIGRATION);

      assertThat(asked.verifyJob()).as(verify).isNotNull();
      assertThat(asked.verifyJob().created().message())
          .contains("requested by the annotation schema.jobgtm.io/verify");
      assertThat(asked.status().getVerification().getRequest()).isEqualTo("fixed-by-hand");
      // The same value, once acted on, starts nothing more before the interval.
      SchemaVersion handled = withStatus(ready, asked.status());
      ObservedJob done =
          finished(
              asked.verifyJob().name(),
              ObservedJob.Phase.Succeeded,
              verified(SchemaVerification.matches("2", EXPECTED)),
              "2026-01-01T10:02:00Z",
              "2026-01-01T10:03:00Z");
      Decision after =
          decide(handled, List.of(), List.of(done), Instant.parse("2026-01-01T10:04:00Z"));
      assertThat(after.verifyJob()).as(verify).isNull();
    }
  }

  @Test
  void aRefusedVerifyJobMakesDriftUnknownAndTheNextWaitsAnInterval() {
    SchemaVersion resource = resource("verify: {interval: 6h}");
    SchemaVersion ready =
        withStatus(
            resource, afterMigration(resource, SchemaVerification.matches("2", EXPECTED)).status());
    Instant due = Instant.parse("2026-01-01T16:01:00Z");
    String name = decide(ready, List.of(), List.of(), due).verifyJob().name();
    Observed observed =
        new Observed(
            new MigrationSource.Bundled(),
            IMAGE,
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            List.of());

    Decision refused =
        Decide.refused(
            ready,
            observed,
            new Refusal(Refusal.Action.CREATE_VERIFY_JOB, name, "denied by policy no-jobs", false),
            RetryPolicy.DEFAULT,
            due);

    assertThat(refused.verifyJob()).isNull();
    assertThat(drifted(refused.status()).getStatus()).isEqualTo("Unknown");
    assertThat(drifted(refused.status()).getMessage())
        .isEqualTo(
            "the API server refused to create verify Job "
                + name
                + ", so the schema was not verified: denied by policy no-jobs");
    assertThat(refused.status().getVerification().getLastVerifiedAt())
        .isEqualTo("2026-01-01T16:01:00Z");
    assertThat(refused.events())
        .singleElement()
        .satisfies(event -> assertThat(event.type()).isEqualTo(Event.WARNING));
    assertThat(refused.requeueAfter()).isEqualTo(Duration.ofHours(6));
    assertThat(Conditions.isTrue(refused.status().getConditions(), Conditions.READY)).isTrue();
  }

  @Test
  void noVerifyJobWhileAMigrationRunsOrAVerifyJobRunsOrWithoutAnInterval() {
    SchemaVersion resource = resource("verify: {interval: 6h}");
    SchemaVersion ready =
        withStatus(
            resource, afterMigration(resource, SchemaVerification.matches("2", EXPECTED)).status());
    Instant later = Instant.parse("2026-01-02T10:00:00Z");

    assertThat(
            decide(
                    ready,
                    List.of(running(job(resource, 1), "2026-01-02T09:59:00Z")),
                    List.of(),
                    later)
                .verifyJob())
        .isNull();
    assertThat(
            decide(
                    ready,
                    List.of(),
                    List.of(running("workflow-verify-1", "2026-01-02T09:59:00Z")),
                    later)
                .verifyJob())
        .isNull();
    SchemaVersion off = resource("");
    assertThat(decide(withStatus(off, ready.getStatus()), List.of(), List.of(), later).verifyJob())
        .isNull();
  }

  @Test
  void aVerifyJobThatStartedBeforeTheLastMigrationFinishedIsLeftOut() {
    SchemaVersion resource = resource("verify: {interval: 6h}");
    SchemaVersion ready =
        withStatus(
            resource, afterMigration(resource, SchemaVerification.matches("2", EXPECTED)).status());
    ObservedJob stale =
        finished(
            "workflow-verify-1",
            ObservedJob.Phase.Succeeded,
            verified(SchemaVerification.drifted("1", LIVE, EXPECTED, DIFFERENCES)),
            "2026-01-01T09:59:00Z",
            "2026-01-01T10:01:30Z");

    Decision decision = decide(ready, List.of(), List.of(stale), AFTER_MIGRATION);

    assertThat(drifted(decision.status()).getStatus()).isEqualTo("False");
    assertThat(decision.events()).isEmpty();
  }

  @Test
  void aMigrationRefusedForDriftRunsAgainOnceAVerificationFindsTheDriftGone() {
    SchemaVersion resource = resource("verify: {interval: 6h, onDrift: Block}");
    ObservedJob refused =
        finished(
            job(resource, 0),
            ObservedJob.Phase.Failed,
            Fixtures.result("Failed", "2", "SchemaDrifted")
                .withVerification(SchemaVerification.drifted("2", LIVE, EXPECTED, DIFFERENCES)),
            "2026-01-01T10:00:00Z",
            MIGRATED_AT);
    Decision stalled = decide(resource, List.of(refused), List.of(), AFTER_MIGRATION);
    assertThat(Conditions.isTrue(stalled.status().getConditions(), Conditions.STALLED)).isTrue();
    assertThat(stalled.reason()).isEqualTo(Reasons.SCHEMA_DRIFTED);
    assertThat(drifted(stalled.status()).getStatus()).isEqualTo("True");
    assertThat(stalled.createJob()).isNull();
    SchemaVersion drifted = withStatus(resource, stalled.status());

    // Stalled by drift, verify Jobs still run: their finding may lift the refusal.
    Decision verifying =
        decide(drifted, List.of(refused), List.of(), Instant.parse("2026-01-01T16:01:00Z"));
    assertThat(verifying.verifyJob()).isNotNull();
    ObservedJob verify =
        finished(
            verifying.verifyJob().name(),
            ObservedJob.Phase.Succeeded,
            verified(SchemaVerification.matches("2", EXPECTED)),
            "2026-01-01T16:01:02Z",
            "2026-01-01T16:01:30Z");

    Decision again =
        decide(
            withStatus(drifted, verifying.status()),
            List.of(refused),
            List.of(verify),
            Instant.parse("2026-01-01T16:02:00Z"));

    assertThat(again.createJob()).isNotNull();
    assertThat(again.createJob().name()).isEqualTo(job(resource, 1));
    assertThat(again.status().getLastJob().getAttempt()).isEqualTo(1);
    assertThat(drifted(again.status()).getStatus()).isEqualTo("False");
    assertThat(again.verifyJob()).isNull();
  }

  @Test
  void aMigrationRefusedForDriftStaysStalledWhileTheDriftStays() {
    SchemaVersion resource = resource("verify: {interval: 6h, onDrift: Block}");
    ObservedJob refused =
        finished(
            job(resource, 0),
            ObservedJob.Phase.Failed,
            Fixtures.result("Failed", "2", "SchemaDrifted"),
            "2026-01-01T10:00:00Z",
            MIGRATED_AT);
    SchemaVersion stalled =
        withStatus(
            resource, decide(resource, List.of(refused), List.of(), AFTER_MIGRATION).status());
    ObservedJob verify =
        finished(
            "workflow-verify-0",
            ObservedJob.Phase.Succeeded,
            verified(SchemaVerification.drifted("2", LIVE, EXPECTED, DIFFERENCES)),
            "2026-01-01T10:02:02Z",
            "2026-01-01T10:02:30Z");

    Decision decision =
        decide(stalled, List.of(refused), List.of(verify), Instant.parse("2026-01-01T10:03:00Z"));

    assertThat(decision.createJob()).isNull();
    assertThat(decision.reason()).isEqualTo(Reasons.SCHEMA_DRIFTED);
    assertThat(drifted(decision.status()).getStatus()).isEqualTo("True");
  }

  @Test
  void theAcceptedFingerprintIsPartOfAMigrationOnlyWithBlock() {
    SchemaVersion report = resource("verify: {interval: 6h}");
    SchemaVersion reportAccepting =
        resource("verify: {interval: 1h, acceptedFingerprint: \"" + LIVE + "\"}");
    SchemaVersion block = resource("verify: {onDrift: Block}");
    SchemaVersion blockAccepting =
        resource("verify: {onDrift: Block, acceptedFingerprint: \"" + LIVE + "\"}");

    assertThat(job(report, 0)).isEqualTo(job(resource(""), 0));
    assertThat(job(reportAccepting, 0)).isEqualTo(job(resource(""), 0));
    assertThat(job(block, 0)).isNotEqualTo(job(resource(""), 0));
    assertThat(job(blockAccepting, 0)).isNotEqualTo(job(block, 0));
  }

  @Test
  void olderFinishedVerifyJobsAreDeletedTheNewestKept() {
    List<Decision.JobToEnd> ends =
        Verifications.superseded(
            List.of(
                finished(
                    "a-verify-1", ObservedJob.Phase.Succeeded, null, "t", "2026-01-01T10:00:00Z"),
                finished(
                    "a-verify-3", ObservedJob.Phase.Succeeded, null, "t", "2026-01-01T12:00:00Z"),
                finished("a-verify-2", ObservedJob.Phase.Failed, null, "t", "2026-01-01T11:00:00Z"),
                running("a-verify-4", "2026-01-01T13:00:00Z")));

    assertThat(ends)
        .extracting(Decision.JobToEnd::name)
        .containsExactly("a-verify-2", "a-verify-1");
    assertThat(ends).allSatisfy(end -> assertThat(end.ended()).isNull());
  }

  @Test
  void aLongNameIsCutSoTheVerifyJobNameFits() {
    String name = Verifications.verifyJobName("w".repeat(62) + "-x", 1767261660L);

    assertThat(name).hasSizeLessThanOrEqualTo(63).endsWith("-verify-1767261660");
  }
}
