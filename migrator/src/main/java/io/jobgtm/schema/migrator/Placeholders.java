package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.FailureReason;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Placeholder replacement as a run configures it: off unless turned on (Flyway's default is on),
 * for the whole set or by a script's own {@code placeholderReplacement} setting. Where it is on, a
 * placeholder ({@code ${name}} with the default prefix and suffix) is replaced by its value, by
 * Flyway's own replacing reader (Flyway for the migrations it runs, {@link ScriptParser} for the
 * rest), in comments, strings and function bodies alike, as Flyway does.
 *
 * <p>A placeholder is found where Flyway's reader finds one: a prefix that starts right after a
 * character that begins it ({@code $${...}}) is text to Flyway, and to {@link #check}.
 *
 * <p>Names are matched without regard to case, as Flyway matches them. Besides the configured
 * values, Flyway's built-in placeholders have values: {@code ${flyway:defaultSchema}}, {@code
 * ${flyway:user}}, {@code ${flyway:database}}, {@code ${flyway:timestamp}}, {@code
 * ${flyway:filename}}, {@code ${flyway:workingDirectory}}, {@code ${flyway:table}} and {@code
 * ${flyway:environment}} (Flyway's {@code ParsingContext}). Flyway fails on a placeholder without a
 * value when it reaches the script, after the scripts before it ran; {@link #check} refuses every
 * such placeholder of the set before anything runs, naming the file and the line.
 */
final class Placeholders {

  /** Flyway's default placeholder prefix. */
  static final String DEFAULT_PREFIX = "${";

  /** Flyway's default placeholder suffix. */
  static final String DEFAULT_SUFFIX = "}";

  /** Flyway's separator between {@code flyway} and a built-in placeholder's name. */
  static final String SEPARATOR = ":";

  /**
   * The built-in placeholders' names after {@code flyway:}, as Flyway's ParsingContext has them.
   */
  static final List<String> BUILT_IN =
      List.of(
          "defaultSchema",
          "user",
          "database",
          "timestamp",
          "filename",
          "workingDirectory",
          "table",
          "environment");

  /** How many missing placeholders a refusal lists; it counts the rest. */
  private static final int LISTED = 20;

  private final boolean replacement;
  private final Map<String, String> values;
  private final String prefix;
  private final String suffix;

  /**
   * @param replacement whether replacement is on for scripts that do not say otherwise
   * @param values the configured values by name
   * @param prefix what starts a placeholder, {@link #DEFAULT_PREFIX} when null
   * @param suffix what ends one, {@link #DEFAULT_SUFFIX} when null
   */
  Placeholders(boolean replacement, Map<String, String> values, String prefix, String suffix) {
    this.replacement = replacement;
    this.values = new LinkedHashMap<>(values);
    this.prefix = prefix == null || prefix.isEmpty() ? DEFAULT_PREFIX : prefix;
    this.suffix = suffix == null || suffix.isEmpty() ? DEFAULT_SUFFIX : suffix;
  }

  boolean replacement() {
    return replacement;
  }

  Map<String, String> values() {
    return values;
  }

  String prefix() {
    return prefix;
  }

  String suffix() {
    return suffix;
  }

  /** Whether placeholders are replaced in this script: its own setting, else the run's. */
  boolean replacesIn(MigrationScript script) {
    Boolean own = script.settings().placeholderReplacement();
    return own == null ? replacement : own;
  }

  /**
   * Refuses, before anything runs, every placeholder without a value in the scripts that have
   * replacement on, naming each file, line and placeholder (at most {@value #LISTED}, the rest
   * counted).
   *
   * @throws MigrationException with {@link FailureReason#InvalidConfiguration}
   */
  void check(Collection<MigrationScript> scripts) {
    Map<String, String> known = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    known.putAll(values);
    BUILT_IN.forEach(name -> known.put("flyway" + SEPARATOR + name, ""));
    List<String> missing = new ArrayList<>();
    for (MigrationScript script : scripts) {
      if (!replacesIn(script)) {
        continue;
      }
      String sql = script.sql();
      int start = 0;
      while (start < sql.length()) {
        // As Flyway's PlaceholderReplacingReader reads: the characters that begin the prefix are
        // taken together with the first one that does not continue it, and none of them starts
        // a placeholder, so that $${ (a dollar quote before the prefix) is text to Flyway.
        int matched = 0;
        while (matched < prefix.length()
            && start + matched < sql.length()
            && sql.charAt(start + matched) == prefix.charAt(matched)) {
          matched++;
        }
        if (matched < prefix.length()) {
          start += matched + 1;
          continue;
        }
        int end = sql.indexOf(suffix, start + prefix.length());
        String where = script.fileName() + " line " + lineOf(sql, start);
        if (end < 0) {
          missing.add(where + ": " + prefix + " without " + suffix);
          break;
        }
        String name = sql.substring(start + prefix.length(), end);
        if (!known.containsKey(name)) {
          missing.add(where + ": " + prefix + name + suffix);
        }
        start = end + suffix.length();
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    List<String> listed = missing.subList(0, Math.min(LISTED, missing.size()));
    throw new MigrationException(
        FailureReason.InvalidConfiguration,
        (missing.size() == 1 ? "a placeholder has" : missing.size() + " placeholders have")
            + " no value: "
            + String.join("; ", listed)
            + (missing.size() > LISTED ? " and " + (missing.size() - LISTED) + " more" : "")
            + ". Give each a value (--placeholder name=value, spec.migrations.placeholders), or"
            + " turn replacement off for the script (-- flyway:placeholderReplacement=false);"
            + " nothing was run");
  }

  /**
   * The values of Flyway's built-in placeholders for a run, as Flyway's ParsingContext gives them
   * ({@code flyway:filename} is each script's own and set where it is parsed).
   */
  static Map<String, String> builtIns(
      String schema, String user, String database, String table, String environment) {
    Map<String, String> builtIns = new LinkedHashMap<>();
    builtIns.put("flyway" + SEPARATOR + "defaultSchema", schema);
    builtIns.put("flyway" + SEPARATOR + "user", user);
    builtIns.put("flyway" + SEPARATOR + "database", database);
    builtIns.put(
        "flyway" + SEPARATOR + "timestamp",
        new java.text.SimpleDateFormat("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
            .format(new java.util.Date()));
    builtIns.put("flyway" + SEPARATOR + "workingDirectory", System.getProperty("user.dir"));
    builtIns.put("flyway" + SEPARATOR + "table", table);
    builtIns.put("flyway" + SEPARATOR + "environment", environment);
    return builtIns;
  }

  private static int lineOf(String text, int index) {
    int line = 1;
    for (int i = 0; i < index; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }
}
