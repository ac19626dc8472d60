package io.jobgtm.schema.migrator.model;

import java.util.Comparator;
import java.util.Objects;

/**
 * One object of a {@link SchemaModel}: its kind, the table it belongs to (for columns, constraints,
 * indexes and triggers; null otherwise), its own name and its normalized definition.
 *
 * <p>Names are written as PostgreSQL's {@code quote_ident} writes them ({@code parcels}, {@code
 * "Order Items"}), never with the schema's name. A definition is the catalog's own text (such as
 * {@code pg_get_constraintdef}) with the schema's name taken out, see {@link SchemaReader}; it may
 * span lines (function bodies, views).
 *
 * @param kind what the object is
 * @param table the quoted name of the table the object belongs to, or null
 * @param name the object's quoted name; for routines with their argument types, {@code f(integer)};
 *     for a comment, the object commented on, {@code column parcels.weight}
 * @param definition the normalized definition, never null
 */
public record SchemaObject(Kind kind, String table, String name, String definition) {

  /** Orders objects by kind, then by the name a reader sees. */
  public static final Comparator<SchemaObject> ORDER =
      Comparator.comparing(SchemaObject::kind).thenComparing(SchemaObject::displayName);

  public SchemaObject {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(definition, "definition");
  }

  /**
   * The name as the diff shows it: {@code parcels.weight} for a column, constraint or trigger
   * (their names are unique per table only), the bare name for everything else (index names are
   * unique in the schema).
   */
  public String displayName() {
    return kind.qualifiedByTable && table != null ? table + "." + name : name;
  }

  /** What identifies the object in a model: its kind and its display name. */
  String key() {
    return kind.label + " " + displayName();
  }

  /** The kinds of objects a model holds, in the order the canonical form and the diff list them. */
  public enum Kind {
    TABLE("table", false),
    PARTITIONED_TABLE("partitioned table", false),
    FOREIGN_TABLE("foreign table", false),
    COLUMN("column", true),
    CONSTRAINT("constraint", true),
    INDEX("index", false),
    TRIGGER("trigger", true),
    SEQUENCE("sequence", false),
    VIEW("view", false),
    MATERIALIZED_VIEW("materialized view", false),
    FUNCTION("function", false),
    PROCEDURE("procedure", false),
    AGGREGATE("aggregate", false),
    ENUM_TYPE("enum type", false),
    COMPOSITE_TYPE("composite type", false),
    RANGE_TYPE("range type", false),
    DOMAIN("domain", false),
    COMMENT("comment", false);

    private final String label;
    private final boolean qualifiedByTable;

    Kind(String label, boolean qualifiedByTable) {
      this.label = label;
      this.qualifiedByTable = qualifiedByTable;
    }

    /** The word the diff and the canonical form use, such as {@code materialized view}. */
    public String label() {
      return label;
    }

    /**
     * Whether an object of this kind found under another name with the same definition on the same
     * table is reported as {@code renamed} rather than as one missing and one extra object.
     */
    boolean renameable() {
      return this == CONSTRAINT || this == INDEX || this == TRIGGER;
    }
  }
}
