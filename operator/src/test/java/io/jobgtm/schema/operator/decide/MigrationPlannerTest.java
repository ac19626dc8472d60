package io.jobgtm.schema.operator.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.api.MigrationJobStatus;
import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.contract.DatabaseState;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.operator.Fixtures;
import io.jobgtm.schema.operator.decide.MigrationPlan.Action;
import io.jobgtm.schema.operator.decide.MigrationPlan.State;
import io.jobgtm.schema.operator.observe.MigrationSource;
import io.jobgtm.schema.operator.observe.ObservedJob;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scenarios of the planner: given what was observed, what happens next. */
class MigrationPlannerTest {

  private static final String DESIRED = "workflow-aaaaaaaaaa";
  private static final String EARLIER = "workflow-bbbbbbbbbb";
  private final MigrationSource bundled = new MigrationSource.Bundled();

  private static ObservedJob running(String name) {
    return new ObservedJob(
        name,
        null,
        ObservedJob.Phase.Running,
        null,
        null,
        null,
        0,
        null,
        null,
        "2026-01-01T10:00:00Z",
        null,
        false);
  }

  private static ObservedJob succeeded(String name, String outcome) {
    return new ObservedJob(
        name,
        null,
        ObservedJob.Phase.Succeeded,
        null,
        null,
        Fixtures.result(outcome, "2", null),
        0,
        null,
        null,
        "2026-01-01T10:00:00Z",
        "2026-01-01T10:01:00Z",
        false);
  }

  private static ObservedJob failed(String name, String reason) {
    return new ObservedJob(
        name,
        null,
        ObservedJob.Phase.Failed,
        null,
        "PodFailurePolicy: Container migrate for pod x failed with exit code 2",
        reason == null ? null : Fixtures.result("Failed", "2", reason),
        1,
        null,
        null,
        "2026-01-01T10:00:00Z",
        "2026-01-01T10:01:00Z",
        false);
  }

  private MigrationPlan plan(SchemaVersion resource, ObservedJob... jobs) {
    return MigrationPlanner.plan(resource, bundled, DESIRED, List.of(jobs));
  }

  @Test
  void withoutAJobTheMigrationJobIsCreated() {
    MigrationPlan plan = plan(Fixtures.schemaVersion());

    assertThat(plan.action()).isEqualTo(Action.CREATE_JOB);
    assertThat(plan.state()).isEqualTo(State.RECONCILING);
    assertThat(plan.reason()).isEqualTo(Reasons.MIGRATION_RUNNING);
    assertThat(plan.jobName()).isEqualTo(DESIRED);
  }

  @Test
  void whileTheJobRunsNothingIsCreated() {
    MigrationPlan plan = plan(Fixtures.schemaVersion(), running(DESIRED));

    assertThat(plan.action()).isEqualTo(Action.NONE);
    assertThat(plan.state()).isEqualTo(State.RECONCILING);
    assertThat(plan.reason()).isEqualTo(Reasons.MIGRATION_RUNNING);
  }

  @Test
  void specChangedWhileAJobRunsWaitsForItInsteadOfStartingASecond() {
    MigrationPlan plan = plan(Fixtures.schemaVersion(), running(EARLIER));

    assertThat(plan.action()).isEqualTo(Action.NONE);
    assertThat(plan.reason()).isEqualTo(Reasons.WAITING_FOR_PREVIOUS_JOB);
    assertThat(plan.message()).contains(EARLIER);
  }

  @Test
  void whenTheEarlierJobEndsItIsRecordedAndTheNewOneCreated() {
    MigrationPlan plan = plan(Fixtures.schemaVersion(), succeeded(EARLIER, "Migrated"));

    assertThat(plan.action()).isEqualTo(Action.CREATE_JOB);
    assertThat(plan.finished().name()).isEqualTo(EARLIER);
  }

  @Test
  void successMakesTheResourceReadyWithTheMigratorsOutcome() {
    MigrationPlan plan = plan(Fixtures.schemaVersion(), succeeded(DESIRED, "Baselined"));

    assertThat(plan.action()).isEqualTo(Action.NONE);
    assertThat(plan.state()).isEqualTo(State.READY);
    assertThat(plan.reason()).isEqualTo("Baselined");
  }

  @Test
  void aBaselineNamesTheToolThatShapedTheSchemaBefore() {
    MigrationResult baselined =
        new MigrationResult(
                MigrationResult.API_VERSION,
                "migrate",
                Outcome.Baselined,
                DatabaseState.Unversioned,
                null,
                "2",
                "latest",
                "2",
                List.of(),
                0,
                List.of(),
                List.of(),
                0,
                List.of(),
                List.of(),
                null,
                null,
                40,
                false)
            .withPreviousTool("Alembic's alembic_version at revision 002");
    ObservedJob job =
        new ObservedJob(
            DESIRED,
            null,
            ObservedJob.Phase.Succeeded,
            null,
            null,
            baselined,
            0,
            null,
            null,
            "2026-01-01T10:00:00Z",
            "2026-01-01T10:01:00Z",
            false);

    MigrationPlan plan = plan(Fixtures.schemaVersion(), job);

    assertThat(plan.message())
        .isEqualTo(
            "baselined at version 2 (schema unchanged; previous tool: Alembic's alembic_version"
                + " at revision 002)");
  }

  @Test
  void permanentFailureStallsWithTheMigratorsReasonAndNoNewJob() {
    MigrationPlan plan = plan(Fixtures.schemaVersion(), failed(DESIRED, "MigrationFailed"));

    assertThat(plan.action()).isEqualTo(Action.NONE);
    assertThat(plan.state()).isEqualTo(State.STALLED);
    assertThat(plan.reason()).isEqualTo("MigrationFailed");
    assertThat(plan.message())
        .isEqualTo(
            "migration Job " + DESIRED + " failed at version 3: V3__x.sql failed: ERROR: boom");
  }

  @Test
  void failureWithoutAResultStallsAsJobFailed() {
    MigrationPlan plan = plan(Fixtures.schemaVersion(), failed(DESIRED, null));

    assertThat(plan.state()).isEqualTo(State.STALLED);
    assertThat(plan.reason()).isEqualTo(Reasons.JOB_FAILED);
    assertThat(plan.message()).contains("PodFailurePolicy");
  }

  @Test
  void podThatCannotStartStallsNamingWhy() {
    ObservedJob stuck =
        new ObservedJob(
            DESIRED,
            null,
            ObservedJob.Phase.Running,
            null,
            null,
            null,
            0,
            "CreateContainerConfigError: secret \"workflow-db\" not found",
            null,
            null,
            null,
            false);

    MigrationPlan plan = plan(Fixtures.schemaVersion(), stuck);

    assertThat(plan.state()).isEqualTo(State.STALLED);
    assertThat(plan.reason()).isEqualTo(Reasons.CONTAINER_CONFIG_ERROR);
    assertThat(plan.message()).contains("secret \"workflow-db\" not found");
  }

  @Test
  void missingConfigMapStallsNamingIt() {
    SchemaVersion resource =
        Fixtures.schemaVersion("migrations: {configMapRef: {name: workflow-migrations}}");

    MigrationPlan plan =
        MigrationPlanner.plan(
            resource,
            new MigrationSource.FromConfigMap("workflow-migrations", null),
            DESIRED,
            List.of());

    assertThat(plan.action()).isEqualTo(Action.NONE);
    assertThat(plan.state()).isEqualTo(State.STALLED);
    assertThat(plan.reason()).isEqualTo(Reasons.CONFIG_MAP_NOT_FOUND);
    assertThat(plan.message())
        .isEqualTo(
            "ConfigMap workflow-migrations (spec.migrations.configMapRef) not found in namespace apps");
  }

  @Test
  void aMissingConfigMapOfSeveralStallsNamingIt() {
    SchemaVersion resource =
        Fixtures.schemaVersion(
            "migrations: {configMapRefs: [{name: ledger-schema}, {name: ledger-data}]}");

    MigrationPlan plan =
        MigrationPlanner.plan(
            resource,
            new MigrationSource.FromConfigMaps(
                List.of(
                    new MigrationSource.FromConfigMap(
                        "ledger-schema",
                        new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                            .withNewMetadata()
                            .withName("ledger-schema")
                            .endMetadata()
                            .build()),
                    new MigrationSource.FromConfigMap("ledger-data", null))),
            DESIRED,
            List.of());

    assertThat(plan.action()).isEqualTo(Action.NONE);
    assertThat(plan.state()).isEqualTo(State.STALLED);
    assertThat(plan.reason()).isEqualTo(Reasons.CONFIG_MAP_NOT_FOUND);
    assertThat(plan.message())
        .isEqualTo(
            "ConfigMap ledger-data (spec.migrations.configMapRefs) not found in namespace apps");
  }

  @Test
  void targetBelowTheCurrentVersionStallsUnlessDowngradesAreAllowed() {
    SchemaVersion refused = Fixtures.schemaVersion("targetVersion: \"1\"");
    refused.setStatus(statusAt("2"));
    SchemaVersion allowed =
        Fixtures.schemaVersion("targetVersion: \"1\"\ndowngrade: {allowed: true}");
    allowed.setStatus(statusAt("2"));

    MigrationPlan refusedPlan = plan(refused);
    MigrationPlan allowedPlan = plan(allowed);

    assertThat(refusedPlan.state()).isEqualTo(State.STALLED);
    assertThat(refusedPlan.reason()).isEqualTo(Reasons.DOWNGRADE_NOT_ALLOWED);
    assertThat(refusedPlan.action()).isEqualTo(Action.NONE);
    assertThat(allowedPlan.action()).isEqualTo(Action.CREATE_JOB);
  }

  @Test
  void aJobGoneAfterItsTtlIsNotRunAgain() {
    SchemaVersion resource = Fixtures.schemaVersion();
    SchemaVersionStatus status = statusAt("2");
    MigrationJobStatus last =
        new MigrationJobStatus(DESIRED, "Migrated", "2026-01-01T10:00:00Z", "2026-01-01T10:01:00Z");
    // The outcome's reason and message live in lastJob: nothing is read back from conditions.
    last.setReason("Migrated");
    last.setMessage("migrated to version 2 (2 applied)");
    status.setLastJob(last);
    resource.setStatus(status);

    MigrationPlan plan = plan(resource);

    assertThat(plan.action()).isEqualTo(Action.NONE);
    assertThat(plan.state()).isEqualTo(State.READY);
    assertThat(plan.reason()).isEqualTo("Migrated");
    assertThat(plan.message()).isEqualTo("migrated to version 2 (2 applied)");
  }

  @Test
  void aFailureWhoseJobIsGoneStaysRecordedAsAJobFailureForTheRetryRule() {
    for (String reason : List.of("DatabaseUnreachable", "MigrationFailed")) {
      MigrationPlan plan = plan(failedAndGone(reason));

      // No Job runs again by itself once the failed one is gone: retries are Retries' rule.
      assertThat(plan.action()).isEqualTo(Action.NONE);
      assertThat(plan.state()).isEqualTo(State.STALLED);
      assertThat(plan.reason()).isEqualTo(reason);
      assertThat(plan.jobFailed()).isTrue();
    }
  }

  @Test
  void aJobStoppedAtItsDeadlineIsDeadlineExceededWhateverAnEarlierPodReported() {
    ObservedJob job =
        new ObservedJob(
            DESIRED,
            null,
            ObservedJob.Phase.Failed,
            ObservedJob.DEADLINE_EXCEEDED,
            "DeadlineExceeded: Job was active longer than specified deadline",
            Fixtures.result("Failed", "2", "DatabaseUnreachable"),
            1,
            null,
            null,
            "2026-01-01T10:00:00Z",
            "2026-01-01T10:15:00Z",
            false);

    MigrationPlan plan = plan(Fixtures.schemaVersion(), job);

    assertThat(plan.state()).isEqualTo(State.STALLED);
    assertThat(plan.reason()).isEqualTo(Reasons.DEADLINE_EXCEEDED);
    assertThat(plan.message())
        .contains("spec.job.activeDeadlineSeconds")
        .contains("An earlier attempt failed with DatabaseUnreachable");
  }

  private static SchemaVersion failedAndGone(String reason) {
    SchemaVersion resource = Fixtures.schemaVersion();
    SchemaVersionStatus status = statusAt("1");
    MigrationJobStatus last =
        new MigrationJobStatus(DESIRED, "Failed", "2026-01-01T10:00:00Z", "2026-01-01T10:01:00Z");
    last.setReason(reason);
    last.setMessage("failed");
    status.setLastJob(last);
    resource.setStatus(status);
    return resource;
  }

  private static SchemaVersionStatus statusAt(String version) {
    SchemaVersionStatus status = new SchemaVersionStatus();
    status.setCurrentVersion(version);
    return status;
  }
}
