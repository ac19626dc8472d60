package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.contract.AppliedMigration;
import io.jobgtm.schema.contract.Drift;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.JobEnvironment;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.contract.SchemaVerification;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Drift: after {@code migrate} the live schema is compared with a replay of the set at the version
 * reached, {@code verify} does the same on a read-only session, and {@code ON_DRIFT=Block} refuses
 * to migrate a drifted schema before writing anything. The shadow is another database of the same
 * server; the migrated database's catalog and history are checked after every run.
 */
class DriftIT {

  private static final String SHA256 = "sha256:[0-9a-f]{64}";

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);
  private final String shadowDatabase = postgres.createDatabase();
  private final List<String> progress = new ArrayList<>();

  private String shadowUrl() {
    return "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/" + shadowDatabase;
  }

  private MigratorConfiguration configure(Path migrations) {
    return Migrator.configure()
        .connection(database)
        .migrations(MigrationSet.fromDirectory(migrations))
        .shadow(ShadowDatabase.fromUrl(shadowUrl(), PostgresServer.SUPERUSER, postgres.password()))
        .progress(progress::add);
  }

  private MigratorConfiguration reference() {
    return configure(MigrationFiles.reference());
  }

  private List<String> history() {
    return Catalog.history(postgres, database.database(), "public");
  }

  private List<String> snapshot() {
    return Catalog.snapshot(postgres, database.database(), "public");
  }

  private void dropIsRemote() {
    postgres.execute(database.database(), "ALTER TABLE job_listings DROP COLUMN is_remote");
  }

  @Test
  void aMigratedSchemaMatchesTheReplayAfterMigrateAndOnVerify() {
    MigrationResult migrated = reference().load().migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(migrated.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(migrated.serverVersion()).isEqualTo("17.6");
    SchemaVerification after = migrated.verification();
    assertThat(after.drift()).isEqualTo(Drift.None);
    assertThat(after.version()).isEqualTo("2");
    assertThat(after.fingerprint()).matches(SHA256).isEqualTo(after.expectedFingerprint());
    List<String> catalog = snapshot();

    MigrationResult verified = reference().load().verify();

    assertThat(verified.failure()).isNull();
    assertThat(verified.outcome()).isEqualTo(Outcome.Verified);
    assertThat(verified.serverVersion()).isEqualTo("17.6");
    assertThat(verified.verification()).isEqualTo(after);
    assertThat(progress).contains("read-only session: default_transaction_read_only=on");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(snapshot()).isEqualTo(catalog);
    assertThat(replaySchemasLeftInTheShadow()).isEmpty();
  }

  @Test
  void aColumnDroppedByHandIsDriftNamedByVerifyAndFixingItClearsIt() throws Exception {
    assertThat(reference().load().migrate().failure()).isNull();
    dropIsRemote();
    List<String> catalog = snapshot();
    Path resultFile = Files.createTempFile("result-", ".json");

    MigratorProcess.Finished drifted = verifyProcess(resultFile).run();

    assertThat(drifted.exitCode()).as(drifted.toString()).isZero();
    assertThat(drifted.stdout())
        .contains("read-only session: default_transaction_read_only=on\n")
        .contains("drifted from version 2: 2 difference(s), fingerprint sha256:")
        .contains(
            "drift: missing column job_listings.is_remote: boolean NOT NULL DEFAULT false\n",
            "drift: missing index ix_job_listings_is_remote: CREATE INDEX ON job_listings USING"
                + " btree (is_remote)\n");
    MigrationResult result = read(resultFile);
    assertThat(result.outcome()).isEqualTo(Outcome.Verified);
    assertThat(result.verification().drift()).isEqualTo(Drift.Drifted);
    assertThat(result.verification().version()).isEqualTo("2");
    assertThat(result.verification().differenceCount()).isEqualTo(2);
    assertThat(result.verification().differences())
        .containsExactly(
            "missing column job_listings.is_remote: boolean NOT NULL DEFAULT false",
            "missing index ix_job_listings_is_remote: CREATE INDEX ON job_listings USING btree"
                + " (is_remote)");
    assertThat(result.verification().fingerprint())
        .matches(SHA256)
        .isNotEqualTo(result.verification().expectedFingerprint());
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(snapshot()).isEqualTo(catalog);

    postgres.execute(
        database.database(),
        "ALTER TABLE job_listings ADD COLUMN is_remote BOOLEAN NOT NULL DEFAULT false",
        "CREATE INDEX ix_job_listings_is_remote ON job_listings (is_remote)");
    MigratorProcess.Finished fixed = verifyProcess(resultFile).run();

    assertThat(fixed.exitCode()).as(fixed.toString()).isZero();
    assertThat(fixed.stdout()).contains("no drift: the schema matches version 2 of the set");
    assertThat(read(resultFile).verification().drift()).isEqualTo(Drift.None);
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
  }

  /**
   * A repeatable migration changed in the set is not drift: the database holds its former form
   * until the next migrate applies it. Block lets that migrate through, verify reports no drift
   * (naming what it left out), and a real drift beside it is still found.
   */
  @Test
  void aChangedRepeatableMigrationIsNoDriftAndBlockAppliesIt() {
    MigrationFiles files =
        MigrationFiles.copyOfReference()
            .with(
                "R__open_listings.sql",
                "CREATE OR REPLACE VIEW open_listings AS SELECT id FROM job_listings;\n");
    assertThat(configure(files.directory()).onDrift(DriftAction.Block).load().migrate().failure())
        .isNull();
    files.with(
        "R__open_listings.sql",
        "CREATE OR REPLACE VIEW open_listings AS SELECT id, company_title FROM job_listings;\n");
    List<String> catalog = snapshot();

    MigrationResult verified = configure(files.directory()).load().verify();

    assertThat(verified.failure()).isNull();
    assertThat(verified.verification().drift()).isEqualTo(Drift.None);
    assertThat(verified.pendingRepeatables()).containsExactly("open listings");
    assertThat(progress)
        .anyMatch(
            line ->
                line.startsWith("left out of the comparison")
                    && line.contains("view open_listings"));
    assertThat(snapshot()).isEqualTo(catalog);

    MigrationResult migrated =
        configure(files.directory()).onDrift(DriftAction.Block).load().migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(migrated.appliedRepeatables())
        .extracting(AppliedMigration::description)
        .containsExactly("open listings");
    assertThat(migrated.verification().drift()).isEqualTo(Drift.None);
    assertThat(Catalog.historyEntries(postgres, database.database(), "public")).hasSize(4);

    files.with(
        "R__open_listings.sql",
        "CREATE OR REPLACE VIEW open_listings AS SELECT id FROM job_listings;\n");
    dropIsRemote();

    MigrationResult refused =
        configure(files.directory()).onDrift(DriftAction.Block).load().migrate();

    assertThat(refused.failure().reason()).isEqualTo(FailureReason.SchemaDrifted);
    assertThat(refused.verification().differences())
        .anyMatch(line -> line.startsWith("missing column job_listings.is_remote"))
        .noneMatch(line -> line.contains("open_listings"));
    assertThat(Catalog.historyEntries(postgres, database.database(), "public")).hasSize(4);
  }

  @Test
  void blockRefusesADriftedSchemaWritingNothingUntilItsFingerprintIsAccepted() {
    MigrationFiles files =
        MigrationFiles.copyOfReference()
            .with("V3__depots.sql", "CREATE TABLE depots (id BIGINT PRIMARY KEY);\n");
    MigrationResult upToTwo =
        configure(files.directory()).target("2").onDrift(DriftAction.Block).load().migrate();
    assertThat(upToTwo.failure()).isNull();
    assertThat(upToTwo.verification().drift()).isEqualTo(Drift.None);
    dropIsRemote();
    List<String> catalog = snapshot();

    MigrationResult refused =
        configure(files.directory()).onDrift(DriftAction.Block).load().migrate();

    assertThat(refused.outcome()).isEqualTo(Outcome.Failed);
    assertThat(refused.failure().reason()).isEqualTo(FailureReason.SchemaDrifted);
    assertThat(refused.failure().version()).isEqualTo("2");
    assertThat(refused.failure().message())
        .startsWith("schema public has drifted from version 2 of the set (fingerprint sha256:")
        .contains(
            "and ON_DRIFT is Block: nothing was written",
            "2 differences: missing column job_listings.is_remote: boolean NOT NULL DEFAULT"
                + " false; missing index ix_job_listings_is_remote");
    assertThat(refused.applied()).isEmpty();
    assertThat(refused.verification().drift()).isEqualTo(Drift.Drifted);
    assertThat(refused.failure().message()).contains(refused.verification().fingerprint());
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(snapshot()).isEqualTo(catalog);
    String fingerprint = reference().load().verify().verification().fingerprint();

    MigrationResult accepted =
        configure(files.directory())
            .onDrift(DriftAction.Block)
            .acceptedFingerprint(fingerprint)
            .load()
            .migrate();

    assertThat(accepted.failure()).isNull();
    assertThat(accepted.applied()).extracting(AppliedMigration::version).containsExactly("3");
    assertThat(accepted.verification().drift()).isEqualTo(Drift.Drifted);
    assertThat(accepted.verification().version()).isEqualTo("3");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true", "3:SQL:true");
    assertThat(progress)
        .contains(
            "schema public has drifted to the accepted fingerprint " + fingerprint + ": migrating");
  }

  @Test
  void aVersionMergedOutOfOrderIsNotDriftAndBlockLetsItBeApplied() {
    MigrationFiles files =
        MigrationFiles.copyOfReference()
            .with("V4__depots.sql", "CREATE TABLE depots (id BIGINT PRIMARY KEY);\n");
    assertThat(configure(files.directory()).load().migrate().failure()).isNull();
    // Merged after 4 was released: below the current version, never applied.
    files.with("V3__audit_log.sql", "CREATE TABLE audit_log (id BIGINT PRIMARY KEY);\n");

    MigrationResult verified = configure(files.directory()).outOfOrder(true).load().verify();
    MigrationResult migrated =
        configure(files.directory()).outOfOrder(true).onDrift(DriftAction.Block).load().migrate();

    assertThat(verified.verification().drift()).isEqualTo(Drift.None);
    assertThat(verified.verification().version()).isEqualTo("4");
    assertThat(migrated.failure()).isNull();
    assertThat(migrated.applied()).extracting(AppliedMigration::version).containsExactly("3");
    assertThat(migrated.verification().drift()).isEqualTo(Drift.None);
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true", "4:SQL:true", "3:SQL:true");
    assertThat(progress)
        .contains(
            "shadow replay: without version(s) 3, which the database's history does not record"
                + " as applied");
  }

  @Test
  void reportMigratesADriftedSchemaAndReportsTheDriftAfter() {
    MigrationFiles files =
        MigrationFiles.copyOfReference()
            .with("V3__depots.sql", "CREATE TABLE depots (id BIGINT PRIMARY KEY);\n");
    assertThat(configure(files.directory()).target("2").load().migrate().failure()).isNull();
    dropIsRemote();

    MigrationResult migrated = configure(files.directory()).load().migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(migrated.applied()).extracting(AppliedMigration::version).containsExactly("3");
    assertThat(migrated.verification().drift()).isEqualTo(Drift.Drifted);
    assertThat(migrated.verification().differences())
        .first()
        .asString()
        .startsWith("missing column job_listings.is_remote");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true", "3:SQL:true");
  }

  @Test
  void theBaselineCommandComparesTheSchemaAtTheStampedVersion() {
    postgres.execute(
        database.database(), VerifiedBaselineIT.ALEMBIC_001, VerifiedBaselineIT.ALEMBIC_002);

    MigrationResult stampedAtTwo = reference().load().baseline("2");

    assertThat(stampedAtTwo.failure()).isNull();
    assertThat(stampedAtTwo.outcome()).isEqualTo(Outcome.Baselined);
    assertThat(stampedAtTwo.verification().drift()).isEqualTo(Drift.None);
    assertThat(stampedAtTwo.verification().version()).isEqualTo("2");
    assertThat(history()).containsExactly("2:BASELINE:true");
  }

  @Test
  void ignoredTablesAreLeftOutOfTheComparison() {
    assertThat(reference().load().migrate().failure()).isNull();
    dropIsRemote();
    List<String> catalog = snapshot();

    MigrationResult verified = reference().ignoreTables(List.of("job_listings")).load().verify();

    assertThat(verified.failure()).isNull();
    assertThat(verified.verification().drift()).isEqualTo(Drift.None);
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(snapshot()).isEqualTo(catalog);
  }

  @Test
  void threeHundredDifferencesKeepTheResultDocumentWithinItsSize() throws Exception {
    assertThat(reference().load().migrate().failure()).isNull();
    List<String> tables = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      tables.add("CREATE TABLE an_extra_table_with_a_long_enough_name_" + i + " ()");
    }
    postgres.execute(database.database(), tables.toArray(String[]::new));
    Path resultFile = Files.createTempFile("result-", ".json");

    MigratorProcess.Finished run = verifyProcess(resultFile).run();

    assertThat(run.exitCode()).as(run.toString()).isZero();
    byte[] document = Files.readAllBytes(resultFile);
    assertThat(document.length).isLessThanOrEqualTo(MigrationResult.MAX_DOCUMENT_BYTES);
    MigrationResult result = read(resultFile);
    assertThat(result.verification().drift()).isEqualTo(Drift.Drifted);
    assertThat(result.verification().differenceCount()).isEqualTo(300);
    assertThat(result.verification().differences())
        .isNotEmpty()
        .hasSizeLessThanOrEqualTo(SchemaVerification.MAX_DIFFERENCES)
        .allMatch(line -> line.startsWith("extra table an_extra_table_with_a_long_enough_name_"));
    assertThat(run.stdout()).contains("drift: ... and 280 more");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
  }

  @Test
  void aLongReasonWhyTheReplayFailedKeepsTheResultDocumentWithinItsSize() throws Exception {
    // Fails in the shadow alone, with a server message of 7200 characters.
    MigrationFiles files =
        MigrationFiles.copyOfReference()
            .with(
                "V3__only_here.sql",
                "DO $$ BEGIN IF current_database() <> '"
                    + database.database()
                    + "' THEN RAISE EXCEPTION '%', repeat('not in the shadow ', 400); END IF;"
                    + " END $$;\n");
    MigrationResult migrated = configure(files.directory()).load().migrate();
    assertThat(migrated.failure()).isNull();
    Path resultFile = Files.createTempFile("result-", ".json");

    MigratorProcess.Finished run = verifyProcess(resultFile, files.directory()).run();

    assertThat(migrated.verification().drift()).isEqualTo(Drift.Unknown);
    assertThat(migrated.toJson().getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(MigrationResult.MAX_DOCUMENT_BYTES);
    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(Files.readAllBytes(resultFile).length)
        .isLessThanOrEqualTo(MigrationResult.MAX_DOCUMENT_BYTES);
    MigrationResult verified = read(resultFile);
    assertThat(verified.verification().drift()).isEqualTo(Drift.Unknown);
    assertThat(verified.verification().reason())
        .startsWith("cannot verify the schema: the migration set cannot be replayed")
        .contains("V3__only_here.sql failed: ERROR: not in the shadow not in the shadow")
        .endsWith("…");
  }

  @Test
  void verifyWithoutAShadowIsRefused() {
    MigrationResult refused =
        Migrator.configure()
            .connection(database)
            .migrations(MigrationSet.fromDirectory(MigrationFiles.reference()))
            .load()
            .verify();

    assertThat(refused.failure().reason()).isEqualTo(FailureReason.InvalidConfiguration);
    assertThat(refused.failure().message()).startsWith("verify needs a shadow database");
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();
  }

  private MigratorProcess verifyProcess(Path resultFile) {
    return verifyProcess(resultFile, MigrationFiles.reference());
  }

  private MigratorProcess verifyProcess(Path resultFile, Path migrations) {
    return MigratorProcess.of(
            database,
            postgres.password(),
            "verify",
            "--migrations",
            migrations.toString(),
            "--result-file",
            resultFile.toString())
        .withEnvironment(JobEnvironment.SHADOW_URL, shadowUrl())
        .withEnvironment(JobEnvironment.SHADOW_DB_USER, PostgresServer.SUPERUSER)
        .withEnvironment(JobEnvironment.SHADOW_DB_PASSWORD, postgres.password());
  }

  private static MigrationResult read(Path resultFile) throws Exception {
    return MigrationResult.fromJson(Files.readString(resultFile, StandardCharsets.UTF_8))
        .orElseThrow();
  }

  private List<String> replaySchemasLeftInTheShadow() {
    List<String> found = new ArrayList<>();
    try (var connection = postgres.connect(shadowDatabase);
        var statement = connection.createStatement();
        var rows =
            statement.executeQuery(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'schema_operator_replay_%'")) {
      while (rows.next()) {
        found.add(rows.getString(1));
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    return found;
  }
}
