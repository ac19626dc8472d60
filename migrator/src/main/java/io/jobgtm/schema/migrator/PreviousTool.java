package io.jobgtm.schema.migrator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The migration tool that shaped an unversioned schema before, as its history table in the schema
 * tells, read with read-only queries: Alembic's {@code alembic_version} with its revision ({@code
 * Alembic's alembic_version at revision 002}; several revisions of a branched history joined by
 * commas), or the mere presence of the tables of Rails and golang-migrate ({@code
 * schema_migrations}), Liquibase ({@code databasechangelog}), Entity Framework ({@code
 * __EFMigrationsHistory}), Django ({@code django_migrations}), Prisma ({@code _prisma_migrations}),
 * Knex ({@code knex_migrations}), goose ({@code goose_db_version}), Diesel ({@code
 * __diesel_schema_migrations}) and Sequelize ({@code SequelizeMeta}), whose contents are not read.
 * The schema model leaves all of these tables out ({@link
 * io.jobgtm.schema.migrator.model.SchemaReader#OTHER_TOOLS_HISTORY_TABLES}).
 */
final class PreviousTool {

  private static final String TABLES =
      "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
          + " ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relkind IN ('r', 'p')"
          + " AND c.relname IN ('alembic_version', 'schema_migrations', 'databasechangelog',"
          + " '__EFMigrationsHistory', 'django_migrations', '_prisma_migrations',"
          + " 'knex_migrations', 'goose_db_version', '__diesel_schema_migrations',"
          + " 'SequelizeMeta') ORDER BY c.relname";

  private PreviousTool() {}

  /**
   * {@code Alembic's alembic_version at revision 002}, {@code the table schema_migrations}, or
   * empty when none.
   */
  static Optional<String> describe(Connection connection, String schema) throws SQLException {
    List<String> tables = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(TABLES)) {
      statement.setString(1, schema);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          tables.add(rows.getString(1));
        }
      }
    }
    if (tables.isEmpty()) {
      return Optional.empty();
    }
    if (tables.contains("alembic_version")) {
      List<String> revisions = new ArrayList<>();
      try (PreparedStatement statement =
              connection.prepareStatement(
                  "SELECT version_num::text FROM "
                      + ShadowReplay.quote(schema)
                      + ".alembic_version ORDER BY 1");
          ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          revisions.add(rows.getString(1));
        }
      } catch (SQLException e) {
        // Not Alembic's shape after all: name the table only.
        return Optional.of("the table alembic_version");
      }
      return Optional.of(
          "Alembic's alembic_version at "
              + (revisions.isEmpty()
                  ? "no revision"
                  : (revisions.size() == 1 ? "revision " : "revisions ")
                      + String.join(",", revisions)));
    }
    return Optional.of("the table " + String.join(", ", tables));
  }
}
