package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.Version;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationSetTest {

  private static MigrationScript script(String name) {
    return MigrationScript.of(name, "SELECT 1;");
  }

  @Test
  void ordersVersionedMigrationsAndPairsUndoScripts() {
    MigrationSet set =
        MigrationSet.of(
            "test",
            List.of(
                script("V10__ten.sql"),
                script("V2__two.sql"),
                script("U2__two.sql"),
                script("V1_1__one_point_one.sql")));

    assertThat(set.versioned())
        .extracting(MigrationScript::fileName)
        .containsExactly("V1_1__one_point_one.sql", "V2__two.sql", "V10__ten.sql");
    assertThat(set.latest()).isEqualTo(Version.parse("10"));
    assertThat(set.undo(Version.parse("2"))).isPresent();
    assertThat(set.undo(Version.parse("10"))).isEmpty();
    assertThat(set.versioned().get(0).description()).isEqualTo("one point one");
  }

  @Test
  void acceptsEveryNameFlywayAccepts() {
    // Real sets name files so: IQSS/dataverse (V6.1.0.6.sql, V4.12.0.1__4.13-re-sanitize...),
    // eclipse-hawkbit (V1_20_0__1.0.0_baseline__POSTGRESQL.sql).
    assertThat(script("V6.1.0.6.sql").version()).isEqualTo(Version.parse("6.1.0.6"));
    assertThat(script("V6.1.0.6.sql").description()).isEmpty();
    assertThat(script("V1__.sql").description()).isEmpty();
    assertThat(script("V4.12.0.1__4.13-re-sanitize_filemetadata.sql").description())
        .isEqualTo("4.13-re-sanitize filemetadata");
    assertThat(script("V1_20_0__1.0.0_baseline__POSTGRESQL.sql").version())
        .isEqualTo(Version.parse("1.20.0"));
    assertThat(script("V1_20_0__1.0.0_baseline__POSTGRESQL.sql").description())
        .isEqualTo("1.0.0 baseline  POSTGRESQL");
  }

  @Test
  void rejectsFileNamesThatAreNotMigrations() {
    for (String bad :
        List.of(
            "V1_initial.sql",
            "v1__initial.sql",
            "V1.x.sql",
            "V__initial.sql",
            "R1__view.sql",
            "V1__x.txt",
            "README.md")) {
      assertThatThrownBy(() -> script(bad))
          .as(bad)
          .isInstanceOfSatisfying(
              MigrationException.class,
              e -> assertThat(e.reason()).isEqualTo(FailureReason.InvalidMigrationSet))
          .hasMessageContaining("'" + bad + "' is not a migration file name");
    }
  }

  @Test
  void repeatableMigrationsAreKnownByDescriptionInFlywaysOrder() {
    MigrationSet set =
        MigrationSet.of(
            "test",
            List.of(script("R__totals_view.sql"), script("V1__a.sql"), script("R__audit.sql")));

    assertThat(set.repeatable())
        .extracting(MigrationScript::fileName)
        .containsExactly("R__audit.sql", "R__totals_view.sql");
    assertThat(set.repeatable().get(1).description()).isEqualTo("totals view");
    assertThat(set.repeatable().get(1).version()).isNull();
    assertThat(set.versioned()).extracting(MigrationScript::fileName).containsExactly("V1__a.sql");
  }

  @Test
  void baselineMigrationsMayShareAVersionWithAVersionedOne() {
    MigrationSet set =
        MigrationSet.of(
            "test",
            List.of(
                script("V1__a.sql"),
                script("V2__b.sql"),
                script("B2__baseline.sql"),
                script("B5__later_baseline.sql")));

    assertThat(set.baseline())
        .extracting(MigrationScript::kind, MigrationScript::version)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(MigrationScript.Kind.BASELINE, Version.parse("2")),
            org.assertj.core.groups.Tuple.tuple(MigrationScript.Kind.BASELINE, Version.parse("5")));
    assertThat(set.latest()).isEqualTo(Version.parse("5"));
    assertThat(set.contains(Version.parse("5"))).isTrue();
    assertThat(set.baselineFor(Version.parse("4")).orElseThrow().fileName())
        .isEqualTo("B2__baseline.sql");
    assertThat(set.baselineFor(Version.parse("1"))).isEmpty();
    assertThatThrownBy(
            () -> MigrationSet.of("test", List.of(script("B2__a.sql"), script("B2.0__b.sql"))))
        .hasMessage("version 2 appears twice: B2__a.sql and B2.0__b.sql");
    assertThatThrownBy(
            () -> MigrationSet.of("test", List.of(script("B2__a.sql"), script("U2__a.sql"))))
        .hasMessage("U2__a.sql undoes version 2, which has no V script");
  }

  @Test
  void callbacksAreKeptInFlywaysOrderWithinAnEvent() {
    MigrationSet set =
        MigrationSet.of(
            "test",
            List.of(
                script("V1__a.sql"),
                script("afterMigrate__grants.sql"),
                script("afterMigrate.sql"),
                script("afterMigrate__cache.sql"),
                script("beforeMigrate.sql")));

    assertThat(set.callbacks())
        .extracting(MigrationScript::fileName)
        .containsExactly(
            "beforeMigrate.sql",
            "afterMigrate.sql",
            "afterMigrate__cache.sql",
            "afterMigrate__grants.sql");
    assertThat(set.callbacks().get(3).callbackEvent())
        .isEqualTo(org.flywaydb.core.api.callback.Event.AFTER_MIGRATE);
    assertThat(set.callbacks().get(3).description()).isEqualTo("grants");
    assertThatThrownBy(() -> script("afterMigrat.sql"))
        .hasMessageContaining("'afterMigrat.sql' is not a migration file name");
  }

  @Test
  void rejectsTwoRepeatableMigrationsWithOneDescription() {
    assertThatThrownBy(
            () ->
                MigrationSet.of(
                    "test",
                    List.of(
                        script("V1__a.sql"),
                        script("R__totals_view.sql"),
                        script("R__totals view.sql"))))
        .isInstanceOf(MigrationException.class)
        .hasMessageStartingWith(
            "two repeatable migrations are named 'totals view': R__totals_view.sql and"
                + " R__totals view.sql");
  }

  @Test
  void rejectsAVersionThatAppearsTwice() {
    assertThatThrownBy(
            () -> MigrationSet.of("test", List.of(script("V1__a.sql"), script("V1.0__b.sql"))))
        .isInstanceOf(MigrationException.class)
        .hasMessage("version 1 appears twice: V1__a.sql and V1.0__b.sql");
  }

  @Test
  void rejectsAnUndoScriptWithoutItsMigration() {
    assertThatThrownBy(
            () -> MigrationSet.of("test", List.of(script("V1__a.sql"), script("U3__c.sql"))))
        .isInstanceOf(MigrationException.class)
        .hasMessage("U3__c.sql undoes version 3, which has no V script");
  }

  @Test
  void rejectsASetWithoutVersionedMigrations() {
    assertThatThrownBy(() -> MigrationSet.of("empty", List.of()))
        .isInstanceOf(MigrationException.class)
        .hasMessageContaining("no versioned migrations");
  }

  // Flyway matches the suffix in any case: V1__x.SQL is a migration to it.
  @Test
  void theSqlSuffixIsMatchedInAnyCase() {
    assertThat(script("V1__parcels.SQL").version()).isEqualTo(Version.parse("1"));
    assertThat(script("V1__parcels.SQL").description()).isEqualTo("parcels");
    assertThat(script("R__totals.Sql").kind()).isEqualTo(MigrationScript.Kind.REPEATABLE);
    assertThat(script("afterMigrate.SQL").callbackEvent()).isNotNull();
  }

  // Flyway scans a location's sub-folders and skips hidden ones (a ConfigMap's ..data among them).
  @Test
  void readsSubFoldersAsFlywayScansThem(@TempDir Path directory) throws IOException {
    write(directory, "V1__parcels.sql");
    write(directory, "data/V1_1__seed_depots.sql");
    write(directory, "data/more/R__totals.sql");
    write(directory, ".hidden/V8__skipped.sql");
    write(directory, "..2026_11_30/V9__skipped.sql");

    MigrationSet set = MigrationSet.fromDirectory(directory);

    assertThat(set.versioned())
        .extracting(MigrationScript::fileName)
        .containsExactly("V1__parcels.sql", "data/V1_1__seed_depots.sql");
    assertThat(set.versioned().get(1).name()).isEqualTo("V1_1__seed_depots.sql");
    assertThat(set.versioned().get(1).description()).isEqualTo("seed depots");
    assertThat(set.repeatable())
        .extracting(MigrationScript::fileName)
        .containsExactly("data/more/R__totals.sql");
  }

  // An image may hold a link to a folder above the set: the walk reads each folder once.
  @Test
  void aLinkToAFolderAboveTheSetIsReadOnce(@TempDir Path directory) throws IOException {
    write(directory, "V1__parcels.sql");
    write(directory, "data/V1_1__seed_depots.sql");
    Files.createSymbolicLink(directory.resolve("data/loop"), directory);

    MigrationSet set = MigrationSet.fromDirectory(directory);

    assertThat(set.versioned())
        .extracting(MigrationScript::fileName)
        .containsExactly("V1__parcels.sql", "data/V1_1__seed_depots.sql");
  }

  // Flyway ignores what has no .sql suffix; the migrator lists them so the ignoring is visible.
  @Test
  void filesWithoutTheSqlSuffixAreIgnoredAsFlywayIgnoresThem(@TempDir Path directory)
      throws IOException {
    write(directory, "V1__parcels.sql");
    write(directory, "README.md");
    write(directory, ".gitkeep");
    write(directory, "data/.gitkeep");
    write(directory, "notes.conf");
    write(directory, "V2__labels.sql.bak");

    MigrationSet set = MigrationSet.fromDirectory(directory);

    assertThat(set.versioned())
        .extracting(MigrationScript::fileName)
        .containsExactly("V1__parcels.sql");
    assertThat(set.ignored()).containsExactly("README.md", "V2__labels.sql.bak", "notes.conf");
  }

  // What Flyway would run or read and the migrator will not, and bad names: all in one message.
  @Test
  void refusesEveryFileItWillNotRunInOneMessage(@TempDir Path directory) throws IOException {
    write(directory, "V1__parcels.sql");
    write(directory, "V2__rebuild_totals.java");
    write(directory, "java/V3__backfill.class");
    write(directory, "flyway.conf");
    write(directory, "conf/flyway.toml");
    write(directory, "V1__parcels.sql.conf");
    write(directory, "V4_missing_separator.sql");
    write(directory, "notes.sql");
    Files.write(directory.resolve("V5__latin1.sql"), new byte[] {'S', 'E', 'L', (byte) 0xE9});

    assertThatThrownBy(() -> MigrationSet.fromDirectory(directory))
        .isInstanceOfSatisfying(
            MigrationException.class,
            e -> assertThat(e.reason()).isEqualTo(FailureReason.InvalidMigrationSet))
        .hasMessageStartingWith("7 problems in the migration set: ")
        .hasMessageContaining(
            "'V4_missing_separator.sql', 'notes.sql' are not migration file names: expected")
        .hasMessageContaining("V2__rebuild_totals.java is a Java migration")
        .hasMessageContaining("(V2__rebuild_totals.sql)")
        .hasMessageContaining("java/V3__backfill.class is a Java migration")
        .hasMessageContaining("flyway.conf is a Flyway configuration file")
        .hasMessageContaining("conf/flyway.toml is a Flyway configuration file")
        .hasMessageContaining("table is --history-table, outOfOrder is --out-of-order")
        .hasMessageContaining("V1__parcels.sql.conf line 1: SELECT is not a script setting")
        .hasMessageContaining("V5__latin1.sql is not valid UTF-8 (line 1)");
  }

  @Test
  void aConfigurationFileWhoseSuffixIsInAnotherCaseIsNamedAsSuch(@TempDir Path directory)
      throws IOException {
    write(directory, "V1__parcels.sql");
    Files.writeString(directory.resolve("V1__parcels.sql.CONF"), "executeInTransaction=false\n");

    // Flyway reads a script's settings only from <script>.conf and would ignore this file.
    assertThatThrownBy(() -> MigrationSet.fromDirectory(directory))
        .hasMessage(
            "V1__parcels.sql.CONF is not read as the settings of V1__parcels.sql: Flyway reads"
                + " them only from V1__parcels.sql.conf (and would run the script without them):"
                + " rename it");
  }

  @Test
  void aConfigurationFileThatIsNotUtf8IsRefusedNamingItsLine(@TempDir Path directory)
      throws IOException {
    write(directory, "V1__parcels.sql");
    Files.write(
        directory.resolve("V1__parcels.sql.conf"),
        "# Stapel f\u00fcr Stapel\nexecuteInTransaction=false\n"
            .getBytes(java.nio.charset.Charset.forName("windows-1252")));

    assertThatThrownBy(() -> MigrationSet.fromDirectory(directory))
        .hasMessage(
            "V1__parcels.sql.conf is not valid UTF-8 (line 1): save it as UTF-8, the encoding"
                + " Flyway reads script configuration files in");
  }

  private static void write(Path directory, String path) throws IOException {
    Path file = directory.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "SELECT 1;\n");
  }

  @Test
  void bundlesTheReferenceMigrations() {
    MigrationSet bundled = MigrationSet.bundled();

    assertThat(bundled.versioned())
        .extracting(MigrationScript::fileName)
        .containsExactly("V1__initial_schema.sql", "V2__add_is_remote_to_job_listings.sql");
    assertThat(bundled.undo(Version.parse("1"))).isPresent();
    assertThat(bundled.undo(Version.parse("2"))).isPresent();
  }
}
