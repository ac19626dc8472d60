package io.jobgtm.schema.migrator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobgtm.schema.migrator.model.SchemaObject.Kind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The canonical form and the fingerprint: defined by the objects alone, read back unambiguously.
 */
class SchemaModelTest {

  private static final SchemaObject TABLE = new SchemaObject(Kind.TABLE, null, "parcels", "TABLE");
  private static final SchemaObject WEIGHT =
      new SchemaObject(Kind.COLUMN, "parcels", "weight", "integer NOT NULL");
  private static final SchemaObject INDEX =
      new SchemaObject(
          Kind.INDEX,
          "parcels",
          "parcels_weight_idx",
          "CREATE INDEX ON parcels USING btree (weight)");
  private static final SchemaObject VIEW =
      new SchemaObject(
          Kind.VIEW, null, "heavy", " SELECT id\n   FROM parcels\n\tWHERE weight > 10;");

  @Test
  void theCanonicalFormIsOneSortedLinePerObjectWithWhiteSpaceEscaped() {
    SchemaModel model = SchemaModel.of(List.of(VIEW, INDEX, WEIGHT, TABLE));

    assertThat(model.canonicalForm())
        .isEqualTo(
            "schema-model/1\n"
                + "table\t\tparcels\tTABLE\n"
                + "column\tparcels\tweight\tinteger NOT NULL\n"
                + "index\tparcels\tparcels_weight_idx\tCREATE INDEX ON parcels USING btree (weight)\n"
                + "view\t\theavy\t SELECT id\\n   FROM parcels\\n\\tWHERE weight > 10;\n");
  }

  @Test
  void theFingerprintIsTheSha256OfTheCanonicalForm() throws Exception {
    SchemaModel model = SchemaModel.of(List.of(TABLE, WEIGHT));
    String expected =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(model.canonicalForm().getBytes(StandardCharsets.UTF_8)));

    assertThat(model.fingerprint()).isEqualTo("sha256:" + expected);
  }

  @Test
  void theOrderObjectsComeInChangesNothing() {
    SchemaModel one = SchemaModel.of(List.of(TABLE, WEIGHT, INDEX, VIEW));
    SchemaModel other = SchemaModel.of(List.of(VIEW, INDEX, WEIGHT, TABLE));

    assertThat(other).isEqualTo(one).hasSameHashCodeAs(one);
    assertThat(other.fingerprint()).isEqualTo(one.fingerprint());
    assertThat(other.objects()).containsExactly(TABLE, WEIGHT, INDEX, VIEW);
  }

  @Test
  void anyChangeOfAnObjectChangesTheFingerprint() {
    SchemaModel model = SchemaModel.of(List.of(TABLE, WEIGHT));

    assertThat(
            List.of(
                SchemaModel.of(List.of(TABLE)),
                SchemaModel.of(
                    List.of(TABLE, new SchemaObject(Kind.COLUMN, "parcels", "weight", "bigint"))),
                SchemaModel.of(
                    List.of(
                        TABLE,
                        new SchemaObject(Kind.COLUMN, "parcels", "mass", "integer NOT NULL")))))
        .allSatisfy(
            other -> {
              assertThat(other).isNotEqualTo(model);
              assertThat(other.fingerprint()).isNotEqualTo(model.fingerprint());
            });
  }

  @Test
  void escapingKeepsTheFormUnambiguous() {
    // A tab inside a definition must not read as a field separator, nor a newline as a new object.
    SchemaModel tab =
        SchemaModel.of(List.of(new SchemaObject(Kind.COMMENT, null, "table a", "x\ty")));
    SchemaModel backslash =
        SchemaModel.of(List.of(new SchemaObject(Kind.COMMENT, null, "table a", "x\\ty")));

    assertThat(tab.canonicalForm()).endsWith("comment\t\ttable a\tx\\ty\n");
    assertThat(backslash.canonicalForm()).endsWith("comment\t\ttable a\tx\\\\ty\n");
    assertThat(tab.fingerprint()).isNotEqualTo(backslash.fingerprint());
  }

  @Test
  void twoObjectsOfOneKindAndNameAreRefused() {
    assertThatThrownBy(
            () ->
                SchemaModel.of(
                    List.of(WEIGHT, new SchemaObject(Kind.COLUMN, "parcels", "weight", "text"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("column parcels.weight");
  }

  @Test
  void theSchemaNameIsTakenOutWhereItQualifiesANameOnly() {
    assertThat(
            SchemaReader.withoutSchema(
                "CREATE INDEX x ON public.parcels USING btree (weight)", "public"))
        .isEqualTo("CREATE INDEX x ON parcels USING btree (weight)");
    assertThat(
            SchemaReader.withoutSchema(
                "SELECT my_public.f(), \"public\".g, other.public.t, public.t", "public"))
        .isEqualTo("SELECT my_public.f(), \"public\".g, other.public.t, t");
    assertThat(
            SchemaReader.withoutSchema(
                "EXECUTE FUNCTION \"Billing App\".touch() ON \"Billing App\".\"Parcels\"",
                "\"Billing App\""))
        .isEqualTo("EXECUTE FUNCTION touch() ON \"Parcels\"");
  }

  @Test
  void anIndexOrTriggerDefinitionLosesItsOwnName() {
    assertThat(
            SchemaReader.withoutOwnName(
                "CREATE UNIQUE INDEX parcels_key ON parcels USING btree (key)",
                "INDEX ",
                "parcels_key"))
        .isEqualTo("CREATE UNIQUE INDEX ON parcels USING btree (key)");
    assertThat(
            SchemaReader.withoutOwnName(
                "CREATE TRIGGER \"Touch\" BEFORE UPDATE ON parcels FOR EACH ROW EXECUTE FUNCTION"
                    + " touch()",
                "TRIGGER ",
                "\"Touch\""))
        .isEqualTo("CREATE TRIGGER BEFORE UPDATE ON parcels FOR EACH ROW EXECUTE FUNCTION touch()");
  }
}
