package io.jobgtm.schema.operator.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.jobgtm.schema.api.AppliedMigration;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.contract.DatabaseState;
import io.jobgtm.schema.operator.Fixtures;
import io.jobgtm.schema.operator.observe.MigrationSource;
import io.jobgtm.schema.operator.observe.Observed;
import io.jobgtm.schema.operator.observe.ObservedJob;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusFactoryTest {

  private static final String IMAGE = "registry.test/schema-operator:1.0";

  /** The Job the default fixture's spec wants, by the identity rule. */
  private static final String JOB =
      JobIdentity.name(
          "workflow",
          JobIdentity.specHash(Fixtures.schemaVersion(), new MigrationSource.Bundled(), IMAGE),
          0);

  private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
  private static final Instant T1 = Instant.parse("2026-01-01T11:00:00Z");

  private static ObservedJob succeeded() {
    return new ObservedJob(
        JOB,
        null,
        ObservedJob.Phase.Succeeded,
        null,
        null,
        Fixtures.result("Migrated", "2", null),
        0,
        null,
        null,
        "2026-01-01T10:00:00Z",
        "2026-01-01T10:01:00Z",
        false);
  }

  private static SchemaVersionStatus reconcile(
      SchemaVersion resource, ObservedJob job, Instant now) {
    Observed observed =
        new Observed(new MigrationSource.Bundled(), IMAGE, List.of(job), List.of(), List.of());
    return Decide.decide(resource, observed, RetryPolicy.DEFAULT, now).status();
  }

  @Test
  void successRecordsVersionStateAndAppliedMostRecentFirst() {
    SchemaVersion resource = Fixtures.schemaVersion();

    SchemaVersionStatus status = reconcile(resource, succeeded(), T0);

    assertThat(status.getObservedGeneration()).isEqualTo(1L);
    assertThat(status.getCurrentVersion()).isEqualTo("2");
    assertThat(status.getDesiredVersion()).isEqualTo("2");
    assertThat(status.getDatabaseState()).isEqualTo(DatabaseState.Fresh);
    assertThat(status.getAppliedMigrations())
        .extracting(AppliedMigration::getVersion)
        .containsExactly("2", "1");
    assertThat(status.getAppliedMigrations().get(0).getAppliedAt())
        .isEqualTo("2026-01-01T10:01:00Z");
    assertThat(status.getLastJob().getName()).isEqualTo(JOB);
    assertThat(status.getLastJob().getOutcome()).isEqualTo("Migrated");
    assertThat(Conditions.find(status.getConditions(), Conditions.READY))
        .hasValueSatisfying(
            ready -> {
              assertThat(ready.getStatus()).isEqualTo("True");
              assertThat(ready.getReason()).isEqualTo("Migrated");
              assertThat(ready.getObservedGeneration()).isEqualTo(1L);
            });
    assertThat(Conditions.isTrue(status.getConditions(), Conditions.STALLED)).isFalse();
    assertThat(Conditions.isTrue(status.getConditions(), Conditions.RECONCILING)).isFalse();
  }

  @Test
  void aFailureWithACutPendingListShowsTheHighestPendingAsDesiredAndTheFullCount() {
    // 600 pending versions do not fit the 4096-byte document: the lowest are cut.
    List<String> pending =
        java.util.stream.IntStream.rangeClosed(2, 601).mapToObj(i -> "1." + i).toList();
    io.jobgtm.schema.contract.MigrationResult written =
        new io.jobgtm.schema.contract.MigrationResult(
            io.jobgtm.schema.contract.MigrationResult.API_VERSION,
            "migrate",
            io.jobgtm.schema.contract.Outcome.Failed,
            DatabaseState.Versioned,
            "1.1",
            "1.1",
            "latest",
            null,
            List.of(),
            0,
            List.of(),
            pending,
            pending.size(),
            List.of(),
            List.of(),
            null,
            new io.jobgtm.schema.contract.Failure(
                io.jobgtm.schema.contract.FailureReason.MigrationFailed, "1.2", "V1.2 failed"),
            10,
            false);
    io.jobgtm.schema.contract.MigrationResult read =
        io.jobgtm.schema.contract.MigrationResult.fromJson(written.toJson()).orElseThrow();
    ObservedJob failed =
        new ObservedJob(
            JOB,
            null,
            ObservedJob.Phase.Failed,
            null,
            "failed",
            read,
            1,
            null,
            null,
            "2026-01-01T10:00:00Z",
            "2026-01-01T10:01:00Z",
            false);

    SchemaVersionStatus status = reconcile(Fixtures.schemaVersion(), failed, T0);

    assertThat(read.truncated()).isTrue();
    assertThat(status.getCurrentVersion()).isEqualTo("1.1");
    assertThat(status.getDesiredVersion()).isEqualTo("1.601");
    assertThat(status.getPendingCount()).isEqualTo(600);
    assertThat(status.getPendingVersions()).hasSizeLessThan(600).last().isEqualTo("1.601");
  }

  @Test
  void repeatablesShowTheWholeStateNotOnlyWhatTheLastJobApplied() {
    // The Job applied nothing repeatable itself; the database holds two, one is pending.
    io.jobgtm.schema.contract.MigrationResult result =
        new io.jobgtm.schema.contract.MigrationResult(
            io.jobgtm.schema.contract.MigrationResult.API_VERSION,
            "migrate",
            io.jobgtm.schema.contract.Outcome.UpToDate,
            DatabaseState.Versioned,
            "2",
            "2",
            "latest",
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
            10,
            false,
            List.of(),
            List.of("order totals"),
            List.of("customer view", "open orders"),
            null,
            null,
            null);

    SchemaVersionStatus status =
        reconcile(Fixtures.schemaVersion(), finishedWith(result, ObservedJob.Phase.Succeeded), T0);

    assertThat(status.getAppliedRepeatables()).containsExactly("customer view", "open orders");
    assertThat(status.getPendingRepeatables()).containsExactly("order totals");
  }

  @Test
  void aResultThatNeverReachedTheDatabaseKeepsTheRecordedRepeatables() {
    SchemaVersion resource = Fixtures.schemaVersion();
    resource.setStatus(new SchemaVersionStatus());
    resource.getStatus().setAppliedRepeatables(List.of("customer view"));
    io.jobgtm.schema.contract.MigrationResult refused =
        new io.jobgtm.schema.contract.MigrationResult(
            io.jobgtm.schema.contract.MigrationResult.API_VERSION,
            "migrate",
            io.jobgtm.schema.contract.Outcome.Failed,
            null,
            null,
            null,
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
            new io.jobgtm.schema.contract.Failure(
                io.jobgtm.schema.contract.FailureReason.InvalidMigrationSet, null, "bad set"),
            10,
            false);

    SchemaVersionStatus status =
        reconcile(resource, finishedWith(refused, ObservedJob.Phase.Failed), T0);

    assertThat(status.getAppliedRepeatables()).containsExactly("customer view");
    assertThat(status.getPendingRepeatables()).isNull();
  }

  private static ObservedJob finishedWith(
      io.jobgtm.schema.contract.MigrationResult result, ObservedJob.Phase phase) {
    return new ObservedJob(
        JOB,
        null,
        phase,
        null,
        phase == ObservedJob.Phase.Failed ? "failed" : null,
        result,
        phase == ObservedJob.Phase.Failed ? 2 : 0,
        null,
        null,
        "2026-01-01T10:00:00Z",
        "2026-01-01T10:01:00Z",
        false);
  }

  @Test
  void theServerVersionIsTheLastReportedOneAndStaysWhenAJobDidNotReachTheDatabase() {
    SchemaVersion resource = Fixtures.schemaVersion();
    ObservedJob on176 =
        finishedWith(
            Fixtures.result("Migrated", "2", null).withServerVersion("17.6"),
            ObservedJob.Phase.Succeeded);

    SchemaVersionStatus first = reconcile(resource, on176, T0);

    assertThat(first.getServerVersion()).isEqualTo("17.6");
    resource.setStatus(first);
    ObservedJob unreachable =
        finishedWith(
            Fixtures.result("Failed", "2", "DatabaseUnreachable"), ObservedJob.Phase.Failed);
    assertThat(unreachable.result().serverVersion()).isNull();
    assertThat(reconcile(resource, unreachable, T1).getServerVersion()).isEqualTo("17.6");
  }

  @Test
  void reconcilingAgainYieldsAnEqualStatusSoNothingIsWritten() {
    SchemaVersion resource = Fixtures.schemaVersion();
    resource.setStatus(reconcile(resource, succeeded(), T0));

    SchemaVersionStatus again = reconcile(resource, succeeded(), T1);

    assertThat(again).isEqualTo(resource.getStatus());
    assertThat(again.getAppliedMigrations()).hasSize(2);
  }

  @Test
  void lastTransitionTimeMovesOnlyWhenAConditionFlips() {
    SchemaVersion resource = Fixtures.schemaVersion();
    ObservedJob running =
        new ObservedJob(
            JOB,
            null,
            ObservedJob.Phase.Running,
            null,
            null,
            null,
            0,
            null,
            null,
            null,
            null,
            false);
    resource.setStatus(reconcile(resource, running, T0));

    SchemaVersionStatus ready = reconcile(resource, succeeded(), T1);

    Condition readyCondition =
        Conditions.find(ready.getConditions(), Conditions.READY).orElseThrow();
    Condition stalled = Conditions.find(ready.getConditions(), Conditions.STALLED).orElseThrow();
    assertThat(readyCondition.getLastTransitionTime()).isEqualTo(T1.toString());
    assertThat(stalled.getLastTransitionTime()).isEqualTo(T0.toString());
  }

  @Test
  void appliedHistoryIsCapped() {
    SchemaVersion resource = Fixtures.schemaVersion();
    SchemaVersionStatus previous = new SchemaVersionStatus();
    for (int i = 0; i < 30; i++) {
      previous.getAppliedMigrations().add(new AppliedMigration("0." + i, "old", null, 1L));
    }
    resource.setStatus(previous);

    SchemaVersionStatus status = reconcile(resource, succeeded(), T0);

    assertThat(status.getAppliedMigrations()).hasSize(StatusFactory.APPLIED_HISTORY_LIMIT);
    assertThat(status.getAppliedMigrations().get(0).getVersion()).isEqualTo("2");
  }
}
