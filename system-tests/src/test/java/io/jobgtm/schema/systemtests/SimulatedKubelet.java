package io.jobgtm.schema.systemtests;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jobgtm.schema.operator.act.MigrationJobFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Plays the node's part in {@code *IT} tests, where no kubelet runs: it writes a migration pod's
 * status exactly as a kubelet would when the container ends or cannot start.
 */
public final class SimulatedKubelet {

  private static final Duration PATIENCE = Duration.ofMinutes(1);

  private final KubernetesClient client;

  /** The migrator's result document of a successful migration of the reference set. */
  SimulatedKubelet(KubernetesClient client) {
    this.client = client;
  }

  /** The one pod of a Job, once the Job controller has created it. */
  Pod awaitPod(String namespace, String jobName) {
    return await()
        .atMost(PATIENCE)
        .until(
            () ->
                pods(namespace, jobName).stream()
                    .filter(
                        pod ->
                            pod.getStatus() == null
                                || !List.of("Succeeded", "Failed")
                                    .contains(pod.getStatus().getPhase()))
                    .findFirst()
                    .orElse(null),
            pod -> pod != null);
  }

  List<Pod> pods(String namespace, String jobName) {
    return client
        .pods()
        .inNamespace(namespace)
        .withLabel("batch.kubernetes.io/job-name", jobName)
        .list()
        .getItems();
  }

  /** The migrate container ended with an exit code and left a termination message. */
  void terminate(Pod pod, int exitCode, String terminationMessage) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    writeStatus(
        pod,
        exitCode == 0 ? "Succeeded" : "Failed",
        now,
        new ContainerStateBuilder()
            .withNewTerminated()
            .withExitCode(exitCode)
            .withReason(exitCode == 0 ? "Completed" : "Error")
            .withMessage(terminationMessage)
            .withStartedAt(now)
            .withFinishedAt(now)
            .endTerminated()
            .build());
  }

  /** The container cannot start, e.g. its Secret is missing, as a kubelet reports it. */
  void cannotStart(Pod pod, String reason, String message) {
    writeStatus(
        pod,
        "Pending",
        null,
        new ContainerStateBuilder()
            .withNewWaiting()
            .withReason(reason)
            .withMessage(message)
            .endWaiting()
            .build());
  }

  /** Writes the pod's phase and its migrate container's state, as the kubelet's status update. */
  private void writeStatus(Pod pod, String phase, String startTime, ContainerState state) {
    Pod current =
        client
            .pods()
            .inNamespace(pod.getMetadata().getNamespace())
            .withName(pod.getMetadata().getName())
            .get();
    PodStatusBuilder status = new PodStatusBuilder(current.getStatus()).withPhase(phase);
    if (startTime != null) {
      status.withStartTime(startTime);
    }
    current.setStatus(
        status
            .withContainerStatuses(
                new ContainerStatusBuilder()
                    .withName(MigrationJobFactory.CONTAINER)
                    .withImage(current.getSpec().getContainers().get(0).getImage())
                    .withImageID("")
                    .withReady(false)
                    .withRestartCount(0)
                    .withStarted(false)
                    .withState(state)
                    .build())
            .build());
    client
        .pods()
        .inNamespace(current.getMetadata().getNamespace())
        .resource(current)
        .updateStatus();
  }
}
