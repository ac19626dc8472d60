package io.jobgtm.schema.operator.decide;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSchedulingGate;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.contract.Version;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Scheduling gates: a pod that carries {@code schema.jobgtm.io/<name>} in {@code
 * spec.schedulingGates} waits until the SchemaVersion {@code <name>} of its namespace satisfies it:
 * its current version reaches the pod's {@code schema.jobgtm.io/min-version} annotation, or,
 * without that annotation, the SchemaVersion is Ready. Pure decisions; the reconciler acts on them.
 */
public final class Gates {

  /** Every gate of this operator starts with this. */
  public static final String PREFIX = SchemaVersion.GROUP + "/";

  /** Pod annotation: the lowest schema version the pod's code works with. */
  public static final String MIN_VERSION = SchemaVersion.GROUP + "/min-version";

  private Gates() {}

  /** The gate of a SchemaVersion. */
  public static String gateName(String schemaVersion) {
    return PREFIX + schemaVersion;
  }

  /** The SchemaVersions a pod waits for, by name. */
  public static Set<String> awaitedBy(Pod pod) {
    return gates(pod.getSpec())
        .filter(name -> name.startsWith(PREFIX))
        .map(name -> name.substring(PREFIX.length()))
        .collect(Collectors.toSet());
  }

  public static boolean hasGate(Pod pod, String gate) {
    return gates(pod.getSpec()).anyMatch(gate::equals);
  }

  /** Whether a pod template or pod spec carries the gate. */
  public static boolean hasGate(PodSpec spec, String gate) {
    return gates(spec).anyMatch(gate::equals);
  }

  /** Position of a gate in {@code spec.schedulingGates}, for a JSON patch. */
  public static int indexOf(PodSpec spec, String gate) {
    List<PodSchedulingGate> gates = spec == null ? null : spec.getSchedulingGates();
    if (gates == null) {
      return -1;
    }
    for (int i = 0; i < gates.size(); i++) {
      if (gate.equals(gates.get(i).getName())) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Why the pod must keep waiting, or empty when its gate may go.
   *
   * @param currentVersion the database's version as the SchemaVersion's status records it
   * @param ready whether the SchemaVersion is Ready
   */
  public static Optional<String> stillWaiting(Pod pod, String currentVersion, boolean ready) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    String minVersion = annotations == null ? null : annotations.get(MIN_VERSION);
    if (minVersion != null) {
      if (!Version.isValid(minVersion)) {
        return Optional.of(
            "its " + MIN_VERSION + " annotation '" + minVersion + "' is not a version");
      }
      if (Version.isValid(currentVersion)
          && !Version.parse(currentVersion).isBelow(Version.parse(minVersion))) {
        return Optional.empty();
      }
      return Optional.of(
          "it needs schema version "
              + minVersion
              + " and the database is at "
              + (currentVersion == null ? "no version yet" : currentVersion));
    }
    return ready ? Optional.empty() : Optional.of("the SchemaVersion is not Ready");
  }

  /** The JSON patch that removes a gate at an index, failing if the index no longer holds it. */
  public static String removalPatch(String field, int index, String gate) {
    return "[{\"op\":\"test\",\"path\":\""
        + field
        + "/"
        + index
        + "/name\",\"value\":\""
        + gate
        + "\"},"
        + "{\"op\":\"remove\",\"path\":\""
        + field
        + "/"
        + index
        + "\"}]";
  }

  /** The JSON patch that adds a gate to a pod template that may have none yet. */
  public static String additionPatch(PodSpec template, String gate) {
    String value = "{\"name\":\"" + gate + "\"}";
    if (template.getSchedulingGates() == null || template.getSchedulingGates().isEmpty()) {
      return "[{\"op\":\"add\",\"path\":\"/spec/template/spec/schedulingGates\",\"value\":["
          + value
          + "]}]";
    }
    return "[{\"op\":\"add\",\"path\":\"/spec/template/spec/schedulingGates/-\",\"value\":"
        + value
        + "}]";
  }

  private static Stream<String> gates(PodSpec spec) {
    return spec == null || spec.getSchedulingGates() == null
        ? Stream.empty()
        : spec.getSchedulingGates().stream()
            .map(PodSchedulingGate::getName)
            .filter(Objects::nonNull);
  }
}
