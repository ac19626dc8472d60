package io.jobgtm.schema.migrator;

import io.jobgtm.schema.migrator.model.SchemaDiff;
import io.jobgtm.schema.migrator.model.SchemaModel;
import io.jobgtm.schema.migrator.model.SchemaObject;
import io.jobgtm.schema.migrator.model.SchemaObject.Kind;
import io.jobgtm.schema.migrator.model.SchemaReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Makes the replay's schema in the shadow hold what the migrated schema holds, where the two differ
 * (drift), so that the pending scripts run in the shadow meet what they would meet in production:
 * an object made by hand that a script creates again, a column dropped by hand that a script uses.
 *
 * <p>How: every difference becomes DDL built from the schema model's own definitions (which are the
 * catalog's texts, see {@link SchemaReader}): a missing object is dropped ({@code CASCADE}), an
 * extra one created, a changed or renamed one dropped and created as found. The statements run one
 * by one, each on its own, again and again while some succeed (so that an order is found: a type
 * before the column of that type); then the shadow's model is read again and compared, at most
 * {@value #ROUNDS} times, since a {@code CASCADE} may take objects with it. What still differs
 * afterwards is returned: the prediction does not cover it. Aggregates and foreign tables are never
 * created (their definitions are not DDL), and nothing of the data is copied.
 */
final class DriftReproduction {

  private static final int ROUNDS = 3;

  private DriftReproduction() {}

  /**
   * Makes {@code schema} of the shadow like {@code live} as far as it can.
   *
   * @param connection a connection to the shadow, auto-commit on; its search path is left set to
   *     {@code schema}, then {@code searchedAfter}
   * @param searchedAfter a schema searched after {@code schema}, for the DDL and the models (see
   *     {@link SchemaReader#read(Connection, String, String, java.util.Collection, String)}); null
   *     for none
   * @param historyTable the history table's name, left out of the models
   * @return what still differs, the shadow's schema as expected and {@code live} as found
   */
  static SchemaDiff reproduce(
      Connection connection,
      String schema,
      String searchedAfter,
      String historyTable,
      SchemaModel live)
      throws SQLException {
    try (PreparedStatement searchPath =
        connection.prepareStatement(
            "SELECT pg_catalog.set_config('search_path', pg_catalog.quote_ident(?)"
                + " || COALESCE(', ' || pg_catalog.quote_ident(?), ''), false)")) {
      searchPath.setString(1, schema);
      searchPath.setString(2, searchedAfter);
      searchPath.executeQuery().close();
    }
    SchemaDiff remaining =
        SchemaDiff.between(
            SchemaReader.read(connection, schema, historyTable, List.of(), searchedAfter), live);
    for (int round = 0; round < ROUNDS && !remaining.isEmpty(); round++) {
      runInAnyOrder(connection, statements(remaining));
      remaining =
          SchemaDiff.between(
              SchemaReader.read(connection, schema, historyTable, List.of(), searchedAfter), live);
    }
    return remaining;
  }

  /** The DDL that turns the expected objects into the ones found: drops first, then creates. */
  static List<String> statements(SchemaDiff diff) {
    List<String> drops = new ArrayList<>();
    List<String> creates = new ArrayList<>();
    for (SchemaDiff.Difference difference : diff.differences()) {
      if (difference.expected() != null) {
        String drop = drop(difference.expected());
        if (drop != null) {
          drops.add(drop);
        }
      }
      if (difference.actual() != null) {
        String create = create(difference.actual());
        if (create != null) {
          creates.add(create);
        }
      }
    }
    List<String> statements = new ArrayList<>(drops);
    statements.addAll(creates);
    return statements;
  }

  private static void runInAnyOrder(Connection connection, List<String> statements) {
    List<String> left = new ArrayList<>(statements);
    boolean progress = true;
    while (progress && !left.isEmpty()) {
      progress = false;
      for (String sql : List.copyOf(left)) {
        try (Statement statement = connection.createStatement()) {
          statement.execute(sql);
          left.remove(sql);
          progress = true;
        } catch (SQLException e) {
          // Tried again after the others; what never succeeds shows in the comparison after.
        }
      }
    }
  }

  static String drop(SchemaObject object) {
    String name = object.name();
    String table = object.table();
    return switch (object.kind()) {
      case TABLE, PARTITIONED_TABLE -> "DROP TABLE IF EXISTS " + name + " CASCADE";
      case FOREIGN_TABLE -> "DROP FOREIGN TABLE IF EXISTS " + name + " CASCADE";
      case COLUMN -> "ALTER TABLE " + table + " DROP COLUMN IF EXISTS " + name + " CASCADE";
      case CONSTRAINT -> "ALTER TABLE " + table + " DROP CONSTRAINT IF EXISTS " + name + " CASCADE";
      case INDEX -> "DROP INDEX IF EXISTS " + name + " CASCADE";
      case TRIGGER -> "DROP TRIGGER IF EXISTS " + name + " ON " + table;
      case SEQUENCE -> "DROP SEQUENCE IF EXISTS " + name + " CASCADE";
      case VIEW -> "DROP VIEW IF EXISTS " + name + " CASCADE";
      case MATERIALIZED_VIEW -> "DROP MATERIALIZED VIEW IF EXISTS " + name + " CASCADE";
      case FUNCTION -> "DROP FUNCTION IF EXISTS " + name + " CASCADE";
      case PROCEDURE -> "DROP PROCEDURE IF EXISTS " + name + " CASCADE";
      case AGGREGATE -> "DROP AGGREGATE IF EXISTS " + name + " CASCADE";
      case ENUM_TYPE, COMPOSITE_TYPE, RANGE_TYPE -> "DROP TYPE IF EXISTS " + name + " CASCADE";
      case DOMAIN -> "DROP DOMAIN IF EXISTS " + name + " CASCADE";
      case COMMENT -> commentOn(name, null);
    };
  }

  static String create(SchemaObject object) {
    String name = object.name();
    String table = object.table();
    String definition = object.definition();
    return switch (object.kind()) {
      case TABLE, PARTITIONED_TABLE -> createTable(name, definition);
      case COLUMN -> "ALTER TABLE " + table + " ADD COLUMN " + name + " " + definition;
      case CONSTRAINT ->
          "ALTER TABLE "
              + table
              + " ADD CONSTRAINT "
              + name
              + " "
              + definition.replaceFirst(
                  " \\(triggers (disabled|enabled replica|enabled always)\\)$", "");
      case INDEX -> withName(definition.replaceFirst(" \\(invalid\\)$", ""), "INDEX ", name);
      case TRIGGER ->
          withName(
              definition.replaceFirst(" \\((disabled|enabled replica|enabled always)\\)$", ""),
              "TRIGGER ",
              name);
      case SEQUENCE -> "CREATE SEQUENCE " + name + " " + definition;
      case VIEW -> "CREATE VIEW " + name + " AS " + definition;
      case MATERIALIZED_VIEW ->
          "CREATE MATERIALIZED VIEW " + name + " AS " + definition + " WITH NO DATA";
      case FUNCTION, PROCEDURE -> definition;
      case ENUM_TYPE, COMPOSITE_TYPE, RANGE_TYPE -> "CREATE TYPE " + name + " AS " + definition;
      case DOMAIN -> "CREATE DOMAIN " + name + " AS " + definition;
      case COMMENT -> commentOn(name, definition);
      case FOREIGN_TABLE, AGGREGATE -> null;
    };
  }

  /** {@code CREATE TABLE name ()} with what the definition adds: inheritance, partitioning. */
  private static String createTable(String name, String definition) {
    String rest = definition.replaceFirst(" (FORCE )?ROW LEVEL SECURITY$", "");
    int table = rest.indexOf("TABLE");
    String head = rest.substring(0, table + "TABLE".length());
    String tail = rest.substring(table + "TABLE".length());
    return "CREATE " + head + " " + name + (tail.startsWith(" PARTITION OF ") ? "" : " ()") + tail;
  }

  private static String withName(String definition, String keyword, String name) {
    int at = definition.indexOf(keyword);
    return at < 0
        ? null
        : definition.substring(0, at + keyword.length())
            + name
            + " "
            + definition.substring(at + keyword.length());
  }

  /**
   * {@code COMMENT ON … IS …} for a comment object, whose name is the kind and display name of the
   * object commented on ({@code column parcels.weight}); null text removes the comment.
   */
  private static String commentOn(String commented, String text) {
    String literal = text == null ? "NULL" : "'" + text.replace("'", "''") + "'";
    for (Kind kind : Kind.values()) {
      String prefix = kind.label() + " ";
      if (kind == Kind.COMMENT || !commented.startsWith(prefix)) {
        continue;
      }
      String name = commented.substring(prefix.length());
      String target =
          switch (kind) {
            case CONSTRAINT, TRIGGER -> {
              int dot = name.indexOf('.');
              yield kind.label().toUpperCase(Locale.ROOT)
                  + " "
                  + name.substring(dot + 1)
                  + " ON "
                  + name.substring(0, dot);
            }
            case PARTITIONED_TABLE -> "TABLE " + name;
            case ENUM_TYPE, COMPOSITE_TYPE, RANGE_TYPE -> "TYPE " + name;
            default -> kind.label().toUpperCase(Locale.ROOT) + " " + name;
          };
      return "COMMENT ON " + target + " IS " + literal;
    }
    return null;
  }
}
