package io.jobgtm.schema.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A comparable description of a schema: tables, columns with types, defaults and nullability,
 * constraints with their definitions, and indexes with theirs. The migration history is left out.
 */
public final class Catalog {

  private Catalog() {}

  public static List<String> snapshot(PostgresServer server, String database, String schema) {
    try (Connection connection = server.connect(database)) {
      List<String> lines = new ArrayList<>();
      String quoted = "'" + schema.replace("'", "''") + "'";
      query(
          connection,
          "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type"
              + " || ' null=' || is_nullable || ' default=' || coalesce(column_default, '-')"
              + " FROM information_schema.columns WHERE table_schema = "
              + quoted
              + " AND table_name <> 'flyway_schema_history' ORDER BY 1",
          lines);
      query(
          connection,
          "SELECT 'constraint ' || rel.relname || '.' || con.conname || ' '"
              + " || pg_get_constraintdef(con.oid) FROM pg_constraint con"
              + " JOIN pg_class rel ON rel.oid = con.conrelid"
              + " JOIN pg_namespace n ON n.oid = rel.relnamespace WHERE n.nspname = "
              + quoted
              + " AND rel.relname <> 'flyway_schema_history' ORDER BY 1",
          lines);
      query(
          connection,
          "SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = "
              + quoted
              + " AND tablename <> 'flyway_schema_history' ORDER BY 1",
          lines);
      return lines;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The names of the tables of a schema, the migration history included. */
  public static List<String> tables(PostgresServer server, String database, String schema) {
    try (Connection connection = server.connect(database)) {
      List<String> names = new ArrayList<>();
      query(
          connection,
          "SELECT table_name FROM information_schema.tables WHERE table_schema = '"
              + schema.replace("'", "''")
              + "' ORDER BY 1",
          names);
      return names;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The migration history as {@code version:type:success}, in installation order. */
  public static List<String> history(PostgresServer server, String database, String schema) {
    try (Connection connection = server.connect(database)) {
      List<String> rows = new ArrayList<>();
      query(
          connection,
          "SELECT coalesce(version, '-') || ':' || type || ':' || success FROM \""
              + schema
              + "\".flyway_schema_history ORDER BY installed_rank",
          rows);
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void query(Connection connection, String sql, List<String> into)
      throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      while (result.next()) {
        into.add(result.getString(1));
      }
    }
  }
}
