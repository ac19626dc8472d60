package io.jobgtm.schema.migrator;

import static io.jobgtm.schema.migrator.testing.ResultDocuments.json;
import static io.jobgtm.schema.migrator.testing.ResultDocuments.texts;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobgtm.schema.contract.AppliedMigration;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.migrator.testing.DatabaseProbe;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * After a failure the result tells the truth about the history table: the version reached, what
 * this run applied and what is still to apply; and a migration that ran outside a transaction says
 * it was not rolled back, and how to recover.
 */
class TruthfulReportIT {

  private static final String PARCELS =
      "CREATE TYPE parcel_status AS ENUM ('received', 'sorted', 'delivered');\n"
          + "CREATE TABLE parcels (\n"
          + "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
          + "  status parcel_status NOT NULL DEFAULT 'received'\n"
          + ");\n";

  // The new value is used before it is committed: PostgreSQL refuses with SQLSTATE 55P04.
  private static final String MARK_LOST =
      "ALTER TYPE parcel_status ADD VALUE 'lost';\n"
          + "ALTER TABLE parcels ADD COLUMN lost_at TIMESTAMPTZ;\n"
          + "UPDATE parcels SET status = 'lost' WHERE lost_at IS NOT NULL;\n";

  private static final String HANDLES =
      "CREATE TABLE subscriber_handles (\n"
          + "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
          + "  handle TEXT NOT NULL\n"
          + ");\n";

  private static final String UNIQUE_HANDLE_INDEX = "ux_subscriber_handles_handle";

  private static final String UNIQUE_HANDLE =
      "CREATE UNIQUE INDEX CONCURRENTLY "
          + UNIQUE_HANDLE_INDEX
          + " ON subscriber_handles (lower(handle));\n";

  private static final String SOME_HANDLES =
      "INSERT INTO subscriber_handles (handle) VALUES ('grace'), ('linus');\n";

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);

  private MigratorConfiguration configure(MigrationFiles files) {
    return Migrator.configure()
        .connection(database)
        .migrations(MigrationSet.fromDirectory(files.directory()));
  }

  private List<String> history() {
    return Catalog.history(postgres, database.database(), "public");
  }

  private List<String> catalog() {
    return Catalog.snapshot(postgres, database.database(), "public");
  }

  // flyway/flyway#2999: a migration adding an enum value and using it fails with 55P04.
  @Test
  void freshDatabaseFirstMigrationAppliedSecondRolledBackIsReportedAtVersionOne() throws Exception {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__parcels.sql", PARCELS)
            .with("V2__mark_lost_parcels.sql", MARK_LOST);

    MigrationResult result = configure(files).load().migrate();

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.outcome()).isEqualTo(Outcome.Failed);
    assertThat(result.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(result.failure().version()).isEqualTo("2");
    assertThat(result.failure().message()).contains("55P04").contains("rolled back");
    assertThat(result.failure().message()).doesNotContainIgnoringCase("not rolled back");
    assertThat(result.versionBefore()).isNull();
    assertThat(result.applied()).extracting(AppliedMigration::version).containsExactly("1");
    assertThat(result.appliedCount()).isEqualTo(1);
    assertThat(result.versionAfter()).isEqualTo("1");
    assertThat(result.pending()).as("versions not yet applied").containsExactly("2");
    assertThat(result.pendingCount()).isEqualTo(1);
    assertThat(json(result).has("failed"))
        .as("no failed history entry: V2 was rolled back")
        .isFalse();
    assertThat(history()).containsExactly("1:SQL:true");
    assertThat(enumValues()).isEqualTo("{received,sorted,delivered}");
    assertThat(catalog())
        .contains("column parcels.status USER-DEFINED null=NO default='received'::parcel_status")
        .noneMatch(line -> line.contains("lost_at"));
  }

  // flyway/flyway#2999: one run applies V2 and then fails on V3; the report must say 2, not 1.
  @Test
  void versionedDatabaseSecondAppliedThirdFailsIsReportedAtVersionTwo() throws Exception {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__parcels.sql", PARCELS)
            .with("V2__parcel_weight.sql", "ALTER TABLE parcels ADD COLUMN weight_grams INTEGER;\n")
            .with(
                "V3__parcel_depot.sql",
                "ALTER TABLE parcels ADD COLUMN depot_id BIGINT REFERENCES depots (id);\n");
    assertThat(configure(files).target("1").load().migrate().versionAfter()).isEqualTo("1");
    assertThat(history()).containsExactly("1:SQL:true");

    MigrationResult result = configure(files).load().migrate();

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(result.failure().version()).isEqualTo("3");
    assertThat(result.failure().message()).contains("42P01").contains("rolled back");
    assertThat(result.failure().message()).doesNotContainIgnoringCase("not rolled back");
    assertThat(result.versionBefore()).isEqualTo("1");
    assertThat(result.applied()).extracting(AppliedMigration::version).containsExactly("2");
    assertThat(result.appliedCount()).isEqualTo(1);
    assertThat(result.versionAfter()).isEqualTo("2");
    assertThat(result.pending()).containsExactly("3");
    assertThat(result.pendingCount()).isEqualTo(1);
    assertThat(json(result).has("failed")).isFalse();
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(catalog())
        .contains("column parcels.weight_grams integer null=YES default=-")
        .noneMatch(line -> line.contains("depot_id"));
  }

  // sbdchd/squawk#1230, nightscout/nocturne#1156: a failed concurrent unique index is left INVALID.
  @Test
  void failedConcurrentUniqueIndexIsReportedAtVersionOneUntilRepairedAndMigrated()
      throws Exception {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__subscriber_handles.sql", HANDLES)
            .with("V2__unique_subscriber_handle.sql", UNIQUE_HANDLE);
    configure(files).target("1").load().migrate();
    postgres.execute(
        database.database(),
        "INSERT INTO subscriber_handles (handle) VALUES ('Ada'), ('Grace'), ('ADA')");

    MigrationResult failed = configure(files).load().migrate();

    assertThat(failed.exitCode()).isEqualTo(2);
    assertThat(failed.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(failed.failure().version()).isEqualTo("2");
    assertThat(failed.failure().message())
        .contains("23505")
        .containsIgnoringCase("not rolled back")
        .contains(UNIQUE_HANDLE_INDEX)
        .containsIgnoringCase("invalid")
        .contains("repair");
    assertThat(failed.versionBefore()).isEqualTo("1");
    assertThat(failed.versionAfter()).isEqualTo("1");
    assertThat(failed.applied()).isEmpty();
    assertThat(failed.pending()).containsExactly("2");
    assertThat(failed.pendingCount()).isEqualTo(1);
    assertThat(texts(json(failed), "failed")).containsExactly("2");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:false");
    assertThat(indexValidity(UNIQUE_HANDLE_INDEX)).containsExactly(false);

    MigrationResult info = configure(files).load().info();

    assertThat(info.exitCode()).isEqualTo(0);
    assertThat(info.outcome()).isEqualTo(Outcome.Reported);
    assertThat(info.versionBefore()).isEqualTo("1");
    assertThat(info.versionAfter()).isEqualTo("1");
    assertThat(info.applied()).extracting(AppliedMigration::version).containsExactly("1");
    assertThat(texts(json(info), "failed")).containsExactly("2");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:false");
    assertThat(indexValidity(UNIQUE_HANDLE_INDEX)).containsExactly(false);

    MigrationResult rerun = configure(files).load().migrate();

    assertThat(rerun.exitCode()).isEqualTo(2);
    assertThat(rerun.failure().reason()).isEqualTo(FailureReason.ValidationFailed);
    assertThat(rerun.failure().version()).isEqualTo("2");
    assertThat(rerun.failure().message()).contains("repair");
    assertThat(rerun.versionAfter()).isEqualTo("1");
    assertThat(rerun.applied()).isEmpty();
    assertThat(rerun.pending()).containsExactly("2");
    assertThat(texts(json(rerun), "failed")).containsExactly("2");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:false");
    assertThat(indexValidity(UNIQUE_HANDLE_INDEX)).containsExactly(false);

    postgres.execute(
        database.database(),
        "DELETE FROM subscriber_handles WHERE handle = 'ADA'",
        "DROP INDEX " + UNIQUE_HANDLE_INDEX);
    assertThat(indexValidity(UNIQUE_HANDLE_INDEX)).isEmpty();

    MigrationResult repaired = configure(files).load().repair();

    assertThat(repaired.exitCode()).isEqualTo(0);
    assertThat(repaired.outcome()).isEqualTo(Outcome.Repaired);
    assertThat(repaired.versionAfter()).isEqualTo("1");
    assertThat(json(repaired).has("failed")).isFalse();
    assertThat(history()).containsExactly("1:SQL:true");
    assertThat(indexValidity(UNIQUE_HANDLE_INDEX)).isEmpty();

    MigrationResult migrated = configure(files).load().migrate();

    assertThat(migrated.exitCode()).isEqualTo(0);
    assertThat(migrated.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(migrated.versionBefore()).isEqualTo("1");
    assertThat(migrated.versionAfter()).isEqualTo("2");
    assertThat(migrated.applied()).extracting(AppliedMigration::version).containsExactly("2");
    assertThat(migrated.pending()).isEmpty();
    assertThat(json(migrated).has("failed")).isFalse();
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(indexValidity(UNIQUE_HANDLE_INDEX)).containsExactly(true);
  }

  // sbdchd/squawk#1230: a concurrent build failing before it creates anything is still recorded.
  @Test
  void concurrentIndexOnMissingColumnLeavesAFailedEntryAndVersionOne() throws Exception {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__subscriber_handles.sql", HANDLES)
            .with(
                "V2__index_subscriber_nickname.sql",
                "CREATE INDEX CONCURRENTLY ix_subscriber_handles_nickname"
                    + " ON subscriber_handles (nickname);\n");
    configure(files).target("1").load().migrate();
    List<String> catalogAtOne = catalog();

    MigrationResult result = configure(files).load().migrate();

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(result.failure().version()).isEqualTo("2");
    assertThat(result.failure().message())
        .contains("42703")
        .containsIgnoringCase("not rolled back")
        .contains("repair");
    assertThat(result.versionBefore()).isEqualTo("1");
    assertThat(result.versionAfter()).isEqualTo("1");
    assertThat(result.applied()).isEmpty();
    assertThat(result.pending()).containsExactly("2");
    assertThat(result.pendingCount()).isEqualTo(1);
    assertThat(texts(json(result), "failed")).containsExactly("2");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:false");
    assertThat(catalog()).isEqualTo(catalogAtOne);
    assertThat(indexValidity("ix_subscriber_handles_nickname")).isEmpty();
  }

  // sbdchd/squawk#1230: statements before the failing one stay applied; nothing undoes them.
  @Test
  void secondConcurrentIndexFailingLeavesTheFirstBuiltAndSaysSo() throws Exception {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__subscriber_handles.sql", HANDLES)
            .with(
                "V2__index_subscriber_handles.sql",
                "CREATE INDEX CONCURRENTLY ix_subscriber_handles_id_handle"
                    + " ON subscriber_handles (id, handle);\n"
                    + UNIQUE_HANDLE);
    configure(files).target("1").load().migrate();
    postgres.execute(
        database.database(), "INSERT INTO subscriber_handles (handle) VALUES ('linus'), ('Linus')");

    MigrationResult result = configure(files).load().migrate();

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(result.failure().version()).isEqualTo("2");
    assertThat(result.failure().message())
        .contains("23505")
        .containsIgnoringCase("not rolled back")
        .contains(UNIQUE_HANDLE_INDEX)
        .contains("repair");
    assertThat(result.versionAfter()).isEqualTo("1");
    assertThat(result.applied()).isEmpty();
    assertThat(result.pending()).containsExactly("2");
    assertThat(texts(json(result), "failed")).containsExactly("2");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:false");
    assertThat(indexValidity("ix_subscriber_handles_id_handle")).containsExactly(true);
    assertThat(indexValidity(UNIQUE_HANDLE_INDEX)).containsExactly(false);
  }

  // flyway/flyway#2999: the result document the Job leaves for the operator says the same.
  @Test
  void cliResultFileOfAFailedFirstRunReportsVersionOne() throws Exception {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__parcels.sql", PARCELS)
            .with("V2__mark_lost_parcels.sql", MARK_LOST);

    MigratorProcess.Migration migration =
        MigratorProcess.migrate(database, postgres.password(), files.directory());
    MigratorProcess.Finished run = migration.run();

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    JsonNode result = new ObjectMapper().readTree(migration.resultFile().toFile());
    assertThat(result.get("outcome").asText()).isEqualTo("Failed");
    assertThat(result.get("failure").get("reason").asText()).isEqualTo("MigrationFailed");
    assertThat(result.get("failure").get("version").asText()).isEqualTo("2");
    assertThat(result.get("failure").get("message").asText())
        .contains("55P04")
        .contains("rolled back")
        .doesNotContainIgnoringCase("not rolled back");
    assertThat(result.has("versionBefore")).isFalse();
    assertThat(result.get("versionAfter").asText()).isEqualTo("1");
    assertThat(versionsOf(result.get("applied"))).containsExactly("1");
    assertThat(result.get("appliedCount").asInt()).isEqualTo(1);
    assertThat(texts(result, "pending")).containsExactly("2");
    assertThat(result.get("pendingCount").asInt()).isEqualTo(1);
    assertThat(result.has("failed")).isFalse();
    assertThat(history()).containsExactly("1:SQL:true");
    assertThat(enumValues()).isEqualTo("{received,sorted,delivered}");
  }

  // sbdchd/squawk#1230, nightscout/nocturne#1156: the recovery path through the command line.
  @Test
  void cliFailedConcurrentUniqueIndexInfoRerunRepairAndMigrate() throws Exception {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__subscriber_handles.sql", HANDLES)
            .with("V2__unique_subscriber_handle.sql", UNIQUE_HANDLE);
    Cli first = cli(files, "migrate", "--target", "1");
    assertThat(first.run().exitCode()).as(first.run().toString()).isEqualTo(0);
    postgres.execute(
        database.database(),
        "INSERT INTO subscriber_handles (handle) VALUES ('Ada'), ('Grace'), ('ADA')");

    Cli failed = cli(files, "migrate");

    assertThat(failed.run().exitCode()).as(failed.run().toString()).isEqualTo(2);
    // Flyway's own log of the failure ("Changes successfully rolled back", "restore backups") is
    // not printed: it can be untrue (flyway/flyway#3990); the migrator's own line says what
    // happened.
    assertThat(failed.run().stderr())
        .doesNotContain("successfully rolled back")
        .doesNotContain("restore backups")
        .contains("NOT rolled back");
    assertThat(failed.result().get("outcome").asText()).isEqualTo("Failed");
    assertThat(failed.result().get("failure").get("reason").asText()).isEqualTo("MigrationFailed");
    assertThat(failed.result().get("failure").get("version").asText()).isEqualTo("2");
    assertThat(failed.result().get("failure").get("message").asText())
        .containsIgnoringCase("not rolled back")
        .contains(UNIQUE_HANDLE_INDEX)
        .contains("repair");
    assertThat(failed.result().get("versionBefore").asText()).isEqualTo("1");
    assertThat(failed.result().get("versionAfter").asText()).isEqualTo("1");
    assertThat(failed.result().get("appliedCount").asInt()).isEqualTo(0);
    assertThat(texts(failed.result(), "pending")).containsExactly("2");
    assertThat(texts(failed.result(), "failed")).containsExactly("2");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:false");
    assertThat(indexValidity(UNIQUE_HANDLE_INDEX)).containsExactly(false);

    Cli info = cli(files, "info");

    assertThat(info.run().exitCode()).as(info.run().toString()).isEqualTo(0);
    assertThat(info.run().stdout().lines())
        .contains("applied: 1 subscriber handles", "failed: 2 unique subscriber handle");
    assertThat(info.result().get("outcome").asText()).isEqualTo("Reported");
    assertThat(info.result().get("versionAfter").asText()).isEqualTo("1");
    assertThat(texts(info.result(), "failed")).containsExactly("2");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:false");

    Cli rerun = cli(files, "migrate");

    assertThat(rerun.run().exitCode()).as(rerun.run().toString()).isEqualTo(2);
    assertThat(rerun.result().get("failure").get("reason").asText()).isEqualTo("ValidationFailed");
    assertThat(rerun.result().get("failure").get("version").asText()).isEqualTo("2");
    assertThat(rerun.result().get("failure").get("message").asText()).contains("repair");
    assertThat(rerun.result().get("versionAfter").asText()).isEqualTo("1");
    assertThat(texts(rerun.result(), "failed")).containsExactly("2");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:false");
    assertThat(indexValidity(UNIQUE_HANDLE_INDEX)).containsExactly(false);

    postgres.execute(
        database.database(),
        "DELETE FROM subscriber_handles WHERE handle = 'ADA'",
        "DROP INDEX " + UNIQUE_HANDLE_INDEX);
    Cli repair = cli(files, "repair");

    assertThat(repair.run().exitCode()).as(repair.run().toString()).isEqualTo(0);
    assertThat(repair.result().get("outcome").asText()).isEqualTo("Repaired");
    assertThat(repair.result().get("versionAfter").asText()).isEqualTo("1");
    assertThat(repair.result().has("failed")).isFalse();
    assertThat(history()).containsExactly("1:SQL:true");
    assertThat(indexValidity(UNIQUE_HANDLE_INDEX)).isEmpty();

    Cli migrated = cli(files, "migrate");

    assertThat(migrated.run().exitCode()).as(migrated.run().toString()).isEqualTo(0);
    assertThat(migrated.result().get("outcome").asText()).isEqualTo("Migrated");
    assertThat(migrated.result().get("versionBefore").asText()).isEqualTo("1");
    assertThat(migrated.result().get("versionAfter").asText()).isEqualTo("2");
    assertThat(versionsOf(migrated.result().get("applied"))).containsExactly("2");
    assertThat(migrated.result().has("failed")).isFalse();
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(indexValidity(UNIQUE_HANDLE_INDEX)).containsExactly(true);
  }

  // pgjdbc/pgjdbc#1101: a script that sets client_encoding breaks the driver's session; a retry
  // meets the same script, so the failure is permanent, and the history still says version 1.
  @Test
  void scriptThatChangesClientEncodingFailsPermanentlyAtVersionOne() throws Exception {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__parcels.sql", PARCELS)
            .with(
                "V2__parcel_labels.sql",
                "SET client_encoding = 'LATIN1';"
                    + " CREATE TABLE parcel_labels (id BIGINT PRIMARY KEY, label TEXT);\n");
    assertThat(configure(files).target("1").load().migrate().versionAfter()).isEqualTo("1");
    List<String> catalogAtOne = catalog();

    MigrationResult result = configure(files).load().migrate();

    assertThat(result.failure()).as(String.valueOf(result)).isNotNull();
    assertThat(result.failure().reason())
        .as(result.toJson())
        .isEqualTo(FailureReason.MigrationFailed);
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.outcome()).isEqualTo(Outcome.Failed);
    assertThat(result.failure().version()).isEqualTo("2");
    assertThat(result.versionBefore()).isEqualTo("1");
    assertThat(result.versionAfter()).isEqualTo("1");
    assertThat(result.applied()).isEmpty();
    assertThat(result.pending()).containsExactly("2");
    assertThat(json(result).has("failed")).isFalse();
    assertThat(history()).containsExactly("1:SQL:true");
    assertThat(catalog()).isEqualTo(catalogAtOne).noneMatch(line -> line.contains("parcel_labels"));
  }

  // flyway/flyway#2999: a lock timeout is transient, and the report still reads the history: V1
  // of the same run is applied and stays, V2 is pending.
  @Test
  void lockTimeoutOnTheSecondMigrationOfAFirstRunIsReportedAtVersionOne() throws Exception {
    postgres.execute(
        database.database(),
        "CREATE SCHEMA dispatch",
        "CREATE TABLE dispatch.depot_counters (id INT PRIMARY KEY, parcels INT NOT NULL)",
        "INSERT INTO dispatch.depot_counters VALUES (1, 0), (2, 0)");
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__parcels.sql", PARCELS)
            .with(
                "V2__count_parcels.sql",
                "UPDATE dispatch.depot_counters SET parcels = parcels + 1 WHERE id = 1;\n"
                    + "ALTER TABLE parcels ADD COLUMN depot_id INT;\n");

    MigrationResult result;
    try (Connection holder = postgres.connect(database.database())) {
      holder.setAutoCommit(false);
      try (Statement statement = holder.createStatement()) {
        statement.execute("SELECT parcels FROM dispatch.depot_counters WHERE id = 1 FOR UPDATE");
      }
      result = configure(files).lockTimeout(Duration.ofSeconds(1)).load().migrate();
      holder.rollback();
    }

    assertThat(result.failure()).as(String.valueOf(result)).isNotNull();
    assertThat(result.failure().reason()).isEqualTo(FailureReason.MigrationInterrupted);
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.failure().version()).isEqualTo("2");
    assertThat(result.failure().message()).contains("55P03");
    assertThat(result.versionBefore()).isNull();
    assertThat(result.applied()).extracting(AppliedMigration::version).containsExactly("1");
    assertThat(result.versionAfter()).isEqualTo("1");
    assertThat(result.pending()).containsExactly("2");
    assertThat(json(result).has("failed")).isFalse();
    assertThat(history()).containsExactly("1:SQL:true");
    assertThat(catalog())
        .contains("column parcels.status USER-DEFINED null=NO default='received'::parcel_status")
        .noneMatch(line -> line.contains("depot_id"));
    assertThat(
            DatabaseProbe.strings(
                postgres,
                database.database(),
                "SELECT id || ':' || parcels FROM dispatch.depot_counters ORDER BY id"))
        .containsExactly("1:0", "2:0");
  }

  // sbdchd/squawk#1230: a concurrent index build that times out waiting for an old snapshot is
  // left INVALID; retrying alone meets the failed entry, so the failure is permanent.
  @Test
  void concurrentIndexTimingOutIsAPermanentFailureNamingItsInvalidIndex() throws Exception {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__subscriber_handles.sql", HANDLES + SOME_HANDLES)
            .with("V2__unique_subscriber_handle.sql", UNIQUE_HANDLE);
    configure(files).target("1").load().migrate();
    assertThat(history()).containsExactly("1:SQL:true");

    MigrationResult result;
    try (Connection reader = postgres.connect(database.database())) {
      reader.setAutoCommit(false);
      reader.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try (Statement statement = reader.createStatement()) {
        statement.execute("SELECT count(*) FROM subscriber_handles");
      }
      result = configure(files).lockTimeout(Duration.ofSeconds(1)).load().migrate();
      reader.rollback();
    }

    assertThat(result.failure()).as(String.valueOf(result)).isNotNull();
    assertThat(result.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.failure().version()).isEqualTo("2");
    assertThat(result.failure().message())
        .contains("55P03")
        .containsIgnoringCase("not rolled back")
        .contains(UNIQUE_HANDLE_INDEX)
        .containsIgnoringCase("invalid")
        .contains("repair");
    assertThat(result.versionBefore()).isEqualTo("1");
    assertThat(result.versionAfter()).isEqualTo("1");
    assertThat(result.applied()).isEmpty();
    assertThat(result.pending()).containsExactly("2");
    assertThat(texts(json(result), "failed")).containsExactly("2");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:false");
    assertThat(indexValidity(UNIQUE_HANDLE_INDEX)).containsExactly(false);
  }

  // nightscout/nocturne#1156: an INVALID index another schema had before the run is not this
  // run's to report.
  @Test
  void invalidIndexOfAnotherSchemaIsNotNamedByALaterFailure() throws Exception {
    String elsewhere = "ux_archived_handles_handle";
    postgres.execute(
        database.database(),
        "CREATE SCHEMA archive",
        "CREATE TABLE archive.archived_handles (id INT PRIMARY KEY, handle TEXT NOT NULL)",
        "INSERT INTO archive.archived_handles VALUES (1, 'ada'), (2, 'ada')");
    try {
      postgres.execute(
          database.database(),
          "CREATE UNIQUE INDEX CONCURRENTLY "
              + elsewhere
              + " ON archive.archived_handles (handle)");
    } catch (RuntimeException expected) {
      // The duplicate stops the build and leaves the index INVALID, which is what is wanted here.
    }
    assertThat(
            DatabaseProbe.strings(
                postgres,
                database.database(),
                "SELECT n.nspname || '.' || c.relname || ':' || i.indisvalid FROM pg_index i"
                    + " JOIN pg_class c ON c.oid = i.indexrelid"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = ?",
                elsewhere))
        .containsExactly("archive." + elsewhere + ":false");
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__subscriber_handles.sql", HANDLES)
            .with("V2__unique_subscriber_handle.sql", UNIQUE_HANDLE);
    configure(files).target("1").load().migrate();
    postgres.execute(
        database.database(), "INSERT INTO subscriber_handles (handle) VALUES ('Ada'), ('ada')");

    MigrationResult result = configure(files).load().migrate();

    assertThat(result.failure()).as(String.valueOf(result)).isNotNull();
    assertThat(result.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.failure().version()).isEqualTo("2");
    assertThat(result.failure().message())
        .contains("23505")
        .containsIgnoringCase("not rolled back")
        .contains(UNIQUE_HANDLE_INDEX)
        .doesNotContain(elsewhere)
        .doesNotContain("archive");
    assertThat(result.versionAfter()).isEqualTo("1");
    assertThat(texts(json(result), "failed")).containsExactly("2");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:false");
    assertThat(indexValidity(UNIQUE_HANDLE_INDEX)).containsExactly(false);
  }

  /** One finished CLI command and the result document it wrote. */
  private record Cli(MigratorProcess.Finished run, JsonNode result) {}

  private Cli cli(MigrationFiles files, String command, String... more) {
    try {
      Path resultFile = Files.createTempFile("result-", ".json");
      List<String> arguments = new ArrayList<>(List.of(command));
      arguments.addAll(List.of(more));
      arguments.addAll(
          List.of(
              "--migrations",
              files.directory().toString(),
              "--result-file",
              resultFile.toString()));
      MigratorProcess.Finished run =
          MigratorProcess.of(database, postgres.password(), arguments.toArray(String[]::new)).run();
      String document = Files.readString(resultFile);
      assertThat(document).as("result file of %s: %s", command, run).isNotBlank();
      return new Cli(run, new ObjectMapper().readTree(document));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> versionsOf(JsonNode applied) {
    List<String> versions = new ArrayList<>();
    if (applied != null) {
      applied.forEach(migration -> versions.add(migration.get("version").asText()));
    }
    return versions;
  }

  private String enumValues() throws SQLException {
    try (Connection connection = postgres.connect(database.database());
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT enum_range(NULL::parcel_status)::text")) {
      result.next();
      return result.getString(1);
    }
  }

  /** indisvalid of each index of that name in the schema: empty when there is none. */
  private List<Boolean> indexValidity(String name) throws SQLException {
    try (Connection connection = postgres.connect(database.database());
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE n.nspname = 'public' AND c.relname = '"
                    + name
                    + "'")) {
      List<Boolean> validity = new ArrayList<>();
      while (result.next()) {
        validity.add(result.getBoolean(1));
      }
      return validity;
    }
  }
}
