package io.jobgtm.schema.operator.observe;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.operator.act.Labels;
import io.jobgtm.schema.operator.act.MigrationJobFactory;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a migration Job and its pods show: whether it runs, succeeded or failed, the result the
 * migrator left in the last finished pod, and why a pod cannot start. Exit codes and termination
 * messages are read from the migrator's container ({@link MigrationJobFactory#CONTAINER}) only,
 * found by name: never from the shadow sidecar, whose status comes first among the init
 * containers', nor from a mesh's sidecar.
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
 * @param podsRefused why Kubernetes cannot create its pod (the newest {@code FailedCreate} Event of
 *     the Job controller, when no pod was created after it), or null
 * @param startedAt when the Job started (RFC 3339), or null
 * @param finishedAt when it finished (RFC 3339), or null
 * @param lingering whether the migrator has finished successfully while another container of its
 *     pod (a service mesh's sidecar) keeps running, so the Job would not complete: the outcome is
 *     final (the migrator's own exit code and result decide it, not the Job's Complete condition),
 *     and the Job is to be ended
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
    String podsRefused,
    String startedAt,
    String finishedAt,
    boolean lingering) {

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

  /**
   * A Job the API server refused to create, as if it had failed at once: the one way a refusal
   * enters the decision, so that it is recorded, reported and retried as any failed Job.
   *
   * @param reason {@code JobRefused} or {@code JobCreateFailed}
   * @param message what the API server said, for the status
   * @param at when it refused (RFC 3339)
   */
  public static ObservedJob refused(String name, String reason, String message, String at) {
    return new ObservedJob(
        name, null, Phase.Failed, reason, message, null, 0, null, null, null, at, false);
  }

  /** The reason of the Job controller's Event when it cannot create a Job's pod. */
  public static final String FAILED_CREATE = "FailedCreate";

  /**
   * The reason of the kubelet's Event when it cannot mount a volume of a pod, such as a missing
   * Secret or ConfigMap of {@code spec.database.sslRootCert}: the pod stays {@code
   * ContainerCreating} with no container status that says why.
   */
  public static final String FAILED_MOUNT = "FailedMount";

  /**
   * Reads a Job, the pods it created and the Events about them.
   *
   * @param events Events about this Job and its pods; only the Job controller's {@value
   *     #FAILED_CREATE} about the Job and the kubelet's {@value #FAILED_MOUNT} about its pods count
   */
  public static ObservedJob of(Job job, List<Pod> pods, List<Event> events) {
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
                .map(pod -> stuckReason(pod, events))
                .flatMap(Optional::stream)
                .findFirst()
                .orElse(null)
            : null;
    // The migrator's own end is final, whatever other containers of its pod still do.
    boolean lingering = false;
    String startedAt = job.getStatus() == null ? null : job.getStatus().getStartTime();
    if (phase == Phase.Running && !newestFirst.isEmpty()) {
      Optional<String> migratorEnd = succeededAt(newestFirst.get(0));
      if (migratorEnd.isPresent()) {
        phase = Phase.Succeeded;
        finishedAt = migratorEnd.get();
        lingering = anotherContainerRuns(newestFirst.get(0));
      }
    }
    // Reported while the Job runs; after it failed, only when it never had a pod.
    String podsRefused =
        phase == Phase.Running || (phase == Phase.Failed && newestFirst.isEmpty())
            ? podsRefused(job, newestFirst, events)
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
        podsRefused,
        startedAt,
        finishedAt,
        lingering);
  }

  /**
   * The newest {@code FailedCreate} message about this Job (matched by UID, so a re-created Job of
   * the same name does not inherit it), unless a pod was created after it.
   */
  private static String podsRefused(Job job, List<Pod> newestFirst, List<Event> events) {
    Event newest =
        events.stream()
            .filter(event -> FAILED_CREATE.equals(event.getReason()))
            .filter(
                event ->
                    event.getInvolvedObject() != null
                        && Objects.equals(
                            event.getInvolvedObject().getUid(), job.getMetadata().getUid()))
            .max(Comparator.comparing(ObservedJob::lastSeen))
            .orElse(null);
    if (newest == null) {
      return null;
    }
    String newestPod =
        newestFirst.isEmpty()
            ? null
            : String.valueOf(newestFirst.get(0).getMetadata().getCreationTimestamp());
    if (newestPod != null && newestPod.compareTo(lastSeen(newest)) >= 0) {
      return null;
    }
    // Without the generated pod name, which changes with each attempt of the Job controller.
    return newest.getMessage() == null
        ? null
        : newest.getMessage().replaceAll("pods \"[^\"]*\" ", "the pod ");
  }

  /**
   * The newest {@value #FAILED_MOUNT} message about a pod none of whose containers has started
   * (matched by UID): the kubelet keeps trying, so it says why the pod waits, not that it failed.
   */
  private static Optional<String> failedMount(Pod pod, List<Event> events) {
    // An init container counts: the shadow sidecar runs while the migrator waits for it, and no
    // container starts before every volume is mounted.
    boolean started =
        Stream.of(
                pod.getStatus().getInitContainerStatuses(), pod.getStatus().getContainerStatuses())
            .filter(Objects::nonNull)
            .flatMap(List::stream)
            .map(ContainerStatus::getState)
            .anyMatch(
                state ->
                    state != null && (state.getRunning() != null || state.getTerminated() != null));
    if (started || !"Pending".equals(pod.getStatus().getPhase())) {
      return Optional.empty();
    }
    String uid = pod.getMetadata().getUid();
    return events.stream()
        .filter(event -> FAILED_MOUNT.equals(event.getReason()))
        .filter(
            event ->
                event.getInvolvedObject() != null
                    && Objects.equals(event.getInvolvedObject().getUid(), uid))
        .max(Comparator.comparing(ObservedJob::lastSeen))
        .map(event -> FAILED_MOUNT + ": " + event.getMessage());
  }

  /** When an Event was last seen (RFC 3339): its series', its own, or its first time. */
  private static String lastSeen(Event event) {
    if (event.getSeries() != null && event.getSeries().getLastObservedTime() != null) {
      return event.getSeries().getLastObservedTime().getTime();
    }
    if (event.getLastTimestamp() != null) {
      return event.getLastTimestamp();
    }
    if (event.getEventTime() != null && event.getEventTime().getTime() != null) {
      return event.getEventTime().getTime();
    }
    return String.valueOf(event.getFirstTimestamp());
  }

  /**
   * When the pod's migrator container ended with exit code 0 and a result document that is not a
   * failure, if it did.
   */
  private static Optional<String> succeededAt(Pod pod) {
    return migrateContainer(pod)
        .map(ContainerStatus::getState)
        .map(state -> state.getTerminated())
        .filter(terminated -> Integer.valueOf(0).equals(terminated.getExitCode()))
        .filter(
            terminated ->
                MigrationResult.fromJson(terminated.getMessage())
                    .filter(result -> result.failure() == null)
                    .isPresent())
        .map(terminated -> terminated.getFinishedAt());
  }

  /** Whether a container other than the migrator runs in the pod, such as a mesh's sidecar. */
  private static boolean anotherContainerRuns(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getContainerStatuses() != null
        && pod.getStatus().getContainerStatuses().stream()
            .filter(status -> !MigrationJobFactory.CONTAINER.equals(status.getName()))
            .anyMatch(
                status -> status.getState() != null && status.getState().getRunning() != null);
  }

  /** Whether the pod's migrator container runs now (started and not terminated). */
  public static boolean migratorRuns(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() == null
        && migrateContainer(pod)
            .map(ContainerStatus::getState)
            .filter(state -> state.getRunning() != null)
            .isPresent();
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

  private static Optional<String> stuckReason(Pod pod, List<Event> events) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    Optional<String> unmounted = failedMount(pod, events);
    if (unmounted.isPresent()) {
      return unmounted;
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
