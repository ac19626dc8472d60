package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobgtm.schema.contract.AppliedMigration;
import io.jobgtm.schema.contract.DatabaseState;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.Test;

/**
 * Repeatable migrations ({@code R__<description>.sql}) as Flyway runs them: after the versioned
 * ones, again whenever their content changes, known by description. Each scenario runs the same
 * folder through the migrator and, in a second database, through Flyway's own API, and compares the
 * catalogs and the history tables.
 */
class RepeatableMigrationIT {

  private static final String ORDERS =
      "CREATE TABLE orders (id BIGINT PRIMARY KEY, customer TEXT NOT NULL, total NUMERIC(12, 2));\n";
  private static final String ORDER_STATUS = "ALTER TABLE orders ADD COLUMN status TEXT;\n";
  private static final String TOTALS_VIEW =
      "CREATE OR REPLACE VIEW customer_totals AS\n"
          + "  SELECT customer, sum(total) AS total FROM orders GROUP BY customer;\n";
  private static final String TOTALS_VIEW_WITH_COUNT =
      "DROP VIEW IF EXISTS customer_totals;\n"
          + "CREATE VIEW customer_totals AS\n"
          + "  SELECT customer, sum(total) AS total, count(*) AS orders FROM orders"
          + " GROUP BY customer;\n";
  private static final String OPEN_ORDERS_FUNCTION =
      "CREATE OR REPLACE FUNCTION open_orders(who TEXT) RETURNS BIGINT\n"
          + "LANGUAGE sql STABLE AS $$ SELECT count(*) FROM orders WHERE customer = who $$;\n";

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);
  private final String reference = postgres.createDatabase();

  @Test
  void appliedAfterTheVersionedOnesAndAgainWhenChanged() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__orders.sql", ORDERS)
            .with("V2__order_status.sql", ORDER_STATUS)
            .with("R__customer_totals.sql", TOTALS_VIEW)
            .with("R__open_orders.sql", OPEN_ORDERS_FUNCTION);

    MigrationPlan plan = configure(files).load().plan();
    assertThat(plan.pending())
        .extracting(MigrationScript::fileName)
        .containsExactly(
            "V1__orders.sql",
            "V2__order_status.sql",
            "R__customer_totals.sql",
            "R__open_orders.sql");
    assertThat(plan.result().pending()).containsExactly("1", "2");
    assertThat(plan.result().pendingRepeatables())
        .containsExactly("customer totals", "open orders");
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();

    MigrationResult migrated = configure(files).load().migrate();
    ReferenceFlyway.on(postgres, reference, files.directory()).migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(migrated.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(migrated.applied()).extracting(AppliedMigration::version).containsExactly("1", "2");
    assertThat(migrated.appliedRepeatables())
        .extracting(AppliedMigration::description)
        .containsExactly("customer totals", "open orders");
    assertThat(migrated.appliedRepeatables())
        .extracting(AppliedMigration::version)
        .containsOnlyNulls();
    assertThat(migrated.pendingRepeatables()).isEmpty();
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true", "-:SQL:true", "-:SQL:true");
    assertSameAsFlyway();

    MigrationResult again = configure(files).load().migrate();
    assertThat(again.outcome()).isEqualTo(Outcome.UpToDate);
    assertThat(again.appliedRepeatables()).isEmpty();
    // The whole state, also when the run applied none of them.
    assertThat(again.currentRepeatables()).containsExactly("customer totals", "open orders");
    assertThat(history()).hasSize(4);

    files
        .with("R__customer_totals.sql", TOTALS_VIEW_WITH_COUNT)
        .with("V3__order_notes.sql", "ALTER TABLE orders ADD COLUMN note TEXT;\n");
    MigrationResult info = configure(files).load().info();
    assertThat(info.pending()).containsExactly("3");
    assertThat(info.pendingRepeatables()).containsExactly("customer totals");
    assertThat(info.appliedRepeatables())
        .extracting(AppliedMigration::description)
        .containsExactly("open orders");
    assertThat(info.currentRepeatables()).containsExactly("open orders");
    MigrationPlan changed = configure(files).load().plan();
    assertThat(changed.pending())
        .extracting(MigrationScript::fileName)
        .containsExactly("V3__order_notes.sql", "R__customer_totals.sql");

    MigrationResult remigrated = configure(files).load().migrate();
    ReferenceFlyway.on(postgres, reference, files.directory()).migrate();

    assertThat(remigrated.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(remigrated.versionAfter()).isEqualTo("3");
    assertThat(remigrated.applied()).extracting(AppliedMigration::version).containsExactly("3");
    assertThat(remigrated.appliedRepeatables())
        .extracting(AppliedMigration::description)
        .containsExactly("customer totals");
    assertThat(remigrated.currentRepeatables()).containsExactly("open orders", "customer totals");
    assertThat(history())
        .containsExactly(
            "1:SQL:true", "2:SQL:true", "-:SQL:true", "-:SQL:true", "3:SQL:true", "-:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public"))
        .contains("column customer_totals.orders bigint null=YES default=-");
    assertSameAsFlyway();
  }

  @Test
  void aTargetBelowTheLatestVersionStillAppliesThemAsFlywayDoes() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__orders.sql", ORDERS)
            .with("V2__order_status.sql", ORDER_STATUS)
            .with("R__customer_totals.sql", TOTALS_VIEW);

    MigrationResult migrated = configure(files).target("1").load().migrate();
    ReferenceFlyway.configure(postgres, reference, "public", files.directory())
        .target("1")
        .load()
        .migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(migrated.versionAfter()).isEqualTo("1");
    assertSameAsFlyway();
  }

  @Test
  void anUndoNeverTouchesThem() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__orders.sql", ORDERS)
            .with("V2__order_status.sql", ORDER_STATUS)
            .with("U2__order_status.sql", "ALTER TABLE orders DROP COLUMN status;\n")
            .with("R__customer_totals.sql", TOTALS_VIEW);
    configure(files).load().migrate();
    List<String> definitions = Catalog.definitions(postgres, database.database(), "public");

    MigrationResult undone = configure(files).load().undo("1");

    assertThat(undone.failure()).isNull();
    assertThat(undone.outcome()).isEqualTo(Outcome.Downgraded);
    assertThat(undone.undone()).extracting(AppliedMigration::version).containsExactly("2");
    assertThat(undone.appliedRepeatables()).isEmpty();
    assertThat(history()).containsExactly("1:SQL:true", "-:SQL:true");
    assertThat(Catalog.definitions(postgres, database.database(), "public")).isEqualTo(definitions);
    assertThat(Catalog.snapshot(postgres, database.database(), "public"))
        .noneMatch(line -> line.startsWith("column orders.status"));

    // Nothing changed in the repeatable migration, so migrating back applies V2 only.
    MigrationResult back = configure(files).load().migrate();
    assertThat(back.applied()).extracting(AppliedMigration::version).containsExactly("2");
    assertThat(back.appliedRepeatables()).isEmpty();
    assertThat(history()).containsExactly("1:SQL:true", "-:SQL:true", "2:SQL:true");
  }

  @Test
  void aFailingOneIsRolledBackAndReportedByItsFileAsFlywayRecordsIt() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__orders.sql", ORDERS)
            .with(
                "R__customer_totals.sql",
                "CREATE VIEW customer_totals AS SELECT customer FROM orders;\n"
                    + "CREATE VIEW broken AS SELECT no_such_column FROM orders;\n");

    MigrationResult result = configure(files).load().migrate();
    assertThatThrownBy(() -> ReferenceFlyway.on(postgres, reference, files.directory()).migrate())
        .isInstanceOf(FlywayException.class);

    assertThat(result.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(result.failure().version()).isNull();
    assertThat(result.failure().message())
        .startsWith("R__customer_totals.sql failed: ERROR: column \"no_such_column\"");
    assertThat(result.versionAfter()).isEqualTo("1");
    assertThat(result.applied()).extracting(AppliedMigration::version).containsExactly("1");
    assertThat(result.appliedRepeatables()).isEmpty();
    assertThat(result.pendingRepeatables()).containsExactly("customer totals");
    assertThat(history()).containsExactly("1:SQL:true");
    assertThat(Catalog.definitions(postgres, database.database(), "public")).isEmpty();
    assertSameAsFlyway();
  }

  @Test
  void eachStartsWithTheSessionDefaultsInTheTargetSchemaWithPlaceholderTextAsWritten() {
    ConnectionSettings billing = inSchema("billing");
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__orders.sql", ORDERS)
            // pg_dump's session settings: the next script must not inherit them.
            .with(
                "R__a_dumped_view.sql",
                "SET search_path = '';\nSET lock_timeout = 0;\n"
                    + "CREATE OR REPLACE VIEW billing.big_orders AS"
                    + " SELECT id FROM billing.orders WHERE total > 1000;\n")
            .with(
                "R__b_settings_seen.sql",
                "CREATE TABLE settings_seen AS SELECT current_setting('search_path') AS path,"
                    + " current_setting('lock_timeout') AS lock_timeout,"
                    + " 'Dear ${name}'::text AS greeting;\n");

    MigrationResult migrated = configure(files).connection(billing).load().migrate();
    ReferenceFlyway.configure(postgres, reference, "billing", files.directory()).load().migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(
            DatabaseProbe.strings(
                postgres,
                database.database(),
                "SELECT path || ' ' || lock_timeout || ' ' || greeting FROM billing.settings_seen"))
        .containsExactly("billing, \"$user\", public 10s Dear ${name}");
    assertThat(Catalog.history(postgres, database.database(), "billing"))
        .containsExactly("-:SCHEMA:true", "1:SQL:true", "-:SQL:true", "-:SQL:true");
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();
    assertThat(Catalog.snapshot(postgres, database.database(), "billing"))
        .isEqualTo(Catalog.snapshot(postgres, reference, "billing"));
    assertThat(Catalog.definitions(postgres, database.database(), "billing"))
        .isEqualTo(Catalog.definitions(postgres, reference, "billing"));
    assertThat(Catalog.historyEntries(postgres, database.database(), "billing"))
        .isEqualTo(Catalog.historyEntries(postgres, reference, "billing"));
  }

  @Test
  void oneThatEndsItsTransactionIsRefusedBeforeAnythingRuns() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__orders.sql", ORDERS)
            .with("R__customer_totals.sql", "BEGIN;\n" + TOTALS_VIEW + "COMMIT;\n");

    MigrationResult planned = configure(files).load().plan().result();
    MigrationResult result = configure(files).load().migrate();

    assertThat(planned.failure().reason()).isEqualTo(FailureReason.InvalidMigrationSet);
    assertThat(result.failure().reason()).isEqualTo(FailureReason.InvalidMigrationSet);
    assertThat(result.failure().message())
        .isEqualTo(planned.failure().message())
        .startsWith("R__customer_totals.sql line 1: BEGIN ends or opens a transaction");
    assertThat(result.failure().version()).isNull();
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();
  }

  @Test
  void oneThatRollsBackWhereTheParserCannotSeeItIsStoppedByTheGuard() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__orders.sql", ORDERS)
            .with(
                "R__customer_totals.sql",
                TOTALS_VIEW + "/* rebuilt /* every time */ done */ ROLLBACK;\n");

    MigrationResult result = configure(files).load().migrate();

    assertThat(result.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(result.failure().message())
        .startsWith("R__customer_totals.sql ends or rolls back its own transaction");
    assertThat(history()).containsExactly("1:SQL:true");
    assertThat(Catalog.definitions(postgres, database.database(), "public")).isEmpty();
  }

  @Test
  void oneThatIsNotUtf8IsRefusedNamingItsLine() throws Exception {
    MigrationFiles files = MigrationFiles.empty().with("V1__orders.sql", ORDERS);
    Files.write(
        files.directory().resolve("R__customer_totals.sql"),
        ("-- first line\n-- Gr\u00fc\u00dfe\n" + TOTALS_VIEW)
            .getBytes(StandardCharsets.ISO_8859_1));

    assertThatThrownBy(() -> MigrationSet.fromDirectory(files.directory()))
        .isInstanceOf(MigrationException.class)
        .hasMessageStartingWith("R__customer_totals.sql is not valid UTF-8 (line 2)");
  }

  @Test
  void aHistoryOfRepeatablesOnlyIsVersioned() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("R__settings.sql", "CREATE TABLE settings (k TEXT PRIMARY KEY);\n");
    ReferenceFlyway.on(postgres, database.database(), files.directory()).migrate();
    ReferenceFlyway.on(postgres, reference, files.directory()).migrate();
    files.with("V1__orders.sql", ORDERS);

    MigrationResult result = configure(files).load().migrate();
    ReferenceFlyway.on(postgres, reference, files.directory()).migrate();

    assertThat(result.failure()).isNull();
    assertThat(result.databaseState()).isEqualTo(DatabaseState.Versioned);
    assertThat(result.applied()).extracting(AppliedMigration::version).containsExactly("1");
    assertThat(history()).containsExactly("-:SQL:true", "1:SQL:true");
    assertSameAsFlyway();
  }

  @Test
  void infoAndPlanListThemOnTheCommandLine() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__orders.sql", ORDERS)
            .with("R__customer_totals.sql", TOTALS_VIEW)
            .with("R__open_orders.sql", OPEN_ORDERS_FUNCTION);

    MigratorProcess.Finished plan =
        MigratorProcess.of(
                database, postgres.password(), "plan", "--migrations", files.directory().toString())
            .run();
    assertThat(plan.exitCode()).as(plan.toString()).isZero();
    assertThat(plan.stdout())
        .contains("-- would apply version 1: V1__orders.sql")
        .contains("-- would apply repeatable migration: R__customer_totals.sql")
        .contains("-- would apply repeatable migration: R__open_orders.sql");

    configure(files).load().migrate();
    files.with("R__open_orders.sql", OPEN_ORDERS_FUNCTION.replace("STABLE", "VOLATILE"));
    MigratorProcess.Finished info =
        MigratorProcess.of(
                database, postgres.password(), "info", "--migrations", files.directory().toString())
            .run();

    assertThat(info.exitCode()).as(info.toString()).isZero();
    assertThat(info.stdout())
        .contains("applied: 1 orders")
        .contains("applied repeatable: customer totals")
        .contains("pending repeatable: open orders");
    assertThat(history()).containsExactly("1:SQL:true", "-:SQL:true", "-:SQL:true");
  }

  @Test
  void oneThatFailsOutsideATransactionIsReportedAsNotRolledBackAndNamedUntilRepaired() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__orders.sql", ORDERS)
            .with(
                "R__sample_orders.sql",
                "-- flyway:executeInTransaction=false\n"
                    + "INSERT INTO orders VALUES (1, 'acme', 10);\n"
                    + "INSERT INTO orders VALUES (1, 'acme', 10);\n");

    MigrationResult failed = configure(files).load().migrate();

    assertThat(failed.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(failed.failure().version()).isNull();
    assertThat(failed.failure().message())
        .startsWith("R__sample_orders.sql failed: ERROR: duplicate key value")
        .endsWith(
            "; it ran outside a transaction and was NOT rolled back. Repeatable migration"
                + " sample orders is recorded as failed: remove what it left behind, fix the"
                + " script, run repair (it removes the failed entry), then migrate again");
    assertThat(history()).containsExactly("1:SQL:true", "-:SQL:false");
    assertThat(DatabaseProbe.strings(postgres, database.database(), "SELECT id::text FROM orders"))
        .containsExactly("1");

    MigrationResult again = configure(files).load().migrate();

    assertThat(again.failure().reason()).isEqualTo(FailureReason.ValidationFailed);
    assertThat(again.failure().version()).isNull();
    assertThat(again.failure().message())
        .isEqualTo(
            "repeatable migration sample orders failed in an earlier run and is recorded as"
                + " failed: it ran outside a transaction, so it may have left changes behind."
                + " Remove what it left, fix the script, run repair (it removes the failed"
                + " entry), then migrate again");
  }

  private void assertSameAsFlyway() {
    ReferenceFlyway.assertSameSchema(postgres, database.database(), reference, "public");
  }

  private ConnectionSettings inSchema(String schema) {
    return TestDatabases.inSchema(postgres, database, schema);
  }

  private MigratorConfiguration configure(MigrationFiles files) {
    return Migrator.configure()
        .connection(database)
        .migrations(MigrationSet.fromDirectory(files.directory()));
  }

  private List<String> history() {
    return Catalog.history(postgres, database.database(), "public");
  }
}
