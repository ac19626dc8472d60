package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * When the local run says {@code ==> Ready}: the SchemaVersion is Ready for its generation and
 * every pod behind its gate is released and Ready, however the Deployment's own counters read.
 */
class LocalRunViewTest {

  @Test
  void aPendingPodKeepsTheExampleFromReadyEvenWhenTheDeploymentCountsItReady() {
    LocalRunView.Snapshot snapshot =
        snapshot(schemaVersion(1L), deployment(2), pod("a", true), pod("b", false));

    assertThat(LocalRunView.ready(snapshot, "workflow", "workflow")).isEmpty();
  }

  @Test
  void everyGatedPodReadyAndTheSchemaVersionReadyIsReady() {
    LocalRunView.Snapshot snapshot =
        snapshot(schemaVersion(1L), deployment(2), pod("a", true), pod("b", true));

    assertThat(LocalRunView.ready(snapshot, "workflow", "workflow"))
        .contains(
            "schemaversion/workflow is at version 2 and deployment/workflow-svc's 2 pods are"
                + " released and Ready.");
  }

  @Test
  void aReadyConditionOfAnOlderGenerationIsNotReady() {
    LocalRunView.Snapshot snapshot =
        snapshot(schemaVersion(0L), deployment(2), pod("a", true), pod("b", true));

    assertThat(LocalRunView.ready(snapshot, "workflow", "workflow")).isEmpty();
  }

  @Test
  void anExtraPodOfTheDeploymentStillTerminatingIsNotReady() {
    Pod leaving =
        new PodBuilder(pod("c", true))
            .editMetadata()
            .withDeletionTimestamp("2026-01-01T00:00:00Z")
            .endMetadata()
            .build();
    LocalRunView.Snapshot snapshot =
        snapshot(schemaVersion(1L), deployment(2), pod("a", true), pod("b", true), leaving);

    assertThat(LocalRunView.ready(snapshot, "workflow", "workflow")).isEmpty();
  }

  private static LocalRunView.Snapshot snapshot(
      SchemaVersion schemaVersion, Deployment deployment, Pod... pods) {
    return new LocalRunView.Snapshot(
        List.of(schemaVersion), List.of(), List.of(pods), List.of(deployment), List.of());
  }

  private static SchemaVersion schemaVersion(Long observedGeneration) {
    SchemaVersion resource = Manifests.exampleSchemaVersion("workflow");
    resource.getMetadata().setNamespace("workflow");
    resource.getMetadata().setGeneration(1L);
    SchemaVersionStatus status = new SchemaVersionStatus();
    Condition ready = new Condition();
    ready.setType("Ready");
    ready.setStatus("True");
    ready.setReason("Migrated");
    ready.setObservedGeneration(observedGeneration);
    status.setConditions(List.of(ready));
    status.setCurrentVersion("2");
    resource.setStatus(status);
    return resource;
  }

  /** The example's Deployment whose own status already counts every replica ready. */
  private static Deployment deployment(int replicas) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withNamespace("workflow")
        .withName("workflow-svc")
        .withGeneration(1L)
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withNewSelector()
        .addToMatchLabels("app.kubernetes.io/name", "workflow-svc")
        .endSelector()
        .withNewTemplate()
        .withNewSpec()
        .addNewSchedulingGate("schema.jobgtm.io/workflow")
        .endSpec()
        .endTemplate()
        .endSpec()
        .withNewStatus()
        .withObservedGeneration(1L)
        .withReplicas(replicas)
        .withUpdatedReplicas(replicas)
        .withReadyReplicas(replicas)
        .endStatus()
        .build();
  }

  private static Pod pod(String name, boolean ready) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace("workflow")
        .withName("workflow-svc-" + name)
        .addToLabels("app.kubernetes.io/name", "workflow-svc")
        .endMetadata()
        .withNewSpec()
        .endSpec()
        .withNewStatus()
        .withPhase(ready ? "Running" : "Pending")
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready ? "True" : "False")
        .endCondition()
        .endStatus()
        .build();
  }
}
