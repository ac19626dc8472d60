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
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A shadow on a server of its own (as the Job's sidecar is) where its user may create databases:
 * the replay runs in a database it creates, in the schema named like the migrated one, so scripts
 * that qualify names with the migrated schema's name ({@code public.parcels}, as {@code pg_dump}
 * writes every name) replay as they ran. Before, such sets could not be verified at all (a
 * qualified {@code CREATE} was refused as an object left in the shadow's {@code public}), and
 * qualified statements that leave nothing behind ({@code DROP TABLE IF EXISTS public.x}, {@code
 * CREATE TABLE IF NOT EXISTS public.x} over a table already there) went to the shadow's own {@code
 * public}: the exact schema was reported drifted, the same table made again by hand as no drift.
 *
 * <p>Then sets as people write them: unusual schema names, placeholders, search paths, extensions,
 * other schemas, grants to roles the shadow lacks, failures, plans and two replays in one run. Each
 * checks the finding, the migrated database's catalog and history, and that the shadow keeps
 * nothing of the replay (no {@code schema_operator_replay_} database or schema, no role it
 * created).
 */
class OwnDatabaseReplayIT {

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

  @AfterEach
  void theShadowKeepsNothingOfTheReplay() {
    assertThat(replayLeftovers(shadow)).isEmpty();
    assertThat(
            shadow.query(
                "postgres",
                "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"))
        .as("the shadow's own public schema is untouched")
        .isEmpty();
  }

  private MigratorConfiguration configure(MigrationFiles files, ConnectionSettings settings) {
    return Migrator.configure()
        .connection(settings)
        .migrations(MigrationSet.fromDirectory(files.directory()))
        .shadow(ShadowDatabase.fromSocketDirectory(shadow.socketDirectory(), null, null))
        .placeholders(true, Map.of(), null, null)
        .progress(progress::add);
  }

  @Test
  void aMixedCaseSchemaWithASpaceQualifiedByNameAndByPlaceholderIsVerifiedAndDriftIsFound() {
    ConnectionSettings inMyApp = TestDatabases.inSchema(postgres, database, "My App");
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                "V1__lockers.sql",
                "CREATE TABLE \"My App\".lockers (id bigint PRIMARY KEY, label text);\n"
                    + "CREATE INDEX lockers_label_idx ON \"My App\".lockers (label);\n")
            .with(
                "V2__size.sql",
                "ALTER TABLE \"${flyway:defaultSchema}\".lockers ADD COLUMN size int;\n"
                    + "CREATE VIEW \"My App\".\"Free Lockers\" AS"
                    + " SELECT id, size FROM \"My App\".lockers;\n");

    MigrationResult migrated = configure(files, inMyApp).load().migrate();

    assertSucceededWithoutDrift(migrated);
    assertThat(progress)
        .anyMatch(line -> line.startsWith("shadow replay: schema My App of database "));
    List<String> exact = Catalog.snapshot(postgres, database.database(), "My App");

    MigrationResult verified = configure(files, inMyApp).load().verify();
    assertThat(verified.verification().drift()).isEqualTo(Drift.None);

    postgres.execute(database.database(), "DROP INDEX \"My App\".lockers_label_idx");
    MigrationResult drifted = configure(files, inMyApp).load().verify();

    assertThat(drifted.verification().drift()).isEqualTo(Drift.Drifted);
    assertThat(drifted.verification().differences())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("missing index lockers_label_idx");
    assertThat(Catalog.history(postgres, database.database(), "My App"))
        .containsExactly("-:SCHEMA:true", "1:SQL:true", "2:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "My App")).hasSize(exact.size() - 1);
  }

  @Test
  void searchPathSetInsideScriptsReplaysAsItRan() {
    ConnectionSettings inApp = TestDatabases.inSchema(postgres, database, "app");
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                "V1__elsewhere.sql",
                "SET search_path TO public;\n"
                    + "CREATE TABLE shared_codes (code text PRIMARY KEY);\n"
                    + "SET search_path TO app, public;\n"
                    + "CREATE TABLE orders (id bigint PRIMARY KEY,"
                    + " code text REFERENCES shared_codes);\n")
            .with(
                "V2__view.sql",
                "SET search_path TO public;\n"
                    + "CREATE VIEW app.order_codes AS SELECT o.id, c.code"
                    + " FROM app.orders o JOIN shared_codes c USING (code);\n");

    MigrationResult migrated = configure(files, inApp).load().migrate();

    assertSucceededWithoutDrift(migrated);
    assertThat(Catalog.tables(postgres, database.database(), "public")).contains("shared_codes");
    assertThat(configure(files, inApp).load().verify().verification().drift())
        .isEqualTo(Drift.None);
  }

  @Test
  void extensionsCreatedByTheSetReplayInTheReplaysDatabase() {
    ConnectionSettings inMyApp = TestDatabases.inSchema(postgres, database, "My App");
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                "V1__users.sql",
                "CREATE EXTENSION IF NOT EXISTS citext;\n"
                    + "CREATE EXTENSION IF NOT EXISTS pgcrypto;\n"
                    + "CREATE TABLE users (id bigint PRIMARY KEY, email citext UNIQUE,"
                    + " secret text DEFAULT encode(gen_random_bytes(8), 'hex'));\n");

    MigrationResult migrated = configure(files, inMyApp).load().migrate();

    assertSucceededWithoutDrift(migrated);
    assertThat(configure(files, inMyApp).load().verify().verification().drift())
        .isEqualTo(Drift.None);
    assertThat(shadow.query("postgres", "SELECT extname FROM pg_extension"))
        .containsExactly("plpgsql");
  }

  @Test
  void anotherSchemaTheSetCreatesIsReplayedAgainOnEveryRun() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                "V1__codes.sql",
                "CREATE SCHEMA reference_data;\n"
                    + "CREATE TABLE reference_data.codes (code text PRIMARY KEY);\n"
                    + "CREATE TABLE public.orders (id bigint PRIMARY KEY,"
                    + " code text REFERENCES reference_data.codes);\n");

    MigrationResult migrated = configure(files, database).load().migrate();

    assertSucceededWithoutDrift(migrated);
    for (int run = 0; run < 2; run++) {
      assertThat(configure(files, database).load().verify().verification().drift())
          .isEqualTo(Drift.None);
    }
    assertThat(shadow.query("postgres", "SELECT nspname FROM pg_namespace"))
        .doesNotContain("reference_data");
  }

  @Test
  void aScriptThatNamesItsDatabaseChangesOnlyTheReplaysDatabase() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                "V1__settings.sql",
                "ALTER DATABASE ${flyway:database} SET work_mem = '8MB';\n"
                    + "COMMENT ON DATABASE ${flyway:database} IS 'parcels';\n"
                    + "CREATE TABLE parcels (id bigint PRIMARY KEY);\n");

    MigrationResult migrated = configure(files, database).load().migrate();

    assertSucceededWithoutDrift(migrated);
    assertThat(shadow.query("postgres", "SELECT count(*) FROM pg_db_role_setting"))
        .containsExactly("0");
  }

  @Test
  void grantsAndOwnersNamingRolesTheShadowLacksLeaveNoRoleBehind() {
    String reporting = "reporting_" + database.database();
    String owner = "owner_" + database.database();
    postgres.execute(
        database.database(), "CREATE ROLE " + reporting + " NOLOGIN", "CREATE ROLE " + owner);
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                "V1__grants.sql",
                "CREATE TABLE public.parcels (id bigint PRIMARY KEY);\n"
                    + "ALTER TABLE public.parcels OWNER TO "
                    + owner
                    + ";\n"
                    + "GRANT SELECT ON public.parcels TO "
                    + reporting
                    + ";\n"
                    + "GRANT USAGE ON SCHEMA public TO "
                    + reporting
                    + ";\n"
                    + "GRANT CONNECT ON DATABASE ${flyway:database} TO "
                    + reporting
                    + ";\n"
                    + "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO "
                    + reporting
                    + ";\n")
            .with(
                "V2__more.sql",
                "CREATE TABLE public.routes (id bigint PRIMARY KEY);\n"
                    + "ALTER TABLE public.routes OWNER TO "
                    + owner
                    + ";\n");
    try {
      MigrationResult migrated = configure(files, database).load().migrate();

      assertSucceededWithoutDrift(migrated);
      assertThat(progress).anyMatch(line -> line.contains("created role " + reporting));
      assertThat(
              shadow.query(
                  "postgres",
                  "SELECT rolname FROM pg_roles WHERE rolname IN ('"
                      + reporting
                      + "', '"
                      + owner
                      + "')"))
          .isEmpty();
    } finally {
      postgres.execute(
          database.database(),
          "DROP OWNED BY " + reporting + ", " + owner,
          "DROP ROLE " + reporting,
          "DROP ROLE " + owner);
    }
  }

  /**
   * A set that creates its own role: the role is made by the script, not by the replay, so nothing
   * drops it, and the next replay in the same shadow fails on {@code CREATE ROLE}.
   */
  @Test
  void aRoleAScriptCreatesIsNotLeftInTheShadow() {
    String role = "made_by_script_" + database.database();
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                "V1__role.sql",
                "CREATE ROLE "
                    + role
                    + " NOLOGIN;\n"
                    + "CREATE TABLE parcels (id bigint PRIMARY KEY);\n"
                    + "GRANT SELECT ON parcels TO "
                    + role
                    + ";\n");
    try {
      MigrationResult migrated = configure(files, database).load().migrate();
      assertThat(migrated.verification().drift()).isEqualTo(Drift.None);

      MigrationResult verified = configure(files, database).load().verify();

      assertThat(verified.verification().drift())
          .as(String.valueOf(verified.verification()))
          .isEqualTo(Drift.None);
      assertThat(
              shadow.query(
                  "postgres", "SELECT rolname FROM pg_roles WHERE rolname = '" + role + "'"))
          .isEmpty();
    } finally {
      postgres.execute(database.database(), "DROP OWNED BY " + role, "DROP ROLE " + role);
      shadowExecute(shadow, "postgres", "DROP ROLE IF EXISTS " + role);
    }
  }

  @Test
  void aScriptThatFailsOnlyInTheShadowIsUnknownAndTheReplayDatabaseIsDropped() {
    postgres.execute(
        database.database(),
        "CREATE SCHEMA legacy",
        "CREATE TABLE legacy.data (id bigint, note text)");
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__parcels.sql", "CREATE TABLE public.parcels (id bigint PRIMARY KEY);\n")
            .with(
                "V2__legacy.sql",
                "CREATE VIEW public.legacy_notes AS SELECT note FROM legacy.data;\n");

    MigrationResult migrated = configure(files, database).load().migrate();
    List<String> catalog = Catalog.snapshot(postgres, database.database(), "public");

    assertThat(migrated.failure()).isNull();
    assertThat(migrated.verification().drift()).isEqualTo(Drift.Unknown);
    assertThat(migrated.verification().reason())
        .contains("version 2")
        .contains("V2__legacy.sql")
        .contains("legacy.data");
    MigrationResult verified = configure(files, database).load().verify();
    assertThat(verified.verification().drift()).isEqualTo(Drift.Unknown);
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(catalog);
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
  }

  @Test
  void aShadowPasswordInAFailingScriptsMessageIsTakenOut() {
    String secret = "s3cret-Shadow-pw";
    postgres.execute(
        database.database(),
        "CREATE SCHEMA legacy",
        "CREATE TABLE legacy.\"" + secret + "\" (id bigint)");
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__parcels.sql", "CREATE TABLE parcels (id bigint PRIMARY KEY);\n")
            .with(
                "V2__legacy.sql",
                "CREATE VIEW legacy_ids AS SELECT id FROM legacy.\"" + secret + "\";\n");
    MigratorConfiguration configuration =
        configure(files, database)
            .shadow(ShadowDatabase.fromSocketDirectory(shadow.socketDirectory(), null, secret));

    MigrationResult migrated = configuration.load().migrate();
    MigrationResult verified = configuration.load().verify();

    assertThat(migrated.failure()).isNull();
    assertThat(verified.verification().drift()).isEqualTo(Drift.Unknown);
    assertThat(verified.verification().reason()).contains("V2__legacy.sql");
    assertThat(String.valueOf(migrated)).doesNotContain(secret);
    assertThat(String.valueOf(verified)).doesNotContain(secret);
    assertThat(progress).noneMatch(line -> line.contains(secret));
  }

  @Test
  void planWithAPendingFailingScriptAndAPendingRepeatablePredictsTheFailure() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__parcels.sql", "CREATE TABLE public.parcels (id bigint PRIMARY KEY);\n")
            .with(
                "R__parcel_ids.sql",
                "CREATE OR REPLACE VIEW public.parcel_ids AS SELECT id FROM public.parcels;\n");
    assertThat(configure(files, database).load().migrate().failure()).isNull();
    postgres.execute(database.database(), "CREATE TABLE audit_log (id bigint)");
    files
        .with("V2__audit.sql", "CREATE TABLE public.audit_log (id bigint PRIMARY KEY);\n")
        .with(
            "R__parcel_ids.sql",
            "CREATE OR REPLACE VIEW public.parcel_ids AS SELECT id, id * 2 AS twice"
                + " FROM public.parcels;\n");
    List<String> catalog = Catalog.snapshot(postgres, database.database(), "public");
    List<String> history = Catalog.history(postgres, database.database(), "public");

    MigrationPlan plan = configure(files, database).load().plan();

    assertThat(plan.prediction()).as(String.valueOf(plan.result())).isNotNull();
    assertThat(plan.prediction().succeeds()).isFalse();
    assertThat(plan.prediction().lines())
        .contains("  drift: extra table audit_log: TABLE")
        .anyMatch(line -> line.startsWith("predicted failure: V2__audit.sql line 1: 42P07"))
        .contains("predicted not reached: R__parcel_ids.sql")
        .noneMatch(line -> line.contains("parcel_ids") && line.contains("drift:"));
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(catalog);
    assertThat(Catalog.history(postgres, database.database(), "public")).isEqualTo(history);

    postgres.execute(database.database(), "DROP TABLE audit_log");
    MigrationPlan clean = configure(files, database).load().plan();
    assertThat(clean.prediction().succeeds()).as(clean.prediction().lines().toString()).isTrue();
    assertThat(clean.prediction().drift()).isEmpty();
  }

  /**
   * A verified baseline, a migration applied after the stamp, then the drift check: two replays.
   */
  @Test
  void aVerifiedBaselineThenAMigrationThenTheDriftCheckAllReplayQualifiedNames() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                "V1__depots.sql",
                "CREATE TABLE public.depots (id bigint NOT NULL, name text NOT NULL);\n"
                    + "ALTER TABLE ONLY public.depots ADD CONSTRAINT depots_pkey"
                    + " PRIMARY KEY (id);\n")
            .with("V2__city.sql", "ALTER TABLE public.depots ADD COLUMN city text;\n");
    assertThat(configure(files, database).verifyBaseline(false).load().migrate().failure())
        .isNull();
    postgres.execute(database.database(), "DROP TABLE flyway_schema_history");
    files.with(
        "V3__routes.sql",
        "CREATE TABLE public.routes (id bigint PRIMARY KEY,"
            + " depot bigint REFERENCES public.depots);\n");
    progress.clear();

    MigrationResult adopted =
        configure(files, database).baselinePolicy(BaselinePolicy.auto()).load().migrate();

    assertThat(adopted.failure()).as(String.valueOf(adopted)).isNull();
    assertThat(adopted.baselineVersion()).isEqualTo("2");
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("2:BASELINE:true", "3:SQL:true");
    assertThat(adopted.verification().version()).isEqualTo("3");
    assertThat(adopted.verification().drift())
        .as(String.valueOf(adopted.verification()))
        .isEqualTo(Drift.None);
    assertThat(progress.stream().filter(line -> line.startsWith("shadow replay: schema public of")))
        .hasSizeGreaterThanOrEqualTo(2);
  }

  /**
   * Without {@code CREATEDB}, names qualified with {@code ${flyway:defaultSchema}} (the way the
   * fallback's message recommends) replay in the schema of its own.
   */
  @Test
  void withoutCreatedbPlaceholderQualifiedNamesReplayInASchemaOfItsOwn() {
    String role = "plain_" + database.database();
    shadowExecute(
        shadow,
        "postgres",
        "CREATE ROLE " + role + " LOGIN NOCREATEDB",
        "GRANT CREATE ON DATABASE postgres TO " + role);
    try {
      MigrationFiles files =
          MigrationFiles.empty()
              .with(
                  "V1__depots.sql",
                  "CREATE TABLE ${flyway:defaultSchema}.depots (id bigint PRIMARY KEY);\n")
              .with(
                  "V2__routes.sql",
                  "CREATE TABLE ${flyway:defaultSchema}.routes (id bigint PRIMARY KEY,"
                      + " depot bigint REFERENCES ${flyway:defaultSchema}.depots);\n");

      MigrationResult migrated =
          configure(files, database)
              .shadow(ShadowDatabase.fromSocketDirectory(shadow.socketDirectory(), role, null))
              .load()
              .migrate();

      assertSucceededWithoutDrift(migrated);
      assertThat(progress)
          .anyMatch(line -> line.contains("does not let its user create a database (CREATEDB)"));
    } finally {
      shadowExecute(
          shadow,
          "postgres",
          "REVOKE CREATE ON DATABASE postgres FROM " + role,
          "DROP ROLE " + role);
    }
  }

  /**
   * An extension installed in the shadow's own database only (the set relies on one a DBA installed
   * in the migrated database): the replay's database, from {@code template0}, lacks it, and the
   * finding is an honest {@code Unknown} naming the missing type, never a false one.
   */
  @Test
  void anExtensionInstalledOnlyInTheShadowsDatabaseIsUnknownNotAFalseFinding() {
    postgres.execute(database.database(), "CREATE EXTENSION citext");
    shadowExecute(shadow, "postgres", "CREATE EXTENSION citext");
    try {
      MigrationFiles files =
          MigrationFiles.empty()
              .with("V1__users.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email citext);\n");

      MigrationResult migrated = configure(files, database).load().migrate();

      assertThat(migrated.failure()).isNull();
      assertThat(migrated.verification().drift()).isEqualTo(Drift.Unknown);
      assertThat(migrated.verification().reason())
          .contains("V1__users.sql")
          .contains("type \"citext\" does not exist");
    } finally {
      shadowExecute(shadow, "postgres", "DROP EXTENSION citext");
    }
  }

  /**
   * A shadow server whose pg_hba.conf lets the shadow's user reach only the shadow's database (a
   * scratch database on a shared server): the user may create a database but not connect to it. The
   * replay should fall back to a schema of its own, as without CREATEDB.
   */
  @Test
  void aShadowThatLetsItsUserReachOnlyItsOwnDatabaseStillReplays() {
    try (SocketPostgres restricted = SocketPostgres.start(17)) {
      String hba = restricted.query("postgres", "SHOW hba_file").get(0);
      shadowExecute(
          restricted,
          "postgres",
          "COPY (SELECT 'local postgres all trust') TO '" + hba + "'",
          "SELECT pg_reload_conf()");
      MigrationFiles files =
          MigrationFiles.empty()
              .with("V1__depots.sql", "CREATE TABLE depots (id bigint PRIMARY KEY);\n");

      MigrationResult migrated =
          configure(files, database)
              .shadow(ShadowDatabase.fromSocketDirectory(restricted.socketDirectory(), null, null))
              .load()
              .migrate();

      assertThat(migrated.failure()).isNull();
      assertThat(replayLeftovers(restricted)).isEmpty();
      assertThat(migrated.verification().drift())
          .as(String.valueOf(migrated.verification()))
          .isEqualTo(Drift.None);
    }
  }

  /**
   * An extension installed in the public schema of both the shadow's database and the migrated one,
   * the replay in a schema of its own there (no CREATEDB): the replay's model is read with the
   * shadow's public searched after the replay's schema, so its column type reads {@code citext} as
   * the migrated one does. Before, it read {@code public.citext}: a false "changed column
   * users.email: public.citext -> citext".
   */
  @Test
  void anExtensionInstalledInTheShadowsDatabaseServesTheFallbackReplay() {
    String role = "plain_" + database.database();
    postgres.execute(database.database(), "CREATE EXTENSION citext");
    shadowExecute(
        shadow,
        "postgres",
        "CREATE EXTENSION citext",
        "CREATE ROLE " + role + " LOGIN NOCREATEDB",
        "GRANT CREATE ON DATABASE postgres TO " + role);
    try {
      MigrationFiles files =
          MigrationFiles.empty()
              .with("V1__users.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email citext);\n");

      MigrationResult migrated =
          configure(files, database)
              .shadow(ShadowDatabase.fromSocketDirectory(shadow.socketDirectory(), role, null))
              .load()
              .migrate();

      assertSucceededWithoutDrift(migrated);
      assertThat(progress)
          .anyMatch(line -> line.contains("does not let its user create a database (CREATEDB)"));
      assertThat(Catalog.history(postgres, database.database(), "public"))
          .containsExactly("1:SQL:true");
      assertThat(Catalog.tables(postgres, database.database(), "public")).contains("users");
    } finally {
      shadowExecute(
          shadow,
          "postgres",
          "DROP EXTENSION citext",
          "REVOKE CREATE ON DATABASE postgres FROM " + role,
          "DROP ROLE " + role);
    }
  }

  private static MigrationFiles dumpedSet() {
    return MigrationFiles.empty()
        .with("V1__dumped.sql", V1_DUMPED)
        .with("V2__cleanup.sql", V2_CLEANUP);
  }

  private List<String> history(String schema) {
    return Catalog.history(postgres, database.database(), schema);
  }

  @Test
  void aSetWhoseScriptsQualifyEveryNameIsVerifiedAndMatchesItsOwnSchema() {
    MigrationFiles files = dumpedSet();
    // The schema the set makes, without its history: a database adopted from a dump.
    MigrationResult built = configure(files, database).verifyBaseline(false).load().migrate();
    assertSucceededWithoutDrift(built);
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
    assertThat(replayLeftovers(shadow)).isEmpty();
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
    shadowExecute(shadow, "postgres", "CREATE TABLE public.routes (id bigint PRIMARY KEY)");
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
      assertThat(replayLeftovers(shadow)).isEmpty();
    } finally {
      shadowExecute(shadow, "postgres", "DROP TABLE public.routes");
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

    assertSucceededWithoutDrift(migrated);
    assertThat(progress).anyMatch(line -> line.startsWith("shadow replay: schema app of database"));
    assertThat(history("app")).containsExactly("-:SCHEMA:true", "1:SQL:true", "2:SQL:true");
    assertThat(Catalog.tables(postgres, database.database(), "app")).contains("lockers");
    assertThat(replayLeftovers(shadow)).isEmpty();
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
        shadow,
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
      assertThat(replayLeftovers(shadow)).isEmpty();
    } finally {
      shadowExecute(
          shadow,
          "postgres",
          "DROP TABLE IF EXISTS public.depots, public.depots_import, public.routes CASCADE",
          "DROP FUNCTION IF EXISTS public.depot_label",
          "REVOKE CREATE ON SCHEMA public FROM " + role,
          "REVOKE CREATE ON DATABASE postgres FROM " + role,
          "DROP ROLE " + role);
    }
  }

  /** The run succeeded and its drift check found the schema equal to the replay. */
  private static void assertSucceededWithoutDrift(MigrationResult result) {
    assertThat(result.failure()).isNull();
    assertThat(result.verification().drift())
        .as(String.valueOf(result.verification()))
        .isEqualTo(Drift.None);
  }

  private static List<String> replayLeftovers(SocketPostgres server) {
    return server.query(
        "postgres",
        "SELECT datname FROM pg_database WHERE datname LIKE 'schema_operator_replay_%'"
            + " UNION ALL SELECT nspname FROM pg_namespace"
            + " WHERE nspname LIKE 'schema_operator_replay_%'"
            + " UNION ALL SELECT rolname FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%'"
            + " AND rolname NOT IN ('postgres') AND rolname NOT LIKE 'plain\\_%'");
  }

  private static void shadowExecute(SocketPostgres server, String databaseName, String... sql) {
    try (Connection connection = server.connect(databaseName);
        Statement statement = connection.createStatement()) {
      for (String each : sql) {
        statement.execute(each);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
