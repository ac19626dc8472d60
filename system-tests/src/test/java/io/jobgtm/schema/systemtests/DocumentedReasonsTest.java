package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.contract.FailureReason;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every reason a SchemaVersion's conditions and Events can carry is documented with what to do: the
 * operator's own in docs/operations.md, the migrator's in docs/migrator.md.
 */
class DocumentedReasonsTest {

  @Test
  void everyReasonOfTheOperatorIsInTheOperationsGuide() throws Exception {
    String operations = Manifests.read("docs/operations.md");
    List<String> reasons =
        Arrays.stream(Reasons.class.getFields())
            .filter(field -> Modifier.isStatic(field.getModifiers()))
            .filter(field -> field.getType() == String.class)
            .map(DocumentedReasonsTest::value)
            .toList();

    assertThat(reasons)
        .isNotEmpty()
        .allSatisfy(reason -> assertThat(operations).contains("`" + reason + "`"));
  }

  @Test
  void everyFailureReasonOfTheMigratorIsInTheMigratorGuide() {
    String migrator = Manifests.read("docs/migrator.md");

    assertThat(FailureReason.values())
        .allSatisfy(reason -> assertThat(migrator).contains("`" + reason.name() + "`"));
  }

  private static String value(Field field) {
    try {
      return (String) field.get(null);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
