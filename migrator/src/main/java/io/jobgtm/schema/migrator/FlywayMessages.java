package io.jobgtm.schema.migrator;

import java.util.regex.Pattern;

/**
 * Cleans Flyway's messages for people who run this migrator: Flyway's advice names its own flags
 * and help pages, which the migrator's CLI and SchemaVersion do not have, so a message keeps
 * Flyway's statement of the problem and drops the advice.
 */
final class FlywayMessages {

  private static final Pattern URL =
      Pattern.compile(
          "\\(?\\s*(see|more info at:?)?\\s*https?://\\S+\\)?", Pattern.CASE_INSENSITIVE);

  /** A sentence of advice: it names a Flyway setting or command-line flag. */
  private static final Pattern ADVICE =
      Pattern.compile(
          "(?i)[^.]*(\\s-[a-z]+[A-Z=]|set \\w+ to|flyway\\.\\w|outOfOrder|ignoreMigrationPatterns"
              + "|baselineOnMigrate|cleanOnValidationError|validateMigrationNaming|\\bflyway repair"
              + "|\\bflyway (info|migrate|baseline))[^.]*\\.?");

  private FlywayMessages() {}

  static String clean(String message) {
    String cleaned = URL.matcher(message).replaceAll("");
    cleaned = ADVICE.matcher(cleaned).replaceAll("");
    return cleaned.replaceAll("\\s{2,}", " ").replaceAll("\\s+([.,;:])", "$1").strip();
  }
}
