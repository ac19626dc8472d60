package io.jobgtm.schema.migrator.model;

import io.jobgtm.schema.migrator.model.SchemaObject.Kind;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@link SchemaModel} of one schema from PostgreSQL's catalog, with read-only queries in
 * one read-only repeatable-read transaction (one snapshot), every value bound as a parameter.
 *
 * <p>What the model holds, each object keyed by kind and name:
 *
 * <ul>
 *   <li>tables, partitioned tables and foreign tables: persistence ({@code UNLOGGED}), inheritance,
 *       partition key and bound, storage options, row-level security, a foreign table's server and
 *       options;
 *   <li>columns: type as {@code format_type}, a collation other than the type's, {@code NOT NULL},
 *       default ({@code pg_get_expr}), identity with its sequence's options, generated expression;
 *   <li>constraints ({@code pg_get_constraintdef}; PostgreSQL 18's not-null constraints are the
 *       columns' {@code NOT NULL}); indexes ({@code pg_get_indexdef} without the index's own name,
 *       {@code (invalid)} when not valid), except those that back a primary key, unique or
 *       exclusion constraint, which the constraint describes; triggers ({@code pg_get_triggerdef}
 *       without the trigger's name, {@code (disabled)}, {@code (enabled replica)} or {@code
 *       (enabled always)} when it does not fire as created); a constraint enforced by triggers (a
 *       foreign key, a deferrable unique constraint) whose triggers were disabled ({@code ALTER
 *       TABLE … DISABLE TRIGGER ALL}) ends in {@code (triggers disabled)} (or {@code enabled
 *       replica}, {@code enabled always}): it is no longer enforced;
 *   <li>sequences (type, start, increment, bounds, cache, cycle; never the current value), except
 *       the ones behind identity columns;
 *   <li>views and materialized views ({@code pg_get_viewdef}); functions and procedures ({@code
 *       pg_get_functiondef}), aggregates (transition and final functions, state type, initial
 *       value), keyed by name and identity arguments;
 *   <li>enum types (labels in order), composite types (attributes in order: a row's order is its
 *       meaning), range types and domains (base type, collation, {@code NOT NULL}, default, named
 *       check constraints);
 *   <li>comments on all of these, as objects of their own ({@code comment column parcels.weight}).
 * </ul>
 *
 * <p>Left out: the migration history table and the tables of other migration tools ({@link
 * #OTHER_TOOLS_HISTORY_TABLES}), any table the caller lists, and with a left-out table everything
 * that belongs to it (columns, constraints, indexes, triggers, comments, sequences it owns);
 * objects that belong to an extension; column order and dropped columns; sequences' current values;
 * owners, privileges and which column owns a sequence ({@code OWNED BY}); the schema's own comment;
 * rules other than views' and row-level security policies. The project adds nothing of its own to a
 * schema but the comment on the history table, which is left out with the table.
 *
 * <p>The schema's name: the catalog's texts are produced with the search path set to the schema
 * alone (and {@code DateStyle}, {@code IntervalStyle}, {@code TimeZone}, {@code
 * extra_float_digits}, {@code quote_all_identifiers}, {@code bytea_output} and {@code
 * standard_conforming_strings} fixed, so that a database's or role's own settings of these change
 * no text), so PostgreSQL leaves references to the schema's own objects unqualified; where it
 * qualifies them all the same ({@code pg_get_indexdef}, {@code pg_get_triggerdef}, {@code
 * pg_get_functiondef}), and in function bodies, the schema's quoted name followed by a dot is taken
 * out of every definition. A literal that holds that text is changed too. So one schema under two
 * names has one model, and references to other schemas stay qualified.
 */
public final class SchemaReader {

  /**
   * History tables of other migration tools: Alembic, Rails ({@code schema_migrations} with {@code
   * ar_internal_metadata}) and golang-migrate, Liquibase (two), Entity Framework, Django, Prisma,
   * Knex (two), goose, Diesel and Sequelize. A schema adopted from one of them keeps the tables and
   * its model does not count them. Names as generic as {@code migrations} (TypeORM, Laravel) are
   * not here: a table of the application may have it.
   */
  public static final Set<String> OTHER_TOOLS_HISTORY_TABLES =
      Set.of(
          "alembic_version",
          "schema_migrations",
          "ar_internal_metadata",
          "databasechangelog",
          "databasechangeloglock",
          "__EFMigrationsHistory",
          "django_migrations",
          "_prisma_migrations",
          "knex_migrations",
          "knex_migrations_lock",
          "goose_db_version",
          "__diesel_schema_migrations",
          "SequelizeMeta");

  private final Connection connection;
  private final String schema;
  private final List<String> leftOutTables;
  private final String searchedAfter;
  private final List<SchemaObject> objects = new ArrayList<>();
  private String quotedSchema;

  private SchemaReader(
      Connection connection, String schema, List<String> leftOutTables, String searchedAfter) {
    this.connection = connection;
    this.schema = schema;
    this.leftOutTables = leftOutTables;
    this.searchedAfter = searchedAfter;
  }

  /**
   * Reads the model of {@code schema}. The connection must not be in a transaction; it is left with
   * auto-commit on, nothing changed. A schema that does not exist has an empty model.
   *
   * @param historyTable the migration history table's name in the schema (left out)
   * @param ignoreTables further tables of the schema to leave out, by name as in the catalog
   * @throws SQLException as the driver reports a failed query or a lost connection
   */
  public static SchemaModel read(
      Connection connection, String schema, String historyTable, Collection<String> ignoreTables)
      throws SQLException {
    return read(connection, schema, historyTable, ignoreTables, null);
  }

  /**
   * Reads the model of {@code schema} as {@link #read(Connection, String, String, Collection)}
   * does, with {@code searchedAfter} behind it on the search path while the catalog's texts are
   * produced: references to that schema's objects (a type of an extension installed there) read
   * unqualified, as they do where that schema is the one read. A replay in a schema of its own
   * reads its model so, {@code searchedAfter} the migrated schema's name.
   *
   * @param searchedAfter a schema to search after {@code schema}, or null for none
   */
  public static SchemaModel read(
      Connection connection,
      String schema,
      String historyTable,
      Collection<String> ignoreTables,
      String searchedAfter)
      throws SQLException {
    return new SchemaReader(connection, schema, leftOut(historyTable, ignoreTables), searchedAfter)
        .read();
  }

  /**
   * The tables a read leaves out, sorted: {@link #OTHER_TOOLS_HISTORY_TABLES}, the history table
   * and the ignored ones.
   */
  static List<String> leftOut(String historyTable, Collection<String> ignoreTables) {
    Set<String> leftOut = new TreeSet<>(OTHER_TOOLS_HISTORY_TABLES);
    leftOut.add(historyTable);
    leftOut.addAll(ignoreTables);
    return List.copyOf(leftOut);
  }

  private SchemaModel read() throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      try (PreparedStatement statement =
          connection.prepareStatement(
              "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")) {
        statement.execute();
      }
      try (PreparedStatement statement =
          connection.prepareStatement(
              "SELECT pg_catalog.set_config('search_path', pg_catalog.quote_ident(?)"
                  + " || COALESCE(', ' || pg_catalog.quote_ident(?), ''), true),"
                  + " pg_catalog.set_config('DateStyle', 'ISO, MDY', true),"
                  + " pg_catalog.set_config('IntervalStyle', 'postgres', true),"
                  + " pg_catalog.set_config('TimeZone', 'UTC', true),"
                  + " pg_catalog.set_config('extra_float_digits', '1', true),"
                  + " pg_catalog.set_config('quote_all_identifiers', 'off', true),"
                  + " pg_catalog.set_config('bytea_output', 'hex', true),"
                  + " pg_catalog.set_config('standard_conforming_strings', 'on', true)")) {
        statement.setString(1, schema);
        statement.setString(2, searchedAfter);
        statement.executeQuery().close();
      }
      // Quoted once quote_all_identifiers is off, as the catalog's texts will quote it.
      try (PreparedStatement statement =
          connection.prepareStatement("SELECT pg_catalog.quote_ident(?)")) {
        statement.setString(1, schema);
        try (ResultSet result = statement.executeQuery()) {
          result.next();
          quotedSchema = result.getString(1);
        }
      }
      readTables();
      readColumns();
      readConstraints();
      readIndexes();
      readTriggers();
      readSequences();
      readViews();
      readRoutines();
      readTypes();
      return SchemaModel.of(objects);
    } finally {
      connection.rollback();
      connection.setAutoCommit(autoCommit);
    }
  }

  private void readTables() throws SQLException {
    query(
        CatalogQueries.TABLES,
        true,
        row -> {
          String name = row.getString(1);
          String relkind = row.getString(2);
          StringBuilder definition = new StringBuilder();
          Kind kind;
          if ("f".equals(relkind)) {
            kind = Kind.FOREIGN_TABLE;
            definition.append("FOREIGN TABLE SERVER ").append(row.getString(11));
            append(definition, " OPTIONS (", row.getString(12), ")");
          } else {
            kind = "p".equals(relkind) ? Kind.PARTITIONED_TABLE : Kind.TABLE;
            definition.append("u".equals(row.getString(3)) ? "UNLOGGED TABLE" : "TABLE");
          }
          if (row.getBoolean(4)) {
            definition.append(" PARTITION OF ").append(row.getString(5));
            append(definition, " ", row.getString(6), "");
          } else {
            append(definition, " INHERITS (", row.getString(5), ")");
          }
          append(definition, " PARTITION BY ", row.getString(7), "");
          append(definition, " WITH (", row.getString(8), ")");
          if (row.getBoolean(9)) {
            definition.append(row.getBoolean(10) ? " FORCE" : "").append(" ROW LEVEL SECURITY");
          }
          add(kind, null, name, definition.toString(), row.getString(13));
        });
  }

  private void readColumns() throws SQLException {
    query(
        CatalogQueries.COLUMNS,
        true,
        row -> {
          StringBuilder definition = new StringBuilder(row.getString(3));
          append(definition, " COLLATE ", row.getString(4), "");
          String identity = row.getString(6);
          String generated = row.getString(7);
          String expression = row.getString(8);
          boolean isGenerated = "s".equals(generated) || "v".equals(generated);
          if (isGenerated) {
            // PostgreSQL 18 adds virtual generated columns ('v') beside stored ones ('s').
            definition
                .append(" GENERATED ALWAYS AS (")
                .append(expression)
                .append("s".equals(generated) ? ") STORED" : ") VIRTUAL");
          }
          if ("a".equals(identity) || "d".equals(identity)) {
            definition
                .append(" GENERATED ")
                .append("a".equals(identity) ? "ALWAYS" : "BY DEFAULT")
                .append(" AS IDENTITY");
            append(definition, " (", row.getString(9), ")");
          }
          if (row.getBoolean(5)) {
            definition.append(" NOT NULL");
          }
          if (expression != null && !isGenerated) {
            definition.append(" DEFAULT ").append(expression);
          }
          add(
              Kind.COLUMN,
              row.getString(1),
              row.getString(2),
              definition.toString(),
              row.getString(10));
        });
  }

  private void readConstraints() throws SQLException {
    query(
        CatalogQueries.CONSTRAINTS,
        true,
        row ->
            add(
                Kind.CONSTRAINT,
                row.getString(1),
                row.getString(2),
                row.getString(3) + firing(row.getString(4), " (triggers ", ")"),
                row.getString(5)));
  }

  private void readIndexes() throws SQLException {
    query(
        CatalogQueries.INDEXES,
        true,
        row -> {
          String name = row.getString(2);
          String definition = withoutOwnName(row.getString(3), "INDEX ", name);
          if (!row.getBoolean(4)) {
            definition += " (invalid)";
          }
          add(Kind.INDEX, row.getString(1), name, definition, row.getString(5));
        });
  }

  /**
   * How a trigger fires, from {@code pg_trigger.tgenabled}, when not as created ({@code O}, fires
   * in sessions whose {@code session_replication_role} is {@code origin} or {@code local}): {@code
   * disabled} ({@code D}), {@code enabled replica} ({@code R}: fires only when the role is {@code
   * replica}, so not for the application), {@code enabled always} ({@code A}); between {@code
   * prefix} and {@code suffix}, or nothing.
   */
  private static String firing(String tgenabled, String prefix, String suffix) {
    String state =
        tgenabled == null
            ? null
            : switch (tgenabled) {
              case "D" -> "disabled";
              case "R" -> "enabled replica";
              case "A" -> "enabled always";
              default -> null;
            };
    return state == null ? "" : prefix + state + suffix;
  }

  private void readTriggers() throws SQLException {
    query(
        CatalogQueries.TRIGGERS,
        true,
        row -> {
          String name = row.getString(2);
          String definition = withoutOwnName(row.getString(3), "TRIGGER ", name);
          definition += firing(row.getString(4), " (", ")");
          add(Kind.TRIGGER, row.getString(1), name, definition, row.getString(5));
        });
  }

  private void readSequences() throws SQLException {
    query(
        CatalogQueries.SEQUENCES,
        true,
        row -> add(Kind.SEQUENCE, null, row.getString(1), row.getString(2), row.getString(3)));
  }

  private void readViews() throws SQLException {
    query(
        CatalogQueries.VIEWS,
        true,
        row ->
            add(
                "m".equals(row.getString(2)) ? Kind.MATERIALIZED_VIEW : Kind.VIEW,
                null,
                row.getString(1),
                row.getString(3),
                row.getString(4)));
  }

  private void readRoutines() throws SQLException {
    query(
        CatalogQueries.ROUTINES,
        false,
        row -> {
          String prokind = row.getString(2);
          Kind kind =
              switch (prokind) {
                case "p" -> Kind.PROCEDURE;
                case "a" -> Kind.AGGREGATE;
                default -> Kind.FUNCTION;
              };
          String definition =
              kind == Kind.AGGREGATE ? "(" + row.getString(4) + ")" : row.getString(3).strip();
          add(kind, null, row.getString(1), definition, row.getString(5));
        });
  }

  private void readTypes() throws SQLException {
    query(
        CatalogQueries.TYPES,
        false,
        row -> {
          Kind kind =
              switch (row.getString(2)) {
                case "e" -> Kind.ENUM_TYPE;
                case "c" -> Kind.COMPOSITE_TYPE;
                case "r" -> Kind.RANGE_TYPE;
                default -> Kind.DOMAIN;
              };
          String body = row.getString(3) == null ? "" : row.getString(3);
          String definition =
              switch (kind) {
                case ENUM_TYPE -> "ENUM (" + body + ")";
                case COMPOSITE_TYPE -> "(" + body + ")";
                case RANGE_TYPE -> "RANGE (" + body + ")";
                default -> body;
              };
          add(kind, null, row.getString(1), definition, row.getString(4));
        });
  }

  private void add(Kind kind, String table, String name, String definition, String comment) {
    SchemaObject object =
        new SchemaObject(kind, table, name, withoutSchema(definition, quotedSchema));
    objects.add(object);
    if (comment != null) {
      objects.add(
          new SchemaObject(
              Kind.COMMENT,
              null,
              kind.label() + " " + object.displayName(),
              withoutSchema(comment, quotedSchema)));
    }
  }

  private static void append(StringBuilder to, String before, String value, String after) {
    if (value != null && !value.isEmpty()) {
      to.append(before).append(value).append(after);
    }
  }

  /**
   * The text with the schema's quoted name and the dot after it taken out wherever it qualifies a
   * name: not where it is the end of a longer name ({@code my_public.t}) or follows another
   * qualifier.
   */
  static String withoutSchema(String text, String quotedSchema) {
    Pattern qualifier =
        Pattern.compile("(?<![\\p{L}\\p{N}_$.\"])" + Pattern.quote(quotedSchema + "."));
    return qualifier.matcher(text).replaceAll("");
  }

  /**
   * A {@code CREATE … INDEX name ON …} or {@code CREATE … TRIGGER name …} text without the name, so
   * that two objects defined alike under two names have one definition; {@code CREATE INDEX ON t …}
   * is itself valid SQL.
   */
  static String withoutOwnName(String definition, String keyword, String quotedName) {
    Matcher matcher =
        Pattern.compile(Pattern.quote(keyword + quotedName + " ")).matcher(definition);
    return matcher.find()
        ? definition.substring(0, matcher.start()) + keyword + definition.substring(matcher.end())
        : definition;
  }

  private void query(String sql, boolean relations, RowReader reader) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, schema);
      if (relations) {
        Array names = connection.createArrayOf("text", leftOutTables.toArray());
        statement.setArray(2, names);
      }
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          reader.read(result);
        }
      }
    }
  }

  @FunctionalInterface
  private interface RowReader {
    void read(ResultSet row) throws SQLException;
  }
}
