package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.contract.AppliedMigration;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Undo scripts make every change reversible, and nothing is undone halfway. */
class UndoIT {

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);

  private MigratorConfiguration configure(MigrationFiles files) {
    return Migrator.configure()
        .connection(database)
        .migrations(MigrationSet.fromDirectory(files.directory()));
  }

  private List<String> catalog() {
    return Catalog.snapshot(postgres, database.database(), "public");
  }

  @Test
  void undoToZeroThenMigrateRecreatesTheSameCatalog() {
    MigrationFiles reference = MigrationFiles.copyOfReference();
    configure(reference).load().migrate();
    List<String> afterFirstMigrate = catalog();

    MigrationResult undone = configure(reference).load().undo("0");

    assertThat(undone.failure()).isNull();
    assertThat(undone.outcome()).isEqualTo(Outcome.Downgraded);
    assertThat(undone.undone()).extracting(AppliedMigration::version).containsExactly("2", "1");
    assertThat(undone.versionBefore()).isEqualTo("2");
    assertThat(undone.versionAfter()).isNull();
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .containsExactly("flyway_schema_history");
    assertThat(Catalog.history(postgres, database.database(), "public")).isEmpty();

    MigrationResult again = configure(reference).load().migrate();

    assertThat(again.applied()).extracting(AppliedMigration::version).containsExactly("1", "2");
    assertThat(catalog()).isNotEmpty().isEqualTo(afterFirstMigrate);
  }

  @Test
  void migrateToALowerTargetUndoesOnlyWhenDowngradesAreAllowed() {
    MigrationFiles reference = MigrationFiles.copyOfReference();
    configure(reference).load().migrate();

    MigrationResult refused = configure(reference).target("1").load().migrate();
    assertThat(refused.failure().reason()).isEqualTo(FailureReason.DowngradeNotAllowed);
    assertThat(refused.failure().message())
        .isEqualTo(
            "the database is at version 2 and the target 1 is below it; allow downgrades to run the"
                + " undo scripts");
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");

    MigrationResult downgraded =
        configure(reference).target("1").allowDowngrade(true).load().migrate();
    assertThat(downgraded.outcome()).isEqualTo(Outcome.Downgraded);
    assertThat(downgraded.versionAfter()).isEqualTo("1");
    assertThat(catalog()).noneMatch(line -> line.contains("is_remote"));
  }

  @Test
  void missingUndoScriptRefusesAndChangesNothing() {
    MigrationFiles withoutUndoOfTwo =
        MigrationFiles.copyOfReference().without("U2__add_is_remote_to_job_listings.sql");
    configure(withoutUndoOfTwo).load().migrate();
    List<String> before = catalog();

    MigrationResult result = configure(withoutUndoOfTwo).load().undo("0");

    assertThat(result.failure().reason()).isEqualTo(FailureReason.UndoScriptMissing);
    assertThat(result.failure().message())
        .isEqualTo(
            "no undo script for version 2: add U<version>__<description>.sql for each; nothing was undone");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(catalog()).isEqualTo(before);
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
  }

  @Test
  void failingUndoScriptLeavesSchemaAndHistoryAsTheyWere() {
    MigrationFiles files =
        MigrationFiles.copyOfReference()
            .with(
                "U2__add_is_remote_to_job_listings.sql",
                "DROP INDEX ix_job_listings_is_remote;\nALTER TABLE job_listings DROP COLUMN nope;\n");
    configure(files).load().migrate();
    List<String> before = catalog();

    MigrationResult result = configure(files).load().undo("1");

    assertThat(result.failure().reason()).isEqualTo(FailureReason.UndoFailed);
    assertThat(result.failure().version()).isEqualTo("2");
    assertThat(catalog()).isEqualTo(before);
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
  }
}
