package io.jobgtm.schema.operator.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.jobgtm.schema.operator.Fixtures;
import io.jobgtm.schema.operator.act.MigrationJobFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The migrator's own end decides a Job's outcome, whatever a sidecar in its pod does. */
class ObservedJobTest {

  private static final Job ACTIVE =
      new JobBuilder()
          .withNewMetadata()
          .withName("workflow-0123456789")
          .withUid("job-uid")
          .endMetadata()
          .withNewStatus()
          .withActive(1)
          .withStartTime("2026-01-01T10:00:00Z")
          .endStatus()
          .build();

  private static ContainerStatus migrator(int exitCode, String message) {
    return new ContainerStatusBuilder()
        .withName(MigrationJobFactory.CONTAINER)
        .withNewState()
        .withNewTerminated()
        .withExitCode(exitCode)
        .withMessage(message)
        .withFinishedAt("2026-01-01T10:01:00Z")
        .endTerminated()
        .endState()
        .build();
  }

  private static ContainerStatus sidecar() {
    return new ContainerStatusBuilder()
        .withName("mesh-proxy")
        .withNewState()
        .withNewRunning()
        .withStartedAt("2026-01-01T10:00:01Z")
        .endRunning()
        .endState()
        .build();
  }

  private static Pod pod(ContainerStatus... statuses) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("workflow-0123456789-abcde")
        .withCreationTimestamp("2026-01-01T10:00:00Z")
        .endMetadata()
        .withNewStatus()
        .withPhase("Running")
        .withContainerStatuses(statuses)
        .endStatus()
        .build();
  }

  @Test
  void aMigratorThatSucceededBesideARunningSidecarIsASuccessOfALingeringJob() {
    String result = Fixtures.result("Migrated", "2", null).toJson();

    ObservedJob job =
        ObservedJob.of(ACTIVE, List.of(pod(migrator(0, result), sidecar())), List.of());

    assertThat(job.phase()).isEqualTo(ObservedJob.Phase.Succeeded);
    assertThat(job.finishedAt()).isEqualTo("2026-01-01T10:01:00Z");
    assertThat(job.lingering()).isTrue();
    assertThat(job.result().versionAfter()).isEqualTo("2");
  }

  @Test
  void aMigratorThatSucceededAloneIsASuccessBeforeTheJobControllerSaysSo() {
    String result = Fixtures.result("Migrated", "2", null).toJson();

    ObservedJob job = ObservedJob.of(ACTIVE, List.of(pod(migrator(0, result))), List.of());

    assertThat(job.phase()).isEqualTo(ObservedJob.Phase.Succeeded);
    assertThat(job.lingering()).isFalse();
  }

  @Test
  void aMigratorThatFailedOrLeftNoResultLeavesTheJobToTheJobController() {
    String failed = Fixtures.result("Failed", "1", "DatabaseUnreachable").toJson();

    assertThat(
            ObservedJob.of(ACTIVE, List.of(pod(migrator(1, failed), sidecar())), List.of()).phase())
        .isEqualTo(ObservedJob.Phase.Running);
    assertThat(
            ObservedJob.of(ACTIVE, List.of(pod(migrator(0, "not a result"), sidecar())), List.of())
                .phase())
        .isEqualTo(ObservedJob.Phase.Running);
  }

  private static Pod creating(String uid) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("workflow-0123456789-fghij")
        .withUid(uid)
        .withCreationTimestamp("2026-01-01T10:00:00Z")
        .endMetadata()
        .withNewStatus()
        .withPhase("Pending")
        .withContainerStatuses(
            new ContainerStatusBuilder()
                .withName(MigrationJobFactory.CONTAINER)
                .withNewState()
                .withNewWaiting()
                .withReason("ContainerCreating")
                .endWaiting()
                .endState()
                .build())
        .endStatus()
        .build();
  }

  private static Event failedMount(String podUid, String message, String at) {
    return new EventBuilder()
        .withReason(ObservedJob.FAILED_MOUNT)
        .withMessage(message)
        .withLastTimestamp(at)
        .withNewInvolvedObject()
        .withKind("Pod")
        .withUid(podUid)
        .endInvolvedObject()
        .build();
  }

  @Test
  void aPodThatCannotMountAVolumeSaysWhyWithTheNewestMessage() {
    ObservedJob job =
        ObservedJob.of(
            ACTIVE,
            List.of(creating("pod-uid")),
            List.of(
                failedMount(
                    "pod-uid",
                    "MountVolume.SetUp failed for volume \"ssl-root-cert\" : secret \"ca\" not found",
                    "2026-01-01T10:00:30Z"),
                failedMount(
                    "pod-uid",
                    "MountVolume.SetUp failed for volume \"ssl-root-cert\" : secret \"db-ca\" not"
                        + " found",
                    "2026-01-01T10:02:00Z"),
                failedMount("another-pod", "something else", "2026-01-01T10:03:00Z")));

    assertThat(job.podProblem())
        .isEqualTo(
            "FailedMount: MountVolume.SetUp failed for volume \"ssl-root-cert\" : secret"
                + " \"db-ca\" not found");
  }

  @Test
  void aMountThatFailedBeforeThePodStartedIsNoProblemOnceItRuns() {
    Pod running = creating("pod-uid");
    running.getStatus().setPhase("Running");
    running.getStatus().setContainerStatuses(List.of(sidecar()));

    ObservedJob job =
        ObservedJob.of(
            ACTIVE,
            List.of(running),
            List.of(failedMount("pod-uid", "secret not found", "2026-01-01T10:00:30Z")));

    assertThat(job.podProblem()).isNull();
    assertThat(ObservedJob.of(ACTIVE, List.of(creating("pod-uid")), List.of()).podProblem())
        .isNull();
  }

  /** The shadow's status as the kubelet writes it, first of the init containers. */
  private static ContainerStatus shadow(ContainerStatus state) {
    return new ContainerStatusBuilder(state).withName(MigrationJobFactory.SHADOW_CONTAINER).build();
  }

  private static Pod withShadowFirst(Pod pod, ContainerStatus shadowStatus) {
    pod.getStatus()
        .setInitContainerStatuses(
            List.of(
                shadow(shadowStatus),
                new ContainerStatusBuilder()
                    .withName("copy-migrations")
                    .withNewState()
                    .withNewTerminated()
                    .withExitCode(0)
                    .endTerminated()
                    .endState()
                    .build()));
    return pod;
  }

  @Test
  void theResultAndExitCodeAreTheMigratorsWhateverTheShadowFirstInTheInitContainersLeft() {
    String failed = Fixtures.result("Failed", "1", "DatabaseUnreachable").toJson();
    String migrated = Fixtures.result("Migrated", "2", null).toJson();
    // The shadow stopped by Kubernetes after the migrator, with a message that reads as a result.
    Pod failedMigrator = withShadowFirst(pod(migrator(1, failed)), migrator(0, migrated));

    ObservedJob job = ObservedJob.of(ACTIVE, List.of(failedMigrator), List.of());

    assertThat(job.result().failure().reason()).hasToString("DatabaseUnreachable");
    assertThat(job.phase()).isEqualTo(ObservedJob.Phase.Running);

    Pod succeededMigrator = withShadowFirst(pod(migrator(0, migrated)), migrator(1, failed));
    ObservedJob succeeded = ObservedJob.of(ACTIVE, List.of(succeededMigrator), List.of());

    assertThat(succeeded.phase()).isEqualTo(ObservedJob.Phase.Succeeded);
    assertThat(succeeded.result().versionAfter()).isEqualTo("2");
    assertThat(succeeded.lingering())
        .as("a native sidecar still running is stopped by Kubernetes, not by the operator")
        .isFalse();
  }

  @Test
  void aRunningShadowBesideASucceededMigratorNeitherLingersNorHidesTheSuccess() {
    String migrated = Fixtures.result("Migrated", "2", null).toJson();
    Pod pod = withShadowFirst(pod(migrator(0, migrated)), sidecar());

    ObservedJob job = ObservedJob.of(ACTIVE, List.of(pod), List.of());

    assertThat(job.phase()).isEqualTo(ObservedJob.Phase.Succeeded);
    assertThat(job.lingering()).isFalse();
    assertThat(ObservedJob.migratorRuns(pod)).isFalse();
  }

  @Test
  void aShadowImageThatCannotBePulledIsThePodsProblem() {
    Pod pod = creating("pod-uid");
    pod.getStatus()
        .setInitContainerStatuses(
            List.of(
                new ContainerStatusBuilder()
                    .withName(MigrationJobFactory.SHADOW_CONTAINER)
                    .withNewState()
                    .withNewWaiting()
                    .withReason("ImagePullBackOff")
                    .withMessage("Back-off pulling image \"mirror.internal/postgres:17\"")
                    .endWaiting()
                    .endState()
                    .build()));

    assertThat(ObservedJob.of(ACTIVE, List.of(pod), List.of()).podProblem())
        .isEqualTo("ImagePullBackOff: Back-off pulling image \"mirror.internal/postgres:17\"");
  }

  @Test
  void aMountThatFailedBeforeThePodStartedIsNoProblemOnceItsShadowRuns() {
    // Pending: the shadow runs (so every volume is mounted), the migrator waits for it.
    Pod starting = withShadowFirst(creating("pod-uid"), sidecar());
    starting
        .getStatus()
        .setInitContainerStatuses(starting.getStatus().getInitContainerStatuses().subList(0, 1));

    ObservedJob job =
        ObservedJob.of(
            ACTIVE,
            List.of(starting),
            List.of(failedMount("pod-uid", "secret not found", "2026-01-01T10:00:30Z")));

    assertThat(job.podProblem()).isNull();
  }
}
