package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.migrator.testing.DatabaseProbe;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.ReferenceFlyway;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A script's own settings ({@code executeInTransaction}, {@code encoding}, {@code
 * placeholderReplacement}), from its {@code .sql.conf} file or its header's {@code -- flyway:}
 * directives, run as Flyway runs them: each folder also runs through Flyway's own API, in a second
 * database, with the header's settings given to Flyway as the {@code .sql.conf} file it reads (it
 * does not read headers); data, catalog and history entries with their checksums are compared.
 */
class ScriptSettingsIT {

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);
  private final String reference = postgres.createDatabase();

  private static final String PARCELS =
      "CREATE TABLE parcels (id BIGINT PRIMARY KEY, weight INT NOT NULL);\n";

  // A data fix written as people write them for psql: its own transactions, one per batch.
  private static final String BACKFILL =
      "BEGIN;\n"
          + "INSERT INTO parcels VALUES (1, 10), (2, 20);\n"
          + "COMMIT;\n"
          + "BEGIN;\n"
          + "UPDATE parcels SET weight = weight + 1;\n"
          + "COMMIT;\n";

  @Test
  void aScriptSetToRunOutsideATransactionMayEndTransactionsItself() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__parcels.sql", PARCELS)
            .with(
                "V2__backfill.sql",
                "-- Batches commit one by one.\n-- flyway:executeInTransaction=false\n" + BACKFILL)
            .with("V3__relabel.sql", BACKFILL.replace("(1, 10), (2, 20)", "(3, 30)"))
            .with("V3__relabel.sql.conf", "executeInTransaction=false\n");
    MigrationFiles flywayFiles =
        files.copy().with("V2__backfill.sql.conf", "executeInTransaction=false\n");

    MigrationPlan plan = configure(files).load().plan();
    MigrationResult migrated = configure(files).load().migrate();
    ReferenceFlyway.on(postgres, reference, flywayFiles.directory()).migrate();

    assertThat(plan.result().failure()).isNull();
    assertThat(plan.outsideTransaction()).containsExactly("V2__backfill.sql", "V3__relabel.sql");
    assertThat(migrated.failure()).isNull();
    assertThat(migrated.versionAfter()).isEqualTo("3");
    assertThat(weights(database.database())).containsExactly("1:12", "2:22", "3:31");
    assertSameAsFlyway();

    // The same script without the setting would run in a transaction: refused, nothing run.
    MigrationFiles unset = MigrationFiles.empty().with("V1__parcels.sql", PARCELS + BACKFILL);
    MigrationResult refused =
        Migrator.configure()
            .connection(TestDatabases.create(postgres))
            .migrations(MigrationSet.fromDirectory(unset.directory()))
            .load()
            .migrate();
    assertThat(refused.failure().reason()).isEqualTo(FailureReason.InvalidMigrationSet);
    assertThat(refused.failure().message())
        .startsWith(
            "V1__parcels.sql line 2: BEGIN ends or opens a transaction inside the script's own"
                + " transaction (also line 4: COMMIT, line 5: BEGIN, line 7: COMMIT);")
        .contains("-- flyway:executeInTransaction=false");
  }

  @Test
  void planShowsEachScriptsSettingsAndWhereTheyCameFrom() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__parcels.sql", PARCELS)
            .with("V2__backfill.sql", "-- flyway:executeInTransaction=false\n" + BACKFILL);

    MigratorProcess.Finished run =
        MigratorProcess.of(
                database, postgres.password(), "plan", "--migrations", files.directory().toString())
            .run();

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.stdout())
        .contains(
            "-- would apply version 2: V2__backfill.sql (outside a transaction: a failure is not"
                + " rolled back)\n"
                + "-- script settings: executeInTransaction=false (from V2__backfill.sql line 1)\n");
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();
  }

  @Test
  void aDeclaredEncodingReadsTheFileAsFlywayReadsIt() throws IOException {
    MigrationFiles files =
        MigrationFiles.empty().with("V1__cafes.sql", "CREATE TABLE cafes (name TEXT);\n");
    Files.write(
        files.directory().resolve("V2__cafe_names.sql"),
        "-- Caf\u00e9s of the old catalogue\nINSERT INTO cafes VALUES ('Caf\u00e9 M\u00fcller');\n"
            .getBytes(StandardCharsets.ISO_8859_1));
    files.with("V2__cafe_names.sql.conf", "encoding=ISO-8859-1\n");

    MigrationResult migrated = configure(files).load().migrate();
    ReferenceFlyway.on(postgres, reference, files.directory()).migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(DatabaseProbe.strings(postgres, database.database(), "SELECT name FROM cafes"))
        .containsExactly("Caf\u00e9 M\u00fcller");
    assertSameAsFlyway();
  }

  @Test
  void aScriptMayTurnPlaceholderReplacementOnForItselfAlone() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                "V1__parcels.sql",
                "-- flyway:placeholderReplacement=true\n"
                    + PARCELS
                    + "COMMENT ON TABLE parcels IS 'kept in ${flyway:defaultSchema} by ${owner}';\n")
            .with("V2__notes.sql", "COMMENT ON COLUMN parcels.id IS 'shown as ${id}';\n");
    MigrationFiles flywayFiles =
        files.copy().with("V1__parcels.sql.conf", "placeholderReplacement=true\n");

    MigrationResult migrated =
        configure(files)
            .placeholders(false, java.util.Map.of("OWNER", "logistics"), null, null)
            .load()
            .migrate();
    ReferenceFlyway.configure(postgres, reference, "public", flywayFiles.directory())
        .placeholders(java.util.Map.of("OWNER", "logistics"))
        .load()
        .migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(
            DatabaseProbe.strings(
                postgres,
                database.database(),
                "SELECT obj_description('parcels'::regclass) UNION ALL"
                    + " SELECT col_description('parcels'::regclass, 1)"))
        .containsExactly("kept in public by logistics", "shown as ${id}");
    assertSameAsFlyway();
  }

  @Test
  void aCallbackSetToRunOutsideATransactionMayCommitAndAnUndoScriptMayNot() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__parcels.sql", PARCELS)
            .with("V2__labels.sql", "ALTER TABLE parcels ADD COLUMN label TEXT;\n")
            .with(
                "U2__labels.sql",
                "-- flyway:executeInTransaction=false\nALTER TABLE parcels DROP COLUMN label;\n")
            .with(
                "afterMigrate__seed.sql",
                "-- flyway:executeInTransaction=false\n"
                    + "BEGIN;\nINSERT INTO parcels (id, weight) VALUES (9, 90)"
                    + " ON CONFLICT DO NOTHING;\nCOMMIT;\n");

    MigrationResult migrated = configure(files).load().migrate();
    assertThat(migrated.failure()).isNull();
    assertThat(weights(database.database())).containsExactly("9:90");

    MigrationResult undo = configure(files).load().undo("1");
    assertThat(undo.failure().reason()).isEqualTo(FailureReason.InvalidMigrationSet);
    assertThat(undo.failure().message())
        .startsWith("U2__labels.sql is set to run outside a transaction")
        .endsWith("nothing was undone");
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(
            DatabaseProbe.strings(
                postgres,
                database.database(),
                "SELECT column_name FROM information_schema.columns"
                    + " WHERE table_name = 'parcels' ORDER BY ordinal_position"))
        .containsExactly("id", "weight", "label");
    assertThat(configure(files).load().migrate().outcome()).isEqualTo(Outcome.UpToDate);
  }

  @Test
  void aByteOrderMarkBeforeTheHeaderLeavesItsDirectivesInTheHeader() throws IOException {
    MigrationFiles files = MigrationFiles.empty().with("V1__parcels.sql", PARCELS);
    Files.write(
        files.directory().resolve("V2__backfill.sql"),
        ("\uFEFF-- Saved by an editor that writes a byte-order mark.\n"
                + "-- flyway:executeInTransaction=false\n"
                + BACKFILL)
            .getBytes(StandardCharsets.UTF_8));
    MigrationFiles flywayFiles =
        files.copy().with("V2__backfill.sql.conf", "executeInTransaction=false\n");

    MigrationPlan plan = configure(files).load().plan();
    MigrationResult migrated = configure(files).load().migrate();
    ReferenceFlyway.on(postgres, reference, flywayFiles.directory()).migrate();

    assertThat(plan.result().failure()).isNull();
    assertThat(plan.outsideTransaction()).containsExactly("V2__backfill.sql");
    assertThat(migrated.failure()).isNull();
    assertThat(weights(database.database())).containsExactly("1:11", "2:21");
    assertSameAsFlyway();
  }

  @Test
  void aConfigurationFileWithAByteOrderMarkIsReadAsFlywayReadsIt() throws IOException {
    MigrationFiles files =
        MigrationFiles.empty().with("V1__parcels.sql", PARCELS).with("V2__backfill.sql", BACKFILL);
    // A byte-order mark and CRLF line ends, as Windows editors save it: Flyway reads the setting.
    Files.write(
        files.directory().resolve("V2__backfill.sql.conf"),
        "\uFEFF# Batch by batch\r\nexecuteInTransaction=false\r\n"
            .getBytes(StandardCharsets.UTF_8));

    MigrationResult migrated = configure(files).load().migrate();
    ReferenceFlyway.on(postgres, reference, files.directory()).migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(weights(database.database())).containsExactly("1:11", "2:21");
    assertSameAsFlyway();
  }

  @Test
  void aCallbackOutsideATransactionThatFailsMidwaySaysWhatItLeftBehind() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__parcels.sql", PARCELS)
            .with(
                "afterMigrate__seed.sql",
                "-- flyway:executeInTransaction=false\n"
                    + "INSERT INTO parcels (id, weight) VALUES (1, 10);\n"
                    + "INSERT INTO parcels (id, weight) VALUES (1, 11);\n");

    MigrationResult failed = configure(files).load().migrate();

    assertThat(failed.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(failed.failure().message())
        .startsWith(
            "afterMigrate__seed.sql line 3 (outside a transaction, executeInTransaction=false:"
                + " the statements before line 3 stay applied, NOT rolled back) failed: ERROR:"
                + " duplicate key");
    assertThat(weights(database.database())).containsExactly("1:10");
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true");
  }

  private List<String> weights(String db) {
    return DatabaseProbe.strings(
        postgres, db, "SELECT id || ':' || weight FROM parcels ORDER BY id");
  }

  private void assertSameAsFlyway() {
    ReferenceFlyway.assertSameSchema(postgres, database.database(), reference, "public");
  }

  private MigratorConfiguration configure(MigrationFiles files) {
    return Migrator.configure()
        .connection(database)
        .migrations(MigrationSet.fromDirectory(files.directory()));
  }
}
