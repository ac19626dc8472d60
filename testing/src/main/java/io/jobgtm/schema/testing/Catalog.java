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
    String quoted = literal(schema);
    String history = literal(historyTable);
    return lines(
        server,
        database,
        "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type"
            + " || ' null=' || is_nullable || ' default=' || coalesce(column_default, '-')"
            + " FROM information_schema.columns WHERE table_schema = "
            + quoted
            + " AND table_name <> "
            + history
            + " ORDER BY 1",
        "SELECT 'constraint ' || rel.relname || '.' || con.conname || ' '"
            + " || pg_get_constraintdef(con.oid) FROM pg_constraint con"
            + " JOIN pg_class rel ON rel.oid = con.conrelid"
            + " JOIN pg_namespace n ON n.oid = rel.relnamespace WHERE n.nspname = "
            + quoted
            + " AND rel.relname <> "
            + history
            + " ORDER BY 1",
        "SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = "
            + quoted
            + " AND tablename <> "
            + history
            + " ORDER BY 1");
  }

  /** The names of the tables of a schema, the migration history included. */
  public static List<String> tables(PostgresServer server, String database, String schema) {
    return lines(
        server,
        database,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            + literal(schema)
            + " ORDER BY 1");
  }

  /**
   * The definitions a {@link #snapshot} leaves out: views (their query), functions and procedures
   * (their whole definition) and triggers, sorted.
   */
  public static List<String> definitions(PostgresServer server, String database, String schema) {
    String quoted = literal(schema);
    return lines(
        server,
        database,
        "SELECT 'view ' || c.relname || ' ' || pg_get_viewdef(c.oid) FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = "
            + quoted
            + " AND c.relkind IN ('v', 'm') ORDER BY 1",
        "SELECT 'routine ' || p.proname || ' ' || pg_get_functiondef(p.oid) FROM pg_proc p"
            + " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = "
            + quoted
            + " AND p.prokind IN ('f', 'p') ORDER BY 1",
        "SELECT 'trigger ' || t.tgname || ' ' || pg_get_triggerdef(t.oid) FROM pg_trigger t"
            + " JOIN pg_class c ON c.oid = t.tgrelid"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = "
            + quoted
            + " AND NOT t.tgisinternal ORDER BY 1");
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
    return historyRows(
        server,
        database,
        schema,
        historyTable,
        "concat_ws('|', coalesce(version, '-'), description, type, script,"
            + " coalesce(checksum::text, '-'), success)");
  }

  /** The migration history as {@code version:type:success}, in installation order. */
  public static List<String> history(PostgresServer server, String database, String schema) {
    return history(server, database, schema, HISTORY_TABLE);
  }

  /** {@link #history}, from a history table of another name. */
  public static List<String> history(
      PostgresServer server, String database, String schema, String historyTable) {
    return historyRows(
        server,
        database,
        schema,
        historyTable,
        "coalesce(version, '-') || ':' || type || ':' || success");
  }

  private static List<String> historyRows(
      PostgresServer server, String database, String schema, String table, String row) {
    return lines(
        server,
        database,
        "SELECT "
            + row
            + " FROM "
            + identifier(schema)
            + "."
            + identifier(table)
            + " ORDER BY installed_rank");
  }

  /** The first column of every row of the queries, in order, on one connection. */
  private static List<String> lines(PostgresServer server, String database, String... queries) {
    List<String> lines = new ArrayList<>();
    try (Connection connection = server.connect(database);
        Statement statement = connection.createStatement()) {
      for (String query : queries) {
        try (ResultSet result = statement.executeQuery(query)) {
          while (result.next()) {
            lines.add(result.getString(1));
          }
        }
      }
      return lines;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  private static String identifier(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }
}
