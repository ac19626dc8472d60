package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.migrator.model.SchemaDiff;
import io.jobgtm.schema.migrator.model.SchemaModel;
import io.jobgtm.schema.migrator.model.SchemaObject;
import io.jobgtm.schema.migrator.model.SchemaObject.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DDL that makes the shadow like the migrated schema, built from the model's definitions. */
class DriftReproductionTest {

  private static SchemaObject object(Kind kind, String table, String name, String definition) {
    return new SchemaObject(kind, table, name, definition);
  }

  @Test
  void missingObjectsAreDroppedFirstThenExtraOnesCreatedAndChangedOnesBoth() {
    SchemaModel expected =
        SchemaModel.of(
            List.of(
                object(Kind.TABLE, null, "parcels", "TABLE"),
                object(Kind.COLUMN, "parcels", "weight", "integer"),
                object(Kind.COLUMN, "parcels", "label", "text"),
                object(
                    Kind.INDEX,
                    "parcels",
                    "ix_parcels_weight",
                    "CREATE INDEX ON parcels USING btree (weight)")));
    SchemaModel found =
        SchemaModel.of(
            List.of(
                object(Kind.TABLE, null, "parcels", "TABLE"),
                object(Kind.COLUMN, "parcels", "weight", "numeric(10,2) NOT NULL DEFAULT 0"),
                object(Kind.TABLE, null, "audit_log", "UNLOGGED TABLE"),
                object(Kind.ENUM_TYPE, null, "state", "ENUM ('open', 'closed')"),
                object(
                    Kind.TRIGGER,
                    "parcels",
                    "parcels_touch",
                    "CREATE TRIGGER BEFORE UPDATE ON parcels FOR EACH ROW EXECUTE FUNCTION"
                        + " touch() (disabled)"),
                object(Kind.COMMENT, null, "column parcels.weight", "in grams, it's exact")));

    assertThat(DriftReproduction.statements(SchemaDiff.between(expected, found)))
        .containsExactly(
            "ALTER TABLE parcels DROP COLUMN IF EXISTS label CASCADE",
            "DROP INDEX IF EXISTS ix_parcels_weight CASCADE",
            "ALTER TABLE parcels DROP COLUMN IF EXISTS weight CASCADE",
            "ALTER TABLE parcels ADD COLUMN weight numeric(10,2) NOT NULL DEFAULT 0",
            "CREATE UNLOGGED TABLE audit_log ()",
            "CREATE TRIGGER parcels_touch BEFORE UPDATE ON parcels FOR EACH ROW EXECUTE FUNCTION"
                + " touch()",
            "CREATE TYPE state AS ENUM ('open', 'closed')",
            "COMMENT ON COLUMN parcels.weight IS 'in grams, it''s exact'");
  }

  @Test
  void eachKindIsCreatedFromItsDefinition() {
    assertThat(
            DriftReproduction.create(
                object(
                    Kind.INDEX,
                    "t",
                    "ix_t_a",
                    "CREATE UNIQUE INDEX ON t USING btree (a) (invalid)")))
        .isEqualTo("CREATE UNIQUE INDEX ix_t_a ON t USING btree (a)");
    assertThat(DriftReproduction.create(object(Kind.CONSTRAINT, "t", "t_a_check", "CHECK (a > 0)")))
        .isEqualTo("ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0)");
    assertThat(
            DriftReproduction.create(
                object(Kind.TABLE, null, "t_2026", "TABLE PARTITION OF t FOR VALUES IN (2026)")))
        .isEqualTo("CREATE TABLE t_2026 PARTITION OF t FOR VALUES IN (2026)");
    assertThat(DriftReproduction.create(object(Kind.TABLE, null, "t", "TABLE ROW LEVEL SECURITY")))
        .isEqualTo("CREATE TABLE t ()");
    assertThat(DriftReproduction.create(object(Kind.VIEW, null, "v", " SELECT 1;")))
        .isEqualTo("CREATE VIEW v AS  SELECT 1;");
    assertThat(
            DriftReproduction.create(
                object(
                    Kind.SEQUENCE,
                    null,
                    "s",
                    "AS bigint START 1 INCREMENT 1 MINVALUE 1"
                        + " MAXVALUE 9223372036854775807 CACHE 1")))
        .startsWith("CREATE SEQUENCE s AS bigint START 1");
    assertThat(DriftReproduction.create(object(Kind.AGGREGATE, null, "agg(integer)", "(x)")))
        .isNull();
    assertThat(DriftReproduction.drop(object(Kind.FUNCTION, null, "f(integer)", "CREATE …")))
        .isEqualTo("DROP FUNCTION IF EXISTS f(integer) CASCADE");
    assertThat(DriftReproduction.drop(object(Kind.COMMENT, null, "constraint t.t_pkey", "x")))
        .isEqualTo("COMMENT ON CONSTRAINT t_pkey ON t IS NULL");
  }
}
