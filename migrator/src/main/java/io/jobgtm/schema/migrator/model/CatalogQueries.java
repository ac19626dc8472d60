package io.jobgtm.schema.migrator.model;

/**
 * The catalog queries {@link SchemaReader} runs, one per group of object kinds, each returning one
 * row per object with its comment last. The queries about relations start with {@link #RELATIONS}
 * and take two parameters, the schema's name and the names of the tables left out (a {@code text}
 * array); the others take the schema's name alone. They run with the search path set to the schema
 * read, behind which PostgreSQL searches {@code pg_catalog} first, so nothing in that schema can
 * stand in for a catalog function, operator or type.
 */
final class CatalogQueries {

  static final String RELATIONS =
      """
      WITH rel AS (
        SELECT c.oid, c.relkind, pg_catalog.quote_ident(c.relname) AS qname
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ? AND NOT (c.relname = ANY (?))
           AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                            WHERE d.classid = 'pg_catalog.pg_class'::regclass
                              AND d.objid = c.oid AND d.deptype = 'e'))
      """;

  static final String TABLES =
      RELATIONS
          + """
          SELECT r.qname, r.relkind, c.relpersistence, c.relispartition,
                 (SELECT string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno)
                    FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid),
                 pg_catalog.pg_get_expr(c.relpartbound, c.oid),
                 CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,
                 array_to_string(c.reloptions, ', '),
                 c.relrowsecurity, c.relforcerowsecurity,
                 pg_catalog.quote_ident(s.srvname), array_to_string(f.ftoptions, ', '),
                 pg_catalog.obj_description(c.oid, 'pg_class')
            FROM rel r
            JOIN pg_catalog.pg_class c ON c.oid = r.oid
            LEFT JOIN pg_catalog.pg_foreign_table f ON f.ftrelid = c.oid
            LEFT JOIN pg_catalog.pg_foreign_server s ON s.oid = f.ftserver
           WHERE r.relkind IN ('r', 'p', 'f')
          """;

  static final String COLUMNS =
      RELATIONS
          + """
          SELECT r.qname, pg_catalog.quote_ident(a.attname),
                 pg_catalog.format_type(a.atttypid, a.atttypmod),
                 CASE WHEN a.attcollation <> t.typcollation
                      THEN a.attcollation::regcollation::text END,
                 a.attnotnull, a.attidentity, a.attgenerated,
                 pg_catalog.pg_get_expr(ad.adbin, ad.adrelid),
                 (SELECT format('AS %s START %s INCREMENT %s MINVALUE %s MAXVALUE %s CACHE %s%s',
                                pg_catalog.format_type(s.seqtypid, NULL), s.seqstart,
                                s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
                                CASE WHEN s.seqcycle THEN ' CYCLE' ELSE '' END)
                    FROM pg_catalog.pg_depend d
                    JOIN pg_catalog.pg_sequence s ON s.seqrelid = d.objid
                   WHERE d.classid = 'pg_catalog.pg_class'::regclass
                     AND d.refclassid = 'pg_catalog.pg_class'::regclass
                     AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum
                     AND d.deptype = 'i'),
                 pg_catalog.col_description(a.attrelid, a.attnum)
            FROM rel r
            JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid
            JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
           WHERE r.relkind IN ('r', 'p', 'f') AND a.attnum > 0 AND NOT a.attisdropped
          """;

  static final String CONSTRAINTS =
      RELATIONS
          + """
          SELECT r.qname, pg_catalog.quote_ident(k.conname), pg_catalog.pg_get_constraintdef(k.oid),
                 (SELECT min(g.tgenabled::text) FROM pg_catalog.pg_trigger g
                   WHERE g.tgconstraint = k.oid AND g.tgisinternal AND g.tgenabled <> 'O'),
                 pg_catalog.obj_description(k.oid, 'pg_constraint')
            FROM rel r
            JOIN pg_catalog.pg_constraint k ON k.conrelid = r.oid
           WHERE k.contype <> 'n'
          """;

  static final String INDEXES =
      RELATIONS
          + """
          SELECT r.qname, pg_catalog.quote_ident(c.relname), pg_catalog.pg_get_indexdef(i.indexrelid),
                 i.indisvalid, pg_catalog.obj_description(i.indexrelid, 'pg_class')
            FROM rel r
            JOIN pg_catalog.pg_index i ON i.indrelid = r.oid
            JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
           WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k
                              WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid
                                AND k.contype IN ('p', 'u', 'x'))
          """;

  static final String TRIGGERS =
      RELATIONS
          + """
          SELECT r.qname, pg_catalog.quote_ident(g.tgname), pg_catalog.pg_get_triggerdef(g.oid),
                 g.tgenabled::text, pg_catalog.obj_description(g.oid, 'pg_trigger')
            FROM rel r
            JOIN pg_catalog.pg_trigger g ON g.tgrelid = r.oid
           WHERE NOT g.tgisinternal
          """;

  static final String SEQUENCES =
      RELATIONS
          + """
          SELECT r.qname,
                 format('AS %s START %s INCREMENT %s MINVALUE %s MAXVALUE %s CACHE %s%s',
                        pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,
                        s.seqmin, s.seqmax, s.seqcache,
                        CASE WHEN s.seqcycle THEN ' CYCLE' ELSE '' END),
                 pg_catalog.obj_description(r.oid, 'pg_class')
            FROM rel r
            JOIN pg_catalog.pg_sequence s ON s.seqrelid = r.oid
           WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                              WHERE d.classid = 'pg_catalog.pg_class'::regclass
                                AND d.objid = r.oid
                                AND d.refclassid = 'pg_catalog.pg_class'::regclass
                                AND (d.deptype = 'i' OR (d.deptype = 'a'
                                     AND d.refobjid NOT IN (SELECT oid FROM rel))))
          """;

  static final String VIEWS =
      RELATIONS
          + """
          SELECT r.qname, r.relkind, pg_catalog.pg_get_viewdef(r.oid, true),
                 pg_catalog.obj_description(r.oid, 'pg_class')
            FROM rel r
           WHERE r.relkind IN ('v', 'm')
          """;

  static final String ROUTINES =
      """
      SELECT pg_catalog.quote_ident(p.proname) || '('
               || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
             p.prokind,
             CASE WHEN p.prokind <> 'a' THEN pg_catalog.pg_get_functiondef(p.oid) END,
             (SELECT 'SFUNC = ' || a.aggtransfn::regprocedure::text
                     || ', STYPE = ' || pg_catalog.format_type(a.aggtranstype, NULL)
                     || CASE WHEN a.aggfinalfn <> 0
                             THEN ', FINALFUNC = ' || a.aggfinalfn::regprocedure::text ELSE '' END
                     || coalesce(', INITCOND = ' || quote_literal(a.agginitval), '')
                FROM pg_catalog.pg_aggregate a WHERE a.aggfnoid = p.oid),
             pg_catalog.obj_description(p.oid, 'pg_proc')
        FROM pg_catalog.pg_proc p
        JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = ?
         AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_proc'::regclass
                            AND d.objid = p.oid AND d.deptype = 'e')
      """;

  static final String TYPES =
      """
      SELECT pg_catalog.quote_ident(t.typname), t.typtype,
             CASE t.typtype
               WHEN 'e' THEN (SELECT string_agg(quote_literal(e.enumlabel), ', '
                                                ORDER BY e.enumsortorder)
                                FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid)
               WHEN 'c' THEN (SELECT string_agg(pg_catalog.quote_ident(a.attname) || ' '
                                      || pg_catalog.format_type(a.atttypid, a.atttypmod)
                                      || CASE WHEN a.attcollation <> at.typcollation
                                              THEN ' COLLATE ' || a.attcollation::regcollation::text
                                              ELSE '' END,
                                      ', ' ORDER BY a.attnum)
                                FROM pg_catalog.pg_attribute a
                                JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
                               WHERE a.attrelid = t.typrelid AND a.attnum > 0
                                 AND NOT a.attisdropped)
               WHEN 'r' THEN (SELECT 'SUBTYPE = ' || pg_catalog.format_type(g.rngsubtype, NULL)
                                     || CASE WHEN g.rngcollation <> 0
                                             THEN ', COLLATION = ' || g.rngcollation::regcollation::text
                                             ELSE '' END
                                FROM pg_catalog.pg_range g WHERE g.rngtypid = t.oid)
               ELSE pg_catalog.format_type(t.typbasetype, t.typtypmod)
                    || CASE WHEN t.typcollation <> bt.typcollation
                            THEN ' COLLATE ' || t.typcollation::regcollation::text ELSE '' END
                    || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
                    || coalesce(' DEFAULT ' || t.typdefault, '')
                    || coalesce((SELECT string_agg(' CONSTRAINT ' || pg_catalog.quote_ident(k.conname)
                                                   || ' ' || pg_catalog.pg_get_constraintdef(k.oid),
                                                   '' ORDER BY k.conname)
                                   FROM pg_catalog.pg_constraint k
                                  WHERE k.contypid = t.oid AND k.contype <> 'n'), '')
             END,
             pg_catalog.obj_description(t.oid, 'pg_type')
        FROM pg_catalog.pg_type t
        JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
        LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
       WHERE n.nspname = ?
         AND (t.typtype IN ('e', 'd', 'r')
              OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_catalog.pg_class c
                                               WHERE c.oid = t.typrelid AND c.relkind = 'c')))
         AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = 'pg_catalog.pg_type'::regclass
                            AND d.objid = t.oid AND d.deptype = 'e')
      """;

  private CatalogQueries() {}
}
