package io.jobgtm.schema.migrator.model;

import io.jobgtm.schema.migrator.model.SchemaObject.Kind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The outline of a schema: the keys of its tables (plain, partitioned and foreign) and of their
 * columns, as its {@link SchemaModel} keys them ({@code table parcels}, {@code column
 * parcels.weight}), without any definition. It is a projection of the model, read by one light
 * catalog query ({@link Reader}) with the same rules of what is left out as {@link SchemaReader}
 * (the same relation query: history tables, other tools' tables, ignored tables, extension
 * members): two schemas whose models are equal have equal outlines, so an outline that differs
 * rules a model out without reading it. An equal outline proves nothing about the rest.
 *
 * <p>It exists for the verified baseline, which needs the model of the one version (of hundreds)
 * whose schema is the live one: comparing outlines after every version and reading the whole model
 * only where they are equal gives the same answer as reading every model, much sooner.
 */
public final class SchemaOutline {

  private static final String QUERY =
      CatalogQueries.RELATIONS
          + """
          SELECT r.relkind, r.qname, NULL FROM rel r WHERE r.relkind IN ('r', 'p', 'f')
          UNION ALL
          SELECT r.relkind, r.qname, pg_catalog.quote_ident(a.attname)
            FROM rel r
            JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid
           WHERE r.relkind IN ('r', 'p', 'f') AND a.attnum > 0 AND NOT a.attisdropped
          """;

  private final Set<String> keys;

  private SchemaOutline(Set<String> keys) {
    this.keys = Set.copyOf(keys);
  }

  /** The outline of a model already read. */
  public static SchemaOutline of(SchemaModel model) {
    Set<String> keys = new HashSet<>();
    for (SchemaObject object : model.objects()) {
      if (object.kind() == Kind.TABLE
          || object.kind() == Kind.PARTITIONED_TABLE
          || object.kind() == Kind.FOREIGN_TABLE
          || object.kind() == Kind.COLUMN) {
        keys.add(object.key());
      }
    }
    return new SchemaOutline(keys);
  }

  /**
   * A reader of the outline of {@code schema} on {@code connection}, for reading it again and again
   * (one prepared statement, which the driver prepares on the server once it has run a few times).
   * It sets {@code quote_all_identifiers} off for the session, as {@link SchemaReader} does for its
   * transaction, so names are quoted as the model quotes them. Close it before the connection.
   *
   * @param historyTable the migration history table's name in the schema (left out)
   * @param ignoreTables further tables of the schema to leave out, by name as in the catalog
   * @throws SQLException as the driver reports a failed query or a lost connection
   */
  public static Reader reader(
      Connection connection, String schema, String historyTable, Collection<String> ignoreTables)
      throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SELECT pg_catalog.set_config('quote_all_identifiers', 'off', false)");
    }
    PreparedStatement query = connection.prepareStatement(QUERY);
    try {
      query.setString(1, schema);
      query.setArray(
          2,
          connection.createArrayOf(
              "text", SchemaReader.leftOut(historyTable, ignoreTables).toArray()));
    } catch (SQLException e) {
      query.close();
      throw e;
    }
    return new Reader(query);
  }

  /** Reads the outline of one schema, as often as asked; see {@link #reader}. */
  public static final class Reader implements AutoCloseable {
    private final PreparedStatement query;

    private Reader(PreparedStatement query) {
      this.query = query;
    }

    /**
     * The schema's outline now.
     *
     * @throws SQLException as the driver reports a failed query or a lost connection
     */
    public SchemaOutline read() throws SQLException {
      Set<String> keys = new HashSet<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          String table = rows.getString(2);
          String column = rows.getString(3);
          SchemaObject object =
              column == null
                  ? new SchemaObject(kind(rows.getString(1)), null, table, "")
                  : new SchemaObject(Kind.COLUMN, table, column, "");
          keys.add(object.key());
        }
      }
      return new SchemaOutline(keys);
    }

    private static Kind kind(String relkind) {
      return switch (relkind) {
        case "p" -> Kind.PARTITIONED_TABLE;
        case "f" -> Kind.FOREIGN_TABLE;
        default -> Kind.TABLE;
      };
    }

    @Override
    public void close() throws SQLException {
      query.close();
    }
  }

  /** How many tables and columns the outline holds. */
  public int size() {
    return keys.size();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SchemaOutline outline && keys.equals(outline.keys);
  }

  @Override
  public int hashCode() {
    return keys.hashCode();
  }

  @Override
  public String toString() {
    return "SchemaOutline" + keys.stream().sorted().toList();
  }
}
