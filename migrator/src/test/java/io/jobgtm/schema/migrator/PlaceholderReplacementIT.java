package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.migrator.testing.DatabaseProbe;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.ReferenceFlyway;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Placeholder replacement turned on: configured values and Flyway's built-ins replaced in every
 * kind of script (versioned, repeatable, callback, undo), names matched without regard to case,
 * another prefix and suffix, through the API and the CLI. Each folder also runs through Flyway's
 * own API with the same placeholder settings, and catalog and history entries (checksums are taken
 * after replacement, by Flyway) are compared. A placeholder without a value is refused before
 * anything runs, naming every file and line.
 */
class PlaceholderReplacementIT {

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres, "fleet");
  private final String reference = postgres.createDatabase();

  private static final Map<String, String> VALUES = Map.of("owner", "logistics", "Region", "eu");

  private static MigrationFiles folder() {
    return MigrationFiles.empty()
        .with(
            "V1__depots.sql",
            "CREATE TABLE depots (id BIGINT PRIMARY KEY, region TEXT DEFAULT '${region}');\n"
                + "COMMENT ON TABLE depots IS 'owned by ${OWNER}, in ${flyway:defaultSchema},"
                + " history in ${flyway:table}';\n")
        .with(
            "V2__depot_names.sql",
            "ALTER TABLE depots ADD COLUMN name TEXT;\n"
                + "COMMENT ON COLUMN depots.name IS 'from ${flyway:filename}';\n")
        .with("U2__depot_names.sql", "ALTER TABLE depots DROP COLUMN name; -- ${owner}\n")
        .with(
            "R__depot_view.sql",
            "CREATE OR REPLACE VIEW ${region}_depots AS SELECT id FROM depots"
                + " WHERE region = '${region}';\n")
        .with("afterMigrate__owner.sql", "COMMENT ON VIEW ${region}_depots IS 'for ${owner}';\n");
  }

  @Test
  void valuesAndBuiltInsAreReplacedInEveryKindOfScriptAsFlywayReplacesThem() {
    MigrationFiles files = folder();

    MigrationPlan plan = configure(files).load().plan();
    MigrationResult migrated = configure(files).load().migrate();
    // Flyway's community edition refuses undo scripts: the reference runs without them.
    ReferenceFlyway.configure(
            postgres, reference, "fleet", files.copy().without("U2__depot_names.sql").directory())
        .placeholderReplacement(true)
        .placeholders(VALUES)
        .load()
        .migrate();

    assertThat(plan.sqlOf(plan.pending().get(0)))
        .contains("DEFAULT 'eu'")
        .contains("'owned by logistics, in fleet, history in flyway_schema_history'");
    assertThat(plan.sqlOf(plan.callbacks().get(0)))
        .isEqualTo("COMMENT ON VIEW eu_depots IS 'for logistics';\n");
    assertThat(migrated.failure()).isNull();
    assertThat(
            DatabaseProbe.strings(
                postgres,
                database.database(),
                "SELECT obj_description('fleet.depots'::regclass) UNION ALL"
                    + " SELECT col_description('fleet.depots'::regclass, 3) UNION ALL"
                    + " SELECT obj_description('fleet.eu_depots'::regclass)"))
        .containsExactly(
            "owned by logistics, in fleet, history in flyway_schema_history",
            "from V2__depot_names.sql",
            "for logistics");
    ReferenceFlyway.assertSameSchema(postgres, database.database(), reference, "fleet");

    // The undo script's placeholders are replaced too, and a second migrate has nothing to do.
    MigrationResult undone = configure(files).allowDowngrade(true).target("1").load().migrate();
    assertThat(undone.failure()).isNull();
    assertThat(Catalog.history(postgres, database.database(), "fleet"))
        .containsExactly("-:SCHEMA:true", "1:SQL:true", "-:SQL:true");
    MigrationResult again = configure(files).load().migrate();
    assertThat(again.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(configure(files).load().migrate().outcome()).isEqualTo(Outcome.UpToDate);
  }

  @Test
  void aPlaceholderWithoutAValueIsRefusedBeforeAnythingRunsNamingEveryFileAndLine() {
    MigrationFiles files =
        folder()
            .with(
                "V3__depot_tenants.sql",
                "ALTER TABLE depots\n  ADD COLUMN tenant TEXT DEFAULT '${tenant}';\n")
            .with("afterMigrate__audit.sql", "SELECT 1;\n-- ${flyway:unknown} ${auditor\n");

    MigrationResult planned = configure(files).load().plan().result();
    MigrationResult refused = configure(files).load().migrate();

    assertThat(refused.failure().reason()).isEqualTo(FailureReason.InvalidConfiguration);
    assertThat(refused.failure().message())
        .isEqualTo(planned.failure().message())
        .startsWith(
            "3 placeholders have no value: V3__depot_tenants.sql line 2: ${tenant};"
                + " afterMigrate__audit.sql line 2: ${flyway:unknown};"
                + " afterMigrate__audit.sql line 2: ${ without }.")
        .endsWith("nothing was run");
    assertThat(refused.versionAfter()).isNull();
    assertThat(Catalog.tables(postgres, database.database(), "fleet")).isEmpty();
    assertThat(
            DatabaseProbe.strings(
                postgres,
                database.database(),
                "SELECT nspname FROM pg_namespace WHERE nspname = 'fleet'"))
        .isEmpty();
  }

  @Test
  void anotherPrefixAndSuffixThroughTheCommandLineAndItsEnvironment() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                "V1__depots.sql",
                "CREATE TABLE depots (id BIGINT PRIMARY KEY);\n"
                    + "COMMENT ON TABLE depots IS 'owned by #[owner] in #[flyway:database],"
                    + " not ${owner}';\n");

    MigratorProcess.Finished run =
        MigratorProcess.of(
                database,
                postgres.password(),
                "migrate",
                "--migrations",
                files.directory().toString(),
                "--placeholder",
                "owner=logistics")
            .withEnvironment("PLACEHOLDER_REPLACEMENT", "true")
            .withEnvironment("PLACEHOLDERS", "{\"owner\":\"overridden by the flag\"}")
            .withEnvironment("PLACEHOLDER_PREFIX", "#[")
            .withEnvironment("PLACEHOLDER_SUFFIX", "]")
            .run();
    ReferenceFlyway.configure(postgres, reference, "fleet", files.directory())
        .placeholderReplacement(true)
        .placeholders(Map.of("owner", "logistics"))
        .placeholderPrefix("#[")
        .placeholderSuffix("]")
        .load()
        .migrate();

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(
            DatabaseProbe.string(
                postgres, database.database(), "SELECT obj_description('fleet.depots'::regclass)"))
        .isEqualTo("owned by logistics in " + database.database() + ", not ${owner}");
    assertThat(Catalog.historyEntries(postgres, database.database(), "fleet"))
        .isEqualTo(Catalog.historyEntries(postgres, reference, "fleet"));

    MigratorProcess.Finished badJson =
        MigratorProcess.of(
                database, postgres.password(), "info", "--migrations", files.directory().toString())
            .withEnvironment("PLACEHOLDERS", "{\"owner\": 3}")
            .run();
    assertThat(badJson.exitCode()).isNotZero();
    assertThat(badJson.stdout() + badJson.stderr())
        .contains("--placeholders (PLACEHOLDERS) must be a JSON object whose values are strings");
  }

  @Test
  void aDollarQuoteRightBeforeThePrefixHidesItAsItDoesFromFlywaysReader() {
    // Flyway's reader misses a prefix that starts right after a '$' ($${...}$$, a dollar-quoted
    // JSON literal): the text stays as written, and no value is asked for.
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                "V1__depot_settings.sql",
                "CREATE TABLE depot_settings (doc JSONB NOT NULL);\n"
                    + "INSERT INTO depot_settings VALUES ($${\"opens\": \"06:00\"}$$::jsonb);\n"
                    + "COMMENT ON TABLE depot_settings IS 'kept by ${owner}';\n");

    MigrationPlan plan = configure(files).load().plan();
    MigrationResult migrated = configure(files).load().migrate();
    ReferenceFlyway.configure(postgres, reference, "fleet", files.directory())
        .placeholderReplacement(true)
        .placeholders(VALUES)
        .load()
        .migrate();

    assertThat(plan.result().failure()).isNull();
    assertThat(migrated.failure()).isNull();
    assertThat(
            DatabaseProbe.strings(
                postgres,
                database.database(),
                "SELECT doc->>'opens' FROM fleet.depot_settings UNION ALL"
                    + " SELECT obj_description('fleet.depot_settings'::regclass)"))
        .containsExactly("06:00", "kept by logistics");
    ReferenceFlyway.assertSameSchema(postgres, database.database(), reference, "fleet");
  }

  @Test
  void aFlagOverridesTheSameNameInAnotherCaseAndTwoSpellingsOfOneNameAreRefused() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                "V1__depots.sql",
                "CREATE TABLE depots (id BIGINT PRIMARY KEY);\n"
                    + "COMMENT ON TABLE depots IS 'owned by ${owner}';\n");

    MigratorProcess.Finished plan =
        MigratorProcess.of(
                database,
                postgres.password(),
                "plan",
                "--migrations",
                files.directory().toString(),
                "--placeholder-replacement",
                "--placeholder",
                "OWNER=logistics")
            .withEnvironment("PLACEHOLDERS", "{\"owner\":\"overridden by the flag\"}")
            .run();

    assertThat(plan.exitCode()).as(plan.toString()).isZero();
    assertThat(plan.stdout()).contains("'owned by logistics'").doesNotContain("overridden");

    Map<String, String> twoSpellings = new java.util.LinkedHashMap<>();
    twoSpellings.put("owner", "logistics");
    twoSpellings.put("Owner", "finance");
    assertThatThrownBy(
            () ->
                Migrator.configure()
                    .connection(database)
                    .placeholders(true, twoSpellings, null, null))
        .isInstanceOf(MigrationException.class)
        .hasMessage(
            "placeholders Owner and owner are one placeholder (names are matched without regard"
                + " to case, as in Flyway): give it once");
  }

  @Test
  void aNewValueReappliesTheRepeatableMigrationsThatUseItAndLeavesAppliedVersionsAsTheyWere() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                "V1__depots.sql",
                "CREATE TABLE depots (id BIGINT PRIMARY KEY);\n"
                    + "COMMENT ON TABLE depots IS 'owned by ${owner}';\n")
            .with(
                "R__depot_view.sql",
                "CREATE OR REPLACE VIEW depot_ids AS SELECT id FROM depots;\n"
                    + "COMMENT ON VIEW depot_ids IS 'for ${owner}';\n");
    Map<String, String> renamed = Map.of("owner", "fleet-ops");

    configure(files).load().migrate();
    MigrationResult validated =
        Migrator.configure()
            .connection(database)
            .placeholders(true, renamed, null, null)
            .migrations(MigrationSet.fromDirectory(files.directory()))
            .load()
            .validate();
    MigrationResult migrated =
        Migrator.configure()
            .connection(database)
            .placeholders(true, renamed, null, null)
            .migrations(MigrationSet.fromDirectory(files.directory()))
            .load()
            .migrate();
    // Flyway's own API, the same two runs: its checksum of a repeatable migration is taken after
    // replacement, of a versioned one before.
    ReferenceFlyway.configure(postgres, reference, "fleet", files.directory())
        .placeholderReplacement(true)
        .placeholders(VALUES)
        .load()
        .migrate();
    ReferenceFlyway.configure(postgres, reference, "fleet", files.directory())
        .placeholderReplacement(true)
        .placeholders(renamed)
        .load()
        .migrate();

    assertThat(validated.failure()).isNull();
    assertThat(migrated.failure()).isNull();
    assertThat(migrated.appliedRepeatables())
        .extracting(io.jobgtm.schema.contract.AppliedMigration::description)
        .containsExactly("depot view");
    assertThat(
            DatabaseProbe.strings(
                postgres,
                database.database(),
                "SELECT obj_description('fleet.depots'::regclass) UNION ALL"
                    + " SELECT obj_description('fleet.depot_ids'::regclass)"))
        .containsExactly("owned by logistics", "for fleet-ops");
    assertThat(Catalog.historyEntries(postgres, database.database(), "fleet"))
        .isEqualTo(Catalog.historyEntries(postgres, reference, "fleet"));
  }

  private MigratorConfiguration configure(MigrationFiles files) {
    return Migrator.configure()
        .connection(database)
        .placeholders(true, VALUES, null, null)
        .migrations(MigrationSet.fromDirectory(files.directory()));
  }
}
