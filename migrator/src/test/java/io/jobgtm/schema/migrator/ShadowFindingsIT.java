package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.contract.AppliedMigration;
import io.jobgtm.schema.contract.Drift;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.migrator.model.SchemaReader;
import io.jobgtm.schema.migrator.testing.DatabaseProbe;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shadow database's findings on migration sets as people write them: the verified baseline's
 * {@code auto} (its outline pre-check), the drift check it stands for when nothing runs after the
 * stamp, {@code plan}'s prediction with pending repeatable migrations beside real drift, and
 * scripts that name the migrated schema. The shadow is another database of the same server; every
 * scenario checks the migrated database's catalog and history afterwards.
 */
class ShadowFindingsIT {

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);
  private final String shadowDatabase = postgres.createDatabase();
  private final List<String> progress = new ArrayList<>();

  private String shadowUrl() {
    return "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/" + shadowDatabase;
  }

  private MigratorConfiguration withShadow(MigrationFiles files) {
    return withoutShadow(files)
        .shadow(ShadowDatabase.fromUrl(shadowUrl(), PostgresServer.SUPERUSER, postgres.password()))
        .progress(progress::add);
  }

  private MigratorConfiguration withoutShadow(MigrationFiles files) {
    return Migrator.configure()
        .connection(database)
        .migrations(MigrationSet.fromDirectory(files.directory()));
  }

  private List<String> history() {
    return Catalog.history(postgres, database.database(), "public");
  }

  private List<String> snapshot() {
    return Catalog.snapshot(postgres, database.database(), "public");
  }

  /**
   * Names as people quote them (mixed case, a keyword, non-ASCII letters, spaces), a column dropped
   * and added again, a partitioned table and its partition, inheritance, a foreign table, another
   * tool's history table and ignored tables (one of them mixed-case), on a database and a shadow
   * that both quote every identifier by default: the outline must not skip the version the schema
   * is, and of the two equal versions (the second only writes rows) the higher is stamped.
   */
  @Test
  void autoFindsTheMatchAmongQuotedPartitionedInheritedForeignAndIgnoredTables() {
    autoFindsTheMatchAmongQuotedTables(MigrationFiles.empty());
  }

  /** The same through the replay's version-by-version runs, which an SQL callback asks for. */
  @Test
  void autoFindsTheMatchAmongQuotedTablesWhenASqlCallbackReplaysVersionByVersion() {
    autoFindsTheMatchAmongQuotedTables(
        MigrationFiles.empty().with("afterMigrate.sql", "ANALYZE;\n"));
  }

  private void autoFindsTheMatchAmongQuotedTables(MigrationFiles start) {
    for (String each : List.of(database.database(), shadowDatabase)) {
      postgres.execute(
          each,
          "CREATE FOREIGN DATA WRAPPER dummy",
          "CREATE SERVER remote FOREIGN DATA WRAPPER dummy",
          "ALTER DATABASE " + each + " SET quote_all_identifiers = on");
    }
    MigrationFiles files =
        start
            .with(
                "V1__start.sql",
                """
                CREATE TABLE "Parcels" (id bigint PRIMARY KEY, "Weight" integer, "select" text,
                    "größe" numeric, "Due Date" date);
                CREATE TABLE events (at date NOT NULL, kind text) PARTITION BY RANGE (at);
                CREATE TABLE events_2026 PARTITION OF events
                    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
                CREATE TABLE vehicles (id bigint PRIMARY KEY, plate text);
                CREATE TABLE trucks (axles integer) INHERITS (vehicles);
                CREATE FOREIGN TABLE remote_parcels (id integer) SERVER remote;
                """)
            .with(
                "V2__weight_as_bigint.sql",
                """
                ALTER TABLE "Parcels" DROP COLUMN "Weight";
                ALTER TABLE "Parcels" ADD COLUMN "Weight" bigint;
                """)
            .with("V3__seed.sql", "INSERT INTO \"Parcels\" (id) VALUES (1);\n")
            .with("V4__depots.sql", "CREATE TABLE depots (id bigint PRIMARY KEY);\n");
    // Version 2 by other DDL: columns in another order, the dropped one never there.
    postgres.execute(
        database.database(),
        """
        CREATE TABLE "Parcels" ("Due Date" date, "größe" numeric, id bigint PRIMARY KEY,
            "select" text, "Weight" bigint);
        CREATE TABLE events (at date NOT NULL, kind text) PARTITION BY RANGE (at);
        CREATE TABLE events_2026 PARTITION OF events
            FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
        CREATE TABLE vehicles (id bigint PRIMARY KEY, plate text);
        CREATE TABLE trucks (axles integer) INHERITS (vehicles);
        CREATE FOREIGN TABLE remote_parcels (id integer) SERVER remote;
        CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
        INSERT INTO alembic_version VALUES ('0007');
        CREATE TABLE scratch (anything text);
        CREATE TABLE "Scratch Pad" ("Anything" text);
        INSERT INTO "Parcels" (id) VALUES (1);
        """);

    MigrationResult result =
        withShadow(files)
            .ignoreTables(List.of("scratch", "Scratch Pad"))
            .baselinePolicy(BaselinePolicy.auto())
            .load()
            .migrate();

    assertThat(result.failure()).as(String.join("\n", progress)).isNull();
    assertThat(result.baselineVersion()).isEqualTo("3");
    assertThat(result.applied()).extracting(AppliedMigration::version).containsExactly("4");
    assertThat(progress).anyMatch(line -> line.startsWith("versions 2, 3 have one schema model"));
    assertThat(result.verification().version()).isEqualTo("4");
    assertThat(result.verification().drift()).isEqualTo(Drift.None);
    assertThat(result.verification().fingerprint())
        .isEqualTo(liveFingerprint(List.of("scratch", "Scratch Pad")));
    assertThat(history()).containsExactly("3:BASELINE:true", "4:SQL:true");
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .contains("Parcels", "depots", "scratch", "Scratch Pad", "alembic_version");
    assertThat(replaySchemasLeftInTheShadow()).isEmpty();
  }

  /**
   * A view where the set makes a table of the same name and columns: the outline (tables only)
   * rules out version 2, and version 1's model has no such view, so nothing matches and nothing is
   * written.
   */
  @Test
  void aViewNamedLikeTheSetsTableMatchesNoVersion() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__parcels.sql", "CREATE TABLE parcels (id bigint PRIMARY KEY);\n")
            .with("V2__depots.sql", "CREATE TABLE depots (id bigint);\n");
    postgres.execute(
        database.database(),
        "CREATE TABLE parcels (id bigint PRIMARY KEY)",
        "CREATE VIEW depots AS SELECT id FROM parcels");
    List<String> before = snapshot();

    MigrationResult refused =
        withShadow(files).baselinePolicy(BaselinePolicy.auto()).load().migrate();

    assertThat(refused.failure().reason()).isEqualTo(FailureReason.SchemaMismatch);
    assertThat(refused.failure().message())
        .contains("matches no version of the migration set")
        .contains("extra view depots");
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .doesNotContain("flyway_schema_history");
    assertThat(snapshot()).isEqualTo(before);
    assertThat(replaySchemasLeftInTheShadow()).isEmpty();
  }

  /**
   * The set's last migration only writes rows: the schema is both versions, the higher is stamped,
   * nothing runs, and the baseline's comparison is the drift check (the schema's fingerprint now).
   */
  @Test
  void aDataOnlyLastVersionIsStampedAndNothingRuns() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__statuses.sql", "CREATE TABLE statuses (code text PRIMARY KEY);\n")
            .with("V2__seed.sql", "INSERT INTO statuses VALUES ('new'), ('sent');\n");
    postgres.execute(
        database.database(),
        "CREATE TABLE statuses (code text PRIMARY KEY)",
        "INSERT INTO statuses VALUES ('new'), ('sent')");
    List<String> before = snapshot();

    MigrationResult result =
        withShadow(files).baselinePolicy(BaselinePolicy.auto()).load().migrate();

    assertThat(result.failure()).isNull();
    assertThat(result.outcome()).isEqualTo(Outcome.Baselined);
    assertThat(result.baselineVersion()).isEqualTo("2");
    assertThat(result.applied()).isEmpty();
    assertThat(result.verification().version()).isEqualTo("2");
    assertThat(result.verification().drift()).isEqualTo(Drift.None);
    assertThat(result.verification().fingerprint()).isEqualTo(liveFingerprint(List.of()));
    assertThat(history()).containsExactly("2:BASELINE:true");
    assertThat(snapshot()).isEqualTo(before);
    assertThat(
            DatabaseProbe.strings(
                postgres, database.database(), "SELECT count(*)::text FROM statuses"))
        .containsExactly("2");
  }

  /**
   * A repeatable migration is applied after the stamp (the history has none): the drift check runs
   * again, and its finding is the schema as the run left it.
   */
  @Test
  void aRepeatableAppliedAfterTheStampIsCheckedAgain() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__parcels.sql", "CREATE TABLE parcels (id bigint PRIMARY KEY, weight int);\n")
            .with("V2__note.sql", "ALTER TABLE parcels ADD COLUMN note text;\n")
            .with(
                "R__heavy.sql",
                "CREATE OR REPLACE VIEW heavy AS SELECT id FROM parcels WHERE weight > 10;\n");
    postgres.execute(
        database.database(),
        "CREATE TABLE parcels (id bigint PRIMARY KEY, weight int, note text)",
        "CREATE VIEW heavy AS SELECT id FROM parcels WHERE weight > 10");

    MigrationResult result =
        withShadow(files).baselinePolicy(BaselinePolicy.auto()).load().migrate();

    assertThat(result.failure()).as(String.join("\n", progress)).isNull();
    assertThat(result.baselineVersion()).isEqualTo("2");
    assertThat(result.verification().drift()).isEqualTo(Drift.None);
    assertThat(result.verification().fingerprint()).isEqualTo(liveFingerprint(List.of()));
    assertThat(history()).containsExactly("2:BASELINE:true", "-:SQL:true");
    assertThat(progress)
        .filteredOn(line -> line.matches("shadow replay: \\d+ version\\(s\\) in .*"))
        .isNotEmpty();
  }

  /**
   * An {@code afterBaseline} callback (documented to fire when a schema is stamped) changes the
   * schema after the verified baseline compared it; nothing is applied. The run's drift check must
   * describe the schema as the run left it: the replay never stamps, so a fresh check finds the
   * comment as drift, and the finding's fingerprint must be the schema's now.
   */
  @Test
  void aCallbackThatChangesTheSchemaAtTheStampIsNotHiddenByTheBaselinesComparison() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__parcels.sql", "CREATE TABLE parcels (id bigint PRIMARY KEY);\n")
            .with("afterBaseline.sql", "COMMENT ON TABLE parcels IS 'adopted';\n");
    postgres.execute(database.database(), "CREATE TABLE parcels (id bigint PRIMARY KEY)");

    MigrationResult result =
        withShadow(files).baselinePolicy(BaselinePolicy.auto()).load().migrate();

    assertThat(result.failure()).as(String.join("\n", progress)).isNull();
    assertThat(result.baselineVersion()).isEqualTo("1");
    assertThat(result.applied()).isEmpty();
    assertThat(
            DatabaseProbe.strings(
                postgres, database.database(), "SELECT obj_description('parcels'::regclass)"))
        .containsExactly("adopted");
    assertThat(history()).containsExactly("1:BASELINE:true");
    MigrationResult verified = withShadow(files).load().verify();
    assertThat(verified.verification().drift()).isEqualTo(Drift.Drifted);
    assertThat(result.verification().fingerprint()).isEqualTo(liveFingerprint(List.of()));
    assertThat(result.verification().drift()).isEqualTo(verified.verification().drift());
  }

  /**
   * A script that names the migrated schema to create a table leaves it in the shadow's schema of
   * that name: the drift check, after {@code migrate} and on {@code verify}, says it cannot
   * compare.
   */
  @Test
  void aQualifiedCreateIsRefusedByTheDriftCheckNeverNone() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__parcels.sql", "CREATE TABLE parcels (id bigint PRIMARY KEY);\n")
            .with("V2__depots.sql", "CREATE TABLE public.depots (id bigint PRIMARY KEY);\n");

    MigrationResult migrated = withShadow(files).load().migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(migrated.verification().drift()).isEqualTo(Drift.Unknown);
    assertThat(migrated.verification().reason())
        .contains("depots in schema public of the shadow database");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .contains("parcels", "depots");
    List<String> before = snapshot();

    // The table stays in the shadow's public, as the reason says: the next check must not take the
    // set for one that replays.
    MigrationResult verified = withShadow(files).load().verify();

    assertThat(verified.verification().drift()).isEqualTo(Drift.Unknown);
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(snapshot()).isEqualTo(before);
    postgres.execute(shadowDatabase, "DROP TABLE public.depots");
  }

  /**
   * plan with a pending versioned migration, a new repeatable one that uses the column it adds, and
   * a column dropped by hand that nothing pending uses: predicted success, the column reported as
   * drift, the new view not.
   */
  @Test
  void planWithPendingVersionedAndNewRepeatableBesideUnrelatedDrift() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                "V1__parcels.sql",
                "CREATE TABLE parcels (id bigint PRIMARY KEY, weight int, note text);\n");
    assertThat(withoutShadow(files).load().migrate().failure()).isNull();
    postgres.execute(database.database(), "ALTER TABLE parcels DROP COLUMN note");
    files
        .with("V2__status.sql", "ALTER TABLE parcels ADD COLUMN status text;\n")
        .with(
            "R__open_parcels.sql",
            "CREATE OR REPLACE VIEW open_parcels AS SELECT id, status FROM parcels;\n");
    List<String> before = snapshot();
    List<String> history = history();

    MigratorProcess.Finished plan = planProcess(files).run();

    assertThat(plan.exitCode()).as(plan.toString()).isZero();
    assertThat(plan.stdout())
        .contains("  drift: missing column parcels.note: text\n")
        .contains("predicted: V2__status.sql succeeds\n")
        .contains("predicted: R__open_parcels.sql succeeds\n")
        .contains("prediction: migrate succeeds\n")
        .doesNotContain("open_parcels:", "predicted failure");
    assertUnchanged(before, history);

    MigrationResult real = withShadow(files).load().migrate();

    assertThat(real.failure()).isNull();
    assertThat(real.verification().drift()).isEqualTo(Drift.Drifted);
    assertThat(real.verification().differences())
        .containsExactly("missing column parcels.note: text");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true", "-:SQL:true");
  }

  /**
   * plan with a changed repeatable migration whose new form uses a column dropped by hand, beside a
   * pending versioned migration: the drift is reproduced in the shadow, so the repeatable is
   * predicted to fail as migrate then fails, and the column is reported as drift.
   */
  @Test
  void planWithAChangedRepeatableThatTripsOnAColumnDroppedByHand() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__parcels.sql", "CREATE TABLE parcels (id bigint PRIMARY KEY, weight int);\n")
            .with(
                "R__parcel_ids.sql",
                "CREATE OR REPLACE VIEW parcel_ids AS SELECT id FROM parcels;\n");
    assertThat(withoutShadow(files).load().migrate().failure()).isNull();
    postgres.execute(database.database(), "ALTER TABLE parcels DROP COLUMN weight");
    files
        .with("V2__depots.sql", "CREATE TABLE depots (id bigint PRIMARY KEY);\n")
        .with(
            "R__parcel_ids.sql",
            "CREATE OR REPLACE VIEW parcel_ids AS SELECT id, weight FROM parcels;\n");
    List<String> before = snapshot();
    List<String> history = history();

    MigratorProcess.Finished plan = planProcess(files).run();

    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(3);
    assertThat(plan.stdout())
        .contains("  drift: missing column parcels.weight: integer\n")
        .contains("predicted: V2__depots.sql succeeds\n")
        .contains("predicted failure: R__parcel_ids.sql line 1: 42703")
        .contains("prediction: migrate fails\n");
    assertUnchanged(before, history);

    MigrationResult real = withoutShadow(files).load().migrate();

    // As predicted: V2 commits, then the repeatable fails in a transaction of its own.
    assertThat(real.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(real.failure().message())
        .startsWith("R__parcel_ids.sql failed")
        .contains("[SQLSTATE 42703]");
    assertThat(Catalog.tables(postgres, database.database(), "public")).contains("depots");
    assertThat(history()).containsExactly("1:SQL:true", "-:SQL:true", "2:SQL:true");
  }

  /**
   * A {@code beforeMigrate} callback that drops a view a repeatable migration makes (the "drop the
   * views, let the repeatables make them again" pattern, with the repeatable unchanged so Flyway
   * does not run it): a migrate with nothing pending leaves the schema without the view. {@code
   * ON_DRIFT=Block}'s check before the run found no drift; the run's finding must be the schema as
   * the run left it, as a migrate without Block and {@code verify} report it.
   */
  @Test
  void aCallbackThatChangesTheSchemaWithNothingPendingIsNotHiddenByBlocksCheck() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__parcels.sql", "CREATE TABLE parcels (id bigint PRIMARY KEY, weight int);\n")
            .with(
                "R__heavy.sql",
                "CREATE OR REPLACE VIEW heavy AS SELECT id FROM parcels WHERE weight > 10;\n")
            .with("beforeMigrate.sql", "DROP VIEW IF EXISTS heavy;\n");
    assertThat(withoutShadow(files).load().migrate().failure()).isNull();
    assertThat(Catalog.tables(postgres, database.database(), "public")).contains("heavy");

    MigrationResult blocked = withShadow(files).onDrift(DriftAction.Block).load().migrate();

    assertThat(blocked.failure()).as(String.join("\n", progress)).isNull();
    assertThat(blocked.applied()).isEmpty();
    assertThat(Catalog.tables(postgres, database.database(), "public")).doesNotContain("heavy");
    assertThat(history()).containsExactly("1:SQL:true", "-:SQL:true");
    MigrationResult verified = withShadow(files).load().verify();
    assertThat(verified.verification().drift()).isEqualTo(Drift.Drifted);
    assertThat(verified.verification().differences())
        .anyMatch(line -> line.startsWith("missing view heavy"));
    assertThat(blocked.verification().fingerprint()).isEqualTo(liveFingerprint(List.of()));
    assertThat(blocked.verification().drift()).isEqualTo(Drift.Drifted);
  }

  /**
   * A view a repeatable migration made was widened by hand, and the set's new form of it is the
   * former one: {@code CREATE OR REPLACE VIEW} cannot drop the column the hand added. The view is
   * left out of the drift (the repeatable makes it), but the shadow must hold the database's form
   * of it, so plan predicts migrate's {@code 42P16}.
   */
  @Test
  void planWithAChangedRepeatableOverAViewChangedByHandPredictsMigratesFailure() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__parcels.sql", "CREATE TABLE parcels (id bigint PRIMARY KEY, weight int);\n")
            .with(
                "R__parcel_ids.sql",
                "CREATE OR REPLACE VIEW parcel_ids AS SELECT id FROM parcels;\n");
    assertThat(withoutShadow(files).load().migrate().failure()).isNull();
    postgres.execute(
        database.database(), "CREATE OR REPLACE VIEW parcel_ids AS SELECT id, weight FROM parcels");
    files
        .with("V2__depots.sql", "CREATE TABLE depots (id bigint PRIMARY KEY);\n")
        .with(
            "R__parcel_ids.sql",
            "CREATE OR REPLACE VIEW parcel_ids AS SELECT id FROM parcels; -- cleaned up\n");
    List<String> before = snapshot();
    List<String> history = history();

    MigratorProcess.Finished plan = planProcess(files).run();

    assertThat(plan.exitCode()).as(plan.toString()).isEqualTo(3);
    assertThat(plan.stdout())
        .contains("predicted: V2__depots.sql succeeds\n")
        .contains("predicted failure: R__parcel_ids.sql line 1: 42P16")
        .contains("prediction: migrate fails\n");
    assertUnchanged(before, history);

    MigrationResult real = withoutShadow(files).load().migrate();

    assertThat(real.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(real.failure().message())
        .startsWith("R__parcel_ids.sql failed")
        .contains("[SQLSTATE 42P16]");
    assertThat(history()).containsExactly("1:SQL:true", "-:SQL:true", "2:SQL:true");
  }

  private MigratorProcess planProcess(MigrationFiles files) {
    return MigratorProcess.of(
            database,
            postgres.password(),
            "plan",
            "--migrations",
            files.directory().toString(),
            "--shadow-url",
            shadowUrl() + "?sslmode=disable")
        .withEnvironment("SHADOW_DB_USER", PostgresServer.SUPERUSER)
        .withEnvironment("SHADOW_DB_PASSWORD", postgres.password());
  }

  /**
   * The migrated database's catalog and history are what they were, and the shadow keeps no replay
   * schema.
   */
  private void assertUnchanged(List<String> catalogBefore, List<String> historyBefore) {
    assertThat(snapshot()).isEqualTo(catalogBefore);
    assertThat(history()).isEqualTo(historyBefore);
    assertThat(replaySchemasLeftInTheShadow()).isEmpty();
  }

  private List<String> replaySchemasLeftInTheShadow() {
    return DatabaseProbe.strings(
        postgres,
        shadowDatabase,
        "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'schema_operator_replay_%'");
  }

  private String liveFingerprint(List<String> ignoreTables) {
    try (Connection connection = postgres.connect(database.database())) {
      return SchemaReader.read(connection, "public", "flyway_schema_history", ignoreTables)
          .fingerprint();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
