package io.jobgtm.schema.operator.observe;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.operator.act.Labels;
import io.jobgtm.schema.operator.act.MigrationJobFactory;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a migration Job and its pods show: whether it runs, succeeded or failed, the result the
 * migrator left in the last finished pod, and why a pod cannot start.
 *
 * @param name the Job's name
 * @param specHash the hash of the spec it was created for
 * @param phase running, succeeded or failed
 * @param failureReason the reason of the Job's own Failed condition, when it failed: {@value
 *     #DEADLINE_EXCEEDED}, BackoffLimitExceeded, PodFailurePolicy (the Job controller's reasons)
 * @param failure the Job's own failure condition (reason and message), when it failed
 * @param result the result document of the last pod that finished, if any
 * @param failedAttempts how many of its pods failed
 * @param podProblem why its current pod cannot start, when it cannot
 * @param startedAt when the Job started (RFC 3339), or null
 * @param finishedAt when it finished (RFC 3339), or null
 */
public record ObservedJob(
    String name,
    String specHash,
    Phase phase,
    String failureReason,
    String failure,
    MigrationResult result,
    int failedAttempts,
    String podProblem,
    String startedAt,
    String finishedAt) {

  /** The Job's phase as its conditions tell it. */
  public enum Phase {
    Running,
    Succeeded,
    Failed
  }

  /** The Job controller's reason for a Job stopped at its {@code activeDeadlineSeconds}. */
  public static final String DEADLINE_EXCEEDED = "DeadlineExceeded";

  /** Container waiting reasons after which the pod will not start without a change. */
  private static final Set<String> STUCK_REASONS =
      Set.of(
          "CreateContainerConfigError",
          "CreateContainerError",
          "ErrImagePull",
          "ImagePullBackOff",
          "InvalidImageName");

  public boolean finished() {
    return phase != Phase.Running;
  }

  /** Whether Kubernetes stopped the Job at its deadline, whatever its pods reported before. */
  public boolean deadlineExceeded() {
    return phase == Phase.Failed && DEADLINE_EXCEEDED.equals(failureReason);
  }

  /** Reads a Job and the pods it created. */
  public static ObservedJob of(Job job, List<Pod> pods) {
    Map<String, String> labels = job.getMetadata().getLabels();
    Phase phase = Phase.Running;
    String failureReason = null;
    String failure = null;
    String finishedAt = null;
    if (job.getStatus() != null && job.getStatus().getConditions() != null) {
      for (JobCondition condition : job.getStatus().getConditions()) {
        if (!"True".equals(condition.getStatus())) {
          continue;
        }
        // Only the terminal conditions count: SuccessCriteriaMet and FailureTarget come first,
        // while pods still terminate and before the Job has its completion time.
        switch (condition.getType()) {
          case "Complete" -> phase = Phase.Succeeded;
          case "Failed" -> {
            phase = Phase.Failed;
            failureReason = condition.getReason();
            failure = condition.getReason() + ": " + condition.getMessage();
          }
          default -> {}
        }
      }
      finishedAt = job.getStatus().getCompletionTime();
      if (finishedAt == null && phase == Phase.Failed) {
        finishedAt =
            job.getStatus().getConditions().stream()
                .filter(c -> "Failed".equals(c.getType()))
                .map(JobCondition::getLastTransitionTime)
                .findFirst()
                .orElse(null);
      }
    }
    List<Pod> newestFirst =
        pods.stream()
            .sorted(
                Comparator.comparing(
                        (Pod pod) -> String.valueOf(pod.getMetadata().getCreationTimestamp()))
                    .reversed())
            .toList();
    MigrationResult result =
        newestFirst.stream()
            .map(ObservedJob::terminationMessage)
            .flatMap(Optional::stream)
            .map(MigrationResult::fromJson)
            .flatMap(Optional::stream)
            .findFirst()
            .orElse(null);
    int failedAttempts =
        (int)
            pods.stream()
                .filter(
                    pod -> pod.getStatus() != null && "Failed".equals(pod.getStatus().getPhase()))
                .count();
    String podProblem =
        phase == Phase.Running
            ? newestFirst.stream()
                .map(ObservedJob::stuckReason)
                .flatMap(Optional::stream)
                .findFirst()
                .orElse(null)
            : null;
    return new ObservedJob(
        job.getMetadata().getName(),
        labels == null ? null : labels.get(Labels.SPEC_HASH),
        phase,
        failureReason,
        failure,
        result,
        failedAttempts,
        podProblem,
        job.getStatus() == null ? null : job.getStatus().getStartTime(),
        finishedAt);
  }

  private static Optional<ContainerStatus> migrateContainer(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return Optional.empty();
    }
    return pod.getStatus().getContainerStatuses().stream()
        .filter(status -> MigrationJobFactory.CONTAINER.equals(status.getName()))
        .findFirst();
  }

  private static Optional<String> terminationMessage(Pod pod) {
    return migrateContainer(pod)
        .map(ContainerStatus::getState)
        .filter(state -> state.getTerminated() != null)
        .map(state -> state.getTerminated().getMessage());
  }

  private static Optional<String> stuckReason(Pod pod) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    List<ContainerStatus> statuses = new java.util.ArrayList<>();
    if (pod.getStatus().getInitContainerStatuses() != null) {
      statuses.addAll(pod.getStatus().getInitContainerStatuses());
    }
    if (pod.getStatus().getContainerStatuses() != null) {
      statuses.addAll(pod.getStatus().getContainerStatuses());
    }
    return statuses.stream()
        .map(ContainerStatus::getState)
        .filter(state -> state != null && state.getWaiting() != null)
        .map(state -> state.getWaiting())
        .filter(waiting -> STUCK_REASONS.contains(waiting.getReason()))
        .map(waiting -> waiting.getReason() + ": " + waiting.getMessage())
        .findFirst();
  }
}
