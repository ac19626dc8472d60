package io.jobgtm.schema.migrator.cli;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.JobEnvironment;
import io.jobgtm.schema.migrator.MigrationException;
import io.jobgtm.schema.migrator.MigratorConfiguration;
import io.jobgtm.schema.migrator.ShadowDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Option;

/**
 * The shadow database and what every comparison with its replay leaves out: flags of {@code
 * migrate}, {@code plan}, {@code baseline} and {@code verify}, each with its environment variable.
 */
final class ShadowOptions {

  @Option(
      names = "--shadow-url",
      defaultValue = "${env:" + JobEnvironment.SHADOW_URL + "}",
      description =
          "JDBC URL of an empty database that is not the migrated one,"
              + " jdbc:postgresql://host:port/database, where the migration set is replayed to"
              + " verify a baseline and detect drift ("
              + JobEnvironment.SHADOW_URL
              + ").")
  String shadowUrl;

  @Option(
      names = "--shadow-socket-dir",
      defaultValue = "${env:" + JobEnvironment.SHADOW_SOCKET_DIR + "}",
      description =
          "Directory of the shadow PostgreSQL's Unix-domain socket (.s.PGSQL.5432), instead of"
              + " --shadow-url: database postgres, user --shadow-user (default postgres); waited"
              + " for up to the connect timeout ("
              + JobEnvironment.SHADOW_SOCKET_DIR
              + ").")
  Path shadowSocketDir;

  @Option(
      names = "--shadow-user",
      defaultValue = "${env:" + JobEnvironment.SHADOW_DB_USER + "}",
      description =
          "The shadow database's user ("
              + JobEnvironment.SHADOW_DB_USER
              + "; default postgres with --shadow-socket-dir).")
  String shadowUser;

  @Option(
      names = "--shadow-password-file",
      defaultValue = "${env:" + JobEnvironment.SHADOW_DB_PASSWORD_FILE + "}",
      description =
          "File holding the shadow password ("
              + JobEnvironment.SHADOW_DB_PASSWORD_FILE
              + "); else "
              + JobEnvironment.SHADOW_DB_PASSWORD
              + " is used.")
  Path shadowPasswordFile;

  @Option(
      names = "--verify-ignore-tables",
      paramLabel = "TABLE[,TABLE...]",
      defaultValue = "${env:" + JobEnvironment.VERIFY_IGNORE_TABLES + "}",
      description =
          "Tables of the schema left out of every comparison with the replay (baseline"
              + " verification, drift check, verify), separated by commas ("
              + JobEnvironment.VERIFY_IGNORE_TABLES
              + ").")
  String ignoreTables;

  MigratorConfiguration apply(MigratorConfiguration configuration) {
    return configuration
        .shadow(shadow())
        .ignoreTables(
            ignoreTables == null ? java.util.List.of() : Arrays.asList(ignoreTables.split(",")));
  }

  /** Whether a shadow database is given, by URL or socket directory. */
  boolean given() {
    return (shadowUrl != null && !shadowUrl.isBlank())
        || (shadowSocketDir != null && !shadowSocketDir.toString().isBlank());
  }

  private ShadowDatabase shadow() {
    boolean url = shadowUrl != null && !shadowUrl.isBlank();
    boolean socket = shadowSocketDir != null && !shadowSocketDir.toString().isBlank();
    if (url && socket) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "give the shadow database once: --shadow-url ("
              + JobEnvironment.SHADOW_URL
              + ") or --shadow-socket-dir ("
              + JobEnvironment.SHADOW_SOCKET_DIR
              + "), not both");
    }
    if (!url && !socket) {
      return null;
    }
    String password;
    if (shadowPasswordFile != null) {
      try {
        password = Files.readString(shadowPasswordFile, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new MigrationException(
            FailureReason.InvalidConfiguration,
            "cannot read the shadow password file " + shadowPasswordFile);
      }
    } else {
      password = System.getenv(JobEnvironment.SHADOW_DB_PASSWORD);
    }
    return socket
        ? ShadowDatabase.fromSocketDirectory(shadowSocketDir, shadowUser, password)
        : ShadowDatabase.fromUrl(shadowUrl.strip(), shadowUser, password);
  }
}
