package io.jobgtm.schema.migrator.cli;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.JobEnvironment;
import io.jobgtm.schema.migrator.ConnectionSettings;
import io.jobgtm.schema.migrator.MigrationException;
import io.jobgtm.schema.migrator.SchemaCatalog;
import io.jobgtm.schema.migrator.model.SchemaDiff;
import io.jobgtm.schema.migrator.model.SchemaModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code compare}: the schema model of the usual connection (the schema found) against the one of a
 * reference database and schema (the schema expected), both read with read-only catalog queries.
 * Prints both fingerprints, a summary and one line per difference (see {@link SchemaDiff}); exit
 * code {@value #EXIT_EQUAL} when the schemas are equal (with {@code --superset}: when the schema
 * found holds every object of the reference), {@value #EXIT_DIFFERS} when they differ, and the exit
 * codes of the other commands (1 transient, 2 permanent) when a database cannot be read.
 *
 * <p>Each reference setting defaults to the usual one, so comparing two databases of one server
 * needs only {@code --reference-database}. The reference password comes from {@value
 * #REFERENCE_DB_PASSWORD} or the file named by {@code --reference-password-file}, else it is the
 * usual password; no password is taken from a flag or printed.
 */
@Command(
    name = "compare",
    description =
        "Compare the schema with a reference database's schema: fingerprints and differences;"
            + " change nothing.",
    footer = {
      "",
      "Exit codes: 0 equal (with --superset: every reference object present and equal),"
          + " 3 the schemas differ, 1 or 2 as the other commands when a database cannot be read."
    })
final class CompareCommand implements Callable<Integer> {

  /** The exit code for equal schemas, or a superset match with {@code --superset}. */
  static final int EXIT_EQUAL = 0;

  /** The exit code for schemas that differ. */
  static final int EXIT_DIFFERS = 3;

  static final String REFERENCE_DB_HOST = "REFERENCE_DB_HOST";
  static final String REFERENCE_DB_PORT = "REFERENCE_DB_PORT";
  static final String REFERENCE_DB_NAME = "REFERENCE_DB_NAME";
  static final String REFERENCE_DB_SCHEMA = "REFERENCE_DB_SCHEMA";
  static final String REFERENCE_DB_USER = "REFERENCE_DB_USER";
  static final String REFERENCE_DB_PASSWORD = "REFERENCE_DB_PASSWORD";
  static final String REFERENCE_DB_PASSWORD_FILE = "REFERENCE_DB_PASSWORD_FILE";
  static final String REFERENCE_DB_SSLMODE = "REFERENCE_DB_SSLMODE";
  static final String REFERENCE_DB_SSLROOTCERT = "REFERENCE_DB_SSLROOTCERT";

  @ParentCommand MigratorCli cli;

  @Mixin MigratorCli.ConnectionOptions connection;

  @Option(
      names = "--reference-host",
      defaultValue = "${env:" + REFERENCE_DB_HOST + "}",
      description = "The reference database's host (" + REFERENCE_DB_HOST + "; default --host).")
  String referenceHost;

  @Option(
      names = "--reference-port",
      defaultValue = "${env:" + REFERENCE_DB_PORT + "}",
      description = "Its port (" + REFERENCE_DB_PORT + "; default --port).")
  Integer referencePort;

  @Option(
      names = "--reference-database",
      defaultValue = "${env:" + REFERENCE_DB_NAME + "}",
      description = "Its database name (" + REFERENCE_DB_NAME + "; default --database).")
  String referenceDatabase;

  @Option(
      names = "--reference-schema",
      defaultValue = "${env:" + REFERENCE_DB_SCHEMA + "}",
      description = "Its schema (" + REFERENCE_DB_SCHEMA + "; default --schema).")
  String referenceSchema;

  @Option(
      names = "--reference-user",
      defaultValue = "${env:" + REFERENCE_DB_USER + "}",
      description = "Its user (" + REFERENCE_DB_USER + "; default --user).")
  String referenceUser;

  @Option(
      names = "--reference-password-file",
      defaultValue = "${env:" + REFERENCE_DB_PASSWORD_FILE + "}",
      description =
          "File holding its password ("
              + REFERENCE_DB_PASSWORD_FILE
              + "); else "
              + REFERENCE_DB_PASSWORD
              + ", else the usual password.")
  Path referencePasswordFile;

  @Option(
      names = "--reference-sslmode",
      defaultValue = "${env:" + REFERENCE_DB_SSLMODE + "}",
      description = "Its sslmode (" + REFERENCE_DB_SSLMODE + "; default --sslmode).")
  String referenceSslMode;

  @Option(
      names = "--reference-sslrootcert",
      defaultValue = "${env:" + REFERENCE_DB_SSLROOTCERT + "}",
      description =
          "Its file of PEM CA certificates ("
              + REFERENCE_DB_SSLROOTCERT
              + "; default --sslrootcert).")
  Path referenceSslRootCert;

  @Option(
      names = "--history-table",
      defaultValue =
          "${env:"
              + JobEnvironment.HISTORY_TABLE
              + ":-"
              + JobEnvironment.DEFAULT_HISTORY_TABLE
              + "}",
      description =
          "The migration history table, left out of both models ("
              + JobEnvironment.HISTORY_TABLE
              + ", default ${DEFAULT-VALUE}).")
  String historyTable;

  @Option(
      names = "--ignore-table",
      split = ",",
      paramLabel = "TABLE",
      description =
          "A table of both schemas to leave out, with its columns, constraints, indexes and"
              + " triggers; repeat or separate with commas.")
  List<String> ignoreTables = new ArrayList<>();

  @Option(
      names = "--superset",
      description =
          "Succeed when the schema holds every object of the reference, equal and under the same"
              + " name; extra objects are allowed and listed.")
  boolean superset;

  @Option(
      names = "--max-lines",
      defaultValue = "0",
      description =
          "Print at most this many difference lines, the last counting the rest (0: all).")
  int maxLines;

  @Option(
      names = "--connect-timeout",
      defaultValue =
          "${env:"
              + JobEnvironment.CONNECT_TIMEOUT
              + ":-"
              + JobEnvironment.DEFAULT_CONNECT_TIMEOUT
              + "}",
      converter = MigratorCli.DurationConverter.class,
      description = "How long each connection attempt may take (default ${DEFAULT-VALUE}).")
  Duration connectTimeout;

  @Override
  public Integer call() {
    try {
      if (maxLines < 0) {
        throw new MigrationException(
            FailureReason.InvalidConfiguration, "--max-lines must be 0 (all) or more");
      }
      ConnectionSettings found = connection.settings();
      ConnectionSettings reference = referenceSettings(found);
      SchemaModel actual = SchemaCatalog.read(found, historyTable, ignoreTables, connectTimeout);
      SchemaModel expected =
          SchemaCatalog.read(reference, historyTable, ignoreTables, connectTimeout);
      SchemaDiff diff = actual.comparedWith(expected);
      cli.out.println(describe("schema", found, actual));
      cli.out.println(describe("reference schema", reference, expected));
      boolean matches = superset ? diff.matchesAsSuperset() : diff.isEmpty();
      cli.out.println(
          diff.isEmpty()
              ? "equal"
              : (matches ? "superset of the reference: " : "differs: ") + diff.summary());
      (maxLines == 0 ? diff.lines() : diff.lines(maxLines)).forEach(cli.out::println);
      return matches ? EXIT_EQUAL : EXIT_DIFFERS;
    } catch (MigrationException e) {
      cli.err.println("error: " + e.reason() + ": " + e.getMessage());
      return e.reason().exitCode();
    }
  }

  private static String describe(String what, ConnectionSettings settings, SchemaModel model) {
    return what
        + " "
        + settings.schema()
        + " of "
        + settings.user()
        + "@"
        + settings.host()
        + ":"
        + settings.port()
        + "/"
        + settings.database()
        + ": "
        + model.size()
        + " objects, "
        + model.fingerprint();
  }

  private ConnectionSettings referenceSettings(ConnectionSettings found) {
    ConnectionSettings.Builder builder =
        ConnectionSettings.builder()
            .host(or(referenceHost, found.host()))
            .port(referencePort == null ? found.port() : referencePort)
            .database(or(referenceDatabase, found.database()))
            .schema(or(referenceSchema, found.schema()))
            .user(or(referenceUser, found.user()))
            .sslMode(or(referenceSslMode, found.sslMode()))
            .sslRootCert(
                referenceSslRootCert != null
                    ? referenceSslRootCert
                    : referenceSslMode == null ? found.sslRootCert().orElse(null) : null);
    String password = referencePassword();
    return builder.password(password != null ? password : usualPassword()).build();
  }

  private String referencePassword() {
    if (referencePasswordFile != null) {
      try {
        return Files.readString(referencePasswordFile, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new MigrationException(
            FailureReason.InvalidConfiguration,
            "cannot read the reference password file " + referencePasswordFile);
      }
    }
    return System.getenv(REFERENCE_DB_PASSWORD);
  }

  /** The usual connection's password, read as {@link MigratorCli.ConnectionOptions} reads it. */
  private String usualPassword() {
    if (connection.passwordFile != null) {
      try {
        return Files.readString(connection.passwordFile, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new MigrationException(
            FailureReason.InvalidConfiguration,
            "cannot read the password file " + connection.passwordFile);
      }
    }
    return System.getenv(JobEnvironment.DB_PASSWORD);
  }

  private static String or(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }
}
