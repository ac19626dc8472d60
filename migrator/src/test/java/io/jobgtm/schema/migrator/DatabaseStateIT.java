package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.contract.AppliedMigration;
import io.jobgtm.schema.contract.DatabaseState;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.contract.Version;
import io.jobgtm.schema.migrator.testing.DatabaseProbe;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One rule tells Fresh from Unversioned: any object of the target schema that no extension owns (a
 * table, a view, a function, a type, a sequence) makes it Unversioned; info, plan and migrate agree
 * on it.
 */
class DatabaseStateIT {

  private static final String MAILING_LISTS =
      "CREATE TABLE mailing_lists (\n"
          + "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
          + "  address TEXT NOT NULL UNIQUE\n"
          + ");\n";
  private static final String MAILING_LIST_OWNER =
      "ALTER TABLE mailing_lists ADD COLUMN owner TEXT NOT NULL DEFAULT 'ops';\n";

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);

  /**
   * The only object a schema holds before the migrator first meets it; V1 of the set creates the
   * same object, V2 builds a table on it.
   */
  enum LoneObject {
    FUNCTION(
        "CREATE FUNCTION shipment_code(n INTEGER) RETURNS TEXT LANGUAGE sql IMMUTABLE"
            + " AS $$ SELECT 'SHP-' || lpad(n::text, 6, '0') $$;\n",
        "CREATE TABLE shipments (\n"
            + "  id INTEGER PRIMARY KEY,\n"
            + "  code TEXT GENERATED ALWAYS AS (shipment_code(id)) STORED\n"
            + ");\n",
        "shipments"),
    ENUM(
        "CREATE TYPE parcel_state AS ENUM ('packed', 'shipped', 'delivered');\n",
        "CREATE TABLE parcels (\n"
            + "  id INTEGER PRIMARY KEY,\n"
            + "  state parcel_state NOT NULL DEFAULT 'packed'\n"
            + ");\n",
        "parcels"),
    DOMAIN(
        "CREATE DOMAIN postal_code AS TEXT CHECK (VALUE ~ '^[0-9]{5}$');\n",
        "CREATE TABLE pickup_points (id INTEGER PRIMARY KEY, zip postal_code NOT NULL);\n",
        "pickup_points"),
    SEQUENCE(
        "CREATE SEQUENCE invoice_numbers START 1000;\n",
        "CREATE TABLE invoices (\n"
            + "  number BIGINT PRIMARY KEY DEFAULT nextval('invoice_numbers'),\n"
            + "  total NUMERIC(12, 2) NOT NULL\n"
            + ");\n",
        "invoices"),
    VIEW(
        "CREATE VIEW fiscal_quarters AS SELECT q AS quarter FROM generate_series(1, 4) AS q;\n",
        "CREATE TABLE quarter_targets (quarter INTEGER PRIMARY KEY, target NUMERIC NOT NULL);\n",
        "quarter_targets");

    final String existing;
    final String next;
    final String nextTable;

    LoneObject(String existing, String next, String nextTable) {
      this.existing = existing;
      this.next = next;
      this.nextTable = nextTable;
    }

    MigrationFiles migrations() {
      return MigrationFiles.empty()
          .with("V1__" + name().toLowerCase() + "_first.sql", existing)
          .with("V2__" + nextTable + ".sql", next);
    }
  }

  // flyway/flyway#3318: one function in public (created by the platform) makes the schema
  // non-empty, yet the migrator called such a schema Fresh and migrate then failed in Flyway.
  @ParameterizedTest
  @EnumSource(LoneObject.class)
  void schemaWithOnlyOneObjectIsUnversionedAndRefusedByDefault(LoneObject object) {
    postgres.execute(database.database(), object.existing);
    List<String> objectsBefore = objects("public");
    List<String> tablesBefore = Catalog.tables(postgres, database.database(), "public");
    MigrationFiles files = object.migrations();

    MigrationResult info = configure(files).load().info();

    assertThat(info.failure()).isNull();
    assertThat(info.outcome()).isEqualTo(Outcome.Reported);
    assertThat(info.databaseState()).isEqualTo(DatabaseState.Unversioned);
    assertThat(objects("public")).isEqualTo(objectsBefore);

    MigrationPlan plan = configure(files).load().plan();

    assertThat(plan.result().databaseState()).isEqualTo(DatabaseState.Unversioned);
    assertThat(plan.result().failure()).isNotNull();
    assertThat(plan.result().failure().reason()).isEqualTo(FailureReason.UnversionedSchema);
    assertThat(plan.result().exitCode()).isEqualTo(2);
    assertThat(plan.pending()).isEmpty();
    assertThat(objects("public")).isEqualTo(objectsBefore);

    MigrationResult migrate = configure(files).load().migrate();

    assertThat(migrate.outcome()).isEqualTo(Outcome.Failed);
    assertThat(migrate.databaseState()).isEqualTo(DatabaseState.Unversioned);
    assertThat(migrate.failure().reason()).isEqualTo(FailureReason.UnversionedSchema);
    assertThat(migrate.exitCode()).isEqualTo(2);
    assertThat(migrate.applied()).isEmpty();
    assertThat(migrate.versionAfter()).isNull();
    assertThat(objects("public")).isEqualTo(objectsBefore);
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .isEqualTo(tablesBefore)
        .doesNotContain("flyway_schema_history", object.nextTable);
  }

  // flyway/flyway#3318: the same schema is baselined when the policy says which version it is.
  @ParameterizedTest
  @EnumSource(LoneObject.class)
  void schemaWithOnlyOneObjectIsBaselinedWhenThePolicyAllows(LoneObject object) {
    postgres.execute(database.database(), object.existing);
    List<String> objectsBefore = objects("public");

    MigrationResult result =
        configure(object.migrations())
            .baselinePolicy(BaselinePolicy.baselineAt(Version.parse("1")))
            .load()
            .migrate();

    assertThat(result.failure()).isNull();
    assertThat(result.databaseState()).isEqualTo(DatabaseState.Unversioned);
    assertThat(result.baselineVersion()).isEqualTo("1");
    assertThat(result.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(result.applied()).extracting(AppliedMigration::version).containsExactly("2");
    assertThat(result.versionAfter()).isEqualTo("2");
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:BASELINE:true", "2:SQL:true");
    assertThat(objects("public")).containsAll(objectsBefore);
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .contains("flyway_schema_history", object.nextTable);
  }

  // flyway/flyway#1908 and flyway/flyway#1940: a view or functions of an extension installed in
  // public (pg_stat_statements on a managed server) made a new database look non-empty.
  @ParameterizedTest
  @ValueSource(strings = {"pg_stat_statements", "pg_buffercache", "citext"})
  void schemaHoldingOnlyExtensionObjectsIsFreshAndGetsEveryMigration(String extension) {
    assertThat(
            DatabaseProbe.strings(
                postgres,
                database.database(),
                "SELECT name FROM pg_available_extensions WHERE name = ?",
                extension))
        .as("the embedded PostgreSQL ships " + extension)
        .containsExactly(extension);
    postgres.execute(database.database(), "CREATE EXTENSION " + extension + " SCHEMA public");
    List<String> members = DatabaseProbe.extensionMembers(postgres, database.database(), extension);
    List<String> objectsBefore = objects("public");
    assertThat(objectsBefore)
        .isNotEmpty()
        .allSatisfy(line -> assertThat(line).endsWith("[extension " + extension + "]"));
    String versionBefore = extensionVersion(extension);
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__mailing_lists.sql", MAILING_LISTS)
            .with("V2__mailing_list_owner.sql", MAILING_LIST_OWNER);

    MigrationResult info = configure(files).load().info();

    assertThat(info.failure()).isNull();
    assertThat(info.databaseState()).isEqualTo(DatabaseState.Fresh);
    assertThat(info.pending()).containsExactly("1", "2");

    MigrationPlan plan = configure(files).load().plan();

    assertThat(plan.result().failure()).isNull();
    assertThat(plan.result().databaseState()).isEqualTo(DatabaseState.Fresh);
    assertThat(plan.pending())
        .extracting(MigrationScript::fileName)
        .containsExactly("V1__mailing_lists.sql", "V2__mailing_list_owner.sql");
    assertThat(objects("public")).isEqualTo(objectsBefore);

    MigrationResult migrate = configure(files).load().migrate();

    assertThat(migrate.failure()).isNull();
    assertThat(migrate.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(migrate.databaseState()).isEqualTo(DatabaseState.Fresh);
    assertThat(migrate.applied()).extracting(AppliedMigration::version).containsExactly("1", "2");
    assertThat(migrate.versionAfter()).isEqualTo("2");
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public"))
        .contains("column mailing_lists.owner text null=NO default='ops'::text");
    assertThat(DatabaseProbe.extensionMembers(postgres, database.database(), extension))
        .isEqualTo(members);
    assertThat(extensionVersion(extension)).isEqualTo(versionBefore);
    assertThat(objects("public")).containsAll(objectsBefore);
  }

  // flyway/flyway#2277: the target schema may not exist yet; the first migrate creates it.
  @ParameterizedTest
  @ValueSource(strings = {"fulfilment", "ReturnsDesk"})
  void targetSchemaThatDoesNotExistYetIsFreshAndMigrateCreatesIt(String schema) {
    ConnectionSettings inSchema =
        ConnectionSettings.builder()
            .host(database.host())
            .port(database.port())
            .database(database.database())
            .schema(schema)
            .user(database.user())
            .password(database.password())
            .sslMode(database.sslMode())
            .build();
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__mailing_lists.sql", MAILING_LISTS)
            .with("V2__mailing_list_owner.sql", MAILING_LIST_OWNER);

    MigrationResult info = configure(inSchema, files).load().info();
    MigrationPlan plan = configure(inSchema, files).load().plan();

    assertThat(info.failure()).isNull();
    assertThat(info.databaseState()).isEqualTo(DatabaseState.Fresh);
    assertThat(info.versionAfter()).isNull();
    assertThat(info.pending()).containsExactly("1", "2");
    assertThat(plan.result().failure()).isNull();
    assertThat(plan.result().databaseState()).isEqualTo(DatabaseState.Fresh);
    assertThat(plan.pending()).hasSize(2);
    assertThat(DatabaseProbe.schemaExists(postgres, database.database(), schema)).isFalse();

    MigrationResult migrate = configure(inSchema, files).load().migrate();

    assertThat(migrate.failure()).isNull();
    assertThat(migrate.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(migrate.databaseState()).isEqualTo(DatabaseState.Fresh);
    assertThat(migrate.applied()).extracting(AppliedMigration::version).containsExactly("1", "2");
    assertThat(migrate.versionAfter()).isEqualTo("2");
    assertThat(DatabaseProbe.schemaExists(postgres, database.database(), schema)).isTrue();
    assertThat(Catalog.tables(postgres, database.database(), schema))
        .containsExactly("flyway_schema_history", "mailing_lists");
    // Flyway notes the schema it created in a SCHEMA row; the versions are what counts here.
    assertThat(Catalog.history(postgres, database.database(), schema))
        .filteredOn(row -> !row.contains(":SCHEMA:"))
        .containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), schema))
        .contains("column mailing_lists.owner text null=NO default='ops'::text");
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();
  }

  /** A type that is the only object of schema {@code tariffs}, made without a table. */
  enum LoneType {
    SHELL_TYPE("CREATE TYPE tariffs.fare_token", "tariffs.fare_token"),
    MULTIRANGE_TYPE(
        "CREATE TYPE staging.fare_band AS RANGE (subtype = int4,"
            + " multirange_type_name = tariffs.fare_bands)",
        "tariffs.fare_bands");

    final String create;
    final String name;

    LoneType(String create, String name) {
      this.create = create;
      this.name = name;
    }
  }

  // flyway/flyway#3318: a schema whose only object is a shell type, or the multirange type of a
  // range defined elsewhere, is not empty.
  @ParameterizedTest
  @EnumSource(LoneType.class)
  void schemaWithOnlyAShellOrMultirangeTypeIsUnversioned(LoneType type) {
    String schema = "tariffs";
    postgres.execute(
        database.database(), "CREATE SCHEMA tariffs", "CREATE SCHEMA staging", type.create);
    assertThat(
            DatabaseProbe.strings(
                postgres,
                database.database(),
                "SELECT t.oid::regtype::text FROM pg_type t"
                    + " JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = ?"
                    + " AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)",
                schema))
        .containsExactly(type.name);
    List<String> objectsBefore = objects(schema);
    assertThat(objectsBefore).hasSize(1);
    ConnectionSettings inSchema = inSchema(schema);
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__mailing_lists.sql", MAILING_LISTS)
            .with("V2__mailing_list_owner.sql", MAILING_LIST_OWNER);

    MigrationResult info = configure(inSchema, files).load().info();

    assertThat(info.failure()).isNull();
    assertThat(info.outcome()).isEqualTo(Outcome.Reported);
    assertThat(info.databaseState()).isEqualTo(DatabaseState.Unversioned);
    assertThat(objects(schema)).isEqualTo(objectsBefore);

    MigrationPlan plan = configure(inSchema, files).load().plan();

    assertThat(plan.result().databaseState()).isEqualTo(DatabaseState.Unversioned);
    assertThat(plan.result().failure()).isNotNull();
    assertThat(plan.result().failure().reason()).isEqualTo(FailureReason.UnversionedSchema);
    assertThat(plan.result().exitCode()).isEqualTo(2);
    assertThat(plan.pending()).isEmpty();
    assertThat(objects(schema)).isEqualTo(objectsBefore);

    MigrationResult migrate = configure(inSchema, files).load().migrate();

    assertThat(migrate.outcome()).isEqualTo(Outcome.Failed);
    assertThat(migrate.databaseState()).isEqualTo(DatabaseState.Unversioned);
    assertThat(migrate.failure().reason()).isEqualTo(FailureReason.UnversionedSchema);
    assertThat(migrate.exitCode()).isEqualTo(2);
    assertThat(migrate.applied()).isEmpty();
    assertThat(migrate.versionAfter()).isNull();
    assertThat(objects(schema)).isEqualTo(objectsBefore);
    assertThat(Catalog.tables(postgres, database.database(), schema)).isEmpty();
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();
  }

  private ConnectionSettings inSchema(String schema) {
    return TestDatabases.inSchema(postgres, database, schema);
  }

  private MigratorConfiguration configure(MigrationFiles files) {
    return configure(database, files);
  }

  private static MigratorConfiguration configure(
      ConnectionSettings settings, MigrationFiles files) {
    return Migrator.configure()
        .connection(settings)
        .migrations(MigrationSet.fromDirectory(files.directory()));
  }

  private List<String> objects(String schema) {
    return DatabaseProbe.objects(postgres, database.database(), schema);
  }

  private String extensionVersion(String extension) {
    return DatabaseProbe.string(
        postgres,
        database.database(),
        "SELECT extversion FROM pg_extension WHERE extname = ?",
        extension);
  }
}
