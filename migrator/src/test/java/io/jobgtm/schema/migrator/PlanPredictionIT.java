package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.migrator.testing.DatabaseProbe;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code plan} with a shadow database predicts what {@code migrate} would meet: the set replayed in
 * the shadow to the database's version, the database's drift reproduced there, the pending
 * migrations run there. Each scenario runs the CLI as a process (exit codes, output) and checks
 * that the migrated database was only read and the shadow keeps nothing of the prediction.
 */
class PlanPredictionIT {

  private static final String SHADOW_PASSWORD = "shadow-secret-" + UUID.randomUUID();

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);
  private final String shadowRole = "shadow_" + UUID.randomUUID().toString().substring(0, 8);
  private final String shadowDatabase = postgres.createDatabase();

  PlanPredictionIT() {
    postgres.execute(
        "postgres",
        "CREATE ROLE " + shadowRole + " LOGIN CREATEROLE PASSWORD '" + SHADOW_PASSWORD + "'",
        "ALTER DATABASE " + shadowDatabase + " OWNER TO " + shadowRole);
  }

  // Before the prediction, plan predicted success here; with the verified baseline alone it refused
  // with exit code 2, as for a bad configuration.
  @Test
  void theAdoptionScenarioWithBaselineOneIsPredictedToBeRefusedNamingTheClosestVersion() {
    postgres.execute(
        database.database(), VerifiedBaselineIT.ALEMBIC_001, VerifiedBaselineIT.ALEMBIC_002);
    List<String> before = Catalog.snapshot(postgres, database.database(), "public");

    MigratorProcess.Finished plan =
        withShadow(
                MigrationFiles.reference().toString(),
                "plan",
                "--on-unversioned",
                "Baseline",
                "--baseline-version",
                "1")
            .run();

    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(3);
    assertThat(plan.stdout())
        .contains("prediction: migrate refuses to stamp the schema, nothing would be applied:")
        .contains("does not match version 1")
        .contains("the closest version is 2 (equal)")
        .contains("prediction: migrate fails")
        .doesNotContain("would baseline");
    assertThat(plan.stderr()).contains("SchemaMismatch");
    assertThat(plan.stdout() + plan.stderr()).doesNotContain(SHADOW_PASSWORD);
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(before);
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .doesNotContain("flyway_schema_history");
    assertThat(replaySchemasLeftInTheShadow()).isEmpty();
  }

  @Test
  void aPendingScriptCreatingATableMadeByHandIsPredictedToFailNamingFileAndLine() {
    MigrationFiles files = MigrationFiles.copyOfReference();
    migrateTo(files, "2");
    postgres.execute(database.database(), "CREATE TABLE audit_log (id bigint, note text)");
    files
        .with(
            "V3__audit_log.sql",
            "-- who changed what\nCREATE TABLE audit_log (id bigint PRIMARY KEY, note text);\n")
        .with("V4__audit_index.sql", "CREATE INDEX ix_audit_log_note ON audit_log (note);\n");
    List<String> before = Catalog.snapshot(postgres, database.database(), "public");
    List<String> history = Catalog.history(postgres, database.database(), "public");

    MigratorProcess.Finished plan = withShadow(files.directory().toString(), "plan").run();

    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(3);
    assertThat(plan.stdout())
        .contains("prediction: the shadow at version 2\n")
        .contains("predicted trouble: the database's schema differs from version 2")
        .contains("  drift: extra table audit_log: TABLE\n")
        .contains(
            "predicted failure: V3__audit_log.sql line 2: 42P07 relation \"audit_log\" already"
                + " exists\n")
        .contains("predicted not reached: V4__audit_index.sql\n")
        .contains("prediction: migrate fails\n")
        .doesNotContain("not reproduced");
    assertUnchanged(before, history);
  }

  @Test
  void aColumnDroppedByHandIsReproducedAndTheScriptUsingItIsPredictedToFail() {
    MigrationFiles files = MigrationFiles.copyOfReference();
    migrateTo(files, "2");
    postgres.execute(database.database(), "ALTER TABLE job_listings DROP COLUMN is_remote");
    files.with(
        "V3__remote_listings.sql",
        "CREATE VIEW remote_listings AS\n  SELECT id FROM job_listings WHERE is_remote;\n");
    List<String> before = Catalog.snapshot(postgres, database.database(), "public");
    List<String> history = Catalog.history(postgres, database.database(), "public");

    MigratorProcess.Finished plan = withShadow(files.directory().toString(), "plan").run();

    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(3);
    assertThat(plan.stdout())
        .contains(
            "  drift: missing column job_listings.is_remote: boolean NOT NULL DEFAULT false\n")
        .contains("  drift: missing index ix_job_listings_is_remote:")
        .contains(
            "predicted failure: V3__remote_listings.sql line 1: 42703 column \"is_remote\" does"
                + " not exist\n")
        .doesNotContain("not reproduced");
    assertUnchanged(before, history);
  }

  @Test
  void aTypeThatDoesNotExistIsPredictedAsTheRealRunThenMeetsIt() {
    MigrationFiles files = MigrationFiles.copyOfReference();
    migrateTo(files, "2");
    files.with(
        "V3__salary_bounds.sql",
        "ALTER TABLE job_listings ADD COLUMN salary_min integer;\n"
            + "ALTER TABLE job_listings ADD COLUMN salary_max integr;\n");
    List<String> before = Catalog.snapshot(postgres, database.database(), "public");

    MigratorProcess.Finished plan = withShadow(files.directory().toString(), "plan").run();

    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(3);
    assertThat(plan.stdout())
        .contains("prediction: the shadow at version 2, like the database\n")
        .contains(
            "predicted failure: V3__salary_bounds.sql line 2: 42704 type \"integr\" does not"
                + " exist\n")
        .doesNotContain("predicted trouble");
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(before);
    assertThat(replaySchemasLeftInTheShadow()).isEmpty();

    MigrationResult real = configure(files).load().migrate();

    assertThat(real.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(real.failure().message())
        .startsWith("V3__salary_bounds.sql failed: ERROR: type \"integr\" does not exist")
        .contains("[SQLSTATE 42704]");
    // Rolled back with its transaction: the schema and history as the plan found them.
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(before);
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
  }

  @Test
  void aCleanPendingSetIsPredictedToSucceedWithNothingWrittenToTheDatabase() {
    MigrationFiles files = MigrationFiles.copyOfReference();
    migrateTo(files, "1");
    files.with("V3__listing_notes.sql", "ALTER TABLE job_listings ADD COLUMN notes text;\n");
    List<String> before = Catalog.snapshot(postgres, database.database(), "public");
    List<String> history = Catalog.history(postgres, database.database(), "public");

    MigratorProcess.Finished plan = withShadow(files.directory().toString(), "plan").run();
    MigratorProcess.Finished unpredicted =
        MigratorProcess.of(
                database, postgres.password(), "plan", "--migrations", files.directory().toString())
            .run();

    assertThat(plan.exitCode()).as(plan.toString()).isZero();
    assertThat(plan.stdout())
        .contains("-- would apply version 2: V2__add_is_remote_to_job_listings.sql\n")
        .contains("prediction: the shadow at version 1, like the database\n")
        .contains("predicted: V2__add_is_remote_to_job_listings.sql succeeds\n")
        .contains("predicted: V3__listing_notes.sql succeeds\n")
        .contains("prediction: migrate succeeds\n")
        .doesNotContain("predicted failure", "not predicted");
    assertThat(unpredicted.exitCode()).as(unpredicted.toString()).isZero();
    assertThat(unpredicted.stdout())
        .contains("-- would apply version 2: V2__add_is_remote_to_job_listings.sql\n")
        .contains("not predicted: give a shadow database (--shadow-url or --shadow-socket-dir)")
        .doesNotContain("prediction:");
    assertUnchanged(before, history);
  }

  @Test
  void anOutOfOrderScriptCreatingATableMadeByHandIsPredictedToFailAsMigrateThenDoes() {
    MigrationFiles files =
        MigrationFiles.copyOfReference()
            .with("V4__depots.sql", "CREATE TABLE depots (id bigint PRIMARY KEY);\n");
    migrateTo(files, "4");
    // Merged after 4 was released: below the current version, never applied.
    files.with("V3__audit_log.sql", "CREATE TABLE audit_log (id bigint PRIMARY KEY, note text);\n");
    postgres.execute(database.database(), "CREATE TABLE audit_log (id bigint, note text)");
    List<String> history = Catalog.history(postgres, database.database(), "public");

    MigratorProcess.Finished plan =
        withShadow(files.directory().toString(), "plan", "--out-of-order").run();
    MigratorProcess.Finished migrate =
        withShadow(files.directory().toString(), "migrate", "--out-of-order").run();

    assertThat(migrate.exitCode()).as(migrate.toString()).isEqualTo(2);
    assertThat(migrate.stderr()).contains("relation \"audit_log\" already exists");
    assertThat(Catalog.history(postgres, database.database(), "public")).isEqualTo(history);
    assertThat(plan.stdout())
        .contains(
            "predicted failure: V3__audit_log.sql line 1: 42P07 relation \"audit_log\" already"
                + " exists\n")
        .contains("prediction: migrate fails\n");
    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(3);
    assertThat(replaySchemasLeftInTheShadow()).isEmpty();
  }

  // Before, the replay to version 2 applied the changed repeatable migration's new form: the
  // database's old view showed as drift, was recreated in the shadow, and the new form never ran
  // again on it, so plan predicted success where migrate fails.
  @Test
  void aChangedRepeatableDroppingAViewColumnIsPredictedToFailAsMigrateThenDoes() {
    MigrationFiles files =
        MigrationFiles.copyOfReference()
            .with(
                "R__active_jobs.sql",
                "CREATE OR REPLACE VIEW active_jobs AS SELECT id, job_role FROM job_listings;\n");
    migrateTo(files, "2");
    files.with(
        "R__active_jobs.sql",
        "CREATE OR REPLACE VIEW active_jobs AS SELECT id FROM job_listings;\n");
    List<String> before = Catalog.snapshot(postgres, database.database(), "public");
    List<String> history = Catalog.history(postgres, database.database(), "public");

    MigratorProcess.Finished plan = withShadow(files.directory().toString(), "plan").run();

    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(3);
    assertThat(plan.stdout())
        .contains("prediction: the shadow at version 2, like the database\n")
        .contains(
            "predicted failure: R__active_jobs.sql line 1: 42P16 cannot drop columns from view\n")
        .contains("prediction: migrate fails\n")
        .doesNotContain("predicted trouble", "drift:", "not reproduced");
    assertUnchanged(before, history);

    MigrationResult real = configure(files).load().migrate();

    assertThat(real.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(real.failure().message())
        .startsWith("R__active_jobs.sql failed: ERROR: cannot drop columns from view")
        .contains("[SQLSTATE 42P16]");
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(before);
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true", "2:SQL:true", "-:SQL:true");
  }

  // Before, the replay to version 2 applied the new repeatable migration there, before the column
  // it uses exists: plan could not predict (ShadowReplayFailed) where migrate succeeds.
  @Test
  void aNewRepeatableUsingAColumnAPendingScriptAddsIsPredictedToSucceedAsMigrateThenDoes() {
    MigrationFiles files = MigrationFiles.copyOfReference();
    migrateTo(files, "2");
    files
        .with("V3__listing_notes.sql", "ALTER TABLE job_listings ADD COLUMN notes text;\n")
        .with(
            "R__noted_listings.sql",
            "CREATE OR REPLACE VIEW noted_listings AS SELECT id, notes FROM job_listings;\n");
    List<String> before = Catalog.snapshot(postgres, database.database(), "public");
    List<String> history = Catalog.history(postgres, database.database(), "public");

    MigratorProcess.Finished plan = withShadow(files.directory().toString(), "plan").run();

    assertThat(plan.exitCode()).as(plan.toString()).isZero();
    assertThat(plan.stdout())
        .contains("prediction: the shadow at version 2, like the database\n")
        .contains("predicted: V3__listing_notes.sql succeeds\n")
        .contains("predicted: R__noted_listings.sql succeeds\n")
        .contains("prediction: migrate succeeds\n")
        .doesNotContain("predicted trouble", "predicted failure");
    assertUnchanged(before, history);

    MigrationResult real = configure(files).load().migrate();

    assertThat(real.failure()).isNull();
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true", "2:SQL:true", "3:SQL:true", "-:SQL:true");
  }

  // Before, the database's former view showed as drift ("changed view active_jobs").
  @Test
  void aChangedRepeatableWhoseNewFormAppliesIsPredictedToSucceedWithoutDrift() {
    MigrationFiles files =
        MigrationFiles.copyOfReference()
            .with(
                "R__active_jobs.sql",
                "CREATE OR REPLACE VIEW active_jobs AS SELECT id FROM job_listings;\n");
    migrateTo(files, "2");
    files.with(
        "R__active_jobs.sql",
        "CREATE OR REPLACE VIEW active_jobs AS SELECT id, job_role FROM job_listings;\n");
    List<String> before = Catalog.snapshot(postgres, database.database(), "public");
    List<String> history = Catalog.history(postgres, database.database(), "public");

    MigratorProcess.Finished plan = withShadow(files.directory().toString(), "plan").run();

    assertThat(plan.exitCode()).as(plan.toString()).isZero();
    assertThat(plan.stdout())
        .contains("prediction: the shadow at version 2, like the database\n")
        .contains("predicted: R__active_jobs.sql succeeds\n")
        .contains("prediction: migrate succeeds\n")
        .doesNotContain("predicted trouble", "drift:", "not reproduced", "predicted failure");
    assertUnchanged(before, history);
  }

  // Before, the repeatable migration's view was reported as drift beside the table made by hand,
  // and its new form was predicted to succeed.
  @Test
  void aChangedRepeatableBesideRealDriftLeavesOnlyTheRealDriftReportedAndIsPredictedToFail() {
    MigrationFiles files =
        MigrationFiles.copyOfReference()
            .with(
                "R__active_jobs.sql",
                "CREATE OR REPLACE VIEW active_jobs AS SELECT id, job_role FROM job_listings;\n");
    migrateTo(files, "2");
    postgres.execute(database.database(), "CREATE TABLE audit_log (id bigint, note text)");
    files.with(
        "R__active_jobs.sql",
        "CREATE OR REPLACE VIEW active_jobs AS SELECT id FROM job_listings;\n");
    List<String> before = Catalog.snapshot(postgres, database.database(), "public");
    List<String> history = Catalog.history(postgres, database.database(), "public");

    MigratorProcess.Finished plan = withShadow(files.directory().toString(), "plan").run();

    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(3);
    assertThat(plan.stdout())
        .contains("prediction: the shadow at version 2\n")
        .contains(
            "predicted trouble: the database's schema differs from version 2 of the migration set"
                + " (0 missing, 0 changed, 0 renamed, 3 extra)")
        .contains("  drift: extra table audit_log: TABLE\n")
        .contains(
            "left out of the drift, as migrate applies the repeatable migrations that make them"
                + " (the shadow still holds the database's form of them): view active_jobs\n")
        .contains(
            "predicted failure: R__active_jobs.sql line 1: 42P16 cannot drop columns from view\n")
        .contains("prediction: migrate fails\n")
        .doesNotContain("active_jobs:", "not reproduced");
    assertUnchanged(before, history);

    MigrationResult real = configure(files).load().migrate();

    assertThat(real.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(real.failure().message())
        .startsWith("R__active_jobs.sql failed: ERROR: cannot drop columns from view")
        .contains("[SQLSTATE 42P16]");
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(before);
    assertThat(Catalog.history(postgres, database.database(), "public")).isEqualTo(history);
  }

  // Before, the replay to version 2 applied the new form, which fails there too: plan could not
  // predict (ShadowReplayFailed). Its objects cannot be told from drift then, so the database's
  // view is reported as drift.
  @Test
  void aChangedRepeatableThatFailsOnAnyFormIsPredictedToFailAsMigrateThenDoes() {
    MigrationFiles files =
        MigrationFiles.copyOfReference()
            .with(
                "R__active_jobs.sql",
                "CREATE OR REPLACE VIEW active_jobs AS SELECT id FROM job_listings;\n");
    migrateTo(files, "2");
    files.with(
        "R__active_jobs.sql",
        "CREATE OR REPLACE VIEW active_jobs AS SELECT id, closes_at FROM job_listings;\n");
    List<String> before = Catalog.snapshot(postgres, database.database(), "public");
    List<String> history = Catalog.history(postgres, database.database(), "public");

    MigratorProcess.Finished plan = withShadow(files.directory().toString(), "plan").run();

    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(3);
    assertThat(plan.stdout())
        .contains(
            "the pending repeatable migrations' objects are not told from drift: cannot verify the"
                + " pending repeatable migrations:")
        .contains("  drift: extra view active_jobs:")
        .contains(
            "predicted failure: R__active_jobs.sql line 1: 42703 column \"closes_at\" does not"
                + " exist\n")
        .contains("prediction: migrate fails\n")
        .doesNotContain("not reproduced");
    assertUnchanged(before, history);

    MigrationResult real = configure(files).load().migrate();

    assertThat(real.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(real.failure().message())
        .startsWith("R__active_jobs.sql failed: ERROR: column \"closes_at\" does not exist")
        .contains("[SQLSTATE 42703]");
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(before);
    assertThat(Catalog.history(postgres, database.database(), "public")).isEqualTo(history);
  }

  private void migrateTo(MigrationFiles files, String version) {
    MigrationResult result = configure(files).target(version).load().migrate();
    assertThat(result.failure()).as("setting up at version " + version).isNull();
  }

  private MigratorConfiguration configure(MigrationFiles files) {
    return Migrator.configure()
        .connection(database)
        .migrations(MigrationSet.fromDirectory(files.directory()));
  }

  private MigratorProcess withShadow(String migrations, String... arguments) {
    List<String> all = new ArrayList<>(List.of(arguments));
    all.addAll(
        List.of(
            "--migrations",
            migrations,
            "--shadow-url",
            "jdbc:postgresql://127.0.0.1:"
                + postgres.port()
                + "/"
                + shadowDatabase
                + "?sslmode=disable"));
    return MigratorProcess.of(database, postgres.password(), all.toArray(String[]::new))
        .withEnvironment("SHADOW_DB_USER", shadowRole)
        .withEnvironment("SHADOW_DB_PASSWORD", SHADOW_PASSWORD);
  }

  /**
   * The migrated database's catalog and history are what they were before the plan, and the shadow
   * keeps no replay schema.
   */
  private void assertUnchanged(List<String> catalogBefore, List<String> historyBefore) {
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(catalogBefore);
    assertThat(Catalog.history(postgres, database.database(), "public")).isEqualTo(historyBefore);
    assertThat(replaySchemasLeftInTheShadow()).isEmpty();
  }

  private List<String> replaySchemasLeftInTheShadow() {
    return DatabaseProbe.strings(
        postgres,
        shadowDatabase,
        "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'schema_operator_replay_%'");
  }
}
