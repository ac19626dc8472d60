package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.contract.AppliedMigration;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Each migration and each undo script starts from the same session: the configured lock and
 * statement timeouts, the target schema first on the search path, the connecting user as role and
 * every other setting at its default, whatever the script before it changed.
 */
class SessionSettingsIT {

  private static final String SCHEMA = "ledger";
  private static final Duration LOCK_TIMEOUT = Duration.ofSeconds(7);
  private static final Duration STATEMENT_TIMEOUT = Duration.ofMinutes(3);

  /** What a script must see: the configured timeouts as PostgreSQL shows them, else defaults. */
  private static final Map<String, String> EXPECTED =
      new TreeMap<>(
          Map.ofEntries(
              Map.entry("lock_timeout", "7s"),
              Map.entry("statement_timeout", "3min"),
              Map.entry("idle_in_transaction_session_timeout", "0"),
              Map.entry("transaction_timeout", "0"),
              Map.entry("check_function_bodies", "on"),
              Map.entry("row_security", "on"),
              Map.entry("default_tablespace", ""),
              Map.entry("session_replication_role", "origin"),
              Map.entry("client_min_messages", "notice"),
              Map.entry("current_user", PostgresServer.SUPERUSER),
              Map.entry("current_schema", SCHEMA),
              Map.entry("public on search_path", "true")));

  /** The settings above that {@code current_setting} reads. */
  private static final List<String> SETTINGS =
      List.of(
          "lock_timeout",
          "statement_timeout",
          "idle_in_transaction_session_timeout",
          "transaction_timeout",
          "check_function_bodies",
          "row_security",
          "default_tablespace",
          "session_replication_role",
          "client_min_messages");

  private static final String SETUP =
      "CREATE TABLE session_seen (step TEXT NOT NULL, name TEXT NOT NULL, value TEXT,"
          + " PRIMARY KEY (step, name));\n"
          + "CREATE TABLE ledger_marks (id INT PRIMARY KEY, note TEXT NOT NULL);\n";

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings publicDatabase = TestDatabases.create(postgres);
  private final ConnectionSettings database =
      ConnectionSettings.builder()
          .host(publicDatabase.host())
          .port(publicDatabase.port())
          .database(publicDatabase.database())
          .user(publicDatabase.user())
          .password(publicDatabase.password())
          .sslMode(publicDatabase.sslMode())
          .schema(SCHEMA)
          .build();
  private final String otherRole = "ledger_writer_" + publicDatabase.database();

  /**
   * A role the scripts switch to. Everything created from now on in this database is granted to it,
   * so a role that leaks into the next script shows up in what that script records instead of
   * failing it for lack of privileges.
   */
  private void createOtherRole() {
    postgres.execute("postgres", "CREATE ROLE " + otherRole + " NOLOGIN");
    postgres.execute(
        database.database(),
        "GRANT " + otherRole + " TO " + PostgresServer.SUPERUSER,
        "ALTER DEFAULT PRIVILEGES GRANT USAGE, CREATE ON SCHEMAS TO " + otherRole,
        "ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO " + otherRole);
  }

  /** Every setting a script can change for the rest of its session, the role last. */
  private String changeEverySetting() {
    return "SET lock_timeout = 0;\n"
        + "SET statement_timeout = '1s';\n"
        + "SET idle_in_transaction_session_timeout = '17min';\n"
        + "SET transaction_timeout = '19min';\n"
        + "SET check_function_bodies = false;\n"
        + "SET row_security = off;\n"
        + "SET default_tablespace = pg_default;\n"
        + "SET session_replication_role = replica;\n"
        + "SET client_min_messages = warning;\n"
        + "SET search_path = '';\n"
        + "SET ROLE "
        + otherRole
        + ";\n";
  }

  /** A script line recording what the session looks like, with qualified names only. */
  private static String observe(String step) {
    List<String> rows = new ArrayList<>();
    for (String setting : SETTINGS) {
      rows.add(
          "('" + step + "', '" + setting + "', pg_catalog.current_setting('" + setting + "'))");
    }
    rows.add("('" + step + "', 'current_user', CURRENT_USER::text)");
    rows.add(
        "('"
            + step
            + "', 'current_schema', coalesce(pg_catalog.current_schema()::text, '(none)'))");
    rows.add(
        "('"
            + step
            + "', 'public on search_path',"
            + " ('public' = ANY (pg_catalog.current_schemas(false)))::text)");
    return "INSERT INTO "
        + SCHEMA
        + ".session_seen (step, name, value) VALUES\n    "
        + String.join(",\n    ", rows)
        + ";\n";
  }

  private MigratorConfiguration configure(MigrationFiles files) {
    return Migrator.configure()
        .connection(database)
        .migrations(MigrationSet.fromDirectory(files.directory()))
        .lockTimeout(LOCK_TIMEOUT)
        .statementTimeout(STATEMENT_TIMEOUT);
  }

  private Map<String, String> seen(String step) {
    Map<String, String> values = new TreeMap<>();
    try (Connection connection = postgres.connect(database.database());
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT name, value FROM " + SCHEMA + ".session_seen WHERE step = ?")) {
      statement.setString(1, step);
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          values.put(result.getString(1), result.getString(2));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return values;
  }

  private List<String> query(String sql) {
    try (Connection connection = postgres.connect(database.database());
        PreparedStatement statement = connection.prepareStatement(sql);
        ResultSet result = statement.executeQuery()) {
      List<String> values = new ArrayList<>();
      while (result.next()) {
        values.add(result.getString(1));
      }
      return values;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  private List<String> history() {
    return Catalog.history(postgres, database.database(), SCHEMA);
  }

  private List<String> tables() {
    return Catalog.tables(postgres, database.database(), SCHEMA);
  }

  // flyway/flyway#1250: one connection for all migrations kept the session settings a script set.
  @Test
  void everySettingAMigrationChangesIsBackToItsStartValueForTheNext() {
    createOtherRole();
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__setup.sql", SETUP + observe("V1"))
            .with("V2__change_settings.sql", changeEverySetting())
            .with("V3__observe.sql", observe("V3"))
            .with(
                "V4__clear_search_path.sql",
                "SELECT pg_catalog.set_config('search_path', '', false);\n")
            .with("V5__observe.sql", observe("V5"));

    MigrationResult result = configure(files).load().migrate();

    assertThat(result.failure()).isNull();
    assertThat(history())
        .endsWith("1:SQL:true", "2:SQL:true", "3:SQL:true", "4:SQL:true", "5:SQL:true");
    assertThat(tables()).containsExactly("flyway_schema_history", "ledger_marks", "session_seen");
    SoftAssertions.assertSoftly(
        softly -> {
          softly.assertThat(seen("V1")).as("first migration").isEqualTo(EXPECTED);
          softly.assertThat(seen("V3")).as("after SET ... in V2").isEqualTo(EXPECTED);
          softly.assertThat(seen("V5")).as("after set_config in V4").isEqualTo(EXPECTED);
        });
  }

  // flyway/flyway#1250: a leaked statement_timeout cancels, a leaked replica role skips triggers.
  @Test
  void settingsLeftBehindWouldBreakTheNextMigration() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                "V1__ledger_with_audit.sql",
                SETUP
                    + "CREATE TABLE ledger_entries (id INT PRIMARY KEY, amount BIGINT NOT NULL);\n"
                    + "CREATE TABLE ledger_audit (entry TEXT NOT NULL);\n"
                    + "CREATE FUNCTION ledger_entries_audit() RETURNS trigger LANGUAGE plpgsql\n"
                    + "AS $$\n"
                    + "BEGIN\n"
                    + "    INSERT INTO "
                    + SCHEMA
                    + ".ledger_audit (entry) VALUES (NEW.id || ':' || NEW.amount);\n"
                    + "    RETURN NEW;\n"
                    + "END;\n"
                    + "$$;\n"
                    + "CREATE TRIGGER ledger_entries_audit AFTER INSERT ON ledger_entries\n"
                    + "    FOR EACH ROW EXECUTE FUNCTION ledger_entries_audit();\n")
            .with(
                "V2__bulk_load_settings.sql",
                "SET statement_timeout = '1s';\nSET session_replication_role = replica;\n")
            .with(
                "V3__slow_backfill.sql",
                "SELECT pg_catalog.pg_sleep(2);\n"
                    + "INSERT INTO "
                    + SCHEMA
                    + ".ledger_entries (id, amount) VALUES (1, 250);\n");

    MigrationResult result = configure(files).load().migrate();

    assertThat(result.failure()).isNull();
    assertThat(result.applied())
        .extracting(AppliedMigration::version)
        .containsExactly("1", "2", "3");
    assertThat(history()).endsWith("1:SQL:true", "2:SQL:true", "3:SQL:true");
    assertThat(query("SELECT entry FROM " + SCHEMA + ".ledger_audit"))
        .as("the trigger fired")
        .containsExactly("1:250");
  }

  // flyway/flyway#1250: undo scripts share one connection, so the same rule must hold for them.
  @Test
  void undoScriptsStartFromTheSameSettings() {
    createOtherRole();
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__setup.sql", SETUP)
            .with(
                "V2__second_mark.sql",
                "INSERT INTO ledger_marks (id, note) VALUES (2, 'second');\n")
            .with(
                "U2__second_mark.sql",
                observe("U2") + "DELETE FROM " + SCHEMA + ".ledger_marks WHERE id = 2;\n")
            .with(
                "V3__third_mark.sql", "INSERT INTO ledger_marks (id, note) VALUES (3, 'third');\n")
            .with(
                "U3__third_mark.sql",
                observe("U3")
                    + "DELETE FROM "
                    + SCHEMA
                    + ".ledger_marks WHERE id = 3;\n"
                    + changeEverySetting());
    assertThat(configure(files).load().migrate().failure()).isNull();
    assertThat(history()).endsWith("1:SQL:true", "2:SQL:true", "3:SQL:true");

    MigrationResult undone = configure(files).load().undo("1");

    SoftAssertions.assertSoftly(
        softly -> {
          softly.assertThat(undone.failure()).isNull();
          softly.assertThat(seen("U3")).as("first undo script").isEqualTo(EXPECTED);
          softly
              .assertThat(seen("U2"))
              .as("undo script after U3 changed settings")
              .isEqualTo(EXPECTED);
        });
    assertThat(undone.undone()).extracting(AppliedMigration::version).containsExactly("3", "2");
    assertThat(history()).endsWith("1:SQL:true").doesNotContain("2:SQL:true", "3:SQL:true");
    assertThat(query("SELECT count(*)::text FROM " + SCHEMA + ".ledger_marks"))
        .containsExactly("0");
  }

  // flyway/flyway#1764: a pg_dump 17 file pasted into a migration sets up pg_dump's session.
  @Test
  void pgDumpHeaderInOneMigrationDoesNotChangeWhatTheNextSees() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__setup.sql", SETUP)
            .with(
                "V2__restore_archive.sql",
                "--\n"
                    + "-- PostgreSQL database dump\n"
                    + "--\n"
                    + "\n"
                    + "-- Dumped from database version 17.6\n"
                    + "-- Dumped by pg_dump version 17.6\n"
                    + "\n"
                    + "SET statement_timeout = 0;\n"
                    + "SET lock_timeout = 0;\n"
                    + "SET idle_in_transaction_session_timeout = 0;\n"
                    + "SET transaction_timeout = 0;\n"
                    + "SET client_encoding = 'UTF8';\n"
                    + "SET standard_conforming_strings = on;\n"
                    + "SELECT pg_catalog.set_config('search_path', '', false);\n"
                    + "SET check_function_bodies = false;\n"
                    + "SET xmloption = content;\n"
                    + "SET client_min_messages = warning;\n"
                    + "SET row_security = off;\n"
                    + "\n"
                    + "SET default_tablespace = '';\n"
                    + "\n"
                    + "SET default_table_access_method = heap;\n"
                    + "\n"
                    + "CREATE TABLE "
                    + SCHEMA
                    + ".archived_entries (\n"
                    + "    id integer NOT NULL,\n"
                    + "    amount bigint NOT NULL\n"
                    + ");\n"
                    + "\n"
                    + "ALTER TABLE ONLY "
                    + SCHEMA
                    + ".archived_entries\n"
                    + "    ADD CONSTRAINT archived_entries_pkey PRIMARY KEY (id);\n")
            .with("V3__observe.sql", observe("V3"));

    MigrationResult result = configure(files).load().migrate();

    assertThat(result.failure()).isNull();
    assertThat(history()).endsWith("1:SQL:true", "2:SQL:true", "3:SQL:true");
    assertThat(tables())
        .containsExactly(
            "archived_entries", "flyway_schema_history", "ledger_marks", "session_seen");
    assertThat(seen("V3")).as("after a pg_dump header in V2").isEqualTo(EXPECTED);
  }
}
