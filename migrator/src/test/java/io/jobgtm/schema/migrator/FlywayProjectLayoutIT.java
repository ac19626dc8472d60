package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobgtm.schema.contract.AppliedMigration;
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
import org.junit.jupiter.api.Test;

/**
 * A Flyway project's folder as it is: migrations in sub-folders, an upper-case {@code .SQL} suffix,
 * a README and {@code .gitkeep} files beside them. The migrator runs what Flyway's own API runs on
 * the same folder (catalog and history entries, script paths included, equal), and refuses, before
 * touching the database, what Flyway would run or read and the migrator will not.
 */
class FlywayProjectLayoutIT {

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);
  private final String reference = postgres.createDatabase();

  private static MigrationFiles project() {
    MigrationFiles files = MigrationFiles.empty();
    write(files, "README.md", "# Migrations\nschema/ holds the tables, data/ the seed rows.\n");
    write(files, ".gitkeep", "");
    write(
        files,
        "schema/V1__warehouses.sql",
        "CREATE TABLE warehouses (id BIGINT PRIMARY KEY, city TEXT NOT NULL);\n");
    write(
        files,
        "schema/V2__bins.SQL",
        "CREATE TABLE bins (warehouse_id BIGINT NOT NULL REFERENCES warehouses (id),"
            + " code TEXT NOT NULL, PRIMARY KEY (warehouse_id, code));\n");
    write(files, "data/.gitkeep", "");
    write(
        files,
        "data/V1_1__seed_warehouses.sql",
        "INSERT INTO warehouses (id, city) VALUES (1, 'Leeds'), (2, 'Porto');\n");
    write(
        files,
        "views/R__bin_counts.sql",
        "CREATE OR REPLACE VIEW bin_counts AS SELECT warehouse_id, count(*) AS bins FROM bins"
            + " GROUP BY warehouse_id;\n");
    return files;
  }

  private static void write(MigrationFiles files, String path, String content) {
    try {
      Path file = files.directory().resolve(path);
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void subFoldersAndAnUpperCaseSuffixRunAsFlywayRunsThem() {
    MigrationFiles files = project();

    MigrationResult migrated =
        Migrator.configure()
            .connection(database)
            .migrations(MigrationSet.fromDirectory(files.directory()))
            .load()
            .migrate();
    ReferenceFlyway.on(postgres, reference, files.directory()).migrate();

    assertThat(migrated.failure()).as(String.valueOf(migrated.failure())).isNull();
    assertThat(migrated.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(migrated.applied())
        .extracting(AppliedMigration::version)
        .containsExactly("1", "1.1", "2");
    assertThat(migrated.appliedRepeatables())
        .extracting(AppliedMigration::description)
        .containsExactly("bin counts");
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true", "1.1:SQL:true", "2:SQL:true", "-:SQL:true");
    assertThat(Catalog.historyEntries(postgres, database.database(), "public"))
        .isEqualTo(Catalog.historyEntries(postgres, reference, "public"))
        .anyMatch(entry -> entry.contains("|data/V1_1__seed_warehouses.sql|"));
    assertThat(Catalog.snapshot(postgres, database.database(), "public"))
        .isEqualTo(Catalog.snapshot(postgres, reference, "public"));
    assertThat(Catalog.definitions(postgres, database.database(), "public"))
        .isEqualTo(Catalog.definitions(postgres, reference, "public"));
  }

  @Test
  void theCommandLineSaysWhichFilesItIgnoresAndGoesOn() {
    MigrationFiles files = project();

    MigratorProcess.Migration migration =
        MigratorProcess.migrate(database, postgres.password(), files.directory());

    assertThat(migration.run().exitCode()).as(migration.run().toString()).isZero();
    assertThat(migration.run().stdout())
        .contains(
            "not part of the migration set, as Flyway ignores them (no .sql suffix): README.md");
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true", "1.1:SQL:true", "2:SQL:true", "-:SQL:true");
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .containsExactly("bin_counts", "bins", "flyway_schema_history", "warehouses");
  }

  @Test
  void javaMigrationsAndFlywayConfigurationAreRefusedTogetherBeforeTheDatabase()
      throws IOException {
    MigrationFiles files = project();
    write(files, "java/V3__rebuild_bins.java", "public class V3__rebuild_bins {}\n");
    write(files, "flyway.conf", "flyway.table=schema_version\nflyway.outOfOrder=true\n");

    MigratorProcess.Migration migration =
        MigratorProcess.migrate(database, postgres.password(), files.directory());

    assertThat(migration.run().exitCode()).as(migration.run().toString()).isEqualTo(2);
    JsonNode result = new ObjectMapper().readTree(migration.resultFile().toFile());
    assertThat(result.get("failure").get("reason").asText()).isEqualTo("InvalidMigrationSet");
    assertThat(result.get("failure").get("message").asText())
        .startsWith("2 problems in the migration set: ")
        .contains("flyway.conf is a Flyway configuration file")
        .contains("table is --history-table")
        .contains("java/V3__rebuild_bins.java is a Java migration");
    // Nothing was written: the database was never touched.
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();
  }
}
