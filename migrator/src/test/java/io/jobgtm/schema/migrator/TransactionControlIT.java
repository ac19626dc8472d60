package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.contract.AppliedMigration;
import io.jobgtm.schema.contract.DatabaseState;
import io.jobgtm.schema.contract.Failure;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.contract.Version;
import io.jobgtm.schema.migrator.testing.DatabaseProbe;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A script that would run in a transaction but ends that transaction itself is refused before
 * anything runs: otherwise part of it is committed while the run reports it rolled back.
 */
class TransactionControlIT {

  private static final String V1 = "V1__create_ledger_marks.sql";
  private static final String V1_SQL =
      "CREATE TABLE ledger_marks (id INT PRIMARY KEY, note TEXT NOT NULL);\n";
  private static final String V2 = "V2__add_ledger_tags.sql";

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);

  /** What a command ended with, whether it returned a result or refused the set while loading. */
  private record Verdict(
      Outcome outcome, FailureReason reason, String version, String message, int exitCode) {}

  private static Verdict verdict(Supplier<MigrationResult> command) {
    try {
      MigrationResult result = command.get();
      Failure failure = result.failure();
      return failure == null
          ? new Verdict(result.outcome(), null, null, null, result.exitCode())
          : new Verdict(
              result.outcome(),
              failure.reason(),
              failure.version(),
              failure.message(),
              result.exitCode());
    } catch (MigrationException e) {
      return new Verdict(
          Outcome.Failed, e.reason(), e.version(), e.getMessage(), e.reason().exitCode());
    }
  }

  private MigratorConfiguration configure(MigrationFiles files) {
    return Migrator.configure()
        .connection(database)
        .migrations(MigrationSet.fromDirectory(files.directory()));
  }

  private List<String> tables() {
    return Catalog.tables(postgres, database.database(), "public");
  }

  private List<String> history() {
    return Catalog.history(postgres, database.database(), "public");
  }

  private List<String> historyIfAny() {
    return tables().contains("flyway_schema_history") ? history() : List.of();
  }

  private List<String> catalog() {
    return Catalog.snapshot(postgres, database.database(), "public");
  }

  private List<String> query(String sql) {
    try (Connection connection = postgres.connect(database.database());
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      List<String> values = new ArrayList<>();
      while (result.next()) {
        values.add(result.getString(1));
      }
      return values;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  private void assertRefused(Verdict verdict, String version, String file, int line) {
    assertThat(verdict.reason())
        .as("%s; afterwards tables %s, history %s", verdict, tables(), historyIfAny())
        .isEqualTo(FailureReason.InvalidMigrationSet);
    assertThat(verdict.outcome()).isEqualTo(Outcome.Failed);
    assertThat(verdict.exitCode()).isEqualTo(2);
    assertThat(verdict.version()).isEqualTo(version);
    assertThat(verdict.message()).contains(file).contains("line " + line);
  }

  static Stream<Arguments> scriptsThatEndTheTransaction() {
    return Stream.of(
        // flyway/flyway#3990: a duplicated "END; $$;" after a DO block commits what came before.
        Arguments.of(
            "stray END after a DO block",
            "CREATE TABLE ledger_tags (id INT PRIMARY KEY);\n"
                + "DO $$\n"
                + "BEGIN\n"
                + "    INSERT INTO ledger_marks (id, note) VALUES (1, 'from the DO block');\n"
                + "END;\n"
                + "$$;\n"
                + "END; $$;\n",
            7),
        // flyway/flyway#3990: the same early commit spelt as COMMIT.
        Arguments.of(
            "COMMIT between statements",
            "CREATE TABLE ledger_tags (id INT PRIMARY KEY);\n"
                + "INSERT INTO ledger_marks (id, note) VALUES (2, 'before the commit');\n"
                + "COMMIT;\n"
                + "ALTER TABLE ledger_tags ADD COLUMN label TEXT;\n",
            3),
        // flyway/flyway#3990: ROLLBACK throws away the work of the run so far.
        Arguments.of(
            "ROLLBACK between statements",
            "INSERT INTO ledger_marks (id, note) VALUES (3, 'rolled back by the script');\n"
                + "ROLLBACK;\n"
                + "CREATE TABLE ledger_tags (id INT PRIMARY KEY);\n",
            2),
        // flyway/flyway#3990 part B: a script copied from psql with its own BEGIN ... COMMIT.
        Arguments.of(
            "psql-style BEGIN ... COMMIT",
            "-- copied from a psql session\n"
                + "BEGIN;\n"
                + "CREATE TABLE ledger_tags (id INT PRIMARY KEY);\n"
                + "INSERT INTO ledger_marks (id, note) VALUES (4, 'inside psql BEGIN');\n"
                + "COMMIT;\n"
                + "ALTER TABLE ledger_tags ADD COLUMN weight NUMBR;\n",
            2),
        // flyway/flyway#3990: START TRANSACTION is BEGIN by another name.
        Arguments.of(
            "START TRANSACTION ... COMMIT",
            "START TRANSACTION ISOLATION LEVEL SERIALIZABLE;\n"
                + "CREATE TABLE ledger_tags (id INT PRIMARY KEY);\n"
                + "COMMIT;\n",
            1),
        // flyway/flyway#3990: lower case and END's long form.
        Arguments.of(
            "lower-case end transaction",
            "create table ledger_tags (id int primary key);\n\nend transaction;\n",
            3),
        // flyway/flyway#3990: ABORT is ROLLBACK by another name.
        Arguments.of("ABORT", "CREATE TABLE ledger_tags (id INT PRIMARY KEY);\n  ABORT;\n", 2),
        // flyway/flyway#3990: savepoints are transaction control too.
        Arguments.of(
            "SAVEPOINT and RELEASE",
            "CREATE TABLE ledger_tags (id INT PRIMARY KEY);\n"
                + "SAVEPOINT before_marks;\n"
                + "INSERT INTO ledger_marks (id, note) VALUES (5, 'after a savepoint');\n"
                + "RELEASE SAVEPOINT before_marks;\n",
            2));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scriptsThatEndTheTransaction")
  void scriptThatEndsTheTransactionIsRefusedBeforeAnythingRuns(String label, String sql, int line) {
    MigrationFiles files = MigrationFiles.empty().with(V1, V1_SQL).with(V2, sql);

    Verdict planned = verdict(() -> configure(files).load().plan().result());
    List<String> tablesAfterPlan = tables();
    Verdict migrated = verdict(() -> configure(files).load().migrate());

    assertRefused(migrated, "2", V2, line);
    assertThat(tables()).as("nothing created, not even the history table").isEmpty();
    assertRefused(planned, "2", V2, line);
    assertThat(tablesAfterPlan).isEmpty();
  }

  // flyway/flyway#3990: refusing must also keep the earlier pending versions of the run out.
  @Test
  void refusalAppliesNoEarlierPendingVersion() {
    MigrationFiles files = MigrationFiles.empty().with(V1, V1_SQL);
    assertThat(configure(files).load().migrate().failure()).isNull();
    files
        .with("V2__create_ledger_notes.sql", "CREATE TABLE ledger_notes (id INT PRIMARY KEY);\n")
        .with(
            "V3__close_period.sql",
            "INSERT INTO ledger_marks (id, note) VALUES (30, 'period closed');\n"
                + "\n"
                + "COMMIT;\n"
                + "UPDATE ledger_marks SET note = 'reopened' WHERE id = 30;\n");
    List<String> catalogBefore = catalog();
    assertThat(history()).containsExactly("1:SQL:true");

    Verdict migrated = verdict(() -> configure(files).load().migrate());

    assertRefused(migrated, "3", "V3__close_period.sql", 3);
    assertThat(history()).containsExactly("1:SQL:true");
    assertThat(catalog()).isEqualTo(catalogBefore);
    assertThat(tables()).containsExactly("flyway_schema_history", "ledger_marks");
    assertThat(query("SELECT count(*)::text FROM ledger_marks")).containsExactly("0");
  }

  // flyway/flyway#3990: END and COMMIT inside bodies, and a script Flyway runs outside a
  // transaction on purpose, are not transaction control of the script and run normally.
  @Test
  void bodiesAndNonTransactionalScriptsRunNormally() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                V1,
                V1_SQL
                    + "CREATE TABLE ledger_lines (id INT PRIMARY KEY, ledger_id INT NOT NULL,"
                    + " amount BIGINT NOT NULL);\n")
            .with(
                "V2__ledger_routines.sql",
                "-- The words COMMIT and END below belong to bodies, comments and strings.\n"
                    + "CREATE FUNCTION ledger_total(p_ledger INT) RETURNS BIGINT\n"
                    + "    LANGUAGE sql\n"
                    + "    STABLE\n"
                    + "BEGIN ATOMIC\n"
                    + "    SELECT coalesce(sum(amount), 0) FROM ledger_lines"
                    + " WHERE ledger_id = p_ledger;\n"
                    + "END;\n"
                    + "\n"
                    + "CREATE PROCEDURE close_ledger(p_ledger INT)\n"
                    + "    LANGUAGE plpgsql\n"
                    + "AS $$\n"
                    + "BEGIN\n"
                    + "    INSERT INTO ledger_marks (id, note) VALUES (p_ledger, 'closed');\n"
                    + "    COMMIT;\n"
                    + "END;\n"
                    + "$$;\n"
                    + "\n"
                    + "DO $body$\n"
                    + "BEGIN\n"
                    + "    BEGIN\n"
                    + "        INSERT INTO ledger_marks (id, note) VALUES (100, 'COMMIT; END;');\n"
                    + "    EXCEPTION WHEN unique_violation THEN\n"
                    + "        RAISE NOTICE 'already there';\n"
                    + "    END;\n"
                    + "END\n"
                    + "$body$;\n")
            .with(
                "U2__ledger_routines.sql",
                "DO $$\n"
                    + "BEGIN\n"
                    + "    DELETE FROM ledger_marks WHERE id = 100;\n"
                    + "END\n"
                    + "$$;\n"
                    + "DROP PROCEDURE close_ledger(INT);\n"
                    + "DROP FUNCTION ledger_total(INT);\n")
            .with(
                "V3__index_ledger_lines.sql",
                "CREATE INDEX CONCURRENTLY ix_ledger_lines_ledger ON ledger_lines (ledger_id);\n")
            .with("U3__index_ledger_lines.sql", "DROP INDEX ix_ledger_lines_ledger;\n");

    Verdict planned = verdict(() -> configure(files).load().plan().result());

    assertThat(planned.reason()).as(planned.toString()).isNull();
    assertThat(planned.outcome()).isEqualTo(Outcome.Planned);
    assertThat(tables()).isEmpty();
    // plan says which script Flyway runs outside a transaction: only the concurrent index.
    assertThat(configure(files).load().plan().outsideTransaction())
        .containsExactly("V3__index_ledger_lines.sql");

    MigrationResult migrated = configure(files).load().migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(migrated.applied())
        .extracting(AppliedMigration::version)
        .containsExactly("1", "2", "3");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true", "3:SQL:true");
    assertThat(catalog())
        .contains(
            "index ix_ledger_lines_ledger CREATE INDEX ix_ledger_lines_ledger"
                + " ON public.ledger_lines USING btree (ledger_id)");
    assertThat(
            query(
                "SELECT i.indisvalid::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                    + " WHERE c.relname = 'ix_ledger_lines_ledger'"))
        .containsExactly("true");
    assertThat(
            query(
                "SELECT proname || ' ' || prokind::text FROM pg_proc WHERE proname LIKE"
                    + " '%ledger%' ORDER BY 1"))
        .containsExactly("close_ledger p", "ledger_total f");
    assertThat(query("SELECT id || ' ' || note FROM ledger_marks ORDER BY id"))
        .containsExactly("100 COMMIT; END;");
    postgres.execute(
        database.database(),
        "INSERT INTO ledger_lines VALUES (1, 7, 250), (2, 7, 125)",
        "CALL close_ledger(7)");
    assertThat(query("SELECT ledger_total(7)::text")).containsExactly("375");
    assertThat(query("SELECT id || ' ' || note FROM ledger_marks ORDER BY id"))
        .containsExactly("7 closed", "100 COMMIT; END;");

    MigrationResult undone = configure(files).load().undo("1");

    assertThat(undone.failure()).isNull();
    assertThat(undone.undone()).extracting(AppliedMigration::version).containsExactly("3", "2");
    assertThat(history()).containsExactly("1:SQL:true");
    assertThat(query("SELECT proname FROM pg_proc WHERE proname LIKE '%ledger%'")).isEmpty();
    assertThat(catalog()).noneMatch(line -> line.contains("ix_ledger_lines_ledger"));
    assertThat(query("SELECT id || ' ' || note FROM ledger_marks ORDER BY id"))
        .containsExactly("7 closed");
  }

  // flyway/flyway#3990: an undo script is held to the same rule, before any undo script runs.
  @Test
  void undoScriptThatCommitsIsRefusedBeforeAnyUndoRuns() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with(V1, V1_SQL)
            .with(
                "V2__add_closed_at.sql",
                "ALTER TABLE ledger_marks ADD COLUMN closed_at TIMESTAMPTZ;\n")
            .with("U2__add_closed_at.sql", "ALTER TABLE ledger_marks DROP COLUMN closed_at;\n")
            .with("V3__create_ledger_tags.sql", "CREATE TABLE ledger_tags (id INT PRIMARY KEY);\n")
            .with("U3__create_ledger_tags.sql", "DROP TABLE ledger_tags;\n");
    assertThat(configure(files).load().migrate().failure()).isNull();
    files.with(
        "U2__add_closed_at.sql",
        "ALTER TABLE ledger_marks DROP COLUMN closed_at;\n"
            + "COMMIT;\n"
            + "ALTER TABLE ledger_marks DROP COLUMN closed_on;\n");
    List<String> catalogBefore = catalog();
    assertThat(catalogBefore)
        .contains("column ledger_marks.closed_at timestamp with time zone null=YES default=-");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true", "3:SQL:true");

    Verdict downgrade =
        verdict(() -> configure(files).target("1").allowDowngrade(true).load().migrate());

    assertRefused(downgrade, "2", "U2__add_closed_at.sql", 2);
    assertThat(catalog()).isEqualTo(catalogBefore);
    assertThat(tables()).contains("ledger_tags");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true", "3:SQL:true");

    Verdict undo = verdict(() -> configure(files).load().undo("1"));

    assertRefused(undo, "2", "U2__add_closed_at.sql", 2);
    assertThat(catalog()).isEqualTo(catalogBefore);
    assertThat(tables()).contains("ledger_tags");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true", "3:SQL:true");

    Verdict planned =
        verdict(() -> configure(files).target("1").allowDowngrade(true).load().plan().result());

    assertRefused(planned, "2", "U2__add_closed_at.sql", 2);
    assertThat(catalog()).isEqualTo(catalogBefore);
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true", "3:SQL:true");
  }

  // flyway/flyway#3990: after a failed run nothing may claim a version the schema does not have.
  @Test
  void baselineFollowedByAFailingMigrationInOneRunIsRemovedAgain() {
    postgres.execute(database.database(), V1_SQL);
    List<String> catalogBefore = catalog();
    MigrationFiles files =
        MigrationFiles.empty()
            .with(V1, V1_SQL)
            .with(
                "V2__add_weight.sql",
                "ALTER TABLE ledger_marks ADD COLUMN label TEXT;\n"
                    + "ALTER TABLE ledger_marks ADD COLUMN weight NUMBR;\n");

    MigrationResult result =
        configure(files)
            .baselinePolicy(BaselinePolicy.baselineAt(Version.parse("1")))
            .load()
            .migrate();

    assertThat(result.failure()).isNotNull();
    assertThat(result.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(result.failure().version()).isEqualTo("2");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(tables()).as("no history table left behind").containsExactly("ledger_marks");
    assertThat(catalog()).isEqualTo(catalogBefore);

    MigrationResult info = configure(files).load().info();

    assertThat(info.failure()).isNull();
    assertThat(info.databaseState()).isEqualTo(DatabaseState.Unversioned);
    assertThat(info.versionAfter()).isNull();
    assertThat(tables()).containsExactly("ledger_marks");
  }

  // flyway/flyway#3990: a failed first run leaves the database as fresh as it found it.
  @Test
  void firstRunOnAFreshDatabaseThatFailsLeavesNoHistoryTable() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                V1,
                "CREATE TABLE ledger_marks (id INT PRIMARY KEY, note TEXT NOT NULL);\n"
                    + "CREATE TABLE ledger_weights (id INT PRIMARY KEY, weight NUMBR);\n");

    MigrationResult result = configure(files).load().migrate();

    assertThat(result.failure()).isNotNull();
    assertThat(result.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(result.failure().version()).isEqualTo("1");
    assertThat(tables()).as("no history table left behind").isEmpty();

    MigrationResult info = configure(files).load().info();

    assertThat(info.failure()).isNull();
    assertThat(info.databaseState()).isEqualTo(DatabaseState.Fresh);
    assertThat(info.pending()).containsExactly("1");
    assertThat(tables()).isEmpty();
  }

  /** The guard's words: the script ended its transaction and nothing of it stayed. */
  private static final String ENDS_ITS_TRANSACTION = "ends or rolls back its own transaction";

  private static final String ROLLED_BACK_WHOLE = "rolled the whole script back";

  static Stream<Arguments> transactionEndsTheParserCannotSee() {
    return Stream.of(
        // flyway/flyway#3990: PostgreSQL nests block comments, so the COMMIT after them runs.
        Arguments.of(
            "COMMIT after a nested block comment",
            "CREATE TABLE tariff_zones (id INT PRIMARY KEY);\n"
                + "/* zone list /* from the old tool */ done */ COMMIT;\n"
                + "CREATE TABLE tariff_caps (id INT PRIMARY KEY);\n"
                + "SELECT 10 / (SELECT count(*) FROM tariff_caps);\n"),
        // flyway/flyway#3990: a file saved with CR-only line ends; a line comment ends at CR.
        Arguments.of(
            "COMMIT after a line comment with CR-only line ends",
            "CREATE TABLE tariff_zones (id INT PRIMARY KEY);\r"
                + "-- the zones are committed here\r"
                + "COMMIT;\r"
                + "SELECT 10 / (SELECT count(*) FROM tariff_zones);\r"),
        // flyway/flyway#3990: with standard_conforming_strings off a backslash escapes the quote,
        // so what a parser reads as one string is a COMMIT between two statements.
        Arguments.of(
            "COMMIT between backslash-escaped strings",
            "SET standard_conforming_strings = off;\n"
                + "CREATE TABLE tariff_zones (id INT PRIMARY KEY);\n"
                + "SELECT 'zone\\''; COMMIT; SELECT '';\n"
                + "SELECT 10 / (SELECT count(*) FROM tariff_zones);\n"),
        // flyway/flyway#3990: a ROLLBACK after a nested comment threw the first table away and
        // the run reported the rest migrated.
        Arguments.of(
            "ROLLBACK after a nested block comment",
            "CREATE TABLE tariff_zones (id INT PRIMARY KEY);\n"
                + "/* undo /* the zones */ again */ ROLLBACK;\n"
                + "CREATE TABLE tariff_caps (id INT PRIMARY KEY);\n"));
  }

  // flyway/flyway#3990: a COMMIT or ROLLBACK the static check cannot see fails the script whole.
  @ParameterizedTest(name = "{0}")
  @MethodSource("transactionEndsTheParserCannotSee")
  void transactionEndTheParserCannotSeeFailsTheWholeScript(String label, String sql) {
    String file = "V1__tariff_zones.sql";
    MigrationFiles files = MigrationFiles.empty();
    writeBytes(files, file, sql.getBytes(StandardCharsets.UTF_8));

    MigrationResult migrated = configure(files).load().migrate();

    assertThat(migrated.failure())
        .as("%s; afterwards tables %s, history %s", migrated, tables(), historyIfAny())
        .isNotNull();
    assertThat(tables())
        .as("nothing of the script, and no history table: %s", migrated.failure())
        .isEmpty();
    assertThat(migrated.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(migrated.failure().version()).isEqualTo("1");
    assertThat(migrated.failure().message())
        .contains(file)
        .contains(ENDS_ITS_TRANSACTION)
        .contains(ROLLED_BACK_WHOLE);
    assertThat(migrated.outcome()).isEqualTo(Outcome.Failed);
    assertThat(migrated.exitCode()).isEqualTo(2);
    assertThat(migrated.applied()).isEmpty();
    assertThat(migrated.versionAfter()).isNull();
    assertThat(migrated.pending()).containsExactly("1");
    assertThat(DatabaseProbe.objects(postgres, database.database(), "public")).isEmpty();
  }

  // flyway/flyway#3990: an undo script with a hidden COMMIT fails whole; the version stays.
  @Test
  void undoScriptWithAHiddenCommitFailsWholeAndKeepsTheVersion() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with(V1, V1_SQL)
            .with("U1__create_ledger_marks.sql", "DROP TABLE ledger_marks;\n")
            .with(
                "V2__create_ledger_seals.sql",
                "CREATE TABLE ledger_seals (id INT PRIMARY KEY);\n"
                    + "INSERT INTO ledger_seals VALUES (42);\n")
            .with(
                "U2__create_ledger_seals.sql",
                "DROP TABLE ledger_seals;\n"
                    + "/* the seals /* all of them */ are gone */ COMMIT;\n"
                    + "SELECT 1 / (SELECT count(*) FROM ledger_marks);\n");
    MigrationResult migrated = configure(files).load().migrate();
    assertThat(migrated.failure()).isNull();
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
    List<String> catalogBefore = catalog();
    assertThat(catalogBefore).contains("column ledger_seals.id integer null=NO default=-");

    MigrationResult undone = configure(files).load().undo("1");

    assertThat(undone.failure())
        .as("%s; afterwards tables %s, history %s", undone, tables(), historyIfAny())
        .isNotNull();
    assertThat(catalog())
        .as("the undo script rolled back whole: %s", undone.failure())
        .isEqualTo(catalogBefore);
    assertThat(query("SELECT id::text FROM ledger_seals")).containsExactly("42");
    assertThat(undone.failure().reason()).isEqualTo(FailureReason.UndoFailed);
    assertThat(undone.failure().version()).isEqualTo("2");
    assertThat(undone.failure().message())
        .contains("U2__create_ledger_seals.sql")
        .contains(ENDS_ITS_TRANSACTION)
        .contains(ROLLED_BACK_WHOLE);
    assertThat(undone.outcome()).isEqualTo(Outcome.Failed);
    assertThat(undone.exitCode()).isEqualTo(2);
    assertThat(undone.undone()).isEmpty();
    assertThat(undone.versionAfter()).isEqualTo("2");
    assertThat(tables()).containsExactly("flyway_schema_history", "ledger_marks", "ledger_seals");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
  }

  private static void writeBytes(MigrationFiles files, String fileName, byte[] bytes) {
    try {
      Files.write(files.directory().resolve(fileName), bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
