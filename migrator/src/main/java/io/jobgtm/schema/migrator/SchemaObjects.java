package io.jobgtm.schema.migrator;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The one rule for what counts as an object of a schema when telling a Fresh schema from an
 * Unversioned one: tables (partitioned ones included), views, materialized views, foreign tables,
 * sequences, functions, procedures and aggregates, and types (enums, domains, ranges and
 * multiranges, standalone composite, base and shell types). Not counted: objects that belong to an
 * extension (such as PostGIS's {@code spatial_ref_sys} in {@code public}), the array and row types
 * PostgreSQL creates by itself, sequences owned by a table's column (they belong to their table),
 * and the migration history table.
 *
 * <p>Where it differs from Flyway's own emptiness check ({@code PostgreSQLSchema.doEmpty} in
 * flyway-database-postgresql, which counts tables, views, sequences, non-array non-composite types
 * and routines that no extension owns): this rule also counts materialized views, partitioned and
 * foreign tables, standalone composite types and domains over arrays. It is a superset, so a schema
 * this rule calls empty is empty to Flyway too, and Flyway never refuses to migrate a schema the
 * migrator found Fresh.
 */
final class SchemaObjects {

  /** Lists {@code kind, name} of the counted objects; bind with {@link #bind}. */
  static final String QUERY =
      """
      SELECT kind, name FROM (
        SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                 WHEN 'f' THEN 'foreign table' WHEN 'S' THEN 'sequence' ELSE 'table' END AS kind,
               c.relname AS name
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ? AND c.relname <> ? AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                            WHERE d.classid = 'pg_catalog.pg_class'::regclass
                              AND d.objid = c.oid AND d.deptype = 'e')
           AND NOT (c.relkind = 'S' AND EXISTS (
                 SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
                    AND d.refclassid = 'pg_catalog.pg_class'::regclass
                    AND d.deptype IN ('a', 'i')))
        UNION ALL
        SELECT CASE t.typtype WHEN 'e' THEN 'enum type' WHEN 'd' THEN 'domain'
                 WHEN 'r' THEN 'range type' WHEN 'm' THEN 'multirange type'
                 WHEN 'p' THEN 'shell type' ELSE 'type' END,
               t.typname
          FROM pg_catalog.pg_type t
          JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
         WHERE n.nspname = ? AND t.typtype IN ('b', 'c', 'd', 'e', 'r', 'm', 'p')
           AND (t.typrelid = 0 OR EXISTS (SELECT 1 FROM pg_catalog.pg_class r
                                           WHERE r.oid = t.typrelid AND r.relkind = 'c'))
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e
                            WHERE e.oid = t.typelem AND e.typarray = t.oid)
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                            WHERE d.classid = 'pg_catalog.pg_type'::regclass
                              AND d.objid = t.oid AND d.deptype = 'e')
        UNION ALL
        SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate'
                 ELSE 'function' END,
               p.proname
          FROM pg_catalog.pg_proc p
          JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = ?
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                            WHERE d.classid = 'pg_catalog.pg_proc'::regclass
                              AND d.objid = p.oid AND d.deptype = 'e')
      ) objects ORDER BY name, kind
      """;

  private SchemaObjects() {}

  static void bind(PreparedStatement statement, String schema, String historyTable)
      throws SQLException {
    statement.setString(1, schema);
    statement.setString(2, historyTable);
    statement.setString(3, schema);
    statement.setString(4, schema);
  }
}
