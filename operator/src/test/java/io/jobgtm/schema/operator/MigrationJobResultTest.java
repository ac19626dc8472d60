package io.jobgtm.schema.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MigrationJobResultTest {

  /** The migrator's golden result documents: the migrator's tests write exactly these. */
  private static MigrationJobResult golden(String name) throws Exception {
    return MigrationJobResult.parse(
            Files.readString(
                Path.of("../migrator/src/test/resources/result-documents").resolve(name)))
        .orElseThrow();
  }

  @Test
  void failureAfterApplyingLeavesTheVersionTheHistoryHolds() throws Exception {
    MigrationJobResult result = golden("failed-after-applying.json");

    assertThat(result.succeeded()).isFalse();
    assertThat(result.versionAfter()).isEqualTo("2");
    assertThat(result.pending()).containsExactly("3");
    assertThat(result.applied())
        .extracting(MigrationJobResult.Applied::version)
        .containsExactly("2");
    assertThat(result.failure().reason()).isEqualTo("MigrationFailed");
    assertThat(result.failure().version()).isEqualTo("3");
  }

  @Test
  void failureOutsideATransactionKeepsThePreviousVersion() throws Exception {
    MigrationJobResult result = golden("failed-not-rolled-back.json");

    assertThat(result.versionAfter()).isEqualTo("1");
    assertThat(result.failed()).containsExactly("2");
    assertThat(result.failure().version()).isEqualTo("2");
    assertThat(result.failure().message()).contains("NOT rolled back", "repair");
  }

  @Test
  void infoWithAVersionOutOfOrder() throws Exception {
    MigrationJobResult result = golden("info-out-of-order.json");

    assertThat(result.succeeded()).isTrue();
    assertThat(result.versionAfter()).isEqualTo("3");
    assertThat(result.failed()).isEmpty();
    assertThat(result.outOfOrder()).containsExactly("2");
  }

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
