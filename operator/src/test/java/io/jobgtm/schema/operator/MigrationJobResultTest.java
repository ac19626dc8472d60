package io.jobgtm.schema.operator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MigrationJobResultTest {

  @Test
  void readsTheMigratorsDocument() {
    MigrationJobResult result =
        MigrationJobResult.parse(Fixtures.result("Migrated", "2", null)).orElseThrow();

    assertThat(result.outcome()).isEqualTo("Migrated");
    assertThat(result.versionAfter()).isEqualTo("2");
    assertThat(result.databaseState()).isEqualTo("Fresh");
    assertThat(result.applied())
        .extracting(MigrationJobResult.Applied::version)
        .containsExactly("1", "2");
    assertThat(result.succeeded()).isTrue();
  }

  @Test
  void readsAFailure() {
    MigrationJobResult result =
        MigrationJobResult.parse(Fixtures.result("Failed", "2", "MigrationFailed")).orElseThrow();

    assertThat(result.succeeded()).isFalse();
    assertThat(result.failure().reason()).isEqualTo("MigrationFailed");
    assertThat(result.failure().version()).isEqualTo("3");
  }

  @Test
  void ignoresFieldsItDoesNotKnow() {
    String withExtra = Fixtures.result("UpToDate", "2", null).replace("{", "{\"later\": 1, ");

    assertThat(MigrationJobResult.parse(withExtra)).isPresent();
  }

  @Test
  void anythingElseIsNoResult() {
    assertThat(MigrationJobResult.parse(null)).isEmpty();
    assertThat(MigrationJobResult.parse("")).isEmpty();
    assertThat(MigrationJobResult.parse("Error: out of memory")).isEmpty();
    assertThat(
            MigrationJobResult.parse("{\"apiVersion\": \"other/v9\", \"outcome\": \"Migrated\"}"))
        .isEmpty();
    assertThat(MigrationJobResult.parse("{\"apiVersion\": \"migrator.schema.jobgtm.io/v1\""))
        .isEmpty();
  }
}
