package io.jobgtm.schema.systemtests;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSchedulingGate;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.operator.decide.Gates;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * What the local run shows of the cluster, read at one moment: one line per SchemaVersion, Job, pod
 * and Deployment of every namespace but the control plane's own, the Warning Events, and whether
 * the example is Ready. The progress lines and the Ready line come from the same {@link Snapshot},
 * so the Ready line never follows lines that still show a pod Pending.
 */
final class LocalRunView {

  /** The control plane's own namespaces; everything a user applies elsewhere is shown. */
  static final Set<String> HIDDEN_NAMESPACES =
      Set.of("kube-system", "kube-public", "kube-node-lease");

  private LocalRunView() {}

  /** The objects worth showing, listed one kind after the other. */
  record Snapshot(
      List<SchemaVersion> schemaVersions,
      List<Job> jobs,
      List<Pod> pods,
      List<Deployment> deployments,
      List<Event> events) {

    static Snapshot read(KubernetesClient client) {
      return new Snapshot(
          shown(client.resources(SchemaVersion.class).inAnyNamespace().list().getItems()),
          shown(client.batch().v1().jobs().inAnyNamespace().list().getItems()),
          shown(client.pods().inAnyNamespace().list().getItems()),
          shown(client.apps().deployments().inAnyNamespace().list().getItems()),
          shown(client.v1().events().inAnyNamespace().list().getItems()));
    }

    private static <T extends HasMetadata> List<T> shown(List<T> items) {
      return items.stream()
          .filter(item -> !HIDDEN_NAMESPACES.contains(item.getMetadata().getNamespace()))
          .toList();
    }
  }

  /** One line per object, keyed by {@code [namespace] kind/name}. */
  static Map<String, String> lines(Snapshot snapshot) {
    Map<String, String> lines = new LinkedHashMap<>();
    snapshot.schemaVersions().forEach(r -> lines.put(key(r, "schemaversion"), describe(r)));
    snapshot.jobs().forEach(job -> lines.put(key(job, "job"), describe(job)));
    snapshot.pods().forEach(pod -> lines.put(key(pod, "pod"), describe(pod)));
    snapshot.deployments().forEach(d -> lines.put(key(d, "deployment"), describe(d)));
    return lines;
  }

  /**
   * The Warning Events, keyed by uid: what failed before a Job or a pod exists (a Job or a
   * ReplicaSet refused by admission or a quota, an unschedulable pod, a volume that cannot mount,
   * the operator's own warnings).
   */
  static Map<String, String> warnings(Snapshot snapshot) {
    Map<String, String> warnings = new LinkedHashMap<>();
    for (Event event : snapshot.events()) {
      if (!"Warning".equals(event.getType()) || event.getInvolvedObject() == null) {
        continue;
      }
      warnings.put(
          event.getMetadata().getUid(),
          "["
              + event.getMetadata().getNamespace()
              + "] "
              + event.getInvolvedObject().getKind().toLowerCase()
              + "/"
              + event.getInvolvedObject().getName()
              + ": Warning "
              + event.getReason()
              + ": "
              + event.getMessage());
    }
    return warnings;
  }

  /**
   * The Ready line's text, when the SchemaVersion {@code name} in {@code namespace} is Ready for
   * its current generation and every Deployment whose pods wait behind its gate is complete: as
   * many pods as replicas, each released from the gate, not terminating, and Ready.
   */
  static Optional<String> ready(Snapshot snapshot, String namespace, String name) {
    Optional<SchemaVersion> resource =
        snapshot.schemaVersions().stream().filter(inNamespace(namespace, name)).findFirst();
    if (resource.isEmpty() || !schemaReady(resource.get())) {
      return Optional.empty();
    }
    String gate = Gates.gateName(name);
    List<Deployment> gated =
        snapshot.deployments().stream()
            .filter(d -> namespace.equals(d.getMetadata().getNamespace()))
            .filter(d -> carriesGate(d, gate))
            .toList();
    if (gated.isEmpty()) {
      return Optional.empty();
    }
    for (Deployment deployment : gated) {
      if (!complete(deployment, snapshot.pods())) {
        return Optional.empty();
      }
    }
    return Optional.of(
        "schemaversion/"
            + name
            + " is at version "
            + resource.get().getStatus().getCurrentVersion()
            + " and "
            + gated.stream()
                .map(
                    d ->
                        "deployment/"
                            + d.getMetadata().getName()
                            + "'s "
                            + d.getSpec().getReplicas()
                            + " pods")
                .collect(Collectors.joining(", "))
            + " are released and Ready.");
  }

  private static boolean schemaReady(SchemaVersion resource) {
    return resource.getStatus() != null
        && Conditions.find(resource.getStatus().getConditions(), Conditions.READY)
            .filter(c -> "True".equals(c.getStatus()))
            .filter(
                c ->
                    Objects.equals(
                        c.getObservedGeneration(), resource.getMetadata().getGeneration()))
            .isPresent();
  }

  private static boolean carriesGate(Deployment deployment, String gate) {
    List<PodSchedulingGate> gates =
        deployment.getSpec().getTemplate().getSpec().getSchedulingGates();
    return gates != null && gates.stream().anyMatch(g -> gate.equals(g.getName()));
  }

  /** The Deployment's own status agrees, and so does every pod its selector matches. */
  private static boolean complete(Deployment deployment, List<Pod> allPods) {
    int replicas = Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1);
    if (deployment.getStatus() == null
        || !Objects.equals(
            deployment.getStatus().getObservedGeneration(),
            deployment.getMetadata().getGeneration())
        || Objects.requireNonNullElse(deployment.getStatus().getUpdatedReplicas(), 0) != replicas
        || Objects.requireNonNullElse(deployment.getStatus().getReadyReplicas(), 0) != replicas
        || Objects.requireNonNullElse(deployment.getStatus().getReplicas(), 0) != replicas) {
      return false;
    }
    Map<String, String> selector = deployment.getSpec().getSelector().getMatchLabels();
    List<Pod> pods =
        allPods.stream()
            .filter(
                p -> deployment.getMetadata().getNamespace().equals(p.getMetadata().getNamespace()))
            .filter(p -> labelsMatch(p, selector))
            .toList();
    return pods.size() == replicas && pods.stream().allMatch(LocalRunView::releasedAndReady);
  }

  private static boolean labelsMatch(Pod pod, Map<String, String> selector) {
    Map<String, String> labels =
        Objects.requireNonNullElse(pod.getMetadata().getLabels(), Map.of());
    return selector != null && labels.entrySet().containsAll(selector.entrySet());
  }

  static boolean releasedAndReady(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() == null
        && (pod.getSpec().getSchedulingGates() == null
            || pod.getSpec().getSchedulingGates().isEmpty())
        && pod.getStatus() != null
        && Objects.requireNonNullElse(pod.getStatus().getConditions(), List.<PodCondition>of())
            .stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static Predicate<HasMetadata> inNamespace(String namespace, String name) {
    return item ->
        namespace.equals(item.getMetadata().getNamespace())
            && name.equals(item.getMetadata().getName());
  }

  private static String key(HasMetadata item, String kind) {
    return "["
        + item.getMetadata().getNamespace()
        + "] "
        + kind
        + "/"
        + item.getMetadata().getName();
  }

  private static String describe(SchemaVersion resource) {
    if (resource.getStatus() == null || resource.getStatus().getConditions() == null) {
      return "waiting for the operator";
    }
    String version =
        resource.getStatus().getCurrentVersion() == null
            ? ""
            : " [version " + resource.getStatus().getCurrentVersion() + "]";
    return resource.getStatus().getConditions().stream()
        .filter(c -> "True".equals(c.getStatus()))
        .findFirst()
        .map(c -> c.getType() + " " + c.getReason() + ": " + c.getMessage() + version)
        .orElse("no condition is True" + version);
  }

  private static String describe(Job job) {
    List<JobCondition> conditions =
        job.getStatus() == null || job.getStatus().getConditions() == null
            ? List.of()
            : job.getStatus().getConditions();
    return conditions.stream()
        .filter(c -> "True".equals(c.getStatus()))
        .filter(c -> "Complete".equals(c.getType()) || "Failed".equals(c.getType()))
        .findFirst()
        .map(c -> c.getType() + (c.getReason() == null ? "" : " (" + c.getReason() + ")"))
        .orElse(
            "running"
                + (job.getStatus() == null || job.getStatus().getFailed() == null
                    ? ""
                    : ", " + job.getStatus().getFailed() + " failed attempt(s)"));
  }

  private static String describe(Pod pod) {
    if (pod.getSpec().getSchedulingGates() != null
        && !pod.getSpec().getSchedulingGates().isEmpty()) {
      return "waiting for scheduling gate "
          + pod.getSpec().getSchedulingGates().stream()
              .map(PodSchedulingGate::getName)
              .collect(Collectors.joining(", "));
    }
    if (pod.getStatus() == null || pod.getStatus().getPhase() == null) {
      return "created";
    }
    StringBuilder line = new StringBuilder(pod.getStatus().getPhase());
    if (pod.getSpec().getNodeName() == null) {
      return line.append(" (not scheduled yet)").toString();
    }
    List<ContainerStatus> containers =
        Objects.requireNonNullElse(pod.getStatus().getContainerStatuses(), List.of());
    for (ContainerStatus container : containers) {
      line.append(", ").append(container.getName()).append(' ');
      if (container.getState().getRunning() != null) {
        line.append("running");
      } else if (container.getState().getTerminated() != null) {
        line.append("exited ").append(container.getState().getTerminated().getExitCode());
        if (pod.getMetadata().getUid() != null) {
          line.append(" (output: pods/")
              .append(pod.getMetadata().getNamespace())
              .append('_')
              .append(pod.getMetadata().getName())
              .append('_')
              .append(pod.getMetadata().getUid())
              .append('/')
              .append(container.getName())
              .append("/)");
        }
      } else if (container.getState().getWaiting() != null) {
        line.append(container.getState().getWaiting().getReason());
        if (container.getState().getWaiting().getMessage() != null) {
          line.append(": ").append(container.getState().getWaiting().getMessage());
        }
      }
    }
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      line.append(", terminating");
    } else if (releasedAndReady(pod)) {
      line.append(", Ready");
    }
    return line.toString();
  }

  private static String describe(Deployment deployment) {
    int replicas = Objects.requireNonNullElse(deployment.getSpec().getReplicas(), 1);
    if (deployment.getStatus() == null) {
      return "0/" + replicas + " ready";
    }
    return Objects.requireNonNullElse(deployment.getStatus().getReadyReplicas(), 0)
        + "/"
        + replicas
        + " ready, "
        + Objects.requireNonNullElse(deployment.getStatus().getUpdatedReplicas(), 0)
        + " up to date";
  }
}
