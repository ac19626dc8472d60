package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobgtm.schema.contract.AppliedMigration;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.contract.Version;
import io.jobgtm.schema.migrator.testing.DatabaseProbe;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.ReferenceFlyway;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.Test;

/**
 * SQL callbacks ({@code beforeMigrate.sql}, {@code afterMigrate__grants.sql}, ...) run when Flyway
 * fires their events, in Flyway's order. Each callback of the folder writes its event into a log
 * table; the same folder runs through the migrator and, in a second database, through Flyway's own
 * API, and the logs, catalogs and history tables are compared.
 */
class SqlCallbackIT {

  // In a schema of its own: a callback that runs before the first migration must leave the
  // migrated schema empty, or Flyway refuses it as not empty.
  private static final String LOG =
      "CREATE SCHEMA IF NOT EXISTS audit;\n"
          + "CREATE TABLE IF NOT EXISTS audit.callback_log (\n"
          + "  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, entry TEXT NOT NULL);\n";

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);
  private final String reference = postgres.createDatabase();

  private static String logs(String entry) {
    return "INSERT INTO audit.callback_log (entry) VALUES ('" + entry + "');\n";
  }

  private static MigrationFiles folder() {
    return MigrationFiles.empty()
        .with("V1__crates.sql", "CREATE TABLE crates (id BIGINT PRIMARY KEY);\n")
        .with("V2__crate_labels.sql", "ALTER TABLE crates ADD COLUMN label TEXT;\n")
        .with(
            "R__crate_count.sql",
            "CREATE OR REPLACE VIEW crate_count AS SELECT count(*) n FROM crates;\n")
        .with("beforeValidate.sql", LOG + logs("beforeValidate"))
        .with("afterValidate.sql", logs("afterValidate"))
        .with("beforeMigrate.sql", LOG + logs("beforeMigrate"))
        .with("beforeEachMigrate.sql", logs("beforeEachMigrate"))
        .with("afterEachMigrate.sql", logs("afterEachMigrate"))
        .with("afterEachMigrate__count.sql", logs("afterEachMigrate count"))
        .with("afterVersioned.sql", logs("afterVersioned"))
        .with("beforeRepeatables.sql", logs("beforeRepeatables"))
        .with("afterMigrateApplied.sql", logs("afterMigrateApplied"))
        .with(
            "afterMigrate__grants.sql",
            "COMMENT ON TABLE audit.callback_log IS 'read by ${audience}';\n"
                + logs("afterMigrate grants"))
        .with("afterMigrate.sql", logs("afterMigrate"));
  }

  @Test
  void theyRunOnTheirEventsInFlywaysOrder() {
    MigrationFiles files = folder();

    MigrationPlan plan = configure(files).load().plan();
    assertThat(plan.callbacks())
        .extracting(MigrationScript::fileName)
        .contains("beforeMigrate.sql", "afterMigrate.sql", "afterMigrate__grants.sql");
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();

    MigrationResult migrated = configure(files).load().migrate();
    ReferenceFlyway.on(postgres, reference, files.directory()).migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(migrated.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(migrated.applied()).extracting(AppliedMigration::version).containsExactly("1", "2");
    assertThat(log(database.database()))
        .containsExactly(
            "beforeValidate",
            "afterValidate",
            "beforeMigrate",
            "beforeEachMigrate",
            "afterEachMigrate",
            "afterEachMigrate count",
            "beforeEachMigrate",
            "afterEachMigrate",
            "afterEachMigrate count",
            "afterVersioned",
            "beforeRepeatables",
            "beforeEachMigrate",
            "afterEachMigrate",
            "afterEachMigrate count",
            "afterMigrateApplied",
            "afterMigrate",
            "afterMigrate grants");
    assertThat(
            DatabaseProbe.string(
                postgres,
                database.database(),
                "SELECT obj_description('audit.callback_log'::regclass, 'pg_class')"))
        .isEqualTo("read by ${audience}");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true", "-:SQL:true");
    assertSameAsFlyway();

    // beforeMigrate and afterMigrate run on every migrate, as in Flyway, even with nothing to do.
    MigrationResult again = configure(files).load().migrate();
    ReferenceFlyway.on(postgres, reference, files.directory()).migrate();

    assertThat(again.outcome()).isEqualTo(Outcome.UpToDate);
    assertThat(log(database.database()))
        .endsWith(
            "beforeValidate",
            "afterValidate",
            "beforeMigrate",
            "afterVersioned",
            "afterMigrate",
            "afterMigrate grants");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true", "-:SQL:true");
    assertSameAsFlyway();
  }

  @Test
  void afterMigrateErrorRunsWhenAMigrationFails() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__crates.sql", "CREATE TABLE crates (id BIGINT PRIMARY KEY);\n")
            .with("V2__crate_weight.sql", "ALTER TABLE crates ADD COLUMN weight numerik;\n")
            .with("beforeMigrate.sql", LOG + logs("beforeMigrate"))
            .with("afterMigrateError.sql", logs("afterMigrateError"))
            .with("afterMigrate.sql", logs("afterMigrate"));

    MigrationResult failed = configure(files).load().migrate();
    assertThatThrownBy(() -> ReferenceFlyway.on(postgres, reference, files.directory()).migrate())
        .isInstanceOf(FlywayException.class);

    assertThat(failed.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(failed.failure().version()).isEqualTo("2");
    assertThat(failed.failure().message()).startsWith("V2__crate_weight.sql failed:");
    assertThat(failed.versionAfter()).isEqualTo("1");
    assertThat(log(database.database())).containsExactly("beforeMigrate", "afterMigrateError");
    assertThat(history()).containsExactly("1:SQL:true");
    assertSameAsFlyway();
  }

  @Test
  void eachStartsWithTheSessionDefaultsAndWhatABeforeEachMigrateSetsReachesTheMigration() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                "beforeMigrate.sql",
                "SET lock_timeout = 0;\nSELECT set_config('search_path', '', false);\n")
            .with("beforeEachMigrate.sql", "SELECT set_config('app.tenant', 'acme', false);\n")
            .with(
                "V1__settings_seen.sql",
                "CREATE TABLE settings_seen AS SELECT current_setting('app.tenant', true) AS tenant,"
                    + " current_setting('lock_timeout') AS lock;\n")
            .with(
                "afterMigrate.sql",
                "INSERT INTO settings_seen SELECT 'after', current_setting('lock_timeout');\n");

    MigrationResult migrated = configure(files).load().migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(
            DatabaseProbe.strings(
                postgres,
                database.database(),
                "SELECT coalesce(tenant, '-') || ' ' || lock FROM settings_seen ORDER BY 1"))
        .containsExactly("acme 10s", "after 10s");
    assertThat(history()).containsExactly("1:SQL:true");
  }

  @Test
  void oneThatEndsItsTransactionIsRefusedBeforeAnythingRuns() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__crates.sql", "CREATE TABLE crates (id BIGINT PRIMARY KEY);\n")
            .with(
                "afterMigrate__grants.sql",
                "BEGIN;\nCOMMENT ON TABLE crates IS 'shared';\nCOMMIT;\n");

    MigrationResult planned = configure(files).load().plan().result();
    MigrationResult result = configure(files).load().migrate();

    assertThat(planned.failure().reason()).isEqualTo(FailureReason.InvalidMigrationSet);
    assertThat(result.failure().reason()).isEqualTo(FailureReason.InvalidMigrationSet);
    assertThat(result.failure().message())
        .isEqualTo(planned.failure().message())
        .startsWith("afterMigrate__grants.sql line 1: BEGIN ends or opens a transaction");
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();
  }

  @Test
  void oneThatRollsBackWhereTheParserCannotSeeItIsStoppedByTheGuard() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__crates.sql", "CREATE TABLE crates (id BIGINT PRIMARY KEY);\n")
            .with(
                "afterMigrate__seed.sql",
                "INSERT INTO crates VALUES (1);\n/* seeded /* twice */ once */ ROLLBACK;\n"
                    + "INSERT INTO crates VALUES (2);\n");

    MigrationResult result = configure(files).load().migrate();

    assertThat(result.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(result.failure().message())
        .startsWith("afterMigrate__seed.sql ends or rolls back its own transaction");
    assertThat(history()).containsExactly("1:SQL:true");
    assertThat(DatabaseProbe.strings(postgres, database.database(), "SELECT id::text FROM crates"))
        .isEmpty();
  }

  @Test
  void stampingAnUnversionedSchemaFiresTheBaselineCallbacks() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__crates.sql", "CREATE TABLE crates (id BIGINT PRIMARY KEY);\n")
            .with("V2__crate_labels.sql", "ALTER TABLE crates ADD COLUMN label TEXT;\n")
            .with("beforeBaseline.sql", LOG + logs("beforeBaseline"))
            .with("afterBaseline.sql", logs("afterBaseline"));
    postgres.execute(database.database(), "CREATE TABLE crates (id BIGINT PRIMARY KEY)");
    postgres.execute(reference, "CREATE TABLE crates (id BIGINT PRIMARY KEY)");

    MigrationResult migrated =
        configure(files)
            .baselinePolicy(BaselinePolicy.baselineAt(Version.parse("1")))
            .load()
            .migrate();
    ReferenceFlyway.configure(postgres, reference, "public", files.directory())
        .baselineOnMigrate(true)
        .baselineVersion("1")
        .baselineDescription("baseline")
        .load()
        .migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(migrated.baselineVersion()).isEqualTo("1");
    assertThat(log(database.database())).containsExactly("beforeBaseline", "afterBaseline");
    assertThat(history()).containsExactly("1:BASELINE:true", "2:SQL:true");
    assertSameAsFlyway();
  }

  @Test
  void anUndoRunsNoCallbacks() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__crates.sql", "CREATE TABLE crates (id BIGINT PRIMARY KEY);\n")
            .with("V2__crate_labels.sql", "ALTER TABLE crates ADD COLUMN label TEXT;\n")
            .with("U2__crate_labels.sql", "ALTER TABLE crates DROP COLUMN label;\n")
            .with("beforeMigrate.sql", LOG + logs("beforeMigrate"))
            .with("afterMigrate.sql", logs("afterMigrate"));
    configure(files).load().migrate();

    MigrationResult undone = configure(files).load().undo("1");

    assertThat(undone.failure()).isNull();
    assertThat(undone.undone()).extracting(AppliedMigration::version).containsExactly("2");
    assertThat(log(database.database())).containsExactly("beforeMigrate", "afterMigrate");
    assertThat(history()).containsExactly("1:SQL:true");
  }

  @Test
  void perStatementAndUndoCallbacksAndOnesNotInUtf8AreRefusedNamingTheFile() throws Exception {
    MigrationFiles perStatement =
        MigrationFiles.empty()
            .with("V1__crates.sql", "SELECT 1;\n")
            .with("afterEachMigrateStatement.sql", "SELECT 1;\n");
    MigrationFiles undo =
        MigrationFiles.empty()
            .with("V1__crates.sql", "SELECT 1;\n")
            .with("beforeUndo.sql", "SELECT 1;\n");
    MigrationFiles latin1 = MigrationFiles.empty().with("V1__crates.sql", "SELECT 1;\n");
    Files.write(
        latin1.directory().resolve("afterMigrate__note.sql"),
        "-- Gr\u00fc\u00dfe\nSELECT 1;\n".getBytes(StandardCharsets.ISO_8859_1));

    assertThatThrownBy(() -> MigrationSet.fromDirectory(perStatement.directory()))
        .hasMessageStartingWith(
            "afterEachMigrateStatement.sql is a per-statement callback (afterEachMigrateStatement),"
                + " which the migrator does not run");
    assertThatThrownBy(() -> MigrationSet.fromDirectory(undo.directory()))
        .hasMessageStartingWith(
            "beforeUndo.sql is an undo callback (beforeUndo), but the migrator's undo runs no"
                + " callbacks");
    assertThatThrownBy(() -> MigrationSet.fromDirectory(latin1.directory()))
        .hasMessageStartingWith("afterMigrate__note.sql is not valid UTF-8 (line 1)");
  }

  @Test
  void theProgressOutputNamesEachCallbackThatRan() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__crates.sql", "CREATE TABLE crates (id BIGINT PRIMARY KEY);\n")
            .with("afterMigrate__grants.sql", "COMMENT ON TABLE crates IS 'shared';\n");

    MigratorProcess.Finished run =
        MigratorProcess.of(
                database,
                postgres.password(),
                "migrate",
                "--migrations",
                files.directory().toString())
            .run();

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.stdout() + run.stderr())
        .containsPattern("callback afterMigrate__grants.sql ran on afterMigrate \\(\\d+ ms\\)");
    assertThat(history()).containsExactly("1:SQL:true");
    assertThat(
            DatabaseProbe.string(
                postgres, database.database(), "SELECT obj_description('crates'::regclass)"))
        .isEqualTo("shared");
  }

  private List<String> log(String db) {
    return DatabaseProbe.strings(postgres, db, "SELECT entry FROM audit.callback_log ORDER BY seq");
  }

  private void assertSameAsFlyway() {
    assertThat(log(database.database())).isEqualTo(log(reference));
    ReferenceFlyway.assertSameSchema(postgres, database.database(), reference, "public");
  }

  private MigratorConfiguration configure(MigrationFiles files) {
    return Migrator.configure()
        .connection(database)
        .migrations(MigrationSet.fromDirectory(files.directory()));
  }

  private List<String> history() {
    return Catalog.history(postgres, database.database(), "public");
  }
}
