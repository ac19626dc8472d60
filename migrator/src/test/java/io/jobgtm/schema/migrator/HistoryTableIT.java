package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.contract.AppliedMigration;
import io.jobgtm.schema.contract.DatabaseState;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.ReferenceFlyway;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A schema that Flyway migrated under another history table name (hawkbit's {@code schema_version},
 * Flyway's {@code table} setting) is continued by the migrator given that name, as Flyway itself
 * continues it, and is refused as Unversioned without it, nothing written.
 */
class HistoryTableIT {

  private static final String TABLE = "schema_history";

  private static final String LOCKERS =
      "CREATE TABLE parcel_lockers (id BIGINT PRIMARY KEY, site TEXT NOT NULL);\n";
  private static final String SLOTS =
      "CREATE TABLE locker_slots (\n"
          + "  locker_id BIGINT NOT NULL REFERENCES parcel_lockers (id),\n"
          + "  slot SMALLINT NOT NULL,\n"
          + "  PRIMARY KEY (locker_id, slot)\n"
          + ");\n";
  private static final String SIZE =
      "ALTER TABLE locker_slots ADD COLUMN size_class CHAR(1) NOT NULL DEFAULT 'M';\n";

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);
  private final String reference = postgres.createDatabase();
  private final MigrationFiles files =
      MigrationFiles.empty().with("V1__parcel_lockers.sql", LOCKERS).with("V2__slots.sql", SLOTS);
  private List<String> catalogAtTwo;

  /** Both databases at version 2 by Flyway's own API, its history in {@code schema_history}. */
  @BeforeEach
  void migratedByFlywayUnderAnotherTableName() {
    flyway(database.database());
    flyway(reference);
    assertThat(Catalog.history(postgres, database.database(), "public", TABLE))
        .containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .containsExactly("locker_slots", "parcel_lockers", TABLE);
    catalogAtTwo = Catalog.snapshot(postgres, database.database(), "public", TABLE);
    files.with("V3__slot_size.sql", SIZE);
  }

  private void flyway(String databaseName) {
    ReferenceFlyway.configure(postgres, databaseName, "public", files.directory())
        .table(TABLE)
        .load()
        .migrate();
  }

  private MigratorConfiguration configure() {
    return Migrator.configure()
        .connection(database)
        .migrations(MigrationSet.fromDirectory(files.directory()));
  }

  @Test
  void withTheTableNameTheSchemaIsVersionedAndContinued() {
    MigrationResult info = configure().historyTable(TABLE).load().info();
    assertThat(info.failure()).isNull();
    assertThat(info.databaseState()).isEqualTo(DatabaseState.Versioned);
    assertThat(info.versionAfter()).isEqualTo("2");
    assertThat(info.pending()).containsExactly("3");

    MigrationResult migrated =
        configure()
            .historyTable(TABLE)
            .owner(new SchemaOwner.Claim("logistics/lockers", null, null))
            .load()
            .migrate();
    flyway(reference);

    assertThat(migrated.failure()).as(String.valueOf(migrated.failure())).isNull();
    assertThat(migrated.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(migrated.databaseState()).isEqualTo(DatabaseState.Versioned);
    assertThat(migrated.versionBefore()).isEqualTo("2");
    assertThat(migrated.versionAfter()).isEqualTo("3");
    assertThat(migrated.applied()).extracting(AppliedMigration::version).containsExactly("3");
    assertThat(migrated.owner()).isEqualTo("logistics/lockers");
    // Continued in the table Flyway used, never a second history beside it.
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .containsExactly("locker_slots", "parcel_lockers", TABLE);
    assertThat(Catalog.history(postgres, database.database(), "public", TABLE))
        .containsExactly("1:SQL:true", "2:SQL:true", "3:SQL:true");
    assertThat(Catalog.historyEntries(postgres, database.database(), "public", TABLE))
        .isEqualTo(Catalog.historyEntries(postgres, reference, "public", TABLE));
    assertThat(Catalog.snapshot(postgres, database.database(), "public", TABLE))
        .isEqualTo(Catalog.snapshot(postgres, reference, "public", TABLE))
        .contains("column locker_slots.size_class character null=NO default='M'::bpchar");
    assertThat(tableComment(TABLE)).isEqualTo("schema-operator owner=logistics/lockers");

    MigrationResult again = configure().historyTable(TABLE).load().migrate();
    assertThat(again.outcome()).isEqualTo(Outcome.UpToDate);
    assertThat(Catalog.history(postgres, database.database(), "public", TABLE))
        .containsExactly("1:SQL:true", "2:SQL:true", "3:SQL:true");
  }

  @Test
  void theCommandLineTakesTheTableName() {
    MigratorProcess.Finished info =
        MigratorProcess.of(
                database,
                postgres.password(),
                "info",
                "--migrations",
                files.directory().toString(),
                "--history-table",
                TABLE)
            .run();

    assertThat(info.exitCode()).as(info.toString()).isZero();
    assertThat(info.stdout().lines())
        .contains("applied: 1 parcel lockers", "applied: 2 slots", "pending: 3 slot size");
    assertThat(Catalog.history(postgres, database.database(), "public", TABLE))
        .containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public", TABLE))
        .isEqualTo(catalogAtTwo);
  }

  @Test
  void withoutTheTableNameTheSchemaIsUnversionedAndNothingIsWritten() {
    MigrationResult migrated = configure().load().migrate();

    assertThat(migrated.outcome()).isEqualTo(Outcome.Failed);
    assertThat(migrated.databaseState()).isEqualTo(DatabaseState.Unversioned);
    assertThat(migrated.failure().reason()).isEqualTo(FailureReason.UnversionedSchema);
    assertThat(migrated.failure().message()).contains("table " + TABLE);
    assertThat(migrated.applied()).isEmpty();
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .containsExactly("locker_slots", "parcel_lockers", TABLE);
    assertThat(Catalog.history(postgres, database.database(), "public", TABLE))
        .containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public", TABLE))
        .isEqualTo(catalogAtTwo);
  }

  @Test
  void aBlankOrOverlongTableNameIsInvalidConfiguration() {
    for (String name : List.of(" ", "h".repeat(64))) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> configure().historyTable(name))
          .isInstanceOfSatisfying(
              MigrationException.class,
              e -> assertThat(e.reason()).isEqualTo(FailureReason.InvalidConfiguration));
    }
    assertThat(Catalog.history(postgres, database.database(), "public", TABLE))
        .containsExactly("1:SQL:true", "2:SQL:true");
  }

  private String tableComment(String table) {
    try (Connection connection = postgres.connect(database.database());
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT obj_description('public." + table + "'::regclass, 'pg_class')")) {
      result.next();
      return result.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
