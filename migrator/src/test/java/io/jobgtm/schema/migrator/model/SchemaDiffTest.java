package io.jobgtm.schema.migrator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobgtm.schema.migrator.model.SchemaObject.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The diff's lines: what each says, their order, renames, the superset match and cutting. */
class SchemaDiffTest {

  private static final SchemaObject TABLE = new SchemaObject(Kind.TABLE, null, "parcels", "TABLE");
  private static final SchemaObject WEIGHT =
      new SchemaObject(Kind.COLUMN, "parcels", "weight", "integer NOT NULL");
  private static final SchemaObject INDEX =
      new SchemaObject(
          Kind.INDEX,
          "parcels",
          "parcels_weight_idx",
          "CREATE INDEX ON parcels USING btree (weight)");

  @Test
  void equalModelsHaveNoDifference() {
    SchemaDiff diff = model(TABLE, WEIGHT).comparedWith(model(WEIGHT, TABLE));

    assertThat(diff.isEmpty()).isTrue();
    assertThat(diff.matchesAsSuperset()).isTrue();
    assertThat(diff.lines()).isEmpty();
    assertThat(diff.summary()).isEqualTo("equal");
  }

  @Test
  void missingChangedAndExtraObjectsAreOneSortedLineEach() {
    SchemaModel expected = model(TABLE, WEIGHT, INDEX);
    SchemaModel found =
        model(
            TABLE,
            new SchemaObject(Kind.COLUMN, "parcels", "weight", "bigint NOT NULL"),
            new SchemaObject(Kind.COLUMN, "parcels", "note", "text"),
            new SchemaObject(Kind.SEQUENCE, null, "a_seq", "AS bigint"));

    SchemaDiff diff = found.comparedWith(expected);

    assertThat(diff.lines())
        .containsExactly(
            "missing index parcels_weight_idx: CREATE INDEX ON parcels USING btree (weight)",
            "changed column parcels.weight: integer NOT NULL -> bigint NOT NULL",
            "extra column parcels.note: text",
            "extra sequence a_seq: AS bigint");
    assertThat(diff.summary()).isEqualTo("1 missing, 1 changed, 0 renamed, 2 extra");
    assertThat(diff.matchesAsSuperset()).isFalse();
  }

  @Test
  void anIndexUnderAnotherNameOnTheSameTableIsRenamedNotMissingAndExtra() {
    SchemaObject renamed =
        new SchemaObject(
            Kind.INDEX, "parcels", "idx_weight", "CREATE INDEX ON parcels USING btree (weight)");
    SchemaObject elsewhere =
        new SchemaObject(
            Kind.CONSTRAINT, "lockers", "lockers_weight_check", "CHECK ((weight > 0))");

    SchemaDiff diff =
        model(TABLE, renamed, elsewhere)
            .comparedWith(
                model(
                    TABLE,
                    INDEX,
                    new SchemaObject(
                        Kind.CONSTRAINT,
                        "parcels",
                        "parcels_weight_check",
                        "CHECK ((weight > 0))")));

    assertThat(diff.lines())
        .containsExactly(
            "missing constraint parcels.parcels_weight_check: CHECK ((weight > 0))",
            "renamed index parcels_weight_idx -> idx_weight: CREATE INDEX ON parcels USING btree"
                + " (weight)",
            "extra constraint lockers.lockers_weight_check: CHECK ((weight > 0))");
    assertThat(diff.count(SchemaDiff.Change.RENAMED)).isEqualTo(1);
    assertThat(diff.isEmpty()).isFalse();
    assertThat(diff.matchesAsSuperset()).as("a rename is no superset match").isFalse();
  }

  @Test
  void aFoundSchemaWithMoreObjectsIsASupersetAndListsThem() {
    SchemaDiff diff =
        model(TABLE, WEIGHT, INDEX, new SchemaObject(Kind.TABLE, null, "sessions", "TABLE"))
            .comparedWith(model(TABLE, WEIGHT));

    assertThat(diff.matchesAsSuperset()).isTrue();
    assertThat(diff.isEmpty()).isFalse();
    assertThat(diff.lines())
        .containsExactly(
            "extra table sessions: TABLE",
            "extra index parcels_weight_idx: CREATE INDEX ON parcels USING btree (weight)");
  }

  @Test
  void definitionsAreShownOnOneLineAndCut() {
    SchemaObject view =
        new SchemaObject(
            Kind.VIEW, null, "heavy", " SELECT id\n   FROM parcels\n  WHERE weight > 10;");
    SchemaObject function = new SchemaObject(Kind.FUNCTION, null, "f()", "x".repeat(400));

    assertThat(model(TABLE).comparedWith(model(TABLE, view, function)).lines())
        .containsExactly(
            "missing view heavy: SELECT id FROM parcels WHERE weight > 10;",
            "missing function f(): " + "x".repeat(160) + "...");
  }

  @Test
  void aLongChangedDefinitionIsShownAroundItsFirstDifference() {
    String body = "BEGIN " + "a := a + 1; ".repeat(30);
    SchemaObject before = new SchemaObject(Kind.FUNCTION, null, "f()", body + "RETURN a; END");
    SchemaObject after = new SchemaObject(Kind.FUNCTION, null, "f()", body + "RETURN b; END");

    String line = model(after).comparedWith(model(before)).lines().get(0);

    // The first difference is the returned variable; 40 characters before it are shown.
    int start = (body + "RETURN ").length() - 40;
    assertThat(line)
        .isEqualTo(
            "changed function f(): ..."
                + (body + "RETURN a; END").substring(start)
                + " -> ..."
                + (body + "RETURN b; END").substring(start));
  }

  @Test
  void linesAreCutToAMaximumWithTheRestCounted() {
    List<SchemaObject> tables = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      tables.add(new SchemaObject(Kind.TABLE, null, String.format("t%02d", i), "TABLE"));
    }
    SchemaDiff diff = SchemaModel.of(List.of()).comparedWith(SchemaModel.of(tables));

    List<String> cut = diff.lines(20);
    assertThat(cut).hasSize(20);
    assertThat(cut.get(0)).isEqualTo("missing table t00: TABLE");
    assertThat(cut.get(18)).isEqualTo("missing table t18: TABLE");
    assertThat(cut.get(19)).isEqualTo("... and 6 more differences");
    assertThat(diff.lines(25)).hasSize(25).isEqualTo(diff.lines());
    assertThat(diff.lines(24).get(23)).isEqualTo("... and 2 more differences");
    assertThat(diff.lines(1)).containsExactly("... and 25 more differences");
    assertThatThrownBy(() -> diff.lines(0)).isInstanceOf(IllegalArgumentException.class);
  }

  private static SchemaModel model(SchemaObject... objects) {
    return SchemaModel.of(List.of(objects));
  }
}
