package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.Version;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The migration history as the database records it: the one source of the versions a result
 * reports, so that a report never claims a version whose migration failed or was rolled back.
 *
 * @param rows every row of the history table, in installation order
 */
record History(List<Row> rows) {

  /** Entry types that mark no migration: the creation of the schema, a deleted entry. */
  private static final Set<String> NOT_MIGRATIONS = Set.of("SCHEMA", "DELETE");

  History {
    rows = List.copyOf(rows);
  }

  /**
   * One row of the history table.
   *
   * @param version null for entries without a version
   * @param type Flyway's entry type: SQL, BASELINE, SCHEMA, ...
   * @param executionTimeMs how long the migration took, as Flyway recorded it
   */
  record Row(
      int installedRank,
      Version version,
      String description,
      String type,
      boolean success,
      long executionTimeMs) {

    boolean isMigration() {
      return version != null && !NOT_MIGRATIONS.contains(type);
    }

    /** A stamp ({@code BASELINE}) or an applied baseline migration ({@code SQL_BASELINE}). */
    boolean isBaseline() {
      return type.equals("BASELINE") || type.equals("SQL_BASELINE");
    }
  }

  /**
   * The versions applied successfully (a baseline included) and not marked deleted since (repair
   * marks an applied migration whose file left the set with a {@code DELETE} entry), lowest first.
   */
  TreeSet<Version> applied() {
    TreeSet<Version> applied = new TreeSet<>();
    for (Row row : rows) {
      if (row.version() != null && "DELETE".equals(row.type()) && row.success()) {
        applied.remove(row.version());
      } else if (row.isMigration() && row.success()) {
        applied.add(row.version());
      }
    }
    return applied;
  }

  /** The highest version applied successfully, or null. */
  Version current() {
    TreeSet<Version> applied = applied();
    return applied.isEmpty() ? null : applied.last();
  }

  /** The successful migration entries still applied, in installation order. */
  List<Row> appliedRows() {
    TreeSet<Version> applied = applied();
    return rows.stream()
        .filter(row -> row.isMigration() && row.success() && applied.contains(row.version()))
        .toList();
  }

  /** Versions whose latest entry records a failed attempt, lowest first. */
  List<Version> failed() {
    Map<Version, Row> latest = new LinkedHashMap<>();
    rows.stream().filter(Row::isMigration).forEach(row -> latest.put(row.version(), row));
    return latest.values().stream()
        .filter(row -> !row.success())
        .map(Row::version)
        .sorted()
        .toList();
  }

  /**
   * The descriptions of repeatable migrations whose latest entry records a failed attempt (one that
   * ran outside a transaction), in installation order.
   */
  List<String> failedRepeatables() {
    Map<String, Row> latest = new LinkedHashMap<>();
    rows.stream()
        .filter(row -> row.version() == null && !NOT_MIGRATIONS.contains(row.type()))
        .forEach(row -> latest.put(row.description(), row));
    return latest.values().stream().filter(row -> !row.success()).map(Row::description).toList();
  }

  /**
   * The versions of the set above the current version, up to the target, not yet applied. Without
   * any applied version, as Flyway does, the highest baseline migration up to the target comes
   * first, in place of the versioned migrations up to its version.
   */
  List<MigrationScript> pending(MigrationSet migrations, Version target) {
    return pending(migrations, target, false);
  }

  /**
   * {@link #pending(MigrationSet, Version)}; with {@code outOfOrder}, as Flyway's {@code
   * outOfOrder}, the versions below the current one that were never applied ({@link #outOfOrder})
   * too, all in version order.
   */
  List<MigrationScript> pending(MigrationSet migrations, Version target, boolean outOfOrder) {
    if (outOfOrder && current() != null) {
      Set<MigrationScript> due = new java.util.HashSet<>(outOfOrder(migrations));
      due.addAll(pending(migrations, target));
      return migrations.versioned().stream()
          .filter(due::contains)
          .filter(script -> target == null || !script.version().isAbove(target))
          .toList();
    }
    Version current = current();
    TreeSet<Version> applied = applied();
    if (applied.isEmpty()) {
      MigrationScript baseline = migrations.baselineFor(target).orElse(null);
      if (baseline != null) {
        List<MigrationScript> pending = new java.util.ArrayList<>();
        pending.add(baseline);
        migrations.versioned().stream()
            .filter(script -> script.version().isAbove(baseline.version()))
            .filter(script -> target == null || !script.version().isAbove(target))
            .forEach(pending::add);
        return pending;
      }
    }
    return migrations.versioned().stream()
        .filter(script -> current == null || script.version().isAbove(current))
        .filter(script -> target == null || !script.version().isAbove(target))
        .filter(script -> !applied.contains(script.version()))
        .toList();
  }

  /** The versions of the set below the current version that were never applied. */
  List<MigrationScript> outOfOrder(MigrationSet migrations) {
    Version current = current();
    TreeSet<Version> applied = applied();
    Version baseline =
        rows.stream()
            .filter(row -> row.isMigration() && row.success() && row.isBaseline())
            .map(Row::version)
            .max(Version::compareTo)
            .orElse(null);
    return migrations.versioned().stream()
        .filter(script -> current != null && script.version().isBelow(current))
        .filter(script -> baseline == null || script.version().isAbove(baseline))
        .filter(script -> !applied.contains(script.version()))
        .toList();
  }
}
