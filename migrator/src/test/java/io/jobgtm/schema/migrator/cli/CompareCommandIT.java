package io.jobgtm.schema.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.migrator.ConnectionSettings;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.PostgresServer;
import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * {@code compare} run as the packaged jar on two databases of one server: fingerprints and
 * differences printed, exit code 0 for equal schemas (or a superset with {@code --superset}), 3 for
 * different ones, the connection failures' codes otherwise, and never a password in the output.
 */
class CompareCommandIT {

  private static final String PARCELS =
      "CREATE TABLE parcels (id bigint PRIMARY KEY, weight integer NOT NULL);";

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings found = TestDatabases.create(postgres, "logistics");
  private final String reference = postgres.createDatabase();

  @Test
  void equalSchemasUnderTwoNamesExitZeroWithOneFingerprint() {
    postgres.execute(
        found.database(),
        "CREATE SCHEMA logistics",
        "SET search_path = logistics; " + PARCELS,
        "CREATE TABLE logistics.alembic_version (version_num varchar(32) PRIMARY KEY)",
        "INSERT INTO logistics.alembic_version VALUES ('002')");
    postgres.execute(reference, PARCELS);

    MigratorProcess.Finished run = compare("--reference-schema", "public");

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(0);
    String[] lines = run.stdout().split("\n");
    assertThat(lines[0])
        .startsWith("schema logistics of postgres@127.0.0.1:" + postgres.port() + "/")
        .contains(": 4 objects, sha256:"); // parcels, its two columns and its primary key
    assertThat(lines[1]).startsWith("reference schema public of postgres@127.0.0.1:");
    assertThat(fingerprint(lines[0])).isEqualTo(fingerprint(lines[1]));
    assertThat(lines[2]).isEqualTo("equal");
    assertThat(lines).hasSize(3);
    assertNoPassword(run);
  }

  @Test
  void differentSchemasExitThreeWithOneLinePerDifference() {
    postgres.execute(
        found.database(),
        "CREATE SCHEMA logistics",
        "SET search_path = logistics;"
            + " CREATE TABLE parcels (id bigint PRIMARY KEY, weight bigint NOT NULL, note text);");
    postgres.execute(reference, PARCELS, "CREATE INDEX parcels_weight_idx ON parcels (weight)");

    MigratorProcess.Finished run = compare("--reference-schema", "public");

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
    String[] lines = run.stdout().split("\n");
    assertThat(fingerprint(lines[0])).isNotEqualTo(fingerprint(lines[1]));
    assertThat(lines)
        .containsSubsequence(
            "differs: 1 missing, 1 changed, 0 renamed, 1 extra",
            "missing index parcels_weight_idx: CREATE INDEX ON parcels USING btree (weight)",
            "changed column parcels.weight: integer NOT NULL -> bigint NOT NULL",
            "extra column parcels.note: text");

    MigratorProcess.Finished cut = compare("--reference-schema", "public", "--max-lines", "2");
    assertThat(cut.exitCode()).isEqualTo(3);
    assertThat(cut.stdout())
        .endsWith(
            "missing index parcels_weight_idx: CREATE INDEX ON parcels USING btree (weight)\n"
                + "... and 2 more differences\n");
    assertNoPassword(run);
  }

  @Test
  void aSupersetMatchesWithSupersetOnly() {
    postgres.execute(
        found.database(),
        "CREATE SCHEMA logistics",
        "SET search_path = logistics; " + PARCELS + " CREATE TABLE sessions (token text);");
    postgres.execute(reference, PARCELS);

    MigratorProcess.Finished strict = compare("--reference-schema", "public");
    MigratorProcess.Finished superset = compare("--reference-schema", "public", "--superset");
    MigratorProcess.Finished ignored =
        compare("--reference-schema", "public", "--ignore-table", "sessions");

    assertThat(strict.exitCode()).as(strict.toString()).isEqualTo(3);
    assertThat(superset.exitCode()).as(superset.toString()).isEqualTo(0);
    assertThat(superset.stdout())
        .contains(
            "superset of the reference: 0 missing, 0 changed, 0 renamed, 2 extra\n"
                + "extra table sessions: TABLE\n"
                + "extra column sessions.token: text\n");
    assertThat(ignored.exitCode()).as(ignored.toString()).isEqualTo(0);
    assertThat(ignored.stdout()).contains("\nequal\n");
  }

  @Test
  void aWrongReferencePasswordIsAuthenticationFailedWithoutAnyPasswordShown() {
    MigratorProcess.Finished run =
        compareProcess("--reference-schema", "public")
            .withEnvironment("REFERENCE_DB_PASSWORD", "wrong-Secret-42")
            .run();

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.stderr()).contains("AuthenticationFailed");
    assertThat(run.toString()).doesNotContain("wrong-Secret-42");
    assertNoPassword(run);
  }

  @Test
  void anUnreachableReferenceIsTransient() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }

    MigratorProcess.Finished run =
        compare("--reference-port", String.valueOf(closedPort), "--connect-timeout", "2s");

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.stderr()).contains("DatabaseUnreachable");
    assertNoPassword(run);
  }

  private MigratorProcess.Finished compare(String... arguments) {
    return compareProcess(arguments).run();
  }

  private MigratorProcess compareProcess(String... arguments) {
    String[] all = new String[arguments.length + 3];
    all[0] = "compare";
    all[1] = "--reference-database";
    all[2] = reference;
    System.arraycopy(arguments, 0, all, 3, arguments.length);
    return MigratorProcess.of(found, postgres.password(), all);
  }

  private static String fingerprint(String line) {
    return line.substring(line.indexOf("sha256:"));
  }

  private void assertNoPassword(MigratorProcess.Finished run) {
    assertThat(run.toString()).doesNotContain(postgres.password());
  }
}
