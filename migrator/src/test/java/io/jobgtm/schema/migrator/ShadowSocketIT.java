package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobgtm.schema.contract.Drift;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.JobEnvironment;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.SocketPostgres;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shadow reached through a Unix-domain socket ({@code SHADOW_SOCKET_DIR}), as the sidecar of a
 * migration Job serves it: a PostgreSQL 17 that listens on its socket only and trusts local
 * connections. The migrator runs as the Job runs it: the packaged jar, with the image's JVM flags
 * and a temporary directory of its own (junixsocket unpacks its native library into {@code
 * java.io.tmpdir} and removes it at exit).
 */
class ShadowSocketIT {

  // The Dockerfile's JAVA_TOOL_OPTIONS.
  private static final String IMAGE_JVM_FLAGS =
      "-XX:MaxRAMPercentage=50 -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k"
          + " -XX:+ExitOnOutOfMemoryError";

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);

  private MigratorProcess migrate(Path socketDirectory, Path tmp, Path resultFile) {
    return MigratorProcess.of(
            database,
            postgres.password(),
            "migrate",
            "--migrations",
            MigrationFiles.reference().toString(),
            "--on-unversioned",
            "Baseline",
            "--baseline-version",
            "auto",
            "--result-file",
            resultFile.toString())
        .withEnvironment(JobEnvironment.SHADOW_SOCKET_DIR, socketDirectory.toString())
        .withEnvironment("JAVA_TOOL_OPTIONS", IMAGE_JVM_FLAGS + " -Djava.io.tmpdir=" + tmp);
  }

  @Test
  void theVerifiedBaselineRunsThroughTheSocketOfAShadowThatListensOnNothingElse() throws Exception {
    postgres.execute(
        database.database(), VerifiedBaselineIT.ALEMBIC_001, VerifiedBaselineIT.ALEMBIC_002);
    List<String> before = Catalog.snapshot(postgres, database.database(), "public");
    Path tmp = Files.createTempDirectory("migrator-tmp-");
    Path resultFile = Files.createTempFile("result-", ".json");

    try (SocketPostgres shadow = SocketPostgres.start(17)) {
      MigratorProcess.Finished run = migrate(shadow.socketDirectory(), tmp, resultFile).run();

      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(run.stdout())
          .contains(
              "shadow database postgres at socket directory " + shadow.socketDirectory(),
              "schema public matches version 2\n",
              "baselined at version 2 (schema unchanged; previous tool: Alembic's alembic_version at"
                  + " revision 002)");
      MigrationResult result = result(resultFile);
      assertThat(result.outcome()).isEqualTo(Outcome.Baselined);
      assertThat(result.serverVersion()).isEqualTo("17.6");
      assertThat(result.verification().drift()).isEqualTo(Drift.None);
      assertThat(result.verification().version()).isEqualTo("2");
      assertThat(Catalog.history(postgres, database.database(), "public"))
          .containsExactly("2:BASELINE:true");
      assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(before);
      assertThat(
              shadow.query(
                  "postgres",
                  "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'schema_operator_replay_%'"))
          .isEmpty();
    }
  }

  // A container with a read-only root file system: the migrator runs as a user that may write in
  // its java.io.tmpdir and nowhere else (not in its working directory, not in its home). With that
  // directory read-only too, junixsocket cannot unpack its native library and the shadow cannot
  // be reached: the directory is the one place it needs.
  @Test
  void aUserThatMayWriteOnlyItsTemporaryDirectoryReachesTheSocket() throws Exception {
    postgres.execute(
        database.database(), VerifiedBaselineIT.ALEMBIC_001, VerifiedBaselineIT.ALEMBIC_002);
    List<String> before = Catalog.snapshot(postgres, database.database(), "public");
    Path writable = Files.createTempDirectory("migrator-tmp-");
    Path readOnly = Files.createTempDirectory("migrator-read-only-tmp-");
    Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
    if ("root".equals(System.getProperty("user.name"))) {
      Files.setOwner(
          writable,
          writable.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
    }

    try (SocketPostgres shadow = SocketPostgres.start(17)) {
      MigratorProcess.Finished refused =
          migrate(shadow.socketDirectory(), readOnly, writable.resolve("refused.json"))
              .withEnvironment(JobEnvironment.CONNECT_TIMEOUT, "2s")
              .asUnprivilegedUser()
              .run();
      assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(FailureReason.EXIT_PERMANENT);
      MigrationResult failure = result(writable.resolve("refused.json"));
      assertThat(failure.failure().reason()).isEqualTo(FailureReason.InvalidConfiguration);
      assertThat(failure.failure().message())
          .isEqualTo(
              "the shadow database postgres at socket directory "
                  + shadow.socketDirectory()
                  + " cannot be reached: junixsocket, which connects to Unix-domain sockets, could"
                  + " not load its native library, which it unpacks into java.io.tmpdir ("
                  + readOnly
                  + "): make that directory writable (a migration Job mounts an emptyDir at /tmp),"
                  + " or name another with -Dorg.newsclub.net.unix.library.tmpdir");
      assertThat(Catalog.tables(postgres, database.database(), "public"))
          .doesNotContain("flyway_schema_history");
      MigratorProcess.Finished run =
          migrate(shadow.socketDirectory(), writable, writable.resolve("result.json"))
              .asUnprivilegedUser()
              .run();

      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(result(writable.resolve("result.json")).baselineVersion()).isEqualTo("2");
      assertThat(Catalog.history(postgres, database.database(), "public"))
          .containsExactly("2:BASELINE:true");
      assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(before);
    }
  }

  @Test
  void aShadowStillStartingIsWaitedFor() throws Exception {
    postgres.execute(
        database.database(), VerifiedBaselineIT.ALEMBIC_001, VerifiedBaselineIT.ALEMBIC_002);
    Path resultFile = Files.createTempFile("result-", ".json");

    try (SocketPostgres shadow = SocketPostgres.create(17)) {
      MigratorProcess.Running running =
          migrate(shadow.socketDirectory(), Files.createTempDirectory("migrator-tmp-"), resultFile)
              .start();
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(running.outputSoFar())
                      .contains(
                          "waiting for the shadow database postgres at socket directory "
                              + shadow.socketDirectory()));
      shadow.start();
      MigratorProcess.Finished run = running.await();

      assertThat(run.exitCode()).as(run.toString()).isZero();
      assertThat(result(resultFile).baselineVersion()).isEqualTo("2");
      assertThat(Catalog.history(postgres, database.database(), "public"))
          .containsExactly("2:BASELINE:true");
    }
  }

  @Test
  void aSocketThatNeverAppearsFailsNamingTheDirectoryAndWritesNothing() throws Exception {
    postgres.execute(
        database.database(), VerifiedBaselineIT.ALEMBIC_001, VerifiedBaselineIT.ALEMBIC_002);
    List<String> before = Catalog.snapshot(postgres, database.database(), "public");
    Path directory = Files.createTempDirectory(Path.of("/tmp"), "sh");
    Path resultFile = Files.createTempFile("result-", ".json");

    MigratorProcess.Finished run =
        migrate(directory, Files.createTempDirectory("migrator-tmp-"), resultFile)
            .withEnvironment(JobEnvironment.CONNECT_TIMEOUT, "2s")
            .run();

    MigrationResult result = result(resultFile);
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(FailureReason.EXIT_TRANSIENT);
    assertThat(result.failure().reason()).isEqualTo(FailureReason.DatabaseUnreachable);
    assertThat(result.failure().message())
        .startsWith(
            "the shadow database postgres at socket directory "
                + directory
                + " did not accept connections within 2s: ")
        .endsWith(
            " (no socket .s.PGSQL.5432 in the socket directory: is the shadow server running,"
                + " with unix_socket_directories set to it?)");
    assertThat(result.serverVersion()).isEqualTo("17.6");
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .doesNotContain("flyway_schema_history");
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(before);
  }

  private static MigrationResult result(Path resultFile) throws Exception {
    return MigrationResult.fromJson(Files.readString(resultFile, StandardCharsets.UTF_8))
        .orElseThrow();
  }
}
