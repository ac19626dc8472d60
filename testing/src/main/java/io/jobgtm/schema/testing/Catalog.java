package io.jobgtm.schema.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A comparable description of a schema: tables, columns with types, defaults and nullability,
 * constraints with their definitions, and indexes with theirs ({@link #snapshot}); views, routines
 * and triggers ({@link #definitions}); and the migration history, which the first two leave out.
 */
public final class Catalog {

  /** Flyway's default name for the history table. */
  public static final String HISTORY_TABLE = "flyway_schema_history";

  private Catalog() {}

  public static List<String> snapshot(PostgresServer server, String database, String schema) {
    return snapshot(server, database, schema, HISTORY_TABLE);
  }

  /** {@link #snapshot}, for a schema whose history table has another name. */
  public static List<String> snapshot(
      PostgresServer server, String database, String schema, String historyTable) {
    try (Connection connection = server.connect(database)) {
      List<String> lines = new ArrayList<>();
      String quoted = "'" + schema.replace("'", "''") + "'";
      String history = "'" + historyTable.replace("'", "''") + "'";
      query(
          connection,
          "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type"
              + " || ' null=' || is_nullable || ' default=' || coalesce(column_default, '-')"
              + " FROM information_schema.columns WHERE table_schema = "
              + quoted
              + " AND table_name <> "
              + history
              + " ORDER BY 1",
          lines);
      query(
          connection,
          "SELECT 'constraint ' || rel.relname || '.' || con.conname || ' '"
              + " || pg_get_constraintdef(con.oid) FROM pg_constraint con"
              + " JOIN pg_class rel ON rel.oid = con.conrelid"
              + " JOIN pg_namespace n ON n.oid = rel.relnamespace WHERE n.nspname = "
              + quoted
              + " AND rel.relname <> "
              + history
              + " ORDER BY 1",
          lines);
      query(
          connection,
          "SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = "
              + quoted
              + " AND tablename <> "
              + history
              + " ORDER BY 1",
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

  /**
   * The definitions a {@link #snapshot} leaves out: views (their query), functions and procedures
   * (their whole definition) and triggers, sorted.
   */
  public static List<String> definitions(PostgresServer server, String database, String schema) {
    try (Connection connection = server.connect(database)) {
      List<String> lines = new ArrayList<>();
      String quoted = "'" + schema.replace("'", "''") + "'";
      query(
          connection,
          "SELECT 'view ' || c.relname || ' ' || pg_get_viewdef(c.oid) FROM pg_class c"
              + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = "
              + quoted
              + " AND c.relkind IN ('v', 'm') ORDER BY 1",
          lines);
      query(
          connection,
          "SELECT 'routine ' || p.proname || ' ' || pg_get_functiondef(p.oid) FROM pg_proc p"
              + " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = "
              + quoted
              + " AND p.prokind IN ('f', 'p') ORDER BY 1",
          lines);
      query(
          connection,
          "SELECT 'trigger ' || t.tgname || ' ' || pg_get_triggerdef(t.oid) FROM pg_trigger t"
              + " JOIN pg_class c ON c.oid = t.tgrelid"
              + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = "
              + quoted
              + " AND NOT t.tgisinternal ORDER BY 1",
          lines);
      return lines;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The migration history as {@code version|description|type|script|checksum|success}, in
   * installation order: what two tools that ran the same files must agree on (who ran them, when
   * and for how long left out).
   */
  public static List<String> historyEntries(PostgresServer server, String database, String schema) {
    return historyEntries(server, database, schema, HISTORY_TABLE);
  }

  /** {@link #historyEntries}, from a history table of another name. */
  public static List<String> historyEntries(
      PostgresServer server, String database, String schema, String historyTable) {
    try (Connection connection = server.connect(database)) {
      List<String> rows = new ArrayList<>();
      query(
          connection,
          "SELECT concat_ws('|', coalesce(version, '-'), description, type, script,"
              + " coalesce(checksum::text, '-'), success) FROM \""
              + schema
              + "\".\""
              + historyTable
              + "\" ORDER BY installed_rank",
          rows);
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The migration history as {@code version:type:success}, in installation order. */
  public static List<String> history(PostgresServer server, String database, String schema) {
    return history(server, database, schema, HISTORY_TABLE);
  }

  /** {@link #history}, from a history table of another name. */
  public static List<String> history(
      PostgresServer server, String database, String schema, String historyTable) {
    try (Connection connection = server.connect(database)) {
      List<String> rows = new ArrayList<>();
      query(
          connection,
          "SELECT coalesce(version, '-') || ':' || type || ':' || success FROM \""
              + schema
              + "\".\""
              + historyTable
              + "\" ORDER BY installed_rank",
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
