package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.contract.Drift;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.SocketPostgres;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A shadow on a server of its own (as the Job's sidecar is) where its user may create databases:
 * the replay runs in a database it creates, in the schema named like the migrated one, so scripts
 * that qualify names with the migrated schema's name ({@code public.parcels}, as {@code pg_dump}
 * writes every name) replay as they ran. Each scenario checks the migrated database's catalog and
 * history afterwards, and that no replay database is left in the shadow.
 *
 * <p>Before, such sets could not be verified at all (a qualified {@code CREATE} was refused as an
 * object left in the shadow's {@code public}), and qualified statements that leave nothing behind
 * ({@code DROP TABLE IF EXISTS public.x}, {@code CREATE TABLE IF NOT EXISTS public.x} over a table
 * already there) went to the shadow's own {@code public}: the exact schema was reported drifted,
 * and the same table made again by hand was reported as no drift.
 */
class ShadowOwnDatabaseIT {

  /** Every name qualified, a constraint and an index added apart, as pg_dump writes a schema. */
  private static final String V1_DUMPED =
      """
      SET statement_timeout = 0;
      SET client_encoding = 'UTF8';
      CREATE TABLE public.depots (
          id bigint NOT NULL,
          name text NOT NULL
      );
      ALTER TABLE ONLY public.depots ADD CONSTRAINT depots_pkey PRIMARY KEY (id);
      CREATE INDEX depots_name_idx ON public.depots USING btree (name);
      CREATE FUNCTION public.depot_label(d public.depots) RETURNS text
          LANGUAGE sql IMMUTABLE AS $$ SELECT d.name || ' #' || d.id $$;
      COMMENT ON TABLE public.depots IS 'where parcels wait';
      CREATE TABLE public.depots_import (id bigint, raw text);
      """;

  private static final String V2_CLEANUP =
      """
      ALTER TABLE public.depots ADD COLUMN city text;
      DROP TABLE IF EXISTS public.depots_import;
      CREATE TABLE IF NOT EXISTS public.routes (id bigint PRIMARY KEY);
      """;

  private static SocketPostgres shadow;

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);
  private final List<String> progress = new ArrayList<>();

  @BeforeAll
  static void startShadow() {
    shadow = SocketPostgres.start(17);
  }

  @AfterAll
  static void stopShadow() {
    shadow.close();
  }

  private static MigrationFiles dumpedSet() {
    return MigrationFiles.empty()
        .with("V1__dumped.sql", V1_DUMPED)
        .with("V2__cleanup.sql", V2_CLEANUP);
  }

  private MigratorConfiguration configure(MigrationFiles files, ConnectionSettings settings) {
    return Migrator.configure()
        .connection(settings)
        .migrations(MigrationSet.fromDirectory(files.directory()))
        .shadow(ShadowDatabase.fromSocketDirectory(shadow.socketDirectory(), null, null))
        .progress(progress::add);
  }

  private List<String> history(String schema) {
    return Catalog.history(postgres, database.database(), schema);
  }

  @Test
  void aSetWhoseScriptsQualifyEveryNameIsVerifiedAndMatchesItsOwnSchema() {
    MigrationFiles files = dumpedSet();
    // The schema the set makes, without its history: a database adopted from a dump.
    MigrationResult built = configure(files, database).verifyBaseline(false).load().migrate();
    assertThat(built.failure()).isNull();
    assertThat(built.verification().drift())
        .as(String.valueOf(built.verification()))
        .isEqualTo(Drift.None);
    assertThat(progress)
        .anyMatch(line -> line.startsWith("shadow replay: schema public of database "));
    postgres.execute(database.database(), "DROP TABLE flyway_schema_history");
    List<String> before = Catalog.snapshot(postgres, database.database(), "public");

    MigrationResult adopted =
        configure(files, database).baselinePolicy(BaselinePolicy.auto()).load().migrate();

    assertThat(adopted.failure()).isNull();
    assertThat(adopted.outcome()).isEqualTo(Outcome.Baselined);
    assertThat(adopted.baselineVersion()).isEqualTo("2");
    assertThat(adopted.verification().drift()).isEqualTo(Drift.None);
    assertThat(history("public")).containsExactly("2:BASELINE:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(before);
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .contains("depots", "routes")
        .doesNotContain("depots_import");
    assertThat(replayDatabasesLeft()).isEmpty();
    assertThat(
            shadow.query(
                "postgres",
                "SELECT count(*) FROM pg_class WHERE relnamespace =" + " 'public'::regnamespace"))
        .as("the shadow's own public schema is untouched")
        .containsExactly("0");
  }

  @Test
  void aQualifiedDropIfExistsAndCreateIfNotExistsAreNeitherFalseDriftNorFalseMatch() {
    MigrationFiles files = dumpedSet();
    assertThat(configure(files, database).load().migrate().failure()).isNull();
    // What an earlier replay in the shadow's own database could have left there.
    shadowExecute("postgres", "CREATE TABLE public.routes (id bigint PRIMARY KEY)");
    try {
      List<String> exact = Catalog.snapshot(postgres, database.database(), "public");

      MigrationResult exactCheck = configure(files, database).load().verify();

      assertThat(exactCheck.verification().drift())
          .as(String.valueOf(exactCheck.verification()))
          .isEqualTo(Drift.None);
      assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(exact);

      postgres.execute(database.database(), "CREATE TABLE depots_import (id bigint, raw text)");
      MigrationResult driftCheck = configure(files, database).load().verify();

      assertThat(driftCheck.verification().drift()).isEqualTo(Drift.Drifted);
      assertThat(driftCheck.verification().differences())
          .contains("extra table depots_import: TABLE");
      assertThat(history("public")).containsExactly("1:SQL:true", "2:SQL:true");
      assertThat(replayDatabasesLeft()).isEmpty();
    } finally {
      shadowExecute("postgres", "DROP TABLE public.routes");
    }
  }

  @Test
  void aSchemaOtherThanPublicIsReplayedUnderItsOwnName() {
    ConnectionSettings inApp = TestDatabases.inSchema(postgres, database, "app");
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__app.sql", "CREATE TABLE app.lockers (id bigint PRIMARY KEY);\n")
            .with("V2__app.sql", "CREATE VIEW app.free_lockers AS SELECT id FROM app.lockers;\n");

    MigrationResult migrated = configure(files, inApp).load().migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(migrated.verification().drift())
        .as(String.valueOf(migrated.verification()))
        .isEqualTo(Drift.None);
    assertThat(progress).anyMatch(line -> line.startsWith("shadow replay: schema app of database"));
    assertThat(history("app")).containsExactly("-:SCHEMA:true", "1:SQL:true", "2:SQL:true");
    assertThat(Catalog.tables(postgres, database.database(), "app")).contains("lockers");
    assertThat(replayDatabasesLeft()).isEmpty();
  }

  /**
   * A shadow user without {@code CREATEDB}: the replay runs in a schema of its own in the shadow's
   * database, as before, and says why; a qualified script is then refused as a stray, never a false
   * finding.
   */
  @Test
  void withoutCreatedbTheReplayRunsInASchemaOfItsOwnAndSaysSo() {
    String role = "plain_" + database.database();
    shadowExecute(
        "postgres",
        "CREATE ROLE " + role + " LOGIN NOCREATEDB",
        "GRANT CREATE ON DATABASE postgres TO " + role,
        "GRANT CREATE ON SCHEMA public TO " + role);
    try {
      MigrationFiles files = dumpedSet();
      MigratorConfiguration configuration =
          configure(files, database)
              .shadow(ShadowDatabase.fromSocketDirectory(shadow.socketDirectory(), role, null));

      MigrationResult migrated = configuration.load().migrate();

      assertThat(migrated.failure()).isNull();
      assertThat(migrated.verification().drift()).isEqualTo(Drift.Unknown);
      assertThat(migrated.verification().reason())
          .contains(
              "version 1 created or changed depot_label(d depots) in schema public of the shadow"
                  + " database postgres");
      assertThat(progress)
          .anyMatch(line -> line.contains("does not let its user create a database (CREATEDB)"));
      assertThat(history("public")).containsExactly("1:SQL:true", "2:SQL:true");
      assertThat(replayDatabasesLeft()).isEmpty();
    } finally {
      shadowExecute(
          "postgres",
          "DROP TABLE IF EXISTS public.depots, public.depots_import, public.routes CASCADE",
          "DROP FUNCTION IF EXISTS public.depot_label",
          "REVOKE CREATE ON SCHEMA public FROM " + role,
          "REVOKE CREATE ON DATABASE postgres FROM " + role,
          "DROP ROLE " + role);
    }
  }

  private List<String> replayDatabasesLeft() {
    return shadow.query(
        "postgres",
        "SELECT datname FROM pg_database WHERE datname LIKE 'schema_operator_replay_%'"
            + " UNION ALL SELECT nspname FROM pg_namespace"
            + " WHERE nspname LIKE 'schema_operator_replay_%'");
  }

  private static void shadowExecute(String databaseName, String... statements) {
    try (Connection connection = shadow.connect(databaseName);
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
