package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.PostgresServer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The packaged migrator facing a database it cannot use: the right exit code, one line of reason,
 * and the password nowhere in what it prints or writes.
 */
class ConnectionFailureIT {

  private final PostgresServer postgres = PostgresServer.shared();

  private record Outcome(MigratorProcess.Finished run, String resultJson, JsonNode result) {}

  private Outcome migrate(ConnectionSettings settings, String password) throws Exception {
    Path resultFile = Files.createTempFile("result-", ".json");
    MigratorProcess.Finished run =
        MigratorProcess.of(
                settings,
                password,
                "migrate",
                "--connect-timeout",
                "3s",
                "--result-file",
                resultFile.toString())
            .run();
    String json = Files.readString(resultFile);
    return new Outcome(run, json, new ObjectMapper().readTree(json));
  }

  private static void assertOneLineReasonWithoutSecrets(
      Outcome outcome, String reason, String... secrets) {
    assertThat(outcome.run().stderr().lines().filter(line -> line.startsWith("error: ")))
        .singleElement()
        .satisfies(line -> assertThat(line).startsWith("error: " + reason + ": "));
    assertThat(outcome.result().get("failure").get("reason").asText()).isEqualTo(reason);
    for (String secret : secrets) {
      assertThat(outcome.run().stdout()).doesNotContain(secret);
      assertThat(outcome.run().stderr()).doesNotContain(secret);
      assertThat(outcome.resultJson()).doesNotContain(secret);
    }
  }

  @Test
  void unreachableHostIsTransient() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    ConnectionSettings nowhere =
        ConnectionSettings.builder()
            .host("127.0.0.1")
            .port(closedPort)
            .database("jobgtm")
            .user("app")
            .sslMode("disable")
            .build();

    Outcome outcome = migrate(nowhere, "unreachable-Secret-42");

    assertThat(outcome.run().exitCode()).as(outcome.run().toString()).isEqualTo(1);
    assertOneLineReasonWithoutSecrets(outcome, "DatabaseUnreachable", "unreachable-Secret-42");
    assertThat(outcome.result().get("failure").get("message").asText())
        .startsWith("database 127.0.0.1:" + closedPort + " did not accept connections within 3s");
    assertThat(outcome.run().stdout())
        .contains("waiting for the database at 127.0.0.1:" + closedPort + " (up to 3s)");
  }

  @Test
  void wrongPasswordIsPermanent() throws Exception {
    ConnectionSettings database = TestDatabases.create(postgres);

    Outcome outcome = migrate(database, "Wrong-Password-For-Test");

    assertThat(outcome.run().exitCode()).as(outcome.run().toString()).isEqualTo(2);
    assertOneLineReasonWithoutSecrets(
        outcome, "AuthenticationFailed", "Wrong-Password-For-Test", postgres.password());
    assertThat(outcome.result().get("failure").get("message").asText())
        .startsWith("the database rejected the credentials of user postgres");
  }

  @Test
  void missingDatabaseIsPermanent() throws Exception {
    ConnectionSettings missing = TestDatabases.settings(postgres, "no_such_database");

    Outcome outcome = migrate(missing, postgres.password());

    assertThat(outcome.run().exitCode()).as(outcome.run().toString()).isEqualTo(2);
    assertOneLineReasonWithoutSecrets(outcome, "DatabaseNotFound", postgres.password());
    assertThat(outcome.result().get("failure").get("message").asText())
        .isEqualTo("database no_such_database does not exist on 127.0.0.1:" + postgres.port());
  }

  @Test
  void passwordFromAFileIsUsedAndNotPrinted() throws Exception {
    ConnectionSettings database = TestDatabases.create(postgres);
    Path passwordFile = Files.createTempFile("password-", "");
    Files.writeString(passwordFile, postgres.password() + "\n");

    MigratorProcess.Finished run =
        MigratorProcess.of(database, "", "migrate", "--password-file", passwordFile.toString())
            .run();

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.stdout())
        .contains("Migrated: version none -> 2")
        .doesNotContain(postgres.password());
    assertThat(run.stderr()).doesNotContain(postgres.password());
  }
}
