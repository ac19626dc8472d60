package io.jobgtm.schema.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MigrationResultTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static MigrationResult result(List<AppliedMigration> applied, Failure failure) {
    return new MigrationResult(
        MigrationResult.API_VERSION,
        "migrate",
        failure == null ? Outcome.Migrated : Outcome.Failed,
        DatabaseState.Fresh,
        null,
        applied.isEmpty() ? null : applied.get(applied.size() - 1).version(),
        "latest",
        null,
        applied,
        applied.size(),
        List.of(),
        List.of(),
        0,
        List.of(),
        List.of(),
        null,
        failure,
        1234,
        false);
  }

  private static List<AppliedMigration> applied(int count) {
    return IntStream.rangeClosed(1, count)
        .mapToObj(i -> new AppliedMigration(String.valueOf(i), "create table number " + i, i))
        .toList();
  }

  private static int bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void smallResultIsWrittenWhole() throws Exception {
    String json = result(applied(2), null).toJson();

    JsonNode document = JSON.readTree(json);
    assertThat(document.get("apiVersion").asText()).isEqualTo("migrator.schema.jobgtm.io/v1");
    assertThat(document.get("outcome").asText()).isEqualTo("Migrated");
    assertThat(document.get("databaseState").asText()).isEqualTo("Fresh");
    assertThat(document.get("versionAfter").asText()).isEqualTo("2");
    assertThat(document.get("applied")).hasSize(2);
    assertThat(document.get("applied").get(0).get("durationMs").asLong()).isEqualTo(1);
    assertThat(document.get("truncated").asBoolean()).isFalse();
    assertThat(document.has("failure")).isFalse();
    // Without repeatable migrations the document is the one readers before them knew.
    assertThat(document.has("appliedRepeatables")).isFalse();
    assertThat(document.has("pendingRepeatables")).isFalse();
  }

  @Test
  void fiveHundredAppliedMigrationsKeepTheMostRecentWithinTheLimit() throws Exception {
    String json = result(applied(500), null).toJson();

    assertThat(bytes(json)).isLessThanOrEqualTo(MigrationResult.MAX_DOCUMENT_BYTES);
    JsonNode document = JSON.readTree(json);
    assertThat(document.get("appliedCount").asInt()).isEqualTo(500);
    assertThat(document.get("truncated").asBoolean()).isTrue();
    JsonNode kept = document.get("applied");
    assertThat(kept.size()).isBetween(1, 499);
    assertThat(kept.get(kept.size() - 1).get("version").asText()).isEqualTo("500");
  }

  @Test
  void hugeErrorMessageIsCutNotTheDocument() throws Exception {
    String huge = "ERROR: syntax error at or near \"é\" ".repeat(5000);
    Failure failure = new Failure(FailureReason.MigrationFailed, "3", huge);

    String json = result(applied(500), failure).toJson();

    assertThat(bytes(json)).isLessThanOrEqualTo(MigrationResult.MAX_DOCUMENT_BYTES);
    JsonNode document = JSON.readTree(json);
    assertThat(document.get("outcome").asText()).isEqualTo("Failed");
    assertThat(document.get("failure").get("reason").asText()).isEqualTo("MigrationFailed");
    assertThat(document.get("failure").get("version").asText()).isEqualTo("3");
    assertThat(document.get("failure").get("message").asText())
        .startsWith("ERROR: syntax error")
        .endsWith("…");
    assertThat(document.get("truncated").asBoolean()).isTrue();
  }

  @Test
  void aLongPendingListKeepsItsHighestVersionsAndItsCount() throws Exception {
    List<String> pending =
        IntStream.rangeClosed(1, 900).mapToObj(i -> "1." + i + ".0.0.0.0.0.1").toList();
    MigrationResult result =
        new MigrationResult(
            MigrationResult.API_VERSION,
            "plan",
            Outcome.Planned,
            DatabaseState.Fresh,
            null,
            null,
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
            null,
            10,
            false);

    String json = result.toJson();

    assertThat(bytes(json)).isLessThanOrEqualTo(MigrationResult.MAX_DOCUMENT_BYTES);
    MigrationResult read = MigrationResult.fromJson(json).orElseThrow();
    assertThat(read.truncated()).isTrue();
    assertThat(read.pendingCount()).isEqualTo(900);
    assertThat(read.pending()).hasSizeBetween(1, 899);
    // The last pending version is the one the run aims at: a reader's desired version.
    assertThat(read.pending()).last().isEqualTo("1.900.0.0.0.0.0.1");
  }

  @Test
  void exitCodeFollowsTheFailureReason() {
    assertThat(result(applied(1), null).exitCode()).isZero();
    assertThat(
            result(List.of(), new Failure(FailureReason.DatabaseUnreachable, null, "x")).exitCode())
        .isEqualTo(1);
    assertThat(result(List.of(), new Failure(FailureReason.MigrationFailed, "1", "x")).exitCode())
        .isEqualTo(2);
  }

  @Test
  void verificationWithManyLongDifferencesKeepsItsCountAndTheFirstLinesWithinTheLimit()
      throws Exception {
    List<String> differences =
        IntStream.rangeClosed(1, 60)
            .mapToObj(i -> "missing column app.table_" + i + "." + "c".repeat(300))
            .toList();
    MigrationResult drifted =
        result(applied(40), null)
            .withServerVersion("17.6")
            .withVerification(
                SchemaVerification.drifted(
                    "40", "sha256:" + "a".repeat(64), "sha256:" + "b".repeat(64), differences));

    String json = drifted.toJson();

    assertThat(bytes(json)).isLessThanOrEqualTo(MigrationResult.MAX_DOCUMENT_BYTES);
    JsonNode verification = JSON.readTree(json).get("verification");
    assertThat(verification.get("drift").asText()).isEqualTo("Drifted");
    assertThat(verification.get("differenceCount").asInt()).isEqualTo(60);
    assertThat(verification.get("differences").size())
        .isBetween(1, SchemaVerification.MAX_DIFFERENCES);
    assertThat(verification.get("differences").get(0).asText())
        .startsWith("missing column app.table_1.")
        .hasSize(SchemaVerification.MAX_LINE);
    MigrationResult read = MigrationResult.fromJson(json).orElseThrow();
    assertThat(read.serverVersion()).isEqualTo("17.6");
    assertThat(read.verification().fingerprint()).isEqualTo("sha256:" + "a".repeat(64));
  }

  @Test
  void aDocumentWithoutVerificationReadsAsNone() {
    MigrationResult read =
        MigrationResult.fromJson(result(applied(1), null).toJson()).orElseThrow();

    assertThat(read.verification()).isNull();
    assertThat(read.serverVersion()).isNull();
  }

  @Test
  void aLongReasonWhyNothingCouldBeComparedIsCutAndTheDocumentStaysWithinTheLimit()
      throws Exception {
    MigrationResult unknown =
        result(applied(1), new Failure(FailureReason.MigrationFailed, "1", "x".repeat(5000)))
            .withVerification(
                SchemaVerification.unknown(
                    "1", "sha256:" + "a".repeat(64), "the replay failed: " + "y".repeat(8000)));

    String json = unknown.toJson();

    assertThat(bytes(json)).isLessThanOrEqualTo(MigrationResult.MAX_DOCUMENT_BYTES);
    String reason = JSON.readTree(json).get("verification").get("reason").asText();
    assertThat(reason).startsWith("the replay failed: y").endsWith("…");
    assertThat(reason.length()).isLessThanOrEqualTo(SchemaVerification.MAX_REASON);
  }
}
