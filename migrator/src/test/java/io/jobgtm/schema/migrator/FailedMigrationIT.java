package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A migration that fails, and a migration edited after it was applied. */
class FailedMigrationIT {

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);

  private List<String> history() {
    return Catalog.history(postgres, database.database(), "public");
  }

  private MigrationResult migrate(MigrationFiles files) {
    return Migrator.configure()
        .connection(database)
        .migrations(MigrationSet.fromDirectory(files.directory()))
        .load()
        .migrate();
  }

  @Test
  void migrationFailingHalfwayIsRolledBackWholeAndNamed() throws Exception {
    migrate(MigrationFiles.copyOfReference());
    List<String> catalogBefore = Catalog.snapshot(postgres, database.database(), "public");
    MigrationFiles files =
        MigrationFiles.copyOfReference()
            .with(
                "V3__add_salary_bounds.sql",
                "ALTER TABLE job_listings ADD COLUMN salary_min INTEGER;\n"
                    + "CREATE TABLE salary_audit (id BIGINT PRIMARY KEY);\n"
                    + "ALTER TABLE job_listings ADD COLUMN salary_max INTEGR;\n");
    MigratorProcess.Migration migration =
        MigratorProcess.migrate(database, postgres.password(), files.directory());
    MigratorProcess.Finished run = migration.run();
    Path resultFile = migration.resultFile();

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    assertThat(run.stderr().lines().filter(line -> line.startsWith("error: ")))
        .containsExactly(
            "error: MigrationFailed (version 3): V3__add_salary_bounds.sql failed: ERROR: type"
                + " \"integr\" does not exist [SQLSTATE 42704]; it ran in a transaction and was"
                + " rolled back");
    JsonNode result = new ObjectMapper().readTree(resultFile.toFile());
    assertThat(result.get("outcome").asText()).isEqualTo("Failed");
    assertThat(result.get("failure").get("reason").asText()).isEqualTo("MigrationFailed");
    assertThat(result.get("failure").get("version").asText()).isEqualTo("3");
    assertThat(result.get("failure").get("message").asText())
        .contains("type \"integr\" does not exist");
    assertThat(result.get("versionAfter").asText()).isEqualTo("2");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(catalogBefore);
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .doesNotContain("salary_audit");
  }

  @Test
  void editedAppliedMigrationFailsValidationAndMigrateAppliesNothing() {
    migrate(MigrationFiles.copyOfReference());
    MigrationFiles edited =
        MigrationFiles.copyOfReference()
            .with("V1__initial_schema.sql", "CREATE TABLE job_listings (id BIGINT PRIMARY KEY);\n")
            .with("V3__add_salary.sql", "ALTER TABLE job_listings ADD COLUMN salary INTEGER;\n");
    MigratorConfiguration configuration =
        Migrator.configure()
            .connection(database)
            .migrations(MigrationSet.fromDirectory(edited.directory()));

    MigrationResult validation = configuration.load().validate();
    MigrationResult migration = configuration.load().migrate();

    assertThat(validation.failure().reason()).isEqualTo(FailureReason.ValidationFailed);
    assertThat(validation.failure().version()).isEqualTo("1");
    assertThat(validation.failure().message())
        .isEqualTo(
            "version 1 (initial schema) was changed after it was applied (its checksum differs"
                + " from the history): restore the file as it was applied and put the change in a"
                + " new version; if the change is only cosmetic, run repair to record the new"
                + " checksum");
    assertThat(migration.failure().reason()).isEqualTo(FailureReason.ValidationFailed);
    assertThat(migration.applied()).isEmpty();
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
  }
}
