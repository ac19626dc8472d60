package io.jobgtm.schema.migrator;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SQL file of a migration set: {@code V<version>__<description>.sql} applies a change, {@code
 * U<version>__<description>.sql} reverts it.
 */
public record MigrationScript(
    Kind kind, Version version, String description, String fileName, String sql) {

  /** Whether the script applies or undoes its version. */
  public enum Kind {
    VERSIONED,
    UNDO
  }

  private static final Pattern NAME =
      Pattern.compile("([VU])(\\d+(?:[._]\\d+)*)__([A-Za-z0-9][A-Za-z0-9_ -]*)\\.sql");

  /**
   * Builds a script from its file name and content.
   *
   * @throws MigrationException with {@link FailureReason#InvalidMigrationSet} when the name is not
   *     a migration file name
   */
  public static MigrationScript of(String fileName, String sql) {
    Matcher matcher = NAME.matcher(fileName);
    if (!matcher.matches()) {
      throw new MigrationException(
          FailureReason.InvalidMigrationSet,
          "'"
              + fileName
              + "' is not a migration file name: expected V<version>__<description>.sql or"
              + " U<version>__<description>.sql, for example V3__add_salary_index.sql");
    }
    Kind kind = matcher.group(1).equals("V") ? Kind.VERSIONED : Kind.UNDO;
    String description = matcher.group(3).replace('_', ' ').trim();
    return new MigrationScript(kind, Version.parse(matcher.group(2)), description, fileName, sql);
  }

  @Override
  public String toString() {
    return fileName;
  }
}
