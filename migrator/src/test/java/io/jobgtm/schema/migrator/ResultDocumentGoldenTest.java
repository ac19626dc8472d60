package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The result documents the migrator writes, byte for byte as the golden files in {@code
 * src/test/resources/result-documents/}, which the operator's tests read back
 * (MigrationJobResultTest): a change to the document shows on both sides at once.
 */
class ResultDocumentGoldenTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static String golden(String name) throws Exception {
    return Files.readString(Path.of("src/test/resources/result-documents", name)).strip();
  }

  private static MigrationResult result(
      String command,
      Outcome outcome,
      String before,
      String after,
      List<AppliedMigration> applied,
      List<String> pending,
      List<String> failed,
      List<String> outOfOrder,
      Failure failure,
      long durationMs) {
    return new MigrationResult(
        MigrationResult.API_VERSION,
        command,
        outcome,
        DatabaseState.Versioned,
        before,
        after,
        "latest",
        null,
        applied,
        applied.size(),
        List.of(),
        pending,
        pending.size(),
        failed,
        outOfOrder,
        failure,
        durationMs,
        false);
  }

  @Test
  void failureAfterApplyingReportsOnlyWhatTheHistoryHolds() throws Exception {
    MigrationResult result =
        result(
            "migrate",
            Outcome.Failed,
            "1",
            "2",
            List.of(new AppliedMigration("2", "shipment notes", 12)),
            List.of("3"),
            List.of(),
            List.of(),
            new Failure(
                FailureReason.MigrationFailed,
                "3",
                "V3__shipment_costs.sql failed: ERROR: type \"numerik\" does not exist [SQLSTATE"
                    + " 42704]; it ran in a transaction and was rolled back"),
            250);

    assertThat(result.toJson()).isEqualTo(golden("failed-after-applying.json"));
  }

  @Test
  void failureOutsideATransactionNamesTheFailedVersion() throws Exception {
    MigrationResult result =
        result(
            "migrate",
            Outcome.Failed,
            "1",
            "1",
            List.of(),
            List.of("2"),
            List.of("2"),
            List.of(),
            new Failure(
                FailureReason.MigrationFailed,
                "2",
                "V2__unique_member_email.sql failed: ERROR: could not create unique index"
                    + " \"ux_member_emails_email\" [SQLSTATE 23505]; it ran outside a transaction"
                    + " and was NOT rolled back, leaving invalid index"
                    + " public.ux_member_emails_email. Version 2 is recorded as failed: remove what"
                    + " it left behind, fix the script, run repair (it removes the failed entry),"
                    + " then migrate again"),
            90);

    assertThat(result.toJson()).isEqualTo(golden("failed-not-rolled-back.json"));
  }

  @Test
  void infoListsVersionsNotAppliedOutOfOrder() throws Exception {
    MigrationResult result =
        result(
            "info",
            Outcome.Reported,
            "3",
            "3",
            List.of(
                new AppliedMigration("1", "accounts", 8),
                new AppliedMigration("3", "account flags", 4)),
            List.of(),
            List.of(),
            List.of("2"),
            null,
            40);

    assertThat(result.toJson()).isEqualTo(golden("info-out-of-order.json"));
    assertThat(JSON.readTree(result.toJson()).has("failed")).isFalse();
  }
}
