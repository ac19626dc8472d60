package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobgtm.schema.contract.AppliedMigration;
import io.jobgtm.schema.contract.DatabaseState;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every statement the migrator runs itself (undo scripts, inspection, history edits) works in the
 * target schema, whatever its name, and never touches another schema of the same database.
 */
class SchemaIsolationIT {

  private static final String TENANT = "TenantBilling";

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);

  /** Unqualified names throughout, as schema-per-tenant sets are written. */
  private final MigrationFiles invoices =
      MigrationFiles.empty()
          .with(
              "V1__create_invoices.sql",
              "CREATE TABLE invoices (\n"
                  + "    id           BIGINT PRIMARY KEY,\n"
                  + "    customer     TEXT   NOT NULL,\n"
                  + "    amount_cents BIGINT NOT NULL,\n"
                  + "    note         TEXT\n"
                  + ");\n"
                  + "CREATE INDEX ix_invoices_customer ON invoices (customer);\n")
          .with("U1__create_invoices.sql", "DROP TABLE invoices;\n")
          .with(
              "V2__add_paid_at.sql",
              "ALTER TABLE invoices ADD COLUMN paid_at TIMESTAMPTZ;\n"
                  + "CREATE INDEX ix_invoices_paid_at ON invoices (paid_at);\n")
          .with(
              "U2__add_paid_at.sql",
              "DROP INDEX ix_invoices_paid_at;\nALTER TABLE invoices DROP COLUMN paid_at;\n");

  private ConnectionSettings inSchema(String schema) {
    return TestDatabases.inSchema(postgres, database, schema);
  }

  private MigratorConfiguration configure(String schema) {
    return Migrator.configure()
        .connection(inSchema(schema))
        .migrations(MigrationSet.fromDirectory(invoices.directory()));
  }

  private List<String> catalog(String schema) {
    return Catalog.snapshot(postgres, database.database(), schema);
  }

  private List<String> history(String schema) {
    return Catalog.history(postgres, database.database(), schema);
  }

  private List<String> tables(String schema) {
    return Catalog.tables(postgres, database.database(), schema);
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /** Each row of a table as JSON, in key order: the data, not only the shape. */
  private List<String> rows(String schema, String table) {
    return query(
        "SELECT row_to_json(t)::text FROM " + quote(schema) + "." + quote(table) + " t ORDER BY 1");
  }

  /** The whole history table, every column (checksums, timestamps, installed_by) included. */
  private List<String> fullHistory(String schema) {
    return query(
        "SELECT row_to_json(h)::text FROM "
            + quote(schema)
            + ".flyway_schema_history h ORDER BY installed_rank");
  }

  /** Everything a schema holds: catalog, functions, the rows of its tables and its history. */
  private List<String> everything(String schema) {
    List<String> lines = new ArrayList<>(catalog(schema));
    lines.addAll(
        query(
            "SELECT 'relation ' || c.relname || ' ' || c.relkind::text FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '"
                + schema.replace("'", "''")
                + "' ORDER BY 1"));
    for (String table : tables(schema)) {
      rows(schema, table).forEach(row -> lines.add("row " + table + " " + row));
    }
    return lines;
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

  private void insertInvoice(String schema, long id, String customer, long cents) {
    postgres.execute(
        database.database(),
        "INSERT INTO "
            + quote(schema)
            + ".invoices (id, customer, amount_cents, paid_at) VALUES ("
            + id
            + ", '"
            + customer
            + "', "
            + cents
            + ", timestamptz '2025-03-01 10:00:00+00')");
  }

  // flyway/flyway#1211 (upper-case schema names) and flyway/flyway#1930 (quoted names).
  @ParameterizedTest(name = "schema {0}")
  @ValueSource(strings = {"billing", TENANT, "acme billing-eu"})
  void undoRunsInTheTargetSchemaWhateverItsName(String schema) {
    MigrationResult migrated = configure(schema).load().migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(migrated.versionAfter()).isEqualTo("2");
    assertThat(tables(schema)).containsExactly("flyway_schema_history", "invoices");
    assertThat(history(schema)).endsWith("1:SQL:true", "2:SQL:true");
    assertThat(catalog(schema))
        .contains("column invoices.paid_at timestamp with time zone null=YES default=-");
    assertThat(tables("public")).isEmpty();
    insertInvoice(schema, 41, "Acme", 1250);

    MigrationResult undone = configure(schema).load().undo("1");

    assertThat(undone.failure()).as("undo in schema %s", schema).isNull();
    assertThat(undone.outcome()).isEqualTo(Outcome.Downgraded);
    assertThat(undone.versionBefore()).isEqualTo("2");
    assertThat(undone.versionAfter()).isEqualTo("1");
    assertThat(undone.undone()).extracting(AppliedMigration::version).containsExactly("2");
    assertThat(catalog(schema))
        .noneMatch(line -> line.contains("paid_at"))
        .contains(
            "index ix_invoices_customer CREATE INDEX ix_invoices_customer ON "
                + (schema.equals("billing") ? schema : quote(schema))
                + ".invoices USING btree (customer)");
    assertThat(rows(schema, "invoices"))
        .containsExactly("{\"id\":41,\"customer\":\"Acme\",\"amount_cents\":1250,\"note\":null}");
    assertThat(history(schema)).endsWith("1:SQL:true").doesNotContain("2:SQL:true");
    assertThat(tables("public")).isEmpty();

    MigrationResult info = configure(schema).load().info();

    assertThat(info.failure()).isNull();
    assertThat(info.databaseState()).isEqualTo(DatabaseState.Versioned);
    assertThat(info.versionAfter()).isEqualTo("1");
    assertThat(info.pending()).containsExactly("2");
  }

  // flyway/flyway#1930: an undo in one tenant's schema hit the same-named table of another.
  @Test
  void undoInOneSchemaLeavesTheOtherSchemaOfTheSameSetUntouched() {
    assertThat(configure("public").load().migrate().failure()).isNull();
    assertThat(configure(TENANT).load().migrate().failure()).isNull();
    insertInvoice("public", 1, "Public Ltd", 900);
    insertInvoice(TENANT, 2, "Tenant GmbH", 1800);
    List<String> publicBefore = everything("public");
    List<String> publicHistoryBefore = fullHistory("public");
    assertThat(publicBefore)
        .contains("column invoices.paid_at timestamp with time zone null=YES default=-");
    assertThat(history("public")).containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(history(TENANT)).endsWith("1:SQL:true", "2:SQL:true");

    MigrationResult undone = configure(TENANT).load().undo("1");

    assertThat(everything("public")).isEqualTo(publicBefore);
    assertThat(fullHistory("public")).isEqualTo(publicHistoryBefore);
    assertThat(undone.failure()).as("undo in %s", TENANT).isNull();
    assertThat(undone.outcome()).isEqualTo(Outcome.Downgraded);
    assertThat(undone.versionAfter()).isEqualTo("1");
    assertThat(catalog(TENANT)).noneMatch(line -> line.contains("paid_at"));
    assertThat(rows(TENANT, "invoices"))
        .containsExactly(
            "{\"id\":2,\"customer\":\"Tenant GmbH\",\"amount_cents\":1800,\"note\":null}");
    assertThat(history(TENANT)).endsWith("1:SQL:true").doesNotContain("2:SQL:true");
    MigrationResult publicInfo = configure("public").load().info();
    assertThat(publicInfo.versionAfter()).isEqualTo("2");
    assertThat(publicInfo.pending()).isEmpty();

    MigrationResult again = configure(TENANT).load().migrate();

    assertThat(again.failure()).isNull();
    assertThat(again.applied()).extracting(AppliedMigration::version).containsExactly("2");
    assertThat(catalog(TENANT))
        .contains("column invoices.paid_at timestamp with time zone null=YES default=-");
    assertThat(history(TENANT)).endsWith("1:SQL:true", "2:SQL:true");
    assertThat(everything("public")).isEqualTo(publicBefore);
    assertThat(fullHistory("public")).isEqualTo(publicHistoryBefore);
  }

  // flyway/flyway#1930: the tool must put the target schema first and keep the original path.
  @Test
  void undoScriptCallsAFunctionOfPublicByItsUnqualifiedName() {
    postgres.execute(
        database.database(),
        "CREATE FUNCTION public.cents_label(cents BIGINT) RETURNS TEXT LANGUAGE sql IMMUTABLE"
            + " RETURN to_char(cents / 100.0, 'FM999990.00') || ' EUR'");
    invoices.with(
        "U2__add_paid_at.sql",
        "-- Keep what the dropped column said, through a shared helper of schema public.\n"
            + "UPDATE invoices SET note = 'paid ' || cents_label(amount_cents)"
            + " WHERE paid_at IS NOT NULL;\n"
            + "DROP INDEX ix_invoices_paid_at;\n"
            + "ALTER TABLE invoices DROP COLUMN paid_at;\n");
    assertThat(configure(TENANT).load().migrate().failure()).isNull();
    insertInvoice(TENANT, 7, "Tenant GmbH", 1250);
    assertThat(history(TENANT)).endsWith("1:SQL:true", "2:SQL:true");

    MigrationResult undone = configure(TENANT).load().undo("1");

    assertThat(undone.failure()).as("undo in %s", TENANT).isNull();
    assertThat(undone.outcome()).isEqualTo(Outcome.Downgraded);
    assertThat(rows(TENANT, "invoices"))
        .containsExactly(
            "{\"id\":7,\"customer\":\"Tenant GmbH\",\"amount_cents\":1250,"
                + "\"note\":\"paid 12.50 EUR\"}");
    assertThat(catalog(TENANT)).noneMatch(line -> line.contains("paid_at"));
    assertThat(history(TENANT)).endsWith("1:SQL:true").doesNotContain("2:SQL:true");
    assertThat(tables("public")).isEmpty();
    assertThat(
            query(
                "SELECT n.nspname || '.' || p.proname FROM pg_proc p"
                    + " JOIN pg_namespace n ON n.oid = p.pronamespace"
                    + " WHERE p.proname = 'cents_label'"))
        .containsExactly("public.cents_label");
  }

  // flyway/flyway#1211: the packaged CLI with --schema and a mixed-case name.
  @Test
  void cliMigratesInspectsAndUndoesInAMixedCaseSchema() throws Exception {
    String migrations = invoices.directory().toString();

    Path migrateResult = Files.createTempFile("result-", ".json");
    MigratorProcess.Finished migrate =
        MigratorProcess.of(
                database,
                postgres.password(),
                "migrate",
                "--schema",
                TENANT,
                "--migrations",
                migrations,
                "--result-file",
                migrateResult.toString())
            .run();

    assertThat(migrate.exitCode()).as(migrate.toString()).isZero();
    JsonNode migrated = new ObjectMapper().readTree(migrateResult.toFile());
    assertThat(migrated.get("outcome").asText()).isEqualTo("Migrated");
    assertThat(migrated.get("versionAfter").asText()).isEqualTo("2");
    assertThat(tables(TENANT)).containsExactly("flyway_schema_history", "invoices");
    assertThat(history(TENANT)).endsWith("1:SQL:true", "2:SQL:true");
    assertThat(tables("public")).isEmpty();

    Path infoResult = Files.createTempFile("result-", ".json");
    MigratorProcess.Finished info =
        MigratorProcess.of(
                database,
                postgres.password(),
                "info",
                "--schema",
                TENANT,
                "--migrations",
                migrations,
                "--result-file",
                infoResult.toString())
            .run();

    assertThat(info.exitCode()).as(info.toString()).isZero();
    assertThat(info.stdout().lines())
        .contains("applied: 1 create invoices", "applied: 2 add paid at");
    JsonNode reported = new ObjectMapper().readTree(infoResult.toFile());
    assertThat(reported.get("databaseState").asText()).isEqualTo("Versioned");
    assertThat(reported.get("versionAfter").asText()).isEqualTo("2");
    assertThat(history(TENANT)).endsWith("1:SQL:true", "2:SQL:true");

    Path undoResult = Files.createTempFile("result-", ".json");
    MigratorProcess.Finished undo =
        MigratorProcess.of(
                database,
                postgres.password(),
                "undo",
                "--target",
                "1",
                "--schema",
                TENANT,
                "--migrations",
                migrations,
                "--result-file",
                undoResult.toString())
            .run();

    assertThat(undo.exitCode()).as(undo.toString()).isZero();
    JsonNode downgraded = new ObjectMapper().readTree(undoResult.toFile());
    assertThat(downgraded.get("outcome").asText()).isEqualTo("Downgraded");
    assertThat(downgraded.get("versionBefore").asText()).isEqualTo("2");
    assertThat(downgraded.get("versionAfter").asText()).isEqualTo("1");
    assertThat(catalog(TENANT)).noneMatch(line -> line.contains("paid_at"));
    assertThat(tables(TENANT)).containsExactly("flyway_schema_history", "invoices");
    assertThat(history(TENANT)).endsWith("1:SQL:true").doesNotContain("2:SQL:true");
    assertThat(tables("public")).isEmpty();
  }
}
