package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.Version;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.flywaydb.core.api.callback.Event;

/**
 * How migration files are named, with Flyway's settings of the same names and defaults: {@code
 * V<version>__<description>.sql} and so on. A name is read as Flyway's own name parser reads it
 * (flyway-core's {@code ResourceNameParser}; {@code MigrationNameTest} compares the two on some
 * 13,000 names): the suffix is matched in any case and taken off; the longest prefix that starts
 * what remains decides the kind (a callback's prefix is its event, such as {@code afterMigrate});
 * the rest is cut at the first separator into the version (required, numbers separated by dots or
 * underscores, for versioned, undo and baseline migrations; absent for repeatable migrations and
 * callbacks) and the description, whose underscores read as spaces, nothing trimmed.
 *
 * @param sqlMigrationPrefix versioned migrations, default {@code V}
 * @param undoSqlMigrationPrefix undo scripts, default {@code U} (Flyway's paid editions' name)
 * @param repeatableSqlMigrationPrefix repeatable migrations, default {@code R}
 * @param baselineMigrationPrefix baseline migrations, default {@code B}
 * @param sqlMigrationSeparator between version and description, default {@code __}
 * @param sqlMigrationSuffixes the suffixes of SQL scripts, default {@code .sql}; the first that a
 *     name ends with, in any case, is its suffix
 */
public record MigrationNaming(
    String sqlMigrationPrefix,
    String undoSqlMigrationPrefix,
    String repeatableSqlMigrationPrefix,
    String baselineMigrationPrefix,
    String sqlMigrationSeparator,
    List<String> sqlMigrationSuffixes) {

  /** Flyway's defaults. */
  public static final MigrationNaming DEFAULT =
      new MigrationNaming("V", "U", "R", "B", "__", List.of(".sql"));

  /**
   * @throws MigrationException {@link FailureReason#InvalidConfiguration} for a blank prefix,
   *     separator or suffix, no suffix, or two kinds given one prefix
   */
  public MigrationNaming {
    sqlMigrationSuffixes =
        sqlMigrationSuffixes == null ? List.of() : List.copyOf(sqlMigrationSuffixes);
    List<String> prefixes =
        List.of(
            nonBlank(sqlMigrationPrefix, "sqlMigrationPrefix"),
            nonBlank(undoSqlMigrationPrefix, "undoSqlMigrationPrefix"),
            nonBlank(repeatableSqlMigrationPrefix, "repeatableSqlMigrationPrefix"),
            nonBlank(baselineMigrationPrefix, "baselineMigrationPrefix"));
    nonBlank(sqlMigrationSeparator, "sqlMigrationSeparator");
    if (new HashSet<>(prefixes).size() < prefixes.size()) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "the migration prefixes must differ from each other: " + String.join(", ", prefixes));
    }
    if (sqlMigrationSuffixes.isEmpty()) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration, "sqlMigrationSuffixes must name at least one suffix");
    }
    sqlMigrationSuffixes.forEach(suffix -> nonBlank(suffix, "sqlMigrationSuffixes"));
  }

  private static String nonBlank(String value, String setting) {
    if (value == null || value.isBlank()) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration, setting + " must not be blank");
    }
    return value;
  }

  /** Whether these are Flyway's defaults. */
  public boolean isDefault() {
    return equals(DEFAULT);
  }

  /** A file name read as a script's name: its kind, version text, description and event. */
  record Name(MigrationScript.Kind kind, String version, String description, Event event) {}

  /** The suffix a file name ends with, in any case, or null when it is no SQL script. */
  String suffixOf(String fileName) {
    String upper = fileName.toUpperCase(Locale.ROOT);
    for (String suffix : sqlMigrationSuffixes) {
      if (upper.endsWith(suffix.toUpperCase(Locale.ROOT))) {
        return fileName.substring(fileName.length() - suffix.length());
      }
    }
    return null;
  }

  /** Whether Flyway reads the file as an SQL script: it ends with one of the suffixes. */
  boolean isScript(String fileName) {
    return suffixOf(fileName) != null;
  }

  /** Whether the file is a script's configuration file: a script's name with {@code .conf}. */
  boolean isScriptConfiguration(String fileName) {
    return fileName.toLowerCase(Locale.ROOT).endsWith(".conf")
        && isScript(fileName.substring(0, fileName.length() - ".conf".length()));
  }

  /** Reads a file name (without folders) as Flyway does; null when Flyway would refuse it. */
  Name parse(String fileName) {
    String suffix = suffixOf(fileName);
    if (suffix == null) {
      return null;
    }
    String stem = fileName.substring(0, fileName.length() - suffix.length());
    for (Prefix prefix : prefixes()) {
      if (!stem.startsWith(prefix.text())) {
        continue;
      }
      String rest = stem.substring(prefix.text().length());
      int separator = rest.indexOf(sqlMigrationSeparator);
      String version = separator < 0 ? rest : rest.substring(0, separator);
      String description =
          (separator < 0 ? "" : rest.substring(separator + sqlMigrationSeparator.length()))
              .replace('_', ' ');
      boolean versioned =
          prefix.kind() != MigrationScript.Kind.REPEATABLE
              && prefix.kind() != MigrationScript.Kind.CALLBACK;
      if (versioned ? !Version.isValid(version) : !version.isEmpty()) {
        return null;
      }
      return new Name(prefix.kind(), versioned ? version : null, description, prefix.event());
    }
    return null;
  }

  private record Prefix(String text, MigrationScript.Kind kind, Event event) {}

  // Longest first, as Flyway tries them; equal lengths keep this order.
  private List<Prefix> prefixes() {
    List<Prefix> prefixes = new ArrayList<>();
    prefixes.add(new Prefix(sqlMigrationPrefix, MigrationScript.Kind.VERSIONED, null));
    prefixes.add(new Prefix(repeatableSqlMigrationPrefix, MigrationScript.Kind.REPEATABLE, null));
    prefixes.add(new Prefix(baselineMigrationPrefix, MigrationScript.Kind.BASELINE, null));
    prefixes.add(new Prefix(undoSqlMigrationPrefix, MigrationScript.Kind.UNDO, null));
    Set<String> taken = new HashSet<>();
    prefixes.forEach(prefix -> taken.add(prefix.text()));
    for (Event event : Event.values()) {
      if (taken.add(event.getId())) {
        prefixes.add(new Prefix(event.getId(), MigrationScript.Kind.CALLBACK, event));
      }
    }
    prefixes.sort(Comparator.comparingInt((Prefix prefix) -> prefix.text().length()).reversed());
    return prefixes;
  }

  /** What a migration file's name must look like, for the messages that refuse one. */
  String rule() {
    String suffix = sqlMigrationSuffixes.get(0);
    String v = sqlMigrationPrefix;
    String s = sqlMigrationSeparator;
    return "expected "
        + v
        + "<version>"
        + s
        + "<description>"
        + suffix
        + ", "
        + undoSqlMigrationPrefix
        + "<version>"
        + s
        + "<description>"
        + suffix
        + ", "
        + baselineMigrationPrefix
        + "<version>"
        + s
        + "<description>"
        + suffix
        + " (the description may be left out) or "
        + repeatableSqlMigrationPrefix
        + s
        + "<description>"
        + suffix
        + ", where the version is numbers separated by dots or underscores, for example "
        + v
        + "3"
        + s
        + "add_salary_index"
        + suffix
        + ", "
        + v
        + "3.1"
        + suffix
        + " or "
        + repeatableSqlMigrationPrefix
        + s
        + "order_totals_view"
        + suffix
        + "; or an SQL callback named after a Flyway callback event, such as afterMigrate"
        + suffix
        + " or afterMigrate"
        + s
        + "grants"
        + suffix;
  }
}
