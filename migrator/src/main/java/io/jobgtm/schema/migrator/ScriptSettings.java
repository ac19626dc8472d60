package io.jobgtm.schema.migrator;

import java.util.ArrayList;
import java.util.List;

/**
 * A script's own settings, from its header's directives and its {@code .sql.conf} file ({@link
 * ScriptDirectives}); each is null when the script does not set it, and the run's setting applies.
 *
 * @param executeInTransaction whether the script runs in a transaction; null: Flyway decides from
 *     its statements (not in one when a statement such as {@code CREATE INDEX CONCURRENTLY} cannot
 *     run in one)
 * @param encoding the canonical name of the charset the file is written in; null: UTF-8
 * @param placeholderReplacement whether placeholders are replaced in this script; null: as the
 *     run's placeholder replacement says (off by default)
 * @param from where each setting was read ({@code V3__x.sql line 1}, {@code V3__x.sql.conf line
 *     2}), for people
 */
public record ScriptSettings(
    Boolean executeInTransaction,
    String encoding,
    Boolean placeholderReplacement,
    List<String> from) {

  /** A script that sets nothing. */
  public static final ScriptSettings NONE = new ScriptSettings(null, null, null, List.of());

  public ScriptSettings {
    from = List.copyOf(from);
  }

  /** Whether the script sets anything. */
  public boolean isEmpty() {
    return executeInTransaction == null && encoding == null && placeholderReplacement == null;
  }

  /**
   * The settings as the text of Flyway's script configuration file, which Flyway reads to run the
   * script (the encoding is left out: Flyway reads the text already decoded).
   */
  String asFlywayConfiguration() {
    StringBuilder text = new StringBuilder();
    if (executeInTransaction != null) {
      text.append(ScriptDirectives.EXECUTE_IN_TRANSACTION)
          .append('=')
          .append(executeInTransaction)
          .append('\n');
    }
    if (placeholderReplacement != null) {
      text.append(ScriptDirectives.PLACEHOLDER_REPLACEMENT)
          .append('=')
          .append(placeholderReplacement)
          .append('\n');
    }
    return text.toString();
  }

  /** The settings for people: {@code executeInTransaction=false, encoding=ISO-8859-1}. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    if (executeInTransaction != null) {
      parts.add(ScriptDirectives.EXECUTE_IN_TRANSACTION + "=" + executeInTransaction);
    }
    if (encoding != null) {
      parts.add(ScriptDirectives.ENCODING + "=" + encoding);
    }
    if (placeholderReplacement != null) {
      parts.add(ScriptDirectives.PLACEHOLDER_REPLACEMENT + "=" + placeholderReplacement);
    }
    return String.join(", ", parts);
  }
}
