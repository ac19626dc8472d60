package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.contract.AppliedMigration;
import io.jobgtm.schema.contract.DatabaseState;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.contract.Version;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The three database states of the workflow service's entrypoint, against real PostgreSQL. */
class MigrateIT {

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);
  private final List<String> progress = new ArrayList<>();

  private MigratorConfiguration configure() {
    return Migrator.configure()
        .connection(database)
        .migrations(MigrationSet.fromDirectory(MigrationFiles.reference()))
        .progress(progress::add);
  }

  private List<String> history() {
    return Catalog.history(postgres, database.database(), "public");
  }

  private void createTablesOfV1WithoutHistory() throws Exception {
    String v1 = Files.readString(MigrationFiles.reference().resolve("V1__initial_schema.sql"));
    postgres.execute(database.database(), v1);
  }

  // Names from real sets (IQSS/dataverse, eclipse-hawkbit) that Flyway runs and the set once
  // refused.
  @Test
  void fileNamesWithoutDescriptionOrWithDotsRunAndKeepFlywaysDescription() throws Exception {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1.sql", "CREATE TABLE parcels (id BIGINT PRIMARY KEY);\n")
            .with("V1.1__2.0-parcel.weights.sql", "ALTER TABLE parcels ADD COLUMN grams INT;\n")
            .with("V2__baseline__Depot.sql", "CREATE TABLE depots (id BIGINT PRIMARY KEY);\n");

    MigrationResult result =
        Migrator.configure()
            .connection(database)
            .migrations(MigrationSet.fromDirectory(files.directory()))
            .load()
            .migrate();

    assertThat(result.failure()).isNull();
    assertThat(result.applied())
        .extracting(AppliedMigration::version, AppliedMigration::description)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("1", ""),
            org.assertj.core.groups.Tuple.tuple("1.1", "2.0-parcel.weights"),
            org.assertj.core.groups.Tuple.tuple("2", "baseline  Depot"));
    assertThat(history()).containsExactly("1:SQL:true", "1.1:SQL:true", "2:SQL:true");
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .containsExactly("depots", "flyway_schema_history", "parcels");
    assertThat(Catalog.snapshot(postgres, database.database(), "public"))
        .contains("column parcels.grams integer null=YES default=-");
  }

  @Test
  void freshDatabaseGetsEveryMigration() {
    MigrationResult result = configure().load().migrate();

    assertThat(result.failure()).isNull();
    assertThat(result.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(result.databaseState()).isEqualTo(DatabaseState.Fresh);
    assertThat(result.versionBefore()).isNull();
    assertThat(result.versionAfter()).isEqualTo("2");
    assertThat(result.applied()).extracting(AppliedMigration::version).containsExactly("1", "2");
    assertThat(result.pending()).isEmpty();
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public"))
        .contains("column job_listings.is_remote boolean null=NO default=false");
    assertThat(progress)
        .contains("database state: Fresh (no objects in schema public)")
        .anySatisfy(line -> assertThat(line).startsWith("applied version 1 initial schema ("))
        .anySatisfy(
            line ->
                assertThat(line).startsWith("applied version 2 add is remote to job listings ("));
  }

  @Test
  void databaseVersionedAtOneGetsOnlyTheSecondMigration() {
    assertThat(configure().target("1").load().migrate().versionAfter()).isEqualTo("1");

    MigrationResult result = configure().load().migrate();

    assertThat(result.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(result.databaseState()).isEqualTo(DatabaseState.Versioned);
    assertThat(result.versionBefore()).isEqualTo("1");
    assertThat(result.versionAfter()).isEqualTo("2");
    assertThat(result.applied()).extracting(AppliedMigration::version).containsExactly("2");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
  }

  @Test
  void databaseAtTheTargetIsUpToDateAndNothingIsWritten() {
    configure().load().migrate();
    List<String> historyBefore = history();
    // From here on every transaction of this database is read-only: any write would fail.
    postgres.execute(
        "postgres",
        "ALTER DATABASE \"" + database.database() + "\" SET default_transaction_read_only = on");

    MigrationResult result = configure().load().migrate();

    assertThat(result.failure()).isNull();
    assertThat(result.outcome()).isEqualTo(Outcome.UpToDate);
    assertThat(result.versionBefore()).isEqualTo("2");
    assertThat(result.versionAfter()).isEqualTo("2");
    assertThat(result.applied()).isEmpty();
    assertThat(history()).isEqualTo(historyBefore);
  }

  @Test
  void unversionedDatabaseIsBaselinedThenOnlyLaterMigrationsApply() throws Exception {
    createTablesOfV1WithoutHistory();

    MigrationResult result =
        configure().baselinePolicy(BaselinePolicy.baselineAt(Version.parse("1"))).load().migrate();

    assertThat(result.failure()).isNull();
    assertThat(result.databaseState()).isEqualTo(DatabaseState.Unversioned);
    assertThat(result.baselineVersion()).isEqualTo("1");
    assertThat(result.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(result.applied()).extracting(AppliedMigration::version).containsExactly("2");
    assertThat(result.versionAfter()).isEqualTo("2");
    assertThat(history()).containsExactly("1:BASELINE:true", "2:SQL:true");
    assertThat(progress).contains("baselined at version 1 (schema unchanged)");
  }

  @Test
  void unversionedDatabaseIsRefusedByDefaultAndLeftAsItWas() throws Exception {
    createTablesOfV1WithoutHistory();
    List<String> catalogBefore = Catalog.snapshot(postgres, database.database(), "public");

    MigrationResult result = configure().load().migrate();

    assertThat(result.outcome()).isEqualTo(Outcome.Failed);
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.failure().reason()).isEqualTo(FailureReason.UnversionedSchema);
    assertThat(result.failure().message())
        .isEqualTo(
            "2 objects in schema public (table job_listings, table workflow_runs) and no migration"
                + " history: set the baseline policy to Baseline with the version those objects"
                + " match, or point the migrator at an empty schema");
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(catalogBefore);
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .containsExactly("job_listings", "workflow_runs");
  }

  @Test
  void emptyHistoryTableBesideTablesIsReportedAsSuchNotAsFresh() throws Exception {
    createTablesOfV1WithoutHistory();
    configure()
        .baselinePolicy(BaselinePolicy.baselineAt(Version.parse("1")))
        .target("1")
        .load()
        .migrate();
    postgres.execute(database.database(), "DELETE FROM flyway_schema_history");
    progress.clear();

    MigrationResult refused = configure().load().migrate();

    assertThat(refused.databaseState()).isEqualTo(DatabaseState.Unversioned);
    assertThat(refused.failure().reason()).isEqualTo(FailureReason.UnversionedSchema);
    assertThat(progress)
        .contains(
            "database state: Unversioned (2 objects in schema public (table job_listings, table"
                + " workflow_runs) and an empty migration history table flyway_schema_history)");

    MigrationResult baselined =
        configure().baselinePolicy(BaselinePolicy.baselineAt(Version.parse("1"))).load().migrate();

    assertThat(baselined.failure()).isNull();
    assertThat(baselined.applied()).extracting(AppliedMigration::version).containsExactly("2");
  }

  // flyway/flyway#2754: an empty history table someone else created is theirs; a refusal keeps it.
  @Test
  void refusalKeepsAnEmptyHistoryTableItDidNotCreate() {
    postgres.execute(
        database.database(),
        "CREATE TABLE courier_shifts (id INT PRIMARY KEY, starts_at TIMESTAMPTZ NOT NULL)",
        "CREATE TABLE flyway_schema_history ("
            + " installed_rank INT NOT NULL CONSTRAINT flyway_schema_history_pk PRIMARY KEY,"
            + " version VARCHAR(50), description VARCHAR(200) NOT NULL,"
            + " type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, checksum INT,"
            + " installed_by VARCHAR(100) NOT NULL,"
            + " installed_on TIMESTAMP NOT NULL DEFAULT now(),"
            + " execution_time INT NOT NULL, success BOOLEAN NOT NULL)",
        "CREATE INDEX flyway_schema_history_s_idx ON flyway_schema_history (success)");
    List<String> catalogBefore = Catalog.snapshot(postgres, database.database(), "public");
    assertThat(history()).isEmpty();

    MigrationResult result = configure().load().migrate();

    assertThat(result.outcome()).isEqualTo(Outcome.Failed);
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.databaseState()).isEqualTo(DatabaseState.Unversioned);
    assertThat(result.failure().reason()).isEqualTo(FailureReason.UnversionedSchema);
    assertThat(result.failure().message())
        .contains("courier_shifts")
        .doesNotContainIgnoringCase("removed");
    assertThat(result.applied()).isEmpty();
    assertThat(result.versionAfter()).isNull();
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .as("the history table someone else created is still there")
        .containsExactly("courier_shifts", "flyway_schema_history");
    assertThat(history()).isEmpty();
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(catalogBefore);
  }

  @Test
  void baselineCommandOnlyStampsUnversionedDatabases() throws Exception {
    MigrationResult onFresh = configure().load().baseline("1");
    assertThat(onFresh.failure().reason()).isEqualTo(FailureReason.BaselineNotAllowed);
    assertThat(onFresh.failure().message())
        .isEqualTo("schema public is empty: migrate it instead of baselining");
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();

    createTablesOfV1WithoutHistory();
    MigrationResult stamped = configure().load().baseline("1");
    assertThat(stamped.outcome()).isEqualTo(Outcome.Baselined);
    assertThat(history()).containsExactly("1:BASELINE:true");

    MigrationResult again = configure().load().baseline("1");
    assertThat(again.failure().reason()).isEqualTo(FailureReason.BaselineNotAllowed);
    assertThat(again.failure().message())
        .isEqualTo("schema public already has a migration history");
    assertThat(history()).containsExactly("1:BASELINE:true");
  }

  @Test
  void planShowsThePendingSqlAndChangesNothing() {
    configure().target("1").load().migrate();

    MigrationPlan plan = configure().load().plan();

    assertThat(plan.result().outcome()).isEqualTo(Outcome.Planned);
    assertThat(plan.result().databaseState()).isEqualTo(DatabaseState.Versioned);
    assertThat(plan.pending())
        .extracting(MigrationScript::fileName)
        .containsExactly("V2__add_is_remote_to_job_listings.sql");
    assertThat(plan.pending().get(0).sql()).contains("ADD COLUMN is_remote");
    assertThat(history()).containsExactly("1:SQL:true");
  }

  @Test
  void infoReportsStateVersionAppliedAndPending() {
    configure().target("1").load().migrate();

    MigrationResult info = configure().load().info();

    assertThat(info.outcome()).isEqualTo(Outcome.Reported);
    assertThat(info.databaseState()).isEqualTo(DatabaseState.Versioned);
    assertThat(info.versionAfter()).isEqualTo("1");
    assertThat(info.applied()).extracting(AppliedMigration::version).containsExactly("1");
    assertThat(info.pending()).containsExactly("2");
  }

  @Test
  void targetOutsideTheMigrationSetIsRefusedBeforeAnythingIsApplied() {
    MigrationResult result = configure().target("7").load().migrate();

    assertThat(result.failure().reason()).isEqualTo(FailureReason.UnknownTargetVersion);
    assertThat(result.failure().message())
        .isEqualTo("the target version 7 is not in the migration set (versions 1, 2)");
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();
  }
}
