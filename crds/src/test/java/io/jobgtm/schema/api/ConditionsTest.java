package io.jobgtm.schema.api;

import static io.jobgtm.schema.api.Conditions.FALSE;
import static io.jobgtm.schema.api.Conditions.READY;
import static io.jobgtm.schema.api.Conditions.RECONCILING;
import static io.jobgtm.schema.api.Conditions.STALLED;
import static io.jobgtm.schema.api.Conditions.TRUE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {

  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00.123Z");
  private static final Instant T1 = Instant.parse("2025-03-01T10:05:00Z");

  @Test
  void aNewConditionStartsItsTransitionNowAtTheObservedGeneration() {
    List<Condition> conditions =
        Conditions.from(null, 3, T0).set(READY, FALSE, "MigrationRunning", "V2 running").toList();

    assertThat(conditions).hasSize(1);
    Condition ready = conditions.get(0);
    assertThat(ready.getType()).isEqualTo(READY);
    assertThat(ready.getStatus()).isEqualTo(FALSE);
    assertThat(ready.getReason()).isEqualTo("MigrationRunning");
    assertThat(ready.getMessage()).isEqualTo("V2 running");
    assertThat(ready.getLastTransitionTime()).isEqualTo("2025-03-01T10:00:00Z");
    assertThat(ready.getObservedGeneration()).isEqualTo(3L);
  }

  @Test
  void anUnchangedStatusKeepsItsTransitionTimeButTakesTheNewReasonAndGeneration() {
    List<Condition> before =
        Conditions.from(null, 3, T0).set(READY, FALSE, "MigrationRunning", "V2 running").toList();

    List<Condition> after =
        Conditions.from(before, 4, T1).set(READY, FALSE, "MigrationFailed", "V2 failed").toList();

    Condition ready = Conditions.find(after, READY).orElseThrow();
    assertThat(ready.getLastTransitionTime()).isEqualTo("2025-03-01T10:00:00Z");
    assertThat(ready.getReason()).isEqualTo("MigrationFailed");
    assertThat(ready.getMessage()).isEqualTo("V2 failed");
    assertThat(ready.getObservedGeneration()).isEqualTo(4L);
  }

  @Test
  void aFlippedStatusStartsANewTransition() {
    List<Condition> before =
        Conditions.from(null, 3, T0).set(READY, FALSE, "MigrationRunning", "").toList();

    List<Condition> after =
        Conditions.from(before, 3, T1).set(READY, TRUE, "Migrated", "at version 2").toList();

    assertThat(Conditions.find(after, READY).orElseThrow().getLastTransitionTime())
        .isEqualTo("2025-03-01T10:05:00Z");
    assertThat(Conditions.isTrue(after, READY)).isTrue();
  }

  @Test
  void aPreviousConditionWithoutTransitionTimeGetsOne() {
    List<Condition> before =
        List.of(new ConditionBuilder().withType(READY).withStatus(TRUE).withReason("X").build());

    List<Condition> after = Conditions.from(before, 1, T1).set(READY, TRUE, "X", "").toList();

    assertThat(after.get(0).getLastTransitionTime()).isEqualTo("2025-03-01T10:05:00Z");
  }

  @Test
  void otherConditionsAreKeptInTheirOrderAndNewOnesAppended() {
    List<Condition> before =
        Conditions.from(null, 1, T0)
            .set(STALLED, FALSE, "Progressing", "")
            .set(READY, FALSE, "MigrationRunning", "")
            .toList();

    List<Condition> after =
        Conditions.from(before, 2, T1)
            .set(READY, TRUE, "Migrated", "")
            .set(RECONCILING, FALSE, "Migrated", "")
            .toList();

    assertThat(after).extracting(Condition::getType).containsExactly(STALLED, READY, RECONCILING);
    assertThat(after.get(0)).isEqualTo(before.get(0));
  }

  @Test
  void thePreviousListIsNotModified() {
    List<Condition> before =
        Conditions.from(null, 1, T0).set(READY, FALSE, "MigrationRunning", "").toList();
    Condition copy = new ConditionBuilder(before.get(0)).build();

    Conditions.from(before, 2, T1).set(READY, TRUE, "Migrated", "").toList();

    assertThat(before).containsExactly(copy);
  }

  @Test
  void settingTheSameConditionAgainChangesNothing() {
    List<Condition> before =
        Conditions.from(null, 5, T0).set(READY, TRUE, "Migrated", "at version 2").toList();

    List<Condition> after =
        Conditions.from(before, 5, T1).set(READY, TRUE, "Migrated", "at version 2").toList();

    assertThat(after).isEqualTo(before);
  }

  @Test
  void aNullMessageBecomesEmptyAndAnUnknownStatusIsRefused() {
    assertThat(Conditions.from(null, 1, T0).set(READY, TRUE, "Migrated", null).toList())
        .extracting(Condition::getMessage)
        .containsExactly("");
    assertThatThrownBy(() -> Conditions.from(null, 1, T0).set(READY, "true", "Migrated", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("True, False or Unknown");
  }

  @Test
  void findAndIsTrueHandleMissingConditions() {
    assertThat(Conditions.find(null, READY)).isEmpty();
    assertThat(Conditions.isTrue(List.of(), READY)).isFalse();
    assertThat(
            Conditions.isTrue(
                Conditions.from(null, 1, T0).set(STALLED, TRUE, "BaselineRefused", "").toList(),
                READY))
        .isFalse();
  }
}
