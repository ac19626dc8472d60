package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.Test;

/**
 * A set split over several directories, as Flyway's {@code locations} (a schema folder and a data
 * folder): the migrator runs what Flyway's own API, given the same locations, runs (catalog and
 * history entries equal, a script recorded by its path within its own directory), and refuses,
 * before touching the database and in one message, what Flyway refuses: a version or a repeatable
 * migration found in two directories.
 */
class MultipleLocationsIT {

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);
  private final String reference = postgres.createDatabase();

  private final Path schema = MigrationFiles.empty().directory();
  private final Path data = MigrationFiles.empty().directory();

  MultipleLocationsIT() {
    write(schema, "V1__warehouses.sql", "CREATE TABLE warehouses (id BIGINT PRIMARY KEY);\n");
    write(
        schema,
        "tables/V2__bins.sql",
        "CREATE TABLE bins (warehouse_id BIGINT NOT NULL REFERENCES warehouses (id),"
            + " code TEXT NOT NULL);\n");
    write(data, "README.md", "# Seed rows\n");
    write(data, "V1_1__seed_warehouses.sql", "INSERT INTO warehouses (id) VALUES (1), (2);\n");
    write(
        data,
        "R__bin_counts.sql",
        "CREATE OR REPLACE VIEW bin_counts AS SELECT warehouse_id, count(*) AS bins FROM bins"
            + " GROUP BY warehouse_id;\n");
    write(
        data, "afterMigrate__marker.sql", "CREATE TABLE IF NOT EXISTS migrated_marker (id INT);\n");
  }

  private static void write(Path directory, String path, String content) {
    try {
      Path file = directory.resolve(path);
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private org.flywaydb.core.Flyway flyway() {
    return ReferenceFlyway.configure(postgres, reference, "public", schema)
        .locations("filesystem:" + schema, "filesystem:" + data)
        .load();
  }

  @Test
  void twoDirectoriesRunAsOneSetAsFlywayRunsThem() {
    MigrationResult migrated =
        Migrator.configure()
            .connection(database)
            .migrations(MigrationSet.fromDirectories(List.of(schema, data)))
            .load()
            .migrate();
    flyway().migrate();

    assertThat(migrated.failure()).as(String.valueOf(migrated.failure())).isNull();
    assertThat(migrated.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(migrated.applied())
        .extracting(AppliedMigration::version)
        .containsExactly("1", "1.1", "2");
    assertThat(migrated.appliedRepeatables())
        .extracting(AppliedMigration::description)
        .containsExactly("bin counts");
    assertThat(Catalog.historyEntries(postgres, database.database(), "public"))
        .isEqualTo(Catalog.historyEntries(postgres, reference, "public"))
        .anyMatch(entry -> entry.contains("|V1_1__seed_warehouses.sql|"))
        .anyMatch(entry -> entry.contains("|tables/V2__bins.sql|"));
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .contains("migrated_marker", "bin_counts");
    assertThat(Catalog.snapshot(postgres, database.database(), "public"))
        .isEqualTo(Catalog.snapshot(postgres, reference, "public"));
    assertThat(Catalog.definitions(postgres, database.database(), "public"))
        .isEqualTo(Catalog.definitions(postgres, reference, "public"));
  }

  @Test
  void theCommandLineReadsDirectoriesSeparatedByCommas() {
    MigratorProcess.Finished run =
        MigratorProcess.of(
                database, postgres.password(), "migrate", "--migrations", schema + " , " + data)
            .run();

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.stdout()).contains(data.resolve("README.md").toString());
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true", "1.1:SQL:true", "2:SQL:true", "-:SQL:true");
  }

  @Test
  void aDirectoryListedTwiceOrInsideAnotherIsReadOnce() {
    MigrationSet set =
        MigrationSet.fromDirectories(List.of(schema, data, schema, schema.resolve("tables")));

    assertThat(set.versions()).extracting(Object::toString).containsExactly("1", "1.1", "2");
    assertThat(Migrator.configure().connection(database).migrations(set).load().migrate().outcome())
        .isEqualTo(Outcome.Migrated);
  }

  @Test
  void aVersionOrARepeatableInTwoDirectoriesIsRefusedInOneMessageBeforeTheDatabase() {
    write(data, "V1__other_warehouses.sql", "CREATE TABLE other (id INT);\n");
    write(schema, "R__bin_counts.sql", "CREATE OR REPLACE VIEW bin_counts AS SELECT 1 AS one;\n");
    write(data, "V3-bad-name.sql", "SELECT 1;\n");

    assertThatThrownBy(() -> MigrationSet.fromDirectories(List.of(schema, data)))
        .isInstanceOfSatisfying(
            MigrationException.class,
            e -> assertThat(e.reason()).isEqualTo(FailureReason.InvalidMigrationSet))
        .hasMessageStartingWith("3 problems in the migration set: ")
        .hasMessageContaining("'" + data.resolve("V3-bad-name.sql") + "' is not a migration file")
        .hasMessageContaining(
            "version 1 appears twice: "
                + schema.resolve("V1__warehouses.sql")
                + " and "
                + data.resolve("V1__other_warehouses.sql"))
        .hasMessageContaining(
            "two repeatable migrations are named 'bin counts': "
                + schema.resolve("R__bin_counts.sql")
                + " and "
                + data.resolve("R__bin_counts.sql"));
    // Flyway refuses the same version in two locations too (the bad name aside).
    Path badName = data.resolve("V3-bad-name.sql");
    assertThat(badName.toFile().delete()).isTrue();
    assertThatThrownBy(() -> flyway().migrate())
        .isInstanceOf(FlywayException.class)
        .hasMessageContaining("Found more than one migration with version 1");
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();
  }

  @Test
  void aCallbackOfOneNameInTwoDirectoriesIsRefusedAsFlywayRefusesIt() {
    write(schema, "afterMigrate__marker.sql", "SELECT 1;\n");

    MigratorProcess.Migration migration =
        MigratorProcess.migrate(database, postgres.password(), Path.of(schema + "," + data));

    assertThat(migration.run().exitCode()).as(migration.run().toString()).isEqualTo(2);
    JsonNode failure = readResult(migration.resultFile()).get("failure");
    assertThat(failure.get("reason").asText()).isEqualTo("InvalidMigrationSet");
    assertThat(failure.get("message").asText())
        .isEqualTo(
            "the SQL callback afterMigrate__marker.sql appears more than once: "
                + schema.resolve("afterMigrate__marker.sql")
                + " and "
                + data.resolve("afterMigrate__marker.sql")
                + "; Flyway runs one script per callback name, so each needs its own"
                + " (afterMigrate__grants.sql, afterMigrate__views.sql)");
    assertThatThrownBy(() -> flyway().migrate())
        .isInstanceOf(FlywayException.class)
        .hasMessageContaining("Found more than 1 SQL callback script called afterMigrate__marker");
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();
  }

  private static JsonNode readResult(Path file) {
    try {
      return new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
