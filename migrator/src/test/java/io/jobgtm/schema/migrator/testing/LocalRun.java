package io.jobgtm.schema.migrator.testing;

import io.jobgtm.schema.migrator.ConnectionSettings;

/**
 * The project's main job until the operator runs locally: starts an embedded PostgreSQL, creates
 * the workflow database {@code jobgtm}, runs the packaged migrator's {@code migrate} and {@code
 * info} against it exactly as a migration Job would, and stops everything.
 */
public final class LocalRun {

  private LocalRun() {}

  public static void main(String[] args) {
    int exitCode;
    try (PostgresServer server = PostgresServer.start()) {
      ConnectionSettings database = server.createDatabase("jobgtm");
      System.out.println(
          "embedded PostgreSQL "
              + PostgresServer.VERSION
              + " on 127.0.0.1:"
              + server.port()
              + ", database jobgtm");
      exitCode = step(database, server.password(), "migrate");
      if (exitCode == 0) {
        exitCode = step(database, server.password(), "info");
      }
    }
    if (exitCode != 0) {
      throw new IllegalStateException("the migrator exited with " + exitCode);
    }
  }

  private static int step(ConnectionSettings database, String password, String command) {
    System.out.println("$ java -jar migrator.jar " + command);
    MigratorProcess.Finished finished = MigratorProcess.of(database, password, command).run();
    System.out.print(finished.stdout());
    System.out.print(finished.stderr());
    return finished.exitCode();
  }
}
