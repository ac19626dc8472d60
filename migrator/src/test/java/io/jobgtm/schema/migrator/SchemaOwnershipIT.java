package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two resources must not migrate one schema: the first that changes it is recorded as its owner (a
 * comment on the history table), and another owner is refused before anything changes, unless it
 * takes over from the recorded one. Two copies of one service in two namespaces, each with its own
 * SchemaVersion pointed at the same database, is the case this stops (the other schema operators
 * report it as resources that fight, each Ready at its own version).
 */
class SchemaOwnershipIT {

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);
  private final MigrationFiles files =
      MigrationFiles.empty()
          .with("V1__depots.sql", "CREATE TABLE depots (id integer PRIMARY KEY, city text);\n")
          .with("V2__depot_capacity.sql", "ALTER TABLE depots ADD COLUMN capacity integer;\n");

  private MigrationResult migrate(SchemaOwner.Claim owner) {
    return Migrator.configure()
        .connection(database)
        .migrations(MigrationSet.fromDirectory(files.directory()))
        .owner(owner)
        .load()
        .migrate();
  }

  private List<String> history() {
    return Catalog.history(postgres, database.database(), "public");
  }

  private String historyComment() throws Exception {
    try (Connection connection = postgres.connect(database.database());
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT obj_description('public.flyway_schema_history'::regclass, 'pg_class')")) {
      result.next();
      return result.getString(1);
    }
  }

  @Test
  void theFirstOwnerIsRecordedAndAnotherIsRefusedBeforeAnythingChanges() throws Exception {
    MigrationResult first = migrate(new SchemaOwner.Claim("shop-eu/orders", "0b1c-uid-1", null));
    assertThat(first.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(first.owner()).isEqualTo("shop-eu/orders");
    assertThat(historyComment()).isEqualTo("schema-operator owner=shop-eu/orders uid=0b1c-uid-1");

    files.with("V3__depot_region.sql", "ALTER TABLE depots ADD COLUMN region text;\n");
    List<String> catalogBefore = Catalog.snapshot(postgres, database.database(), "public");
    MigrationResult second = migrate(new SchemaOwner.Claim("shop-us/orders", "9f9f-uid", null));

    assertThat(second.outcome()).isEqualTo(Outcome.Failed);
    assertThat(second.failure().reason()).isEqualTo(FailureReason.SchemaOwnedByAnother);
    assertThat(second.failure().message())
        .contains("shop-eu/orders (uid 0b1c-uid-1)")
        .contains("not by shop-us/orders")
        .contains("take over from shop-eu/orders");
    assertThat(second.owner()).isEqualTo("shop-eu/orders");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(catalogBefore);
    assertThat(historyComment()).startsWith("schema-operator owner=shop-eu/orders");
  }

  @Test
  void theSameOwnerUnderANewUidKeepsMigrating() throws Exception {
    migrate(new SchemaOwner.Claim("shop-eu/orders", "uid-before-restore", null));
    files.with("V3__depot_region.sql", "ALTER TABLE depots ADD COLUMN region text;\n");

    MigrationResult restored =
        migrate(new SchemaOwner.Claim("shop-eu/orders", "uid-after-restore", null));

    assertThat(restored.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true", "3:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public"))
        .anyMatch(line -> line.startsWith("column depots.region text"));
    assertThat(historyComment()).endsWith("uid=uid-after-restore");
  }

  @Test
  void anOwnerMayTakeOverFromTheOneItNamesOnly() throws Exception {
    migrate(new SchemaOwner.Claim("legacy/orders", null, null));
    files.with("V3__depot_region.sql", "ALTER TABLE depots ADD COLUMN region text;\n");

    List<String> catalogBefore = Catalog.snapshot(postgres, database.database(), "public");
    MigrationResult wrongName =
        migrate(new SchemaOwner.Claim("shop/orders", null, "legacy/invoices"));
    assertThat(wrongName.failure().reason()).isEqualTo(FailureReason.SchemaOwnedByAnother);
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(catalogBefore);

    MigrationResult takenOver =
        migrate(new SchemaOwner.Claim("shop/orders", null, "legacy/orders"));
    assertThat(takenOver.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(takenOver.owner()).isEqualTo("shop/orders");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true", "3:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public"))
        .anyMatch(line -> line.startsWith("column depots.region text"));
    assertThat(historyComment()).isEqualTo("schema-operator owner=shop/orders");

    // The old owner is the other one now.
    assertThat(migrate(new SchemaOwner.Claim("legacy/orders", null, null)).failure().reason())
        .isEqualTo(FailureReason.SchemaOwnedByAnother);
  }

  @Test
  void withoutAnOwnerNothingIsCheckedOrRecorded() throws Exception {
    MigrationResult result = migrate(null);

    assertThat(result.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(result.owner()).isNull();
    assertThat(historyComment()).isNull();
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public"))
        .anyMatch(line -> line.startsWith("column depots.capacity integer"));
  }

  @Test
  void aRunThatFailsAfterCommittingVersionsStillRecordsItsOwner() throws Exception {
    files.with("V3__broken.sql", "ALTER TABLE no_such_table ADD COLUMN x integer;\n");

    MigrationResult failed = migrate(new SchemaOwner.Claim("shop-eu/orders", null, null));

    assertThat(failed.failure().reason()).isEqualTo(FailureReason.MigrationFailed);
    // V1 and V2 committed (V3 rolled back), so the history stays, with the owner that wrote it.
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public"))
        .anyMatch(line -> line.startsWith("column depots.capacity integer"));
    assertThat(historyComment()).isEqualTo("schema-operator owner=shop-eu/orders");
  }
}
