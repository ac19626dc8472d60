package io.jobgtm.schema.migrator;

import static io.jobgtm.schema.migrator.testing.ResultDocuments.json;
import static io.jobgtm.schema.migrator.testing.ResultDocuments.texts;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobgtm.schema.contract.AppliedMigration;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.ReferenceFlyway;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A version added below the current one is shown by {@code info} and refused by {@code migrate};
 * and no failure message sends the reader to a temporary path, a web page or a Flyway flag the
 * migrator does not have.
 */
class OutOfOrderIT {

  /** What a message must never contain: staging paths, URLs, and flags of Flyway, not ours. */
  private static final List<String> FOREIGN =
      List.of(
          "/tmp/",
          "schema-migrations-",
          "http",
          "outOfOrder",
          "ignoreMigrationPatterns",
          "-outOfOrder",
          "cleanOnValidationError",
          "baselineOnMigrate");

  private static final String ROUTES =
      "CREATE TABLE courier_routes (\n"
          + "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
          + "  name TEXT NOT NULL\n"
          + ");\n";

  private static final String STOPS =
      "CREATE TABLE route_stops (\n"
          + "  route_id BIGINT NOT NULL REFERENCES courier_routes (id),\n"
          + "  position INTEGER NOT NULL,\n"
          + "  PRIMARY KEY (route_id, position)\n"
          + ");\n";

  private static final String PRIORITY =
      "ALTER TABLE courier_routes ADD COLUMN priority SMALLINT NOT NULL DEFAULT 0;\n";

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);
  private final MigrationFiles files =
      MigrationFiles.empty()
          .with("V1__courier_routes.sql", ROUTES)
          .with("V3__route_stops.sql", STOPS);
  private List<String> catalogAtThree;

  @BeforeEach
  void applyOneAndThree() {
    MigrationResult result = configure().load().migrate();
    assertThat(result.failure()).isNull();
    assertThat(history()).containsExactly("1:SQL:true", "3:SQL:true");
    catalogAtThree = catalog();
    assertThat(catalogAtThree)
        .contains("column route_stops.position integer null=NO default=-")
        .noneMatch(line -> line.contains("priority"));
  }

  private MigratorConfiguration configure() {
    return Migrator.configure()
        .connection(database)
        .migrations(MigrationSet.fromDirectory(files.directory()));
  }

  private List<String> history() {
    return Catalog.history(postgres, database.database(), "public");
  }

  private List<String> catalog() {
    return Catalog.snapshot(postgres, database.database(), "public");
  }

  // flyway/flyway#1295: a lower version merged after a higher one was applied.
  @Test
  void versionAddedBelowTheCurrentOneIsShownByInfoAndRefusedByMigrate() throws Exception {
    files.with("V2__route_priority.sql", PRIORITY);

    MigrationResult info = configure().load().info();

    assertThat(info.exitCode()).isEqualTo(0);
    assertThat(info.outcome()).isEqualTo(Outcome.Reported);
    assertThat(info.versionAfter()).isEqualTo("3");
    assertThat(info.applied()).extracting(AppliedMigration::version).containsExactly("1", "3");
    assertThat(texts(json(info), "outOfOrder")).containsExactly("2");
    assertThat(history()).containsExactly("1:SQL:true", "3:SQL:true");
    assertThat(catalog()).isEqualTo(catalogAtThree);

    MigrationResult migrate = configure().load().migrate();

    assertThat(migrate.exitCode()).isEqualTo(2);
    assertThat(migrate.outcome()).isEqualTo(Outcome.Failed);
    assertThat(migrate.failure().reason()).isEqualTo(FailureReason.ValidationFailed);
    assertThat(migrate.failure().version()).isEqualTo("2");
    assertNamesVersionWithoutForeignWords(migrate.failure().message(), "2");
    // The refusal says how to allow it, in this migrator's own words.
    assertThat(migrate.failure().message()).contains("--out-of-order", "OUT_OF_ORDER=true");
    assertThat(migrate.applied()).isEmpty();
    assertThat(migrate.versionAfter()).isEqualTo("3");
    assertThat(history()).containsExactly("1:SQL:true", "3:SQL:true");
    assertThat(catalog()).isEqualTo(catalogAtThree);
  }

  // flyway/flyway#1295 again, allowed: applied as Flyway's own outOfOrder(true) applies it, in
  // version order with the versions above the current one.
  @Test
  void allowedOutOfOrderAppliesTheLowerVersionAsFlywayDoes() {
    String reference = postgres.createDatabase();
    ReferenceFlyway.on(postgres, reference, files.directory()).migrate();
    files
        .with("V2__route_priority.sql", PRIORITY)
        .with("V4__route_depots.sql", "CREATE TABLE route_depots (id INTEGER PRIMARY KEY);\n");

    MigrationPlan plan = configure().outOfOrder(true).load().plan();
    MigrationResult info = configure().outOfOrder(true).load().info();
    assertThat(plan.result().failure()).isNull();
    assertThat(plan.pending())
        .extracting(MigrationScript::fileName)
        .containsExactly("V2__route_priority.sql", "V4__route_depots.sql");
    assertThat(info.pending()).containsExactly("2", "4");
    assertThat(info.outOfOrder()).isEmpty();
    assertThat(history()).containsExactly("1:SQL:true", "3:SQL:true");

    MigrationResult migrated = configure().outOfOrder(true).load().migrate();
    ReferenceFlyway.configure(postgres, reference, "public", files.directory())
        .outOfOrder(true)
        .load()
        .migrate();

    assertThat(migrated.failure()).as(String.valueOf(migrated.failure())).isNull();
    assertThat(migrated.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(migrated.versionBefore()).isEqualTo("3");
    assertThat(migrated.versionAfter()).isEqualTo("4");
    assertThat(migrated.applied()).extracting(AppliedMigration::version).containsExactly("2", "4");
    assertThat(migrated.pending()).isEmpty();
    assertThat(migrated.outOfOrder()).isEmpty();
    assertThat(history()).containsExactly("1:SQL:true", "3:SQL:true", "2:SQL:true", "4:SQL:true");
    assertThat(Catalog.historyEntries(postgres, database.database(), "public"))
        .isEqualTo(Catalog.historyEntries(postgres, reference, "public"));
    assertThat(catalog())
        .isEqualTo(Catalog.snapshot(postgres, reference, "public"))
        .contains("column courier_routes.priority smallint null=NO default=0");

    // Applied, version 2 is history like any other: no setting is needed to go on from here.
    assertThat(configure().load().validate().failure()).isNull();
    assertThat(configure().load().info().outOfOrder()).isEmpty();
    assertThat(configure().load().migrate().outcome()).isEqualTo(Outcome.UpToDate);
    assertThat(history()).containsExactly("1:SQL:true", "3:SQL:true", "2:SQL:true", "4:SQL:true");
  }

  @Test
  void cliOutOfOrderFlagAppliesTheLowerVersion() {
    files.with("V2__route_priority.sql", PRIORITY);

    Cli migrate = cli("migrate", "--out-of-order");

    assertThat(migrate.run().exitCode()).as(migrate.run().toString()).isZero();
    assertThat(migrate.result().get("outcome").asText()).isEqualTo("Migrated");
    assertThat(migrate.result().get("applied").get(0).get("version").asText()).isEqualTo("2");
    assertNoForeignWords(migrate.run().stdout() + migrate.run().stderr());
    assertThat(history()).containsExactly("1:SQL:true", "3:SQL:true", "2:SQL:true");
    assertThat(catalog()).contains("column courier_routes.priority smallint null=NO default=0");
  }

  // flyway/flyway#1363: what info shows, migrate must refuse too, in the same words.
  @Test
  void cliInfoPrintsTheOutOfOrderVersionAndMigrateRefusesIt() {
    files.with("V2__route_priority.sql", PRIORITY);

    Cli info = cli("info");

    assertThat(info.run().exitCode()).as(info.run().toString()).isEqualTo(0);
    assertThat(info.run().stdout().lines())
        .contains(
            "applied: 1 courier routes",
            "applied: 3 route stops",
            "not applied (out of order): 2 route priority");
    assertThat(texts(info.result(), "outOfOrder")).containsExactly("2");
    assertThat(info.result().get("versionAfter").asText()).isEqualTo("3");
    assertNoForeignWords(info.run().stdout() + info.run().stderr());
    assertThat(history()).containsExactly("1:SQL:true", "3:SQL:true");

    Cli migrate = cli("migrate");

    assertThat(migrate.run().exitCode()).as(migrate.run().toString()).isEqualTo(2);
    assertThat(migrate.result().get("outcome").asText()).isEqualTo("Failed");
    assertThat(migrate.result().get("failure").get("reason").asText())
        .isEqualTo("ValidationFailed");
    assertThat(migrate.result().get("failure").get("version").asText()).isEqualTo("2");
    assertNamesVersionWithoutForeignWords(
        migrate.result().get("failure").get("message").asText(), "2");
    assertNoForeignWords(migrate.run().stdout() + migrate.run().stderr());
    assertThat(history()).containsExactly("1:SQL:true", "3:SQL:true");
    assertThat(catalog()).isEqualTo(catalogAtThree);
  }

  // sbdchd/squawk#1230: a failed non-transactional migration, then the rerun refused for it.
  @Test
  void failedMigrationAndTheRefusedRerunNameTheVersionOnly() {
    files.with(
        "V4__index_route_depot.sql",
        "CREATE INDEX CONCURRENTLY ix_courier_routes_depot ON courier_routes (depot);\n");

    MigrationResult failed = configure().load().migrate();

    assertThat(failed.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(failed.failure().version()).isEqualTo("4");
    assertNamesVersionWithoutForeignWords(failed.failure().message(), "4");
    assertThat(history()).containsExactly("1:SQL:true", "3:SQL:true", "4:SQL:false");
    assertThat(catalog()).isEqualTo(catalogAtThree);

    MigrationResult rerun = configure().load().migrate();

    assertThat(rerun.failure().reason()).isEqualTo(FailureReason.ValidationFailed);
    assertThat(rerun.failure().version()).isEqualTo("4");
    assertNamesVersionWithoutForeignWords(rerun.failure().message(), "4");
    assertThat(history()).containsExactly("1:SQL:true", "3:SQL:true", "4:SQL:false");
    assertThat(catalog()).isEqualTo(catalogAtThree);
  }

  // quarkusio/registry.quarkus.io#140: Flyway's checksum mismatch message ends in a URL.
  @Test
  void checksumMismatchNamesTheVersionOnly() {
    files.with("V3__route_stops.sql", STOPS + "COMMENT ON TABLE route_stops IS 'edited';\n");

    MigrationResult validate = configure().load().validate();
    MigrationResult migrate = configure().load().migrate();

    assertThat(validate.failure().reason()).isEqualTo(FailureReason.ValidationFailed);
    assertThat(validate.failure().version()).isEqualTo("3");
    assertNamesVersionWithoutForeignWords(validate.failure().message(), "3");
    assertThat(migrate.failure().reason()).isEqualTo(FailureReason.ValidationFailed);
    assertThat(migrate.failure().version()).isEqualTo("3");
    assertNamesVersionWithoutForeignWords(migrate.failure().message(), "3");
    assertThat(migrate.applied()).isEmpty();
    assertThat(history()).containsExactly("1:SQL:true", "3:SQL:true");
    assertThat(catalog()).isEqualTo(catalogAtThree);
  }

  // flyway/flyway#988: an applied migration whose file was deleted from the set.
  @Test
  void missingAppliedMigrationFileNamesTheVersionOnly() {
    // V1, not V3: an applied version above every file is a newer release's, and is accepted.
    files.without("V1__courier_routes.sql");

    MigrationResult migrate = configure().load().migrate();

    assertThat(migrate.exitCode()).isEqualTo(2);
    assertThat(migrate.failure().reason()).isEqualTo(FailureReason.ValidationFailed);
    assertThat(migrate.failure().version()).isEqualTo("1");
    assertNamesVersionWithoutForeignWords(migrate.failure().message(), "1");
    assertThat(migrate.applied()).isEmpty();
    assertThat(history()).containsExactly("1:SQL:true", "3:SQL:true");
    assertThat(catalog()).isEqualTo(catalogAtThree);

    Cli info = cli("info");
    assertThat(info.run().exitCode()).as(info.run().toString()).isZero();
    assertThat(info.run().stdout().lines())
        .contains("applied (file missing): 1 courier routes", "applied: 3 route stops");
    assertThat(history()).containsExactly("1:SQL:true", "3:SQL:true");

    // Removed on purpose: repair records the removal, and nothing reports 1 as applied after it.
    MigrationResult repaired = configure().load().repair();
    assertThat(repaired.exitCode()).as(String.valueOf(repaired.failure())).isZero();
    assertThat(history()).containsExactly("1:SQL:true", "3:SQL:true", "1:DELETE:true");
    MigrationResult afterRepair = configure().load().info();
    assertThat(afterRepair.applied()).extracting(AppliedMigration::version).containsExactly("3");
    assertThat(afterRepair.versionAfter()).isEqualTo("3");
    assertThat(configure().load().migrate().outcome()).isEqualTo(Outcome.UpToDate);
    assertThat(catalog()).isEqualTo(catalogAtThree);
  }

  // flyway/flyway#3873: a script error message naming a local path and a URL.
  @Test
  void syntaxErrorNamesTheVersionOnly() {
    files.with(
        "V4__route_notes.sql",
        "ALTER TABLE courier_routes ADD COLUMN notes TEXT;\n"
            + "ALTER TABLE courier_routes ADD COLUMN;\n");

    MigrationResult migrate = configure().load().migrate();

    assertThat(migrate.exitCode()).isEqualTo(2);
    assertThat(migrate.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(migrate.failure().version()).isEqualTo("4");
    assertThat(migrate.failure().message()).contains("42601");
    assertNamesVersionWithoutForeignWords(migrate.failure().message(), "4");
    assertThat(migrate.versionAfter()).isEqualTo("3");
    assertThat(history()).containsExactly("1:SQL:true", "3:SQL:true");
    assertThat(catalog()).isEqualTo(catalogAtThree);
  }

  // flyway/flyway#3873: through the command line, every printed line is held to the same rule.
  @Test
  void cliSyntaxErrorPrintsNoForeignWords() {
    files.with("V4__route_notes.sql", "ALTER TABLE courier_routes ADD COLUMN notes TEXT,;\n");

    Cli migrate = cli("migrate");

    assertThat(migrate.run().exitCode()).as(migrate.run().toString()).isEqualTo(2);
    assertThat(migrate.result().get("failure").get("reason").asText()).isEqualTo("MigrationFailed");
    assertThat(migrate.result().get("failure").get("version").asText()).isEqualTo("4");
    assertNamesVersionWithoutForeignWords(
        migrate.result().get("failure").get("message").asText(), "4");
    assertNoForeignWords(migrate.run().stdout() + migrate.run().stderr());
    assertThat(migrate.result().get("versionAfter").asText()).isEqualTo("3");
    assertThat(history()).containsExactly("1:SQL:true", "3:SQL:true");
    assertThat(catalog()).isEqualTo(catalogAtThree);
  }

  // flyway/flyway#988: a version whose files were removed on purpose and marked deleted by repair
  // has nothing to undo; undoing below it skips it.
  @Test
  void undoSkipsAVersionThatRepairMarkedDeleted() {
    List<String> catalogAtOne = catalogWithout("route_stops");
    files
        .with("U1__courier_routes.sql", "DROP TABLE courier_routes;\n")
        .with("U3__route_stops.sql", "DROP TABLE route_stops;\n")
        .with("V4__route_priority.sql", PRIORITY)
        .with("U4__route_priority.sql", "ALTER TABLE courier_routes DROP COLUMN priority;\n")
        .with("V5__route_depots.sql", "CREATE TABLE route_depots (id INTEGER PRIMARY KEY);\n")
        .with("U5__route_depots.sql", "DROP TABLE route_depots;\n");
    assertThat(configure().load().migrate().failure()).isNull();
    assertThat(history()).containsExactly("1:SQL:true", "3:SQL:true", "4:SQL:true", "5:SQL:true");
    // Version 4 is withdrawn: its files go, its column is dropped by hand, repair records it.
    files.without("V4__route_priority.sql").without("U4__route_priority.sql");
    postgres.execute(database.database(), "ALTER TABLE courier_routes DROP COLUMN priority");
    MigrationResult repaired = configure().load().repair();
    assertThat(repaired.failure()).isNull();
    assertThat(history())
        .containsExactly("1:SQL:true", "3:SQL:true", "4:SQL:true", "5:SQL:true", "4:DELETE:true");

    MigrationResult undone = configure().load().undo("1");

    assertThat(undone.failure()).as(String.valueOf(undone)).isNull();
    assertThat(undone.exitCode()).isZero();
    assertThat(undone.outcome()).isEqualTo(Outcome.Downgraded);
    assertThat(undone.undone()).extracting(AppliedMigration::version).containsExactly("5", "3");
    assertThat(undone.versionBefore()).isEqualTo("5");
    assertThat(undone.versionAfter()).isEqualTo("1");
    // Version 4 keeps its entries, with the removal that repair recorded.
    assertThat(history()).containsExactly("1:SQL:true", "4:SQL:true", "4:DELETE:true");
    assertThat(configure().load().info().versionAfter()).isEqualTo("1");
    assertThat(catalog()).isEqualTo(catalogAtOne);
  }

  // flyway/flyway#1295: a version merged below the current one is no reason to refuse an undo to
  // below both.
  @Test
  void undoBelowAnOutOfOrderVersionIsNotRefused() {
    List<String> catalogAtOne = catalogWithout("route_stops");
    files
        .with("U3__route_stops.sql", "DROP TABLE route_stops;\n")
        .with("V2__route_priority.sql", PRIORITY)
        .with("U2__route_priority.sql", "ALTER TABLE courier_routes DROP COLUMN priority;\n");
    assertThat(texts(json(configure().load().info()), "outOfOrder")).containsExactly("2");

    MigrationResult undone = configure().load().undo("1");

    assertThat(undone.failure()).as(String.valueOf(undone)).isNull();
    assertThat(undone.exitCode()).isZero();
    assertThat(undone.outcome()).isEqualTo(Outcome.Downgraded);
    assertThat(undone.undone()).extracting(AppliedMigration::version).containsExactly("3");
    assertThat(undone.versionBefore()).isEqualTo("3");
    assertThat(undone.versionAfter()).isEqualTo("1");
    assertThat(history()).containsExactly("1:SQL:true");
    assertThat(catalog()).isEqualTo(catalogAtOne);
  }

  /** The catalog at three, without the lines of one table. */
  private List<String> catalogWithout(String table) {
    return catalogAtThree.stream().filter(line -> !line.contains(table)).toList();
  }

  private static void assertNamesVersionWithoutForeignWords(String message, String version) {
    assertThat(message).isNotBlank();
    assertNoForeignWords(message);
    assertThat(message)
        .as("names version %s", version)
        .containsPattern("(?<![0-9.])" + Pattern.quote(version) + "(?![0-9]|\\.[0-9])");
  }

  private static void assertNoForeignWords(String text) {
    for (String word : FOREIGN) {
      assertThat(text).as("no %s in: %s", word, text).doesNotContain(word);
    }
  }

  /** One finished CLI command and the result document it wrote. */
  private record Cli(MigratorProcess.Finished run, JsonNode result) {}

  private Cli cli(String command, String... flags) {
    try {
      Path resultFile = Files.createTempFile("result-", ".json");
      List<String> arguments =
          new java.util.ArrayList<>(
              List.of(
                  command,
                  "--migrations",
                  files.directory().toString(),
                  "--result-file",
                  resultFile.toString()));
      arguments.addAll(List.of(flags));
      MigratorProcess.Finished run =
          MigratorProcess.of(database, postgres.password(), arguments.toArray(String[]::new)).run();
      String document = Files.readString(resultFile);
      assertThat(document).as("result file of %s: %s", command, run).isNotBlank();
      // The directory given on the command line may be named; it is the caller's own path.
      MigratorProcess.Finished shown =
          new MigratorProcess.Finished(
              run.exitCode(),
              run.stdout().replace(files.directory().toString(), "<migrations>"),
              run.stderr().replace(files.directory().toString(), "<migrations>"));
      return new Cli(shown, new ObjectMapper().readTree(document));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
