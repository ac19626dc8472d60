package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.contract.AppliedMigration;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.ReferenceFlyway;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Baseline migrations ({@code B<version>__<description>.sql}) as Flyway runs them: on a schema
 * without migration history the highest one at or below the target is applied instead of the
 * versioned migrations it covers; on a versioned schema they are ignored. Each scenario runs the
 * same folder through the migrator and, in a second database, through Flyway's own API, and
 * compares the catalogs and the history tables.
 */
class BaselineMigrationIT {

  private static final String PARCELS =
      "CREATE TABLE parcels (id BIGINT PRIMARY KEY, weight_grams INT NOT NULL);\n";
  private static final String DEPOTS =
      "CREATE TABLE depots (id BIGINT PRIMARY KEY, city TEXT NOT NULL);\n"
          + "ALTER TABLE parcels ADD COLUMN depot_id BIGINT REFERENCES depots (id);\n";
  // What pg_dump writes: an empty search_path and qualified names throughout.
  private static final String BASELINE_AT_2 =
      "SET statement_timeout = 0;\n"
          + "SET lock_timeout = 0;\n"
          + "SELECT pg_catalog.set_config('search_path', '', false);\n"
          + "CREATE TABLE %1$s.parcels (id BIGINT PRIMARY KEY, weight_grams INT NOT NULL);\n"
          + "CREATE TABLE %1$s.depots (id BIGINT PRIMARY KEY, city TEXT NOT NULL);\n"
          + "ALTER TABLE %1$s.parcels ADD COLUMN depot_id BIGINT REFERENCES %1$s.depots (id);\n";
  private static final String LABELS = "ALTER TABLE parcels ADD COLUMN label TEXT;\n";
  private static final String ROUTES = "CREATE TABLE routes (id BIGINT PRIMARY KEY);\n";

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);
  private final String reference = postgres.createDatabase();

  private MigrationFiles folder(String schema) {
    return MigrationFiles.empty()
        .with("V1__parcels.sql", PARCELS)
        .with("V2__depots.sql", DEPOTS)
        .with("B2__baseline.sql", BASELINE_AT_2.formatted(schema))
        .with("V3__labels.sql", LABELS);
  }

  // The folder that was refused before: "'B2__baseline.sql' is not a migration file name".
  @Test
  void aFreshSchemaGetsTheBaselineMigrationInsteadOfTheVersionsItCovers() {
    MigrationFiles files = folder("public");

    MigrationPlan plan = configure(files).load().plan();
    assertThat(plan.result().failure()).isNull();
    assertThat(plan.pending())
        .extracting(MigrationScript::fileName)
        .containsExactly("B2__baseline.sql", "V3__labels.sql");
    assertThat(plan.result().pending()).containsExactly("2", "3");

    MigrationResult migrated = configure(files).load().migrate();
    ReferenceFlyway.on(postgres, reference, files.directory()).migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(migrated.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(migrated.versionAfter()).isEqualTo("3");
    assertThat(migrated.applied()).extracting(AppliedMigration::version).containsExactly("2", "3");
    assertThat(history()).containsExactly("2:SQL_BASELINE:true", "3:SQL:true");
    assertSameAsFlyway("public");

    // Below an applied baseline migration nothing is pending or out of order, as for Flyway.
    MigrationResult info = configure(files).load().info();
    assertThat(info.pending()).isEmpty();
    assertThat(info.outOfOrder()).isEmpty();
    assertThat(info.applied()).extracting(AppliedMigration::version).containsExactly("2", "3");
    assertThat(configure(files).load().validate().failure()).isNull();
    MigrationResult again = configure(files).load().migrate();
    assertThat(again.outcome()).isEqualTo(Outcome.UpToDate);
    assertThat(history()).containsExactly("2:SQL_BASELINE:true", "3:SQL:true");
  }

  @Test
  void theHighestBaselineMigrationAtOrBelowTheTargetIsChosen() {
    String baselineAt4 =
        BASELINE_AT_2.formatted("public")
            + "ALTER TABLE public.parcels ADD COLUMN label TEXT;\n"
            + "CREATE TABLE public.routes (id BIGINT PRIMARY KEY);\n";
    MigrationFiles files =
        folder("public").with("V4__routes.sql", ROUTES).with("B4__baseline.sql", baselineAt4);

    MigrationPlan plan = configure(files).target("3").load().plan();
    MigrationResult atThree = configure(files).target("3").load().migrate();

    assertThat(plan.pending())
        .extracting(MigrationScript::fileName)
        .containsExactly("B2__baseline.sql", "V3__labels.sql");
    assertThat(atThree.failure()).isNull();
    assertThat(atThree.versionAfter()).isEqualTo("3");
    assertThat(history()).containsExactly("2:SQL_BASELINE:true", "3:SQL:true");
    // Flyway itself takes the highest baseline migration whatever the target, and goes past it.
    ReferenceFlyway.configure(postgres, reference, "public", files.directory())
        .target("3")
        .load()
        .migrate();
    assertThat(Catalog.history(postgres, reference, "public"))
        .containsExactly("4:SQL_BASELINE:true");
    // The migrator hands Flyway no baseline migration above the target, and gets what Flyway does
    // on such a folder.
    String withoutB4 = postgres.createDatabase();
    files.without("B4__baseline.sql");
    ReferenceFlyway.configure(postgres, withoutB4, "public", files.directory())
        .target("3")
        .load()
        .migrate();
    assertThat(Catalog.snapshot(postgres, database.database(), "public"))
        .isEqualTo(Catalog.snapshot(postgres, withoutB4, "public"));
    assertThat(Catalog.historyEntries(postgres, database.database(), "public"))
        .isEqualTo(Catalog.historyEntries(postgres, withoutB4, "public"));
    files.with("B4__baseline.sql", baselineAt4);

    String other = postgres.createDatabase();
    String otherReference = postgres.createDatabase();
    MigrationResult latest =
        Migrator.configure()
            .connection(TestDatabases.settings(postgres, other))
            .migrations(MigrationSet.fromDirectory(files.directory()))
            .load()
            .migrate();
    ReferenceFlyway.on(postgres, otherReference, files.directory()).migrate();

    assertThat(latest.failure()).isNull();
    assertThat(latest.applied()).extracting(AppliedMigration::version).containsExactly("4");
    assertThat(Catalog.history(postgres, other, "public")).containsExactly("4:SQL_BASELINE:true");
    assertThat(Catalog.snapshot(postgres, other, "public"))
        .isEqualTo(Catalog.snapshot(postgres, otherReference, "public"));
    assertThat(Catalog.historyEntries(postgres, other, "public"))
        .isEqualTo(Catalog.historyEntries(postgres, otherReference, "public"));
  }

  // The shape of a real project (BBMRI-ERIC/negotiator) whose history starts with a baseline
  // migration and has no versioned migration of its version: B1, then V2 on. The CLI's info
  // called the applied B1 "applied (file missing)" and listed it pending without description.
  @Test
  void infoNamesABaselineMigrationThatNoVersionedMigrationOfItsVersionAccompanies() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("B1__baseline.sql", PARCELS)
            .with("V2__depots.sql", DEPOTS)
            .with("V3__labels.sql", LABELS);
    String folder = files.directory().toString();

    MigratorProcess.Finished fresh =
        MigratorProcess.of(database, postgres.password(), "info", "--migrations", folder).run();
    MigrationResult migrated = configure(files).load().migrate();
    MigratorProcess.Finished applied =
        MigratorProcess.of(database, postgres.password(), "info", "--migrations", folder).run();

    assertThat(fresh.exitCode()).as(fresh.toString()).isZero();
    assertThat(fresh.stdout())
        .contains("pending: 1 baseline\n", "pending: 2 depots\n", "pending: 3 labels\n");
    assertThat(migrated.failure()).isNull();
    assertThat(history()).containsExactly("1:SQL_BASELINE:true", "2:SQL:true", "3:SQL:true");
    assertThat(applied.exitCode()).as(applied.toString()).isZero();
    assertThat(applied.stdout())
        .contains("applied: 1 baseline\n", "applied: 2 depots\n", "applied: 3 labels\n")
        .doesNotContain("file missing");
  }

  @Test
  void aTargetBelowEveryBaselineMigrationRunsTheVersionedOnes() {
    MigrationFiles files = folder("public");

    MigrationResult migrated = configure(files).target("1").load().migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(migrated.versionAfter()).isEqualTo("1");
    assertThat(history()).containsExactly("1:SQL:true");
    // Flyway itself would apply B2 and go past the target.
    ReferenceFlyway.configure(postgres, reference, "public", files.directory())
        .target("1")
        .load()
        .migrate();
    assertThat(Catalog.history(postgres, reference, "public"))
        .containsExactly("2:SQL_BASELINE:true");

    // Once versioned, the baseline migration is ignored: V2 and V3 follow, as for Flyway on a
    // schema whose history starts with V1 (given here by a first Flyway run without B2).
    MigrationResult rest = configure(files).load().migrate();
    String versioned = postgres.createDatabase();
    files.without("B2__baseline.sql");
    ReferenceFlyway.configure(postgres, versioned, "public", files.directory())
        .target("1")
        .load()
        .migrate();
    files.with("B2__baseline.sql", BASELINE_AT_2.formatted("public"));
    ReferenceFlyway.on(postgres, versioned, files.directory()).migrate();

    assertThat(rest.failure()).isNull();
    assertThat(rest.applied()).extracting(AppliedMigration::version).containsExactly("2", "3");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true", "3:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public"))
        .isEqualTo(Catalog.snapshot(postgres, versioned, "public"));
    assertThat(Catalog.historyEntries(postgres, database.database(), "public"))
        .isEqualTo(Catalog.historyEntries(postgres, versioned, "public"));
  }

  @Test
  void aVersionedSchemaIgnoresABaselineMigrationAddedLater() {
    MigrationFiles files =
        MigrationFiles.empty().with("V1__parcels.sql", PARCELS).with("V2__depots.sql", DEPOTS);
    configure(files).load().migrate();
    ReferenceFlyway.on(postgres, reference, files.directory()).migrate();
    files
        .with("B2__baseline.sql", BASELINE_AT_2.formatted("public"))
        .with("V3__labels.sql", LABELS);

    MigrationResult migrated = configure(files).load().migrate();
    ReferenceFlyway.on(postgres, reference, files.directory()).migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(migrated.applied()).extracting(AppliedMigration::version).containsExactly("3");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true", "3:SQL:true");
    assertSameAsFlyway("public");
  }

  @Test
  void anUndoBelowAnAppliedBaselineMigrationIsRefusedAndChangesNothing() {
    MigrationFiles files =
        folder("public").with("U3__labels.sql", "ALTER TABLE parcels DROP COLUMN label;\n");
    configure(files).load().migrate();
    List<String> catalog = Catalog.snapshot(postgres, database.database(), "public");

    MigrationResult refused = configure(files).load().undo("1");

    assertThat(refused.failure().reason()).isEqualTo(FailureReason.UndoScriptMissing);
    assertThat(refused.failure().version()).isEqualTo("2");
    assertThat(refused.failure().message())
        .isEqualTo(
            "version 2 was applied by a baseline migration (B2__baseline.sql), which stands for"
                + " every version up to it and has no undo script: undo to 2 or above; nothing"
                + " was undone");
    assertThat(refused.undone()).isEmpty();
    assertThat(history()).containsExactly("2:SQL_BASELINE:true", "3:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(catalog);

    MigrationResult toTwo = configure(files).load().undo("2");

    assertThat(toTwo.failure()).isNull();
    assertThat(toTwo.undone()).extracting(AppliedMigration::version).containsExactly("3");
    assertThat(history()).containsExactly("2:SQL_BASELINE:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public"))
        .noneMatch(line -> line.startsWith("column parcels.label"));
  }

  @Test
  void aDumpedBaselineMigrationLeavesTheNextMigrationInTheTargetSchemaWithItsTimeouts() {
    MigrationFiles files =
        folder("depot_ops")
            .with(
                "V4__timeouts_seen.sql",
                "CREATE TABLE timeouts_seen AS SELECT current_setting('lock_timeout') AS lock,"
                    + " current_setting('statement_timeout') AS statement;\n");
    ConnectionSettings depotOps = inSchema("depot_ops");

    MigrationResult migrated = configure(files).connection(depotOps).load().migrate();
    ReferenceFlyway.configure(postgres, reference, "depot_ops", files.directory()).load().migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(Catalog.history(postgres, database.database(), "depot_ops"))
        .containsExactly("-:SCHEMA:true", "2:SQL_BASELINE:true", "3:SQL:true", "4:SQL:true");
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();
    assertThat(
            io.jobgtm.schema.migrator.testing.DatabaseProbe.strings(
                postgres,
                database.database(),
                "SELECT lock || ' ' || statement FROM depot_ops.timeouts_seen"))
        .containsExactly("10s 10min");
    assertSameAsFlyway("depot_ops");
  }

  @Test
  void oneThatEndsItsTransactionIsRefusedBeforeAnythingRuns() {
    MigrationFiles files =
        folder("public")
            .with("B2__baseline.sql", "BEGIN;\n" + BASELINE_AT_2.formatted("public") + "COMMIT;\n");

    MigrationResult planned = configure(files).load().plan().result();
    MigrationResult result = configure(files).load().migrate();

    assertThat(planned.failure().reason()).isEqualTo(FailureReason.InvalidMigrationSet);
    assertThat(result.failure().reason()).isEqualTo(FailureReason.InvalidMigrationSet);
    assertThat(result.failure().version()).isEqualTo("2");
    assertThat(result.failure().message())
        .isEqualTo(planned.failure().message())
        .startsWith("B2__baseline.sql line 1: BEGIN ends or opens a transaction");
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();
  }

  @Test
  void oneThatCommitsWhereTheParserCannotSeeItIsStoppedByTheGuard() {
    MigrationFiles files =
        folder("public")
            .with(
                "B2__baseline.sql",
                BASELINE_AT_2.formatted("public") + "/* dumped /* by hand */ here */ COMMIT;\n");

    MigrationResult result = configure(files).load().migrate();

    assertThat(result.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(result.failure().version()).isEqualTo("2");
    assertThat(result.failure().message())
        .startsWith("B2__baseline.sql ends or rolls back its own transaction");
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();
  }

  private void assertSameAsFlyway(String schema) {
    ReferenceFlyway.assertSameSchema(postgres, database.database(), reference, schema);
  }

  private ConnectionSettings inSchema(String schema) {
    return TestDatabases.inSchema(postgres, database, schema);
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
