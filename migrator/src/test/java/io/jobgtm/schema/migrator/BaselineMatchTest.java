package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.Version;
import io.jobgtm.schema.migrator.model.SchemaModel;
import io.jobgtm.schema.migrator.model.SchemaObject;
import io.jobgtm.schema.migrator.model.SchemaObject.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Which version an unversioned schema is at, from its model and the replay's models. */
class BaselineMatchTest {

  private static final SchemaObject LISTINGS =
      new SchemaObject(Kind.TABLE, null, "job_listings", "TABLE");
  private static final SchemaObject IS_REMOTE =
      new SchemaObject(Kind.COLUMN, "job_listings", "is_remote", "boolean NOT NULL DEFAULT false");
  private static final SchemaObject RUNS =
      new SchemaObject(Kind.TABLE, null, "workflow_runs", "TABLE");

  private static final List<BaselineMatch.Replayed> REPLAYED =
      List.of(
          replayed("1", LISTINGS),
          replayed("2", LISTINGS, IS_REMOTE),
          // A migration that only inserts rows: the same model as version 2.
          replayed("2.1", LISTINGS, IS_REMOTE),
          replayed("3", LISTINGS, IS_REMOTE, RUNS));

  @Test
  void theHighestEqualVersionAtOrBelowTheTargetIsFound() {
    assertThat(find(model(LISTINGS), "3")).isEqualTo(Version.parse("1"));
    assertThat(find(model(LISTINGS, IS_REMOTE), "3")).isEqualTo(Version.parse("2.1"));
    assertThat(find(model(LISTINGS, IS_REMOTE), "2")).isEqualTo(Version.parse("2"));
  }

  @Test
  void aSchemaEqualOnlyAboveTheTargetIsRefusedNamingThatVersion() {
    assertThatThrownBy(() -> find(model(LISTINGS, IS_REMOTE, RUNS), "2"))
        .isInstanceOfSatisfying(
            MigrationException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(FailureReason.SchemaMismatch);
              assertThat(e.getMessage())
                  .isEqualTo(
                      "schema public matches version 3, above the target 2: raise the target to"
                          + " baseline it");
            });
  }

  @Test
  void noMatchNamesTheClosestVersionAndItsDifferences() {
    SchemaModel live = model(LISTINGS, RUNS);

    assertThatThrownBy(() -> find(live, "3"))
        .isInstanceOfSatisfying(
            MigrationException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(FailureReason.SchemaMismatch);
              assertThat(e.version()).isEqualTo("3");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "schema public matches no version of the migration set; the closest is"
                          + " version 3 (1 missing, 0 changed, 0 renamed, 0 extra): missing"
                          + " column job_listings.is_remote: boolean NOT NULL DEFAULT false");
            });
  }

  @Test
  void aTieBetweenClosestVersionsNamesTheHigher() {
    assertThat(BaselineMatch.closest(model(), REPLAYED).version()).isEqualTo(Version.parse("1"));
    SchemaModel live = model(LISTINGS, new SchemaObject(Kind.TABLE, null, "other", "TABLE"));
    // One extra from version 1, one extra and one missing from 2 and 2.1.
    assertThat(BaselineMatch.closest(live, REPLAYED).version()).isEqualTo(Version.parse("1"));
    assertThat(BaselineMatch.closest(model(LISTINGS, IS_REMOTE), REPLAYED).version())
        .isEqualTo(Version.parse("2.1"));
  }

  @Test
  void aGivenVersionIsCheckedAndAMismatchNamesItsDifferencesAndTheClosestVersion() {
    BaselineMatch.check(model(LISTINGS, IS_REMOTE), REPLAYED, Version.parse("2"), "public");

    assertThatThrownBy(
            () ->
                BaselineMatch.check(
                    model(LISTINGS, IS_REMOTE), REPLAYED, Version.parse("1"), "public"))
        .isInstanceOfSatisfying(
            MigrationException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(FailureReason.SchemaMismatch);
              assertThat(e.version()).isEqualTo("1");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "schema public does not match version 1 (0 missing, 0 changed, 0 renamed, 1"
                          + " extra): extra column job_listings.is_remote: boolean NOT NULL"
                          + " DEFAULT false; the closest version is 2.1 (equal)");
            });
  }

  @Test
  void atMostTwentyDifferenceLinesTheRestCounted() {
    List<SchemaObject> many = new ArrayList<>();
    IntStream.range(0, 30)
        .forEach(i -> many.add(new SchemaObject(Kind.TABLE, null, "t" + (10 + i), "TABLE")));

    assertThatThrownBy(() -> find(SchemaModel.of(many), "3"))
        .isInstanceOfSatisfying(
            MigrationException.class,
            e -> {
              String differences = e.getMessage().substring(e.getMessage().indexOf("): ") + 3);
              assertThat(differences.split("; ")).hasSize(20);
              assertThat(differences).endsWith("; ... and 12 more differences");
            });
  }

  private static Version find(SchemaModel live, String target) {
    return BaselineMatch.find(live, REPLAYED, Version.parse(target), "public");
  }

  private static BaselineMatch.Replayed replayed(String version, SchemaObject... objects) {
    return new BaselineMatch.Replayed(Version.parse(version), model(objects));
  }

  private static SchemaModel model(SchemaObject... objects) {
    return SchemaModel.of(List.of(objects));
  }
}
