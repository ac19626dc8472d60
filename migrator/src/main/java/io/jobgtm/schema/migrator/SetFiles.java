package io.jobgtm.schema.migrator;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a file of a migration directory is, by its name, beside the SQL scripts {@link
 * MigrationScript} reads: one Flyway would act on and the migrator will not (refused, with what to
 * do instead), or one Flyway ignores (not {@code .sql}, such as {@code README.md}).
 *
 * <p>Flyway's own behaviour, checked against flyway-core: its filesystem scanner lists every file
 * under a location, recursing into folders and skipping hidden ones; its resolvers keep the names
 * that end with the SQL suffix, compared in any case; with {@code validateMigrationNaming} (the
 * migrator's setting) a {@code .sql} file whose name is no migration or callback fails the run.
 * Java migrations are classes Flyway loads, which the migrator does not run, so a set holding one
 * is refused rather than run differently. A script's {@code .sql.conf} holds settings Flyway
 * applies to that script ({@link ScriptDirectives}).
 */
final class SetFiles {

  private static final Pattern JAVA_MIGRATION =
      Pattern.compile("(?:[VUB]\\d+(?:[._]\\d+)*(?:__.*)?|R__.+)\\.(?:java|class|kt)");

  private static final List<String> FLYWAY_CONFIGURATION = List.of("flyway.conf", "flyway.toml");

  private SetFiles() {}

  /** Why the migrator refuses a file Flyway would act on, or null. */
  static String refusal(String path, String name) {
    if (JAVA_MIGRATION.matcher(name).matches()) {
      return path
          + " is a Java migration, which the migrator does not run (it runs SQL only):"
          + " rewrite it as an SQL migration of the same version and description ("
          + name.substring(0, name.lastIndexOf('.'))
          + ".sql), or keep migrating this schema with Flyway itself";
    }
    if (FLYWAY_CONFIGURATION.contains(name.toLowerCase(Locale.ROOT))) {
      return path
          + " is a Flyway configuration file, which the migrator does not read: remove it from"
          + " the set and give its settings to the migrator, where they have a counterpart:"
          + " url, user and password are the connection (--host, --port, --database, --user,"
          + " DB_PASSWORD), defaultSchema or the one of schemas is --schema, table is"
          + " --history-table, outOfOrder is --out-of-order, target is --target,"
          + " baselineOnMigrate with baselineVersion is --on-unversioned Baseline with"
          + " --baseline-version, locations is --migrations (directories separated by commas),"
          + " placeholderReplacement, placeholders.*, placeholderPrefix and placeholderSuffix are"
          + " --placeholder-replacement, --placeholder, --placeholder-prefix and"
          + " --placeholder-suffix (replacement is off unless turned on), an encoding other than"
          + " UTF-8 is each script's own setting (V1__x.sql.conf or -- flyway:encoding=...),"
          + " sqlMigrationPrefix, repeatableSqlMigrationPrefix, baselineMigrationPrefix,"
          + " sqlMigrationSeparator and sqlMigrationSuffixes are the flags of the same names"
          + " (--sql-migration-prefix ...); the other settings have none";
    }
    return null;
  }

  /**
   * Why a script configuration file without its script is refused.
   *
   * @param shown the file as messages name it
   * @param path its path within its directory
   * @param scripts the paths of the scripts of its directory
   */
  static String orphanConfiguration(String shown, String path, java.util.Set<String> scripts) {
    String script = path.substring(0, path.length() - ".conf".length());
    String shownScript = shown.substring(0, shown.length() - ".conf".length());
    if (!path.endsWith(".conf") && scripts.contains(script)) {
      return shown
          + " is not read as the settings of "
          + shownScript
          + ": Flyway reads them only from "
          + shownScript
          + ".conf (and would run the script without them): rename it";
    }
    return shown
        + " holds the settings of "
        + shownScript
        + ", which is not in the set: rename it after its script, or remove it";
  }

  /**
   * The message {@link MigrationScript#of(String, String, MigrationNaming)} refuses a bad name
   * with.
   */
  static String badName(String path, MigrationNaming naming) {
    return "'" + path + "' is not a migration file name: " + naming.rule();
  }

  /** One message for every bad name of a set. */
  static String badNames(List<String> paths, MigrationNaming naming) {
    if (paths.size() == 1) {
      return badName(paths.get(0), naming);
    }
    return paths.stream().map(path -> "'" + path + "'").reduce((a, b) -> a + ", " + b).orElse("")
        + " are not migration file names: "
        + naming.rule();
  }
}
