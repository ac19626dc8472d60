package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.ConfigMapRef;
import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.operator.decide.RetryPolicy;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.LocalCluster;
import io.jobgtm.schema.testing.LocalClusterExtension;
import io.jobgtm.schema.testing.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Flyway project brought as it is, through the operator on the full local control plane: its set
 * split over two ConfigMaps ({@code spec.migrations.configMapRefs}) with a repeatable migration and
 * an {@code afterMigrate} callback, and a database Flyway itself migrated under another history
 * table's name ({@code spec.database.historyTable}). Judged by the SchemaVersion's status and the
 * database: catalog, rows and migration history.
 */
class FlywayProjectE2E {

  @RegisterExtension
  static final LocalClusterExtension CLUSTER = MigratorImage.localCluster(RunningOperator.IMAGE);

  private static final String NAMESPACE = "flyway-project-e2e";

  /** A hang guard, never an expectation of speed. */
  private static final Duration PATIENCE = Duration.ofMinutes(3);

  private static final String BALANCES =
      "CREATE OR REPLACE VIEW account_balances AS\n"
          + "  SELECT a.id, a.owner, coalesce(sum(e.amount), 0) AS balance\n"
          + "  FROM accounts a LEFT JOIN entries e ON e.account_id = a.id GROUP BY a.id, a.owner;\n";
  private static final String BALANCES_WITH_COUNT =
      "DROP VIEW IF EXISTS account_balances;\n"
          + "CREATE VIEW account_balances AS\n"
          + "  SELECT a.id, a.owner, coalesce(sum(e.amount), 0) AS balance, count(e.id) AS entries\n"
          + "  FROM accounts a LEFT JOIN entries e ON e.account_id = a.id GROUP BY a.id, a.owner;\n";

  private static KubernetesClient admin;
  private static PostgresServer postgres;
  private static InProcessOperator operator;

  @TempDir static Path work;

  @BeforeAll
  static void startOperator(LocalCluster localCluster) {
    admin = localCluster.client();
    postgres = PostgresServer.shared();
    operator = InProcessOperator.start(localCluster, RetryPolicy.DEFAULT, NAMESPACE);
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void aSetSplitOverTwoConfigMapsWithARepeatableAndACallbackIsAppliedAndChangesReapplied() {
    String database = "flyway_project_ledger";
    postgres.createDatabase(database);
    applyConfigMap(
        Manifests.configMap(
            "ledger-schema",
            Map.of(
                "V1__accounts.sql",
                "CREATE TABLE accounts (id integer PRIMARY KEY, owner text NOT NULL);\n"
                    + "INSERT INTO accounts (id, owner) VALUES (1, 'ada'), (2, 'grace');\n",
                "V2__entries.sql",
                "CREATE TABLE entries (id integer PRIMARY KEY,"
                    + " account_id integer NOT NULL REFERENCES accounts (id),"
                    + " amount numeric(12, 2) NOT NULL);\n"
                    + "INSERT INTO entries (id, account_id, amount) VALUES (1, 1, 10), (2, 1, 5);\n")));
    applyConfigMap(views(BALANCES));
    SchemaVersion ledger =
        SchemaVersions.example("ledger", postgres, database, "public", "unused", "latest");
    ledger.getSpec().getMigrations().setConfigMapRef(null);
    ledger
        .getSpec()
        .getMigrations()
        .setConfigMapRefs(
            List.of(new ConfigMapRef("ledger-schema"), new ConfigMapRef("ledger-views")));
    ledger.getSpec().getMigrations().setPlaceholderReplacement(true);
    ledger.getSpec().getMigrations().setPlaceholders(Map.of("audit_note", "by the operator"));

    apply(ledger);

    SchemaVersionStatus status =
        SchemaVersions.awaitCondition(
            admin, NAMESPACE, "ledger", Conditions.READY, Reasons.MIGRATED, PATIENCE);
    assertThat(status.getCurrentVersion()).isEqualTo("2");
    assertThat(status.getAppliedRepeatables()).containsExactly("account balances");
    assertThat(status.getPendingRepeatables()).isNull();
    assertThat(Catalog.tables(postgres, database, "public"))
        .contains("accounts", "entries", "account_balances", "migration_audit");
    assertThat(query(database, "SELECT owner || '=' || balance FROM account_balances ORDER BY id"))
        .containsExactly("ada=15.00", "grace=0");
    // The callback ran once, after the migrations of the Job's run, with its placeholders replaced.
    assertThat(
            query(
                database, "SELECT applied_version || ' ' || note FROM migration_audit ORDER BY id"))
        .containsExactly("2 by the operator");
    List<String> history = Catalog.historyEntries(postgres, database, "public");
    assertThat(history).hasSize(3);
    assertThat(history.get(0)).matches("1\\|accounts\\|SQL\\|V1__accounts\\.sql\\|-?\\d+\\|t");
    assertThat(history.get(1)).matches("2\\|entries\\|SQL\\|V2__entries\\.sql\\|-?\\d+\\|t");
    assertThat(history.get(2))
        .matches("-\\|account balances\\|SQL\\|R__account_balances\\.sql\\|-?\\d+\\|t");
    String firstJob = status.getLastJob().getName();

    applyConfigMap(views(BALANCES_WITH_COUNT));

    await("a new Job for the changed repeatable migration to succeed")
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              SchemaVersionStatus now = SchemaVersions.get(admin, NAMESPACE, "ledger").getStatus();
              assertThat(now.getLastJob().getName()).isNotEqualTo(firstJob);
              assertThat(now.getLastJob().getOutcome()).isEqualTo("Migrated");
            });
    SchemaVersionStatus changed = SchemaVersions.get(admin, NAMESPACE, "ledger").getStatus();
    assertThat(changed.getCurrentVersion()).isEqualTo("2");
    assertThat(changed.getAppliedRepeatables()).containsExactly("account balances");
    List<String> after = Catalog.historyEntries(postgres, database, "public");
    assertThat(after).hasSize(4).startsWith(history.toArray(String[]::new));
    assertThat(after.get(3))
        .matches("-\\|account balances\\|SQL\\|R__account_balances\\.sql\\|-?\\d+\\|t")
        .isNotEqualTo(history.get(2));
    assertThat(query(database, "SELECT owner || '=' || entries FROM account_balances ORDER BY id"))
        .containsExactly("ada=2", "grace=0");
    assertThat(query(database, "SELECT applied_version FROM migration_audit ORDER BY id"))
        .containsExactly("2", "2");
  }

  @Test
  void aDatabaseFlywayMigratedUnderAnotherHistoryTableIsContinuedNeverReapplied()
      throws IOException {
    String database = "flyway_project_legacy";
    postgres.createDatabase(database);
    Map<String, String> files =
        Map.of(
            "V1__parcels.sql",
            "CREATE TABLE parcels (id integer PRIMARY KEY, label text NOT NULL);\n"
                + "INSERT INTO parcels (id, label) VALUES (1, 'crate');\n",
            "V2__parcel_weight.sql",
            "ALTER TABLE parcels ADD COLUMN weight_grams integer;\n");
    Path folder = Files.createDirectories(work.resolve("legacy"));
    for (Map.Entry<String, String> file : files.entrySet()) {
      Files.writeString(folder.resolve(file.getKey()), file.getValue());
    }
    // Flyway 5 and earlier named the history table schema_version.
    Flyway.configure()
        .dataSource(
            "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/" + database + "?sslmode=disable",
            PostgresServer.SUPERUSER,
            postgres.password())
        .schemas("public")
        .table("schema_version")
        .locations("filesystem:" + folder)
        .placeholderReplacement(false)
        .load()
        .migrate();
    List<String> flywayHistory =
        Catalog.historyEntries(postgres, database, "public", "schema_version");
    Map<String, String> next = new java.util.TreeMap<>(files);
    next.put("V3__parcel_notes.sql", "ALTER TABLE parcels ADD COLUMN note text;\n");
    applyConfigMap(Manifests.configMap("legacy-migrations", next));
    SchemaVersion legacy =
        SchemaVersions.example(
            "legacy", postgres, database, "public", "legacy-migrations", "latest");
    legacy.getSpec().getDatabase().setHistoryTable("schema_version");

    apply(legacy);

    SchemaVersionStatus status =
        SchemaVersions.awaitCondition(
            admin, NAMESPACE, "legacy", Conditions.READY, Reasons.MIGRATED, PATIENCE);
    assertThat(status.getDatabaseState()).hasToString("Versioned");
    assertThat(status.getCurrentVersion()).isEqualTo("3");
    List<String> history = Catalog.historyEntries(postgres, database, "public", "schema_version");
    assertThat(history).hasSize(3).startsWith(flywayHistory.toArray(String[]::new));
    assertThat(history.get(2)).startsWith("3|parcel notes|SQL|V3__parcel_notes.sql|");
    assertThat(Catalog.tables(postgres, database, "public"))
        .containsExactlyInAnyOrder("parcels", "schema_version");
    assertThat(query(database, "SELECT count(*) FROM parcels")).containsExactly("1");
  }

  private static ConfigMap views(String balances) {
    return Manifests.configMap(
        "ledger-views",
        Map.of(
            "R__account_balances.sql",
            balances,
            "afterMigrate__audit.sql",
            "CREATE TABLE IF NOT EXISTS migration_audit (id serial PRIMARY KEY,"
                + " applied_version text, note text);\n"
                + "INSERT INTO migration_audit (applied_version, note)"
                + " SELECT max(version), '${audit_note}' FROM ${flyway:table}"
                + " WHERE version IS NOT NULL;\n"));
  }

  private static void applyConfigMap(ConfigMap configMap) {
    admin.configMaps().inNamespace(NAMESPACE).resource(configMap).serverSideApply();
  }

  private static void apply(SchemaVersion resource) {
    admin
        .resources(SchemaVersion.class)
        .inNamespace(NAMESPACE)
        .resource(resource)
        .serverSideApply();
  }

  private static List<String> query(String database, String sql) {
    List<String> rows = new ArrayList<>();
    try (Connection connection = postgres.connect(database);
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      while (result.next()) {
        rows.add(result.getString(1));
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
