package io.jobgtm.schema.migrator.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A normalized, comparable description of one PostgreSQL schema, as {@link SchemaReader} reads it
 * from the catalog: what objects the schema holds and how each is defined, without anything that
 * depends on how or in what order it was built (OIDs, column positions, dropped columns, creation
 * order) or on the schema's own name. Two schemas built by different but equivalent DDL have equal
 * models, and equal models have equal {@link #fingerprint() fingerprints}.
 *
 * <p>The canonical form, which the fingerprint hashes: the line {@value #FORM_VERSION}, then one
 * line per object, sorted by kind (in {@link SchemaObject.Kind}'s order), then display name: {@code
 * kind<TAB>table<TAB>name<TAB>definition}, where the table is empty for objects that belong to
 * none, and a backslash, tab, carriage return and line feed inside any field are written {@code
 * \\}, {@code \t}, {@code \r} and {@code \n}, so each object is exactly one line and the form is
 * read back unambiguously. Every line ends with a line feed; the text is UTF-8.
 */
public final class SchemaModel {

  /** The first line of the canonical form; a change of the form changes this line. */
  public static final String FORM_VERSION = "schema-model/1";

  private final Map<String, SchemaObject> objects;

  private SchemaModel(Map<String, SchemaObject> objects) {
    this.objects = objects;
  }

  /**
   * A model of the given objects.
   *
   * @throws IllegalArgumentException when two objects have the same kind and display name
   */
  public static SchemaModel of(Collection<SchemaObject> objects) {
    Map<String, SchemaObject> byKey = new TreeMap<>();
    objects.stream()
        .sorted(SchemaObject.ORDER)
        .forEach(
            object -> {
              if (byKey.putIfAbsent(object.key(), object) != null) {
                throw new IllegalArgumentException("two objects named " + object.key());
              }
            });
    return new SchemaModel(byKey);
  }

  /** The objects, sorted by kind then display name. */
  public List<SchemaObject> objects() {
    return objects.values().stream().sorted(SchemaObject.ORDER).toList();
  }

  /** The object of this kind and display name, if the model holds one. */
  public Optional<SchemaObject> find(SchemaObject.Kind kind, String displayName) {
    return Optional.ofNullable(objects.get(kind.label() + " " + displayName));
  }

  Map<String, SchemaObject> byKey() {
    return objects;
  }

  /** The number of objects. */
  public int size() {
    return objects.size();
  }

  /** The canonical form described above. */
  public String canonicalForm() {
    StringBuilder form = new StringBuilder(FORM_VERSION).append('\n');
    for (SchemaObject object : objects()) {
      form.append(escape(object.kind().label()))
          .append('\t')
          .append(object.table() == null ? "" : escape(object.table()))
          .append('\t')
          .append(escape(object.name()))
          .append('\t')
          .append(escape(object.definition()))
          .append('\n');
    }
    return form.toString();
  }

  /** {@code sha256:} and the lowercase hexadecimal SHA-256 of the canonical form in UTF-8. */
  public String fingerprint() {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(canonicalForm().getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** How this model, the one found, differs from the expected one. */
  public SchemaDiff comparedWith(SchemaModel expected) {
    return SchemaDiff.between(expected, this);
  }

  static String escape(String field) {
    StringBuilder escaped = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      switch (c) {
        case '\\' -> escaped.append("\\\\");
        case '\t' -> escaped.append("\\t");
        case '\r' -> escaped.append("\\r");
        case '\n' -> escaped.append("\\n");
        default -> escaped.append(c);
      }
    }
    return escaped.toString();
  }

  /** Models are equal when they hold the same objects: exactly when their canonical forms are. */
  @Override
  public boolean equals(Object other) {
    return other instanceof SchemaModel model && objects.equals(model.objects);
  }

  @Override
  public int hashCode() {
    return objects.hashCode();
  }

  @Override
  public String toString() {
    return canonicalForm();
  }
}
