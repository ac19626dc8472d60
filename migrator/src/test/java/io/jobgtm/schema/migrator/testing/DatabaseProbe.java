package io.jobgtm.schema.migrator.testing;

import io.jobgtm.schema.testing.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads back what a database holds beyond tables and columns: every object of a schema (functions,
 * types, sequences, views and the rest, as PostgreSQL describes them), the members of an extension,
 * and single-column query results.
 */
public final class DatabaseProbe {

  /**
   * Relations (of every kind), routines, types other than array and row types, and operators of a
   * schema, each suffixed with {@code [extension <name>]} when an extension owns it.
   */
  private static final String OBJECTS =
      "WITH objects (catalog, oid) AS ("
          + " SELECT 'pg_class'::regclass, c.oid FROM pg_class c"
          + " WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = ?)"
          + " UNION ALL SELECT 'pg_proc'::regclass, p.oid FROM pg_proc p"
          + " WHERE p.pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = ?)"
          + " UNION ALL SELECT 'pg_type'::regclass, t.oid FROM pg_type t"
          + " WHERE t.typnamespace = (SELECT oid FROM pg_namespace WHERE nspname = ?)"
          + " AND t.typtype <> 'c'"
          + " AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)"
          + " UNION ALL SELECT 'pg_operator'::regclass, o.oid FROM pg_operator o"
          + " WHERE o.oprnamespace = (SELECT oid FROM pg_namespace WHERE nspname = ?))"
          + " SELECT pg_describe_object(o.catalog, o.oid, 0)"
          + " || coalesce(' [extension ' || x.extname || ']', '')"
          + " FROM objects o"
          + " LEFT JOIN pg_depend d ON d.classid = o.catalog AND d.objid = o.oid"
          + " AND d.deptype = 'e' AND d.refclassid = 'pg_extension'::regclass"
          + " LEFT JOIN pg_extension x ON x.oid = d.refobjid"
          + " ORDER BY 1";

  private DatabaseProbe() {}

  /** Every object of a schema, sorted; empty when the schema holds nothing or does not exist. */
  public static List<String> objects(PostgresServer server, String database, String schema) {
    return strings(server, database, OBJECTS, schema, schema, schema, schema);
  }

  /** The objects an extension owns, described by PostgreSQL, sorted. */
  public static List<String> extensionMembers(
      PostgresServer server, String database, String extension) {
    return strings(
        server,
        database,
        "SELECT pg_describe_object(d.classid, d.objid, d.objsubid) FROM pg_depend d"
            + " JOIN pg_extension x ON x.oid = d.refobjid"
            + " WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'"
            + " AND x.extname = ? ORDER BY 1",
        extension);
  }

  public static boolean schemaExists(PostgresServer server, String database, String schema) {
    return !strings(server, database, "SELECT nspname FROM pg_namespace WHERE nspname = ?", schema)
        .isEmpty();
  }

  /** The first column of every row of a query, with {@code ?} parameters bound as text. */
  public static List<String> strings(
      PostgresServer server, String database, String sql, String... parameters) {
    try (Connection connection = server.connect(database);
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        statement.setString(i + 1, parameters[i]);
      }
      List<String> values = new ArrayList<>();
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          values.add(result.getString(1));
        }
      }
      return values;
    } catch (SQLException e) {
      throw new IllegalStateException("query failed: " + e.getMessage(), e);
    }
  }

  /** The single value of a query that returns exactly one row. */
  public static String string(
      PostgresServer server, String database, String sql, String... parameters) {
    List<String> values = strings(server, database, sql, parameters);
    if (values.size() != 1) {
      throw new IllegalStateException("expected one row, got " + values + " from " + sql);
    }
    return values.get(0);
  }
}
