package io.jobgtm.schema.migrator.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How a schema found (the actual model) differs from the schema expected, as one line per
 * difference:
 *
 * <ul>
 *   <li>{@code missing index parcels_weight_idx: CREATE INDEX ON parcels USING btree (weight)}:
 *       expected, not found;
 *   <li>{@code changed column parcels.weight: integer NOT NULL -> bigint NOT NULL}: found under the
 *       expected name with another definition (expected first);
 *   <li>{@code renamed index parcels_weight_idx -> idx_weight: CREATE INDEX ON parcels USING btree
 *       (weight)}: a constraint, index or trigger found on the same table with the same definition
 *       under another name;
 *   <li>{@code extra column parcels.note: text}: found, not expected.
 * </ul>
 *
 * <p>A rename counts as a difference: later migrations name constraints, indexes and triggers
 * ({@code ALTER TABLE parcels DROP CONSTRAINT parcels_weight_check}), and such a statement fails on
 * a schema where the object has another name. It is reported as one {@code renamed} line rather
 * than a missing and an extra one, so that the fix ({@code ALTER INDEX … RENAME TO …}) is plain.
 *
 * <p>Lines are sorted: missing, changed, renamed, then extra; within each by kind (in {@link
 * SchemaObject.Kind}'s order), then name. A definition is shown on one line, its runs of white
 * space folded into one blank, and cut after {@value #MAX_DEFINITION_LENGTH} characters with {@code
 * ...}; for a changed definition too long to show whole, both sides are shown from 40 characters
 * before the first one where they differ, marked with a leading {@code ...}.
 */
public final class SchemaDiff {

  /** The longest definition a line shows before cutting it. */
  public static final int MAX_DEFINITION_LENGTH = 160;

  private static final int CONTEXT_BEFORE_CHANGE = 40;

  private final List<Difference> differences;

  private SchemaDiff(List<Difference> differences) {
    this.differences = differences;
  }

  /** The differences of {@code actual} from {@code expected}. */
  public static SchemaDiff between(SchemaModel expected, SchemaModel actual) {
    Map<String, SchemaObject> want = expected.byKey();
    Map<String, SchemaObject> have = actual.byKey();
    List<SchemaObject> missing = new ArrayList<>();
    List<Difference> differences = new ArrayList<>();
    for (Map.Entry<String, SchemaObject> entry : want.entrySet()) {
      SchemaObject found = have.get(entry.getKey());
      if (found == null) {
        missing.add(entry.getValue());
      } else if (!found.equals(entry.getValue())) {
        differences.add(new Difference(Change.CHANGED, entry.getValue(), found));
      }
    }
    List<SchemaObject> extra =
        have.entrySet().stream()
            .filter(entry -> !want.containsKey(entry.getKey()))
            .map(Map.Entry::getValue)
            .sorted(SchemaObject.ORDER)
            .toList();
    Set<SchemaObject> paired = new HashSet<>();
    for (SchemaObject gone : missing) {
      SchemaObject renamed =
          gone.kind().renameable()
              ? extra.stream()
                  .filter(candidate -> !paired.contains(candidate))
                  .filter(candidate -> candidate.kind() == gone.kind())
                  .filter(candidate -> Objects.equals(candidate.table(), gone.table()))
                  .filter(candidate -> candidate.definition().equals(gone.definition()))
                  .findFirst()
                  .orElse(null)
              : null;
      if (renamed == null) {
        differences.add(new Difference(Change.MISSING, gone, null));
      } else {
        paired.add(renamed);
        differences.add(new Difference(Change.RENAMED, gone, renamed));
      }
    }
    extra.stream()
        .filter(object -> !paired.contains(object))
        .forEach(object -> differences.add(new Difference(Change.EXTRA, null, object)));
    differences.sort(Difference.ORDER);
    return new SchemaDiff(List.copyOf(differences));
  }

  /** Every difference, sorted as described above. */
  public List<Difference> differences() {
    return differences;
  }

  /** Whether the two models are equal: no difference at all. */
  public boolean isEmpty() {
    return differences.isEmpty();
  }

  /**
   * Whether the schema found holds every expected object, equal and under its name, extra objects
   * allowed: the match for adopting a schema that holds more than the migrations made (the extra
   * objects are still listed by {@link #lines()}).
   */
  public boolean matchesAsSuperset() {
    return differences.stream().allMatch(difference -> difference.change() == Change.EXTRA);
  }

  /** How many differences of this kind of change. */
  public long count(Change change) {
    return differences.stream().filter(difference -> difference.change() == change).count();
  }

  /** {@code equal}, or the counts: {@code 1 missing, 2 changed, 0 renamed, 3 extra}. */
  public String summary() {
    if (isEmpty()) {
      return "equal";
    }
    return count(Change.MISSING)
        + " missing, "
        + count(Change.CHANGED)
        + " changed, "
        + count(Change.RENAMED)
        + " renamed, "
        + count(Change.EXTRA)
        + " extra";
  }

  /** One line per difference. */
  public List<String> lines() {
    return differences.stream().map(Difference::line).toList();
  }

  /**
   * At most {@code maxLines} lines: all of them when they fit, else the first {@code maxLines - 1}
   * and a last line counting the rest, {@code ... and 12 more differences}.
   *
   * @throws IllegalArgumentException when {@code maxLines} is below 1
   */
  public List<String> lines(int maxLines) {
    if (maxLines < 1) {
      throw new IllegalArgumentException("at least one line, not " + maxLines);
    }
    List<String> all = lines();
    if (all.size() <= maxLines) {
      return all;
    }
    List<String> cut = new ArrayList<>(all.subList(0, maxLines - 1));
    int rest = all.size() - cut.size();
    cut.add("... and " + rest + " more difference" + (rest == 1 ? "" : "s"));
    return List.copyOf(cut);
  }

  @Override
  public String toString() {
    return String.join("\n", lines());
  }

  /** What happened to an object, in the order the lines list them. */
  public enum Change {
    MISSING,
    CHANGED,
    RENAMED,
    EXTRA
  }

  /**
   * One difference.
   *
   * @param expected the expected object; null for an extra one
   * @param actual the object found; null for a missing one
   */
  public record Difference(Change change, SchemaObject expected, SchemaObject actual) {

    static final Comparator<Difference> ORDER =
        Comparator.comparing(Difference::change)
            .thenComparing(Difference::subject, SchemaObject.ORDER);

    /** The object the line is about: the expected one, or the one found when it is extra. */
    public SchemaObject subject() {
      return expected != null ? expected : actual;
    }

    /** The difference as one line. */
    public String line() {
      SchemaObject subject = subject();
      String prefix = subject.kind().label() + " " + subject.displayName();
      return switch (change) {
        case MISSING -> "missing " + prefix + ": " + oneLine(expected.definition());
        case EXTRA -> "extra " + prefix + ": " + oneLine(actual.definition());
        case CHANGED -> "changed " + prefix + ": " + changedPair(expected, actual);
        case RENAMED ->
            "renamed " + prefix + " -> " + actual.name() + ": " + oneLine(actual.definition());
      };
    }
  }

  /**
   * Both definitions, {@code before -> after}; when either is too long to show whole, both are
   * shown from a little before the first character where they differ, so the change is in view.
   */
  static String changedPair(SchemaObject expected, SchemaObject actual) {
    String before = fold(expected.definition());
    String after = fold(actual.definition());
    if (before.length() <= MAX_DEFINITION_LENGTH && after.length() <= MAX_DEFINITION_LENGTH) {
      return before + " -> " + after;
    }
    int first = 0;
    while (first < before.length()
        && first < after.length()
        && before.charAt(first) == after.charAt(first)) {
      first++;
    }
    int from = Math.max(0, first - CONTEXT_BEFORE_CHANGE);
    return window(before, from) + " -> " + window(after, from);
  }

  private static String window(String text, int from) {
    String shown = from == 0 ? text : "..." + text.substring(Math.min(from, text.length()));
    int limit = MAX_DEFINITION_LENGTH + (from == 0 ? 0 : 3);
    return shown.length() <= limit ? shown : shown.substring(0, limit) + "...";
  }

  private static String fold(String definition) {
    return definition.strip().replaceAll("\\s+", " ");
  }

  static String oneLine(String definition) {
    String folded = fold(definition);
    return folded.length() <= MAX_DEFINITION_LENGTH
        ? folded
        : folded.substring(0, MAX_DEFINITION_LENGTH) + "...";
  }
}
