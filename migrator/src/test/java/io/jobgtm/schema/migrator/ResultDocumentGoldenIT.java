package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The migrator writes the golden result documents of job-contract ({@code
 * job-contract/src/test/resources/golden/}), which the operator's tests read back: each scenario
 * runs against PostgreSQL and its document must equal the golden one, durations aside.
 */
class ResultDocumentGoldenIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path GOLDEN = Path.of("../job-contract/src/test/resources/golden");

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);

  private MigratorConfiguration configure(MigrationFiles files) {
    return Migrator.configure()
        .connection(database)
        .migrations(MigrationSet.fromDirectory(files.directory()));
  }

  /** The document with every duration set to 0: the one part a run cannot repeat. */
  private static JsonNode withoutDurations(String json) throws Exception {
    JsonNode document = JSON.readTree(json);
    zeroDurations(document);
    return document;
  }

  private static void zeroDurations(JsonNode node) {
    if (node instanceof ObjectNode object && object.has("durationMs")) {
      object.put("durationMs", 0);
    }
    node.forEach(ResultDocumentGoldenIT::zeroDurations);
  }

  private static JsonNode golden(String name) throws Exception {
    return JSON.readTree(Files.readString(GOLDEN.resolve(name)));
  }

  @Test
  void migratedFromFresh() throws Exception {
    MigrationResult result = configure(MigrationFiles.copyOfReference()).load().migrate();

    assertThat(withoutDurations(result.toJson())).isEqualTo(golden("migrated.json"));
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
  }

  @Test
  void failedAfterApplying() throws Exception {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__shipments.sql", "CREATE TABLE shipments (id BIGINT PRIMARY KEY);\n")
            .with("V2__shipment_notes.sql", "ALTER TABLE shipments ADD COLUMN note TEXT;\n")
            .with("V3__shipment_costs.sql", "ALTER TABLE shipments ADD COLUMN cost numerik;\n");
    configure(files).target("1").load().migrate();

    MigrationResult result = configure(files).load().migrate();

    assertThat(withoutDurations(result.toJson())).isEqualTo(golden("failed-after-applying.json"));
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
  }

  @Test
  void failedNotRolledBack() throws Exception {
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                "V1__member_emails.sql",
                "CREATE TABLE member_emails (id BIGINT PRIMARY KEY, email TEXT NOT NULL);\n"
                    + "INSERT INTO member_emails VALUES (1, 'Ana@example.org'),"
                    + " (2, 'ana@example.org');\n")
            .with(
                "V2__unique_member_email.sql",
                "CREATE UNIQUE INDEX CONCURRENTLY ux_member_emails_email"
                    + " ON member_emails (lower(email));\n");
    configure(files).target("1").load().migrate();

    MigrationResult result = configure(files).load().migrate();

    assertThat(withoutDurations(result.toJson())).isEqualTo(golden("failed-not-rolled-back.json"));
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true", "2:SQL:false");
  }

  @Test
  void migratedWithRepeatables() throws Exception {
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                "V1__shipments.sql", "CREATE TABLE shipments (id BIGINT PRIMARY KEY, cost INT);\n")
            .with(
                "R__shipment_costs.sql",
                "CREATE OR REPLACE VIEW shipment_costs AS SELECT sum(cost) AS cost FROM shipments;\n");

    MigrationResult result = configure(files).load().migrate();

    assertThat(withoutDurations(result.toJson())).isEqualTo(golden("migrated-repeatables.json"));
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true", "-:SQL:true");
  }

  @Test
  void infoWithAChangedRepeatable() throws Exception {
    MigrationFiles files =
        MigrationFiles.empty()
            .with(
                "V1__shipments.sql", "CREATE TABLE shipments (id BIGINT PRIMARY KEY, cost INT);\n")
            .with(
                "R__shipment_costs.sql",
                "CREATE OR REPLACE VIEW shipment_costs AS SELECT sum(cost) AS cost FROM shipments;\n")
            .with(
                "R__shipment_count.sql",
                "CREATE OR REPLACE VIEW shipment_count AS SELECT count(*) AS n FROM shipments;\n");
    configure(files).load().migrate();
    files.with(
        "R__shipment_costs.sql",
        "CREATE OR REPLACE VIEW shipment_costs AS SELECT sum(cost) AS cost, max(cost) AS top"
            + " FROM shipments;\n");

    MigrationResult result = configure(files).load().info();

    assertThat(withoutDurations(result.toJson())).isEqualTo(golden("info-changed-repeatable.json"));
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true", "-:SQL:true", "-:SQL:true");
  }

  @Test
  void infoWithAVersionOutOfOrder() throws Exception {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__accounts.sql", "CREATE TABLE accounts (id BIGINT PRIMARY KEY);\n")
            .with("V3__account_flags.sql", "ALTER TABLE accounts ADD COLUMN flags INT;\n");
    configure(files).load().migrate();
    files.with("V2__account_names.sql", "ALTER TABLE accounts ADD COLUMN name TEXT;\n");

    MigrationResult result = configure(files).load().info();

    assertThat(withoutDurations(result.toJson())).isEqualTo(golden("info-out-of-order.json"));
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true", "3:SQL:true");
  }

  @Test
  void verifyFindingAColumnDroppedByHand() throws Exception {
    String shadow = postgres.createDatabase();
    MigratorConfiguration withShadow =
        configure(MigrationFiles.copyOfReference())
            .shadow(
                ShadowDatabase.fromUrl(
                    "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/" + shadow,
                    PostgresServer.SUPERUSER,
                    postgres.password()));
    withShadow.load().migrate();
    postgres.execute(database.database(), "ALTER TABLE job_listings DROP COLUMN is_remote");

    MigrationResult result = withShadow.load().verify();

    assertThat(withoutDurations(result.toJson())).isEqualTo(golden("verify-drifted.json"));
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
  }
}
