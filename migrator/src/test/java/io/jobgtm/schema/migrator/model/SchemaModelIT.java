package io.jobgtm.schema.migrator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.migrator.ConnectionSettings;
import io.jobgtm.schema.migrator.SchemaCatalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The schema model read from real PostgreSQL: every kind of object it holds is found missing, extra
 * and changed; schemas built by different but equivalent DDL, in databases and schemas of other
 * names, compare equal with equal fingerprints; the history tables and extension members are left
 * out.
 */
class SchemaModelIT {

  private static final String BASE =
      """
      CREATE TABLE parcels (id bigint PRIMARY KEY, weight integer NOT NULL, note text);
      CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS
        'BEGIN NEW.note := ''touched''; RETURN NEW; END';
      """;

  private final PostgresServer postgres = PostgresServer.shared();

  /**
   * One case per kind: the object's kind and display name, the DDL that creates it (after {@link
   * #BASE}), and DDL that creates it differently.
   */
  static Stream<Arguments> everyKind() {
    return Stream.of(
        kind(
            "table",
            "lockers",
            "CREATE TABLE lockers (id int)",
            "CREATE UNLOGGED TABLE lockers (id int)"),
        kind(
            "partitioned table",
            "events",
            "CREATE TABLE events (at date NOT NULL) PARTITION BY RANGE (at)",
            "CREATE TABLE events (at date NOT NULL) PARTITION BY LIST (at)"),
        kind(
            "foreign table",
            "remote_parcels",
            "CREATE FOREIGN TABLE remote_parcels (id int) SERVER remote OPTIONS (name 'a')",
            "CREATE FOREIGN TABLE remote_parcels (id int) SERVER remote OPTIONS (name 'b')"),
        kind(
            "column",
            "parcels.size",
            "ALTER TABLE parcels ADD COLUMN size text",
            "ALTER TABLE parcels ADD COLUMN size varchar(10)"),
        kind(
            "constraint",
            "parcels.parcels_weight_check",
            "ALTER TABLE parcels ADD CONSTRAINT parcels_weight_check CHECK (weight > 0)",
            "ALTER TABLE parcels ADD CONSTRAINT parcels_weight_check CHECK (weight >= 0)"),
        kind(
            "index",
            "parcels_weight_idx",
            "CREATE INDEX parcels_weight_idx ON parcels (weight)",
            "CREATE INDEX parcels_weight_idx ON parcels (weight DESC)"),
        kind(
            "trigger",
            "parcels.parcels_touch",
            "CREATE TRIGGER parcels_touch BEFORE UPDATE ON parcels"
                + " FOR EACH ROW EXECUTE FUNCTION touch()",
            "CREATE TRIGGER parcels_touch BEFORE INSERT ON parcels"
                + " FOR EACH ROW EXECUTE FUNCTION touch()"),
        kind(
            "sequence",
            "tracking_seq",
            "CREATE SEQUENCE tracking_seq",
            "CREATE SEQUENCE tracking_seq INCREMENT 10"),
        kind(
            "view",
            "heavy",
            "CREATE VIEW heavy AS SELECT id FROM parcels WHERE weight > 10",
            "CREATE VIEW heavy AS SELECT id FROM parcels WHERE weight > 20"),
        kind(
            "materialized view",
            "heavy_now",
            "CREATE MATERIALIZED VIEW heavy_now AS SELECT id FROM parcels WHERE weight > 10",
            "CREATE MATERIALIZED VIEW heavy_now AS SELECT id FROM parcels WHERE weight > 20"),
        kind(
            "function",
            "grams(kg integer)",
            "CREATE FUNCTION grams(kg integer) RETURNS integer LANGUAGE sql IMMUTABLE"
                + " AS 'SELECT kg * 1000'",
            "CREATE FUNCTION grams(kg integer) RETURNS integer LANGUAGE sql IMMUTABLE"
                + " AS 'SELECT kg * 1024'"),
        kind(
            "procedure",
            "purge()",
            "CREATE PROCEDURE purge() LANGUAGE sql AS 'DELETE FROM parcels'",
            "CREATE PROCEDURE purge() LANGUAGE sql AS 'DELETE FROM parcels WHERE weight = 0'"),
        kind(
            "aggregate",
            "total(integer)",
            "CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer)",
            "CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer, INITCOND = '0')"),
        kind(
            "enum type",
            "status",
            "CREATE TYPE status AS ENUM ('new', 'sent')",
            "CREATE TYPE status AS ENUM ('new', 'sent', 'lost')"),
        kind(
            "composite type",
            "dimensions",
            "CREATE TYPE dimensions AS (width int, height int)",
            "CREATE TYPE dimensions AS (width int, height bigint)"),
        kind(
            "range type",
            "weight_range",
            "CREATE TYPE weight_range AS RANGE (SUBTYPE = integer)",
            "CREATE TYPE weight_range AS RANGE (SUBTYPE = bigint)"),
        kind(
            "domain",
            "positive_grams",
            "CREATE DOMAIN positive_grams AS integer CHECK (VALUE > 0)",
            "CREATE DOMAIN positive_grams AS integer CHECK (VALUE >= 0)"),
        kind(
            "comment",
            "column parcels.weight",
            "COMMENT ON COLUMN parcels.weight IS 'in grams'",
            "COMMENT ON COLUMN parcels.weight IS 'in kilograms'"));
  }

  private static Arguments kind(String kind, String name, String create, String changed) {
    return Arguments.of(kind, name, create, changed);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyKind")
  void everyKindIsFoundMissingExtraAndChanged(
      String kind, String name, String create, String changed) {
    String database = postgres.createDatabase();
    postgres.execute(
        database,
        "CREATE FOREIGN DATA WRAPPER dummy",
        "CREATE SERVER remote FOREIGN DATA WRAPPER dummy");
    build(database, "expected", BASE + create);
    build(database, "without", BASE);
    build(database, "other", BASE + changed);
    SchemaModel expected = model(database, "expected");
    SchemaModel without = model(database, "without");
    SchemaModel other = model(database, "other");

    SchemaDiff missing = without.comparedWith(expected);
    assertThat(missing.differences())
        .filteredOn(d -> d.change() == SchemaDiff.Change.MISSING)
        .extracting(d -> d.subject().kind().label() + " " + d.subject().displayName())
        .contains(kind + " " + name);
    assertThat(missing.matchesAsSuperset()).isFalse();

    SchemaDiff extra = expected.comparedWith(without);
    assertThat(extra.lines())
        .anyMatch(line -> line.startsWith("extra " + kind + " " + name + ": "));
    assertThat(extra.matchesAsSuperset()).isTrue();
    assertThat(extra.isEmpty()).isFalse();

    SchemaDiff change = other.comparedWith(expected);
    assertThat(change.lines())
        .anyMatch(line -> line.startsWith("changed " + kind + " " + name + ": "));
    assertThat(change.matchesAsSuperset()).isFalse();

    assertThat(List.of(without.fingerprint(), other.fingerprint()))
        .doesNotContain(expected.fingerprint());
    assertThat(model(database, "expected").fingerprint()).isEqualTo(expected.fingerprint());
  }

  @Test
  void schemasBuiltByDifferentButEquivalentDdlAreEqual() {
    String first = postgres.createDatabase();
    String second = postgres.createDatabase();
    build(
        first,
        "public",
        """
        CREATE TYPE status AS ENUM ('new', 'sent');
        CREATE TABLE lockers (id bigint PRIMARY KEY, site text NOT NULL);
        CREATE TABLE parcels (
          id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
          weight integer NOT NULL CHECK (weight > 0),
          locker_id bigint REFERENCES lockers (id),
          status status NOT NULL DEFAULT 'new',
          tracking text UNIQUE,
          doubled integer GENERATED ALWAYS AS (weight * 2) STORED
        );
        CREATE INDEX parcels_weight_idx ON parcels (weight);
        CREATE VIEW sent AS SELECT id, weight FROM parcels WHERE status = 'sent';
        CREATE FUNCTION heavy(p parcels) RETURNS boolean LANGUAGE sql AS 'SELECT p.weight > 10';
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
        CREATE TRIGGER parcels_touch BEFORE UPDATE ON parcels
          FOR EACH ROW EXECUTE FUNCTION touch();
        COMMENT ON COLUMN parcels.weight IS 'in grams';
        CREATE TABLE events (at date NOT NULL, kind text) PARTITION BY RANGE (at);
        CREATE INDEX events_kind_idx ON events (kind);
        CREATE TABLE events_2026 PARTITION OF events
          FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
        INSERT INTO lockers VALUES (1, 'north');
        INSERT INTO parcels (weight, locker_id, tracking) VALUES (5, 1, 'a'), (7, 1, 'b');
        """);
    build(
        second,
        "Billing App",
        """
        CREATE TYPE status AS ENUM ('new');
        ALTER TYPE status ADD VALUE 'sent';
        CREATE TABLE lockers (id bigint, site text NOT NULL);
        ALTER TABLE lockers ADD PRIMARY KEY (id);
        CREATE TABLE parcels (
          tracking text,
          dropped integer,
          status status NOT NULL DEFAULT 'new',
          id bigint GENERATED BY DEFAULT AS IDENTITY,
          weight integer NOT NULL
        );
        INSERT INTO lockers VALUES (3, 'south');
        INSERT INTO parcels (weight, tracking, dropped) VALUES (9, 'c', 1);
        ALTER TABLE parcels DROP COLUMN dropped;
        ALTER TABLE parcels ADD COLUMN locker_id bigint;
        ALTER TABLE parcels ADD COLUMN doubled integer GENERATED ALWAYS AS (weight * 2) STORED;
        ALTER TABLE parcels ADD CONSTRAINT parcels_pkey PRIMARY KEY (id);
        ALTER TABLE parcels ADD CONSTRAINT parcels_weight_check CHECK (weight > 0);
        ALTER TABLE parcels ADD CONSTRAINT parcels_locker_id_fkey
          FOREIGN KEY (locker_id) REFERENCES lockers (id);
        ALTER TABLE parcels ADD CONSTRAINT parcels_tracking_key UNIQUE (tracking);
        CREATE INDEX parcels_weight_idx ON parcels (weight);
        CREATE VIEW sent AS SELECT id, weight FROM parcels WHERE status = 'sent';
        CREATE TABLE events (kind text, at date NOT NULL) PARTITION BY RANGE (at);
        CREATE TABLE events_2026 PARTITION OF events
          FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
        CREATE INDEX events_kind_idx ON events (kind);
        COMMENT ON COLUMN parcels.weight IS 'in grams';
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
        CREATE TRIGGER parcels_touch BEFORE UPDATE ON parcels
          FOR EACH ROW EXECUTE FUNCTION touch();
        CREATE FUNCTION heavy(p parcels) RETURNS boolean LANGUAGE sql AS 'SELECT p.weight > 10';
        """);

    SchemaModel built = model(first, "public");
    SchemaModel rebuilt = model(second, "Billing App");

    assertThat(rebuilt.comparedWith(built).lines()).isEmpty();
    assertThat(rebuilt).isEqualTo(built);
    assertThat(rebuilt.fingerprint()).isEqualTo(built.fingerprint());
    assertThat(built.canonicalForm())
        .contains("column\tparcels\tweight\tinteger NOT NULL\n")
        .contains("column\tparcels\tdoubled\tinteger GENERATED ALWAYS AS ((weight * 2)) STORED\n")
        .contains(
            "index\tparcels\tparcels_weight_idx\tCREATE INDEX ON parcels USING btree (weight)\n")
        .contains(
            "constraint\tparcels\tparcels_locker_id_fkey\tFOREIGN KEY (locker_id) REFERENCES"
                + " lockers(id)\n")
        .contains(
            "table\t\tevents_2026\tTABLE PARTITION OF events FOR VALUES FROM ('2026-01-01') TO"
                + " ('2027-01-01')\n")
        .contains("function\t\theavy(p parcels)\tCREATE OR REPLACE FUNCTION heavy(p parcels)")
        .contains(
            "trigger\tparcels\tparcels_touch\tCREATE TRIGGER BEFORE UPDATE ON parcels FOR EACH ROW"
                + " EXECUTE FUNCTION touch()\n")
        .doesNotContain("Billing")
        .doesNotContain("public.");
  }

  @Test
  void serialAndAnExplicitSequenceWithDefaultAreEqualButIdentityIsNot() {
    String database = postgres.createDatabase();
    build(database, "serial", "CREATE TABLE parcels (id serial PRIMARY KEY)");
    build(
        database,
        "explicit",
        """
        CREATE SEQUENCE parcels_id_seq AS integer;
        CREATE TABLE parcels (id integer NOT NULL DEFAULT nextval('parcels_id_seq') PRIMARY KEY);
        """);
    build(
        database,
        "identity",
        "CREATE TABLE parcels (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)");

    SchemaModel serial = model(database, "serial");
    assertThat(model(database, "explicit").comparedWith(serial).lines()).isEmpty();
    assertThat(model(database, "identity").comparedWith(serial).lines())
        .containsExactly(
            "missing sequence parcels_id_seq: AS integer START 1 INCREMENT 1 MINVALUE 1 MAXVALUE"
                + " 2147483647 CACHE 1",
            "changed column parcels.id: integer NOT NULL DEFAULT"
                + " nextval('parcels_id_seq'::regclass) -> integer GENERATED BY DEFAULT AS"
                + " IDENTITY (AS integer START 1 INCREMENT 1 MINVALUE 1 MAXVALUE 2147483647"
                + " CACHE 1) NOT NULL");
  }

  @Test
  void aTriggerSetToFireOnlyForReplicationAndAForeignKeyWhoseTriggersAreOffAreChanged() {
    String database = postgres.createDatabase();
    String ddl =
        """
        CREATE TABLE depots (id bigint PRIMARY KEY);
        CREATE TABLE parcels (id bigint PRIMARY KEY, depot_id bigint REFERENCES depots (id),
                              note text);
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
        CREATE TRIGGER parcels_touch BEFORE UPDATE ON parcels
          FOR EACH ROW EXECUTE FUNCTION touch();
        """;
    build(database, "expected", ddl);
    build(database, "replica", ddl + "ALTER TABLE parcels ENABLE REPLICA TRIGGER parcels_touch;");
    build(database, "always", ddl + "ALTER TABLE parcels ENABLE ALWAYS TRIGGER parcels_touch;");
    // Off for every trigger of the table, the foreign key's own included; the user's trigger is
    // switched back on, so only the foreign key is no longer enforced.
    build(
        database,
        "unenforced",
        ddl
            + "ALTER TABLE parcels DISABLE TRIGGER ALL;"
            + " ALTER TABLE parcels ENABLE TRIGGER parcels_touch;");
    build(database, "unenforcedParent", ddl + "ALTER TABLE depots DISABLE TRIGGER ALL;");
    SchemaModel expected = model(database, "expected");
    String trigger =
        "changed trigger parcels.parcels_touch: CREATE TRIGGER BEFORE UPDATE ON parcels FOR EACH"
            + " ROW EXECUTE FUNCTION touch() -> CREATE TRIGGER BEFORE UPDATE ON parcels FOR EACH"
            + " ROW EXECUTE FUNCTION touch()";
    String foreignKey =
        "changed constraint parcels.parcels_depot_id_fkey: FOREIGN KEY (depot_id) REFERENCES"
            + " depots(id) -> FOREIGN KEY (depot_id) REFERENCES depots(id)";

    assertThat(model(database, "replica").comparedWith(expected).lines())
        .containsExactly(trigger + " (enabled replica)");
    assertThat(model(database, "always").comparedWith(expected).lines())
        .containsExactly(trigger + " (enabled always)");
    assertThat(model(database, "unenforced").comparedWith(expected).lines())
        .containsExactly(foreignKey + " (triggers disabled)");
    assertThat(model(database, "unenforcedParent").comparedWith(expected).lines())
        .containsExactly(foreignKey + " (triggers disabled)");
  }

  @Test
  void aTypeChangeAndARenamedIndexReadAsOneLineEach() {
    String database = postgres.createDatabase();
    build(
        database,
        "expected",
        "CREATE TABLE parcels (weight integer NOT NULL);"
            + " CREATE INDEX parcels_weight_idx ON parcels (weight);");
    build(
        database,
        "found",
        "CREATE TABLE parcels (weight bigint NOT NULL);"
            + " CREATE INDEX idx_weight ON parcels (weight);");

    SchemaDiff diff = model(database, "found").comparedWith(model(database, "expected"));

    assertThat(diff.lines())
        .containsExactly(
            "changed column parcels.weight: integer NOT NULL -> bigint NOT NULL",
            "renamed index parcels_weight_idx -> idx_weight: CREATE INDEX ON parcels USING btree"
                + " (weight)");
    assertThat(diff.summary()).isEqualTo("0 missing, 1 changed, 1 renamed, 0 extra");
  }

  @Test
  void historyTablesOtherToolsTablesIgnoredTablesAndExtensionMembersAreLeftOut() {
    String database = postgres.createDatabase();
    build(database, "plain", "CREATE TABLE parcels (id bigint PRIMARY KEY)");
    build(
        database,
        "adopted",
        """
        CREATE EXTENSION citext SCHEMA adopted;
        CREATE TABLE parcels (id bigint PRIMARY KEY);
        CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version text);
        CREATE INDEX flyway_schema_history_s_idx ON flyway_schema_history (version);
        COMMENT ON TABLE flyway_schema_history IS 'schema-operator owner=logistics/parcels';
        CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
        INSERT INTO alembic_version VALUES ('002');
        CREATE TABLE schema_migrations (version bigint PRIMARY KEY);
        CREATE TABLE databasechangelog (id text);
        CREATE TABLE databasechangeloglock (id int PRIMARY KEY);
        CREATE TABLE "__EFMigrationsHistory" ("MigrationId" text PRIMARY KEY);
        CREATE TABLE sessions (id serial PRIMARY KEY, token text);
        """);

    SchemaModel plain = model(database, "plain");
    SchemaModel adopted;
    try (Connection connection = postgres.connect(database)) {
      adopted =
          SchemaReader.read(connection, "adopted", "flyway_schema_history", List.of("sessions"));
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }

    assertThat(adopted.comparedWith(plain).lines()).isEmpty();
    assertThat(adopted.fingerprint()).isEqualTo(plain.fingerprint());
    try (Connection connection = postgres.connect(database)) {
      assertThat(
              SchemaReader.read(connection, "adopted", "schema_version", List.of("sessions"))
                  .comparedWith(plain)
                  .lines())
          .as("under another history table name, flyway_schema_history counts")
          .contains("extra table flyway_schema_history: TABLE");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    assertThat(model(database, "adopted").comparedWith(plain).lines())
        .as("without ignoreTables, sessions counts")
        .contains(
            "extra table sessions: TABLE",
            "extra sequence sessions_id_seq: AS integer"
                + " START 1 INCREMENT 1 MINVALUE 1 MAXVALUE 2147483647 CACHE 1");
  }

  // Before these settings were fixed for the read, a database with quote_all_identifiers on read
  // every name quoted ("parcels"), and one with bytea_output 'escape' or
  // standard_conforming_strings
  // off wrote a default's literal otherwise: one schema, two models.
  @Test
  void sessionSettingsOfTheDatabaseDoNotChangeTheModel() {
    String ddl =
        """
        CREATE TABLE parcels (
          id bigint PRIMARY KEY,
          tag bytea NOT NULL DEFAULT '\\x00ff'::bytea,
          path text NOT NULL DEFAULT E'a\\\\b'
        );
        CREATE INDEX parcels_tag_idx ON parcels (tag);
        CREATE VIEW tagged AS SELECT id, tag FROM parcels WHERE path <> E'c\\\\d';
        """;
    String plain = postgres.createDatabase();
    String tuned = postgres.createDatabase();
    build(plain, "public", ddl);
    build(tuned, "public", ddl);
    postgres.execute(
        "postgres",
        "ALTER DATABASE " + tuned + " SET quote_all_identifiers = on",
        "ALTER DATABASE " + tuned + " SET bytea_output = 'escape'",
        "ALTER DATABASE " + tuned + " SET standard_conforming_strings = off");

    SchemaModel expected = model(plain, "public");
    SchemaModel found = model(tuned, "public");

    assertThat(found.comparedWith(expected).lines()).isEmpty();
    assertThat(found.fingerprint()).isEqualTo(expected.fingerprint());
  }

  @Test
  void aRoleWithoutAnyPrivilegeInAReadOnlySessionReadsTheSameModel() {
    String database = postgres.createDatabase();
    String auditor = "auditor_" + database;
    build(
        database,
        "app",
        BASE
            + """
            CREATE INDEX parcels_weight_idx ON parcels (weight);
            CREATE VIEW heavy AS SELECT id FROM parcels WHERE weight > 10;
            CREATE SEQUENCE tracking_seq;
            CREATE TYPE status AS ENUM ('new', 'sent');
            CREATE TRIGGER parcels_touch BEFORE UPDATE ON parcels
              FOR EACH ROW EXECUTE FUNCTION touch();
            REVOKE ALL ON SCHEMA app FROM PUBLIC;
            """);
    postgres.execute(
        database,
        "CREATE ROLE " + auditor + " LOGIN PASSWORD 'audit-only'",
        "ALTER ROLE " + auditor + " SET default_transaction_read_only = on");

    SchemaModel asAuditor =
        SchemaCatalog.read(
            ConnectionSettings.builder()
                .host("127.0.0.1")
                .port(postgres.port())
                .database(database)
                .schema("app")
                .user(auditor)
                .password("audit-only")
                .sslMode("disable")
                .build(),
            "flyway_schema_history",
            List.of(),
            Duration.ofSeconds(30));

    SchemaModel asOwner = model(database, "app");
    assertThat(asOwner.size()).isGreaterThan(10);
    assertThat(asAuditor.comparedWith(asOwner).lines()).isEmpty();
    assertThat(asAuditor.fingerprint()).isEqualTo(asOwner.fingerprint());
  }

  /**
   * The outline the verified baseline compares after every version is the model's tables and
   * columns, read by the light query: equal to the projection of the model, whatever the names
   * (quoted, mixed case), the kinds of table, the tables left out, dropped columns and the
   * database's own quote_all_identifiers; and it tells a schema with one more column apart.
   */
  @Test
  void theOutlineIsTheModelsTablesAndColumnsAndTellsAnAddedColumnApart() throws SQLException {
    String database = postgres.createDatabase();
    postgres.execute(
        database,
        "CREATE FOREIGN DATA WRAPPER dummy",
        "CREATE SERVER remote FOREIGN DATA WRAPPER dummy",
        "ALTER DATABASE " + database + " SET quote_all_identifiers = on");
    build(
        database,
        "Fleet Ops",
        """
        CREATE TABLE parcels (id bigint PRIMARY KEY, weight integer, dropped text, note text);
        ALTER TABLE parcels DROP COLUMN dropped;
        CREATE TABLE "Order Items" ("Line No" int, sku text);
        CREATE TABLE events (at date NOT NULL, kind text) PARTITION BY RANGE (at);
        CREATE TABLE events_2026 PARTITION OF events
          FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
        CREATE FOREIGN TABLE remote_parcels (id int) SERVER remote;
        CREATE VIEW heavy AS SELECT id FROM parcels WHERE weight > 10;
        CREATE TYPE dimensions AS (width int, height int);
        CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY);
        CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
        CREATE TABLE sessions (id serial PRIMARY KEY, token text);
        """);

    try (Connection connection = postgres.connect(database);
        SchemaOutline.Reader reader =
            SchemaOutline.reader(
                connection, "Fleet Ops", "flyway_schema_history", List.of("sessions"))) {
      SchemaModel model =
          SchemaReader.read(connection, "Fleet Ops", "flyway_schema_history", List.of("sessions"));
      SchemaOutline outline = reader.read();

      assertThat(outline).isEqualTo(SchemaOutline.of(model));
      assertThat(outline.toString())
          .contains(
              "column \"Order Items\".\"Line No\"",
              "partitioned table events",
              "table events_2026",
              "foreign table remote_parcels",
              "column parcels.note")
          .doesNotContain("dropped", "heavy", "dimensions", "sessions", "alembic", "flyway");
      assertThat(outline.size()).isEqualTo(15);

      postgres.execute(database, "ALTER TABLE \"Fleet Ops\".parcels ADD COLUMN size text");
      assertThat(reader.read()).isNotEqualTo(outline);
      assertThat(reader.read())
          .isEqualTo(
              SchemaOutline.of(
                  SchemaReader.read(
                      connection, "Fleet Ops", "flyway_schema_history", List.of("sessions"))));
    }
  }

  private void build(String database, String schema, String ddl) {
    String quoted = "\"" + schema.replace("\"", "\"\"") + "\"";
    if (!schema.equals("public")) {
      postgres.execute(database, "CREATE SCHEMA " + quoted);
    }
    postgres.execute(database, "SET search_path = " + quoted + ";\n" + ddl);
  }

  private SchemaModel model(String database, String schema) {
    try (Connection connection = postgres.connect(database)) {
      return SchemaReader.read(connection, schema, "flyway_schema_history", List.of());
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
