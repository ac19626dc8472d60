package io.jobgtm.schema.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.contract.AppliedMigration;
import io.jobgtm.schema.contract.DatabaseState;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The operator reads the golden result documents of job-contract, the same files the migrator's
 * ResultDocumentGoldenIT produces from real runs, as it reads a Job's termination message.
 */
class ResultDocumentReaderTest {

  private static MigrationResult golden(String name) throws Exception {
    return MigrationResult.fromJson(
            Files.readString(Path.of("../job-contract/src/test/resources/golden").resolve(name)))
        .orElseThrow();
  }

  @Test
  void migrated() throws Exception {
    MigrationResult result = golden("migrated.json");

    assertThat(result.succeeded()).isTrue();
    assertThat(result.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(result.databaseState()).isEqualTo(DatabaseState.Fresh);
    assertThat(result.versionAfter()).isEqualTo("2");
    assertThat(result.applied()).extracting(AppliedMigration::version).containsExactly("1", "2");
  }

  @Test
  void failureAfterApplyingLeavesTheVersionTheHistoryHolds() throws Exception {
    MigrationResult result = golden("failed-after-applying.json");

    assertThat(result.succeeded()).isFalse();
    assertThat(result.versionAfter()).isEqualTo("2");
    assertThat(result.pending()).containsExactly("3");
    assertThat(result.applied()).extracting(AppliedMigration::version).containsExactly("2");
    assertThat(result.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(result.failure().version()).isEqualTo("3");
  }

  @Test
  void failureOutsideATransactionKeepsThePreviousVersion() throws Exception {
    MigrationResult result = golden("failed-not-rolled-back.json");

    assertThat(result.versionAfter()).isEqualTo("1");
    assertThat(result.failed()).containsExactly("2");
    assertThat(result.failure().version()).isEqualTo("2");
    assertThat(result.failure().message()).contains("NOT rolled back", "repair");
  }

  @Test
  void infoWithAVersionOutOfOrder() throws Exception {
    MigrationResult result = golden("info-out-of-order.json");

    assertThat(result.succeeded()).isTrue();
    assertThat(result.versionAfter()).isEqualTo("3");
    assertThat(result.failed()).isEmpty();
    assertThat(result.outOfOrder()).containsExactly("2");
  }

  @Test
  void repeatableMigrationsAreReadAndADocumentWithoutThemHasNone() throws Exception {
    MigrationResult migrated = golden("migrated-repeatables.json");
    MigrationResult info = golden("info-changed-repeatable.json");
    MigrationResult older = golden("migrated.json");

    assertThat(migrated.applied()).extracting(AppliedMigration::version).containsExactly("1");
    assertThat(migrated.appliedRepeatables())
        .extracting(AppliedMigration::description)
        .containsExactly("shipment costs");
    assertThat(migrated.appliedRepeatables())
        .extracting(AppliedMigration::version)
        .containsOnlyNulls();
    assertThat(info.pendingRepeatables()).containsExactly("shipment costs");
    assertThat(info.pending()).isEmpty();
    assertThat(older.appliedRepeatables()).isEmpty();
    assertThat(older.pendingRepeatables()).isEmpty();
  }

  @Test
  void aNewerWritersFieldsAndReasonsDoNotStopTheReader() throws Exception {
    String newer =
        Files.readString(
                Path.of("../job-contract/src/test/resources/golden/failed-after-applying.json"))
            .replace("\"MigrationFailed\"", "\"SomeReasonOfLater\"")
            .replaceFirst("\\{", "{\"later\": 1, ");

    MigrationResult result = MigrationResult.fromJson(newer).orElseThrow();

    assertThat(result.succeeded()).isFalse();
    assertThat(result.failure().reason()).isNull();
    assertThat(result.exitCode()).isEqualTo(2);
  }

  @Test
  void whatIsNotAResultDocumentIsNone() {
    assertThat(MigrationResult.fromJson(null)).isEmpty();
    assertThat(MigrationResult.fromJson("")).isEmpty();
    assertThat(MigrationResult.fromJson("Error: container killed")).isEmpty();
    assertThat(MigrationResult.fromJson("{\"apiVersion\": \"migrator.schema.jobgtm.io/v1\""))
        .isEmpty();
    assertThat(
            MigrationResult.fromJson("{\"apiVersion\": \"other/v9\", \"outcome\": \"Migrated\"}"))
        .isEmpty();
  }
}
