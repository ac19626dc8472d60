package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The result document fits a termination message (4096 bytes) whatever happened. */
class ResultSizeIT {

  private final PostgresServer postgres = PostgresServer.shared();

  private JsonNode migrate(MigrationFiles files, int expectedExitCode) throws Exception {
    ConnectionSettings database = TestDatabases.create(postgres);
    MigratorProcess.Migration migration =
        MigratorProcess.migrate(database, postgres.password(), files.directory());
    MigratorProcess.Finished run = migration.run();
    Path resultFile = migration.resultFile();
    assertThat(run.exitCode()).as(run.toString()).isEqualTo(expectedExitCode);
    assertThat(Files.size(resultFile)).isLessThanOrEqualTo(MigrationResult.MAX_DOCUMENT_BYTES);
    return new ObjectMapper().readTree(resultFile.toFile());
  }

  @Test
  void fiveHundredAppliedMigrations() throws Exception {
    MigrationFiles files = MigrationFiles.empty();
    for (int i = 1; i <= 500; i++) {
      files.with(
          "V" + i + "__create_table_number_" + i + ".sql", "CREATE TABLE t" + i + " (id INT);");
    }

    JsonNode result = migrate(files, 0);

    assertThat(result.get("outcome").asText()).isEqualTo("Migrated");
    assertThat(result.get("appliedCount").asInt()).isEqualTo(500);
    assertThat(result.get("versionAfter").asText()).isEqualTo("500");
    assertThat(result.get("truncated").asBoolean()).isTrue();
    JsonNode applied = result.get("applied");
    assertThat(applied.get(applied.size() - 1).get("version").asText()).isEqualTo("500");
  }

  @Test
  void hugeErrorMessage() throws Exception {
    MigrationFiles files =
        MigrationFiles.copyOfReference()
            .with(
                "V3__fail_loudly.sql",
                "DO $$ BEGIN RAISE EXCEPTION '%', repeat('very long failure ', 20000); END $$;");

    JsonNode result = migrate(files, 2);

    assertThat(result.get("failure").get("reason").asText()).isEqualTo("MigrationFailed");
    assertThat(result.get("failure").get("version").asText()).isEqualTo("3");
    assertThat(result.get("failure").get("message").asText())
        .contains("very long failure")
        .endsWith("…");
    assertThat(result.get("appliedCount").asInt()).isEqualTo(2);
  }
}
