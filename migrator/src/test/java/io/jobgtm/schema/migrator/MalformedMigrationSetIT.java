package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A malformed migration set is refused as a whole before anything touches the database. */
class MalformedMigrationSetIT {

  private final PostgresServer postgres = PostgresServer.shared();

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "bad file name | V3_add_salary.sql | ALTER TABLE job_listings ADD COLUMN salary INT;"
            + " | 'V3_add_salary.sql' is not a migration file name",
        "duplicate version | V2.0__again.sql | SELECT 1;"
            + " | version 2 appears twice: V2.0__again.sql and V2__add_is_remote_to_job_listings.sql",
        "undo without its migration | U3__add_salary.sql | SELECT 1;"
            + " | U3__add_salary.sql undoes version 3, which has no V script"
      })
  void refusedWithAClearErrorAndNothingApplied(
      String label, String file, String sql, String message) throws Exception {
    ConnectionSettings database = TestDatabases.create(postgres);
    MigrationFiles files = MigrationFiles.copyOfReference().with(file, sql);
    MigratorProcess.Migration migration =
        MigratorProcess.migrate(database, postgres.password(), files.directory());
    MigratorProcess.Finished run = migration.run();
    Path resultFile = migration.resultFile();

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.stderr()).contains("error: InvalidMigrationSet: " + message);
    JsonNode result = new ObjectMapper().readTree(resultFile.toFile());
    assertThat(result.get("failure").get("reason").asText()).isEqualTo("InvalidMigrationSet");
    assertThat(result.get("failure").get("message").asText()).contains(message);
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();
  }
}
