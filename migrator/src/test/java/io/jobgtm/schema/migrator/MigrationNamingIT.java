package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.ReferenceFlyway;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.migration.baseline.BaselineMigrationConfigurationExtension;
import org.junit.jupiter.api.Test;

/**
 * A Flyway project whose files are named with other prefixes, separator and suffix (as a project
 * keeping one folder per database names them {@code …__POSTGRESQL.sql}, or one with its own
 * conventions), migrated through the CLI and its environment, and by Flyway's own API configured
 * the same way: catalog and history entries equal; files with Flyway's default names are then not
 * part of the set, as for Flyway.
 */
class MigrationNamingIT {

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);
  private final String reference = postgres.createDatabase();

  @Test
  void otherPrefixesSeparatorAndSuffixAsFlywayReadsThem() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                "BL2-hubs_and_routes.pgsql",
                "CREATE TABLE hubs (id BIGINT PRIMARY KEY);\n"
                    + "CREATE TABLE routes (id BIGINT PRIMARY KEY, hub BIGINT REFERENCES hubs);\n")
            .with("M1-hubs.pgsql", "CREATE TABLE hubs (id BIGINT PRIMARY KEY);\n")
            .with(
                "M2-routes.pgsql",
                "CREATE TABLE routes (id BIGINT PRIMARY KEY, hub BIGINT REFERENCES hubs);\n")
            .with("M3-route_length.PGSQL", "ALTER TABLE routes ADD COLUMN length_km INT;\n")
            .with(
                "RM-route_summary.pgsql",
                "CREATE OR REPLACE VIEW route_summary AS SELECT hub, count(*) n FROM routes"
                    + " GROUP BY hub;\n")
            .with("afterMigrate-note.pgsql", "COMMENT ON TABLE hubs IS 'named by hand';\n")
            .with("V9__not_ours.sql", "CREATE TABLE not_ours (id INT);\n");

    MigratorProcess.Finished run =
        MigratorProcess.of(
                database,
                postgres.password(),
                "migrate",
                "--migrations",
                files.directory().toString())
            .withEnvironment("SQL_MIGRATION_PREFIX", "M")
            .withEnvironment("REPEATABLE_SQL_MIGRATION_PREFIX", "RM")
            .withEnvironment("BASELINE_MIGRATION_PREFIX", "BL")
            .withEnvironment("SQL_MIGRATION_SEPARATOR", "-")
            .withEnvironment("SQL_MIGRATION_SUFFIXES", ".pgsql")
            .run();
    FluentConfiguration flyway =
        ReferenceFlyway.configure(postgres, reference, "public", files.directory())
            .sqlMigrationPrefix("M")
            .repeatableSqlMigrationPrefix("RM")
            .sqlMigrationSeparator("-")
            .sqlMigrationSuffixes(".pgsql");
    flyway
        .getConfigurationExtension(BaselineMigrationConfigurationExtension.class)
        .setBaselineMigrationPrefix("BL");
    flyway.load().migrate();

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.stdout()).contains("V9__not_ours.sql");
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .containsExactlyInAnyOrder("flyway_schema_history", "hubs", "route_summary", "routes");
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("2:SQL_BASELINE:true", "3:SQL:true", "-:SQL:true");
    ReferenceFlyway.assertSameSchema(postgres, database.database(), reference, "public");

    MigratorProcess.Finished badNaming =
        MigratorProcess.of(
                database, postgres.password(), "info", "--migrations", files.directory().toString())
            .withEnvironment("SQL_MIGRATION_PREFIX", "R")
            .run();
    assertThat(badNaming.exitCode()).isEqualTo(2);
    assertThat(badNaming.stdout() + badNaming.stderr())
        .contains("the migration prefixes must differ from each other: R, U, R, B");
  }
}
