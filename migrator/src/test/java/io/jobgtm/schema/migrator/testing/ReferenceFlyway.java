package io.jobgtm.schema.migrator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * Flyway's own API on a migration folder, configured as the migrator configures Flyway (placeholder
 * replacement off, the schema created when missing, clean disabled, migration names validated): the
 * reference a test compares the migrator's catalog and history with.
 */
public final class ReferenceFlyway {

  private ReferenceFlyway() {}

  /** Flyway for a schema of a database of the server, reading the folder from the filesystem. */
  public static FluentConfiguration configure(
      PostgresServer server, String database, String schema, Path folder) {
    return Flyway.configure()
        .dataSource(
            "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + database + "?sslmode=disable",
            PostgresServer.SUPERUSER,
            server.password())
        .schemas(schema)
        .defaultSchema(schema)
        .createSchemas(true)
        .locations("filesystem:" + folder)
        .placeholderReplacement(false)
        .cleanDisabled(true)
        .validateMigrationNaming(true);
  }

  /** Flyway for the {@code public} schema. */
  public static Flyway on(PostgresServer server, String database, Path folder) {
    return configure(server, database, "public", folder).load();
  }

  /**
   * Asserts that the schema the migrator migrated and the one Flyway migrated are the same: their
   * catalogs (objects and definitions) and their history entries with checksums.
   */
  public static void assertSameSchema(
      PostgresServer server, String database, String reference, String schema) {
    assertThat(Catalog.snapshot(server, database, schema))
        .isEqualTo(Catalog.snapshot(server, reference, schema));
    assertThat(Catalog.definitions(server, database, schema))
        .isEqualTo(Catalog.definitions(server, reference, schema));
    assertThat(Catalog.historyEntries(server, database, schema))
        .isEqualTo(Catalog.historyEntries(server, reference, schema));
  }
}
