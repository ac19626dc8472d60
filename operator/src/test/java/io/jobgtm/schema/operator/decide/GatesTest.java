package io.jobgtm.schema.operator.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import org.junit.jupiter.api.Test;

class GatesTest {

  private static Pod pod(String minVersion, String... gates) {
    PodBuilder builder =
        new PodBuilder().withNewMetadata().withName("web-1").withNamespace("apps").endMetadata();
    if (minVersion != null) {
      builder.editMetadata().addToAnnotations(Gates.MIN_VERSION, minVersion).endMetadata();
    }
    builder.withNewSpec().endSpec();
    for (String gate : gates) {
      builder.editSpec().addNewSchedulingGate(gate).endSpec();
    }
    return builder.build();
  }

  @Test
  void podsNameTheSchemaVersionsTheyWaitFor() {
    Pod pod =
        pod(null, "example.com/other", "schema.jobgtm.io/workflow", "schema.jobgtm.io/billing");

    assertThat(Gates.awaitedBy(pod)).containsExactlyInAnyOrder("workflow", "billing");
    assertThat(Gates.hasGate(pod, Gates.gateName("workflow"))).isTrue();
    assertThat(Gates.indexOf(pod.getSpec(), Gates.gateName("billing"))).isEqualTo(2);
    assertThat(Gates.awaitedBy(pod(null, "example.com/other"))).isEmpty();
  }

  @Test
  void withoutMinVersionAPodWaitsForReady() {
    Pod pod = pod(null, "schema.jobgtm.io/workflow");

    assertThat(Gates.stillWaiting(pod, "2", false)).contains("the SchemaVersion is not Ready");
    assertThat(Gates.stillWaiting(pod, "2", true)).isEmpty();
  }

  @Test
  void withMinVersionAPodWaitsForThatVersionWhateverTheReadiness() {
    Pod pod = pod("2", "schema.jobgtm.io/workflow");

    assertThat(Gates.stillWaiting(pod, "1", true))
        .contains("it needs schema version 2 and the database is at 1");
    assertThat(Gates.stillWaiting(pod, null, false))
        .contains("it needs schema version 2 and the database is at no version yet");
    assertThat(Gates.stillWaiting(pod, "2", false)).isEmpty();
    assertThat(Gates.stillWaiting(pod, "10", false)).isEmpty();
    assertThat(Gates.stillWaiting(pod("two", "schema.jobgtm.io/workflow"), "2", true))
        .contains("its schema.jobgtm.io/min-version annotation 'two' is not a version");
  }

  @Test
  void oneVersionGrammarUnderscoresReadAsDots() {
    // The CRD, the migrator and the gate read 2_1 as 2.1, as Flyway does.
    assertThat(Gates.stillWaiting(pod("2_1", "schema.jobgtm.io/workflow"), "2.1", false)).isEmpty();
    assertThat(Gates.stillWaiting(pod("2.1", "schema.jobgtm.io/workflow"), "2_1", false)).isEmpty();
    assertThat(Gates.stillWaiting(pod("2_2", "schema.jobgtm.io/workflow"), "2.1", true))
        .contains("it needs schema version 2_2 and the database is at 2.1");
  }

  @Test
  void patchesTestTheGateBeforeRemovingIt() {
    assertThat(Gates.removalPatch("/spec/schedulingGates", 1, "schema.jobgtm.io/workflow"))
        .isEqualTo(
            "[{\"op\":\"test\",\"path\":\"/spec/schedulingGates/1/name\",\"value\":\"schema.jobgtm.io/workflow\"},"
                + "{\"op\":\"remove\",\"path\":\"/spec/schedulingGates/1\"}]");
    assertThat(Gates.additionPatch(new PodSpec(), "schema.jobgtm.io/workflow"))
        .isEqualTo(
            "[{\"op\":\"add\",\"path\":\"/spec/template/spec/schedulingGates\","
                + "\"value\":[{\"name\":\"schema.jobgtm.io/workflow\"}]}]");
  }
}
