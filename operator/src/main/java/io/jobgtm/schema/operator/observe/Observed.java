package io.jobgtm.schema.operator.observe;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.jobgtm.schema.api.SchemaVersion;
import java.util.List;

/**
 * Everything the operator observed for one SchemaVersion, from its informer caches: the input of
 * the decision.
 *
 * @param source the migration source, with the checksum of its content where it can be read
 * @param image the image the migration Job runs
 * @param jobs the migration Jobs the resource owns, with their pods (not its verify Jobs)
 * @param gatedPods pods of the namespace carrying this operator's scheduling gates
 * @param gatedDeployments the Deployments that {@code spec.gate.deployments} names and that exist
 * @param neighbours the other SchemaVersions of the namespace
 * @param verifyJobs the verify Jobs the resource owns (never among {@code jobs}), with their pods
 */
public record Observed(
    MigrationSource source,
    String image,
    List<ObservedJob> jobs,
    List<Pod> gatedPods,
    List<Deployment> gatedDeployments,
    List<SchemaVersion> neighbours,
    List<ObservedJob> verifyJobs) {

  public Observed {
    verifyJobs = List.copyOf(verifyJobs);
    jobs = List.copyOf(jobs);
    gatedPods = List.copyOf(gatedPods);
    gatedDeployments = List.copyOf(gatedDeployments);
    neighbours = List.copyOf(neighbours);
  }

  /** An observation without verify Jobs. */
  public Observed(
      MigrationSource source,
      String image,
      List<ObservedJob> jobs,
      List<Pod> gatedPods,
      List<Deployment> gatedDeployments,
      List<SchemaVersion> neighbours) {
    this(source, image, jobs, gatedPods, gatedDeployments, neighbours, List.of());
  }

  /** An observation of a resource alone in its namespace. */
  public Observed(
      MigrationSource source,
      String image,
      List<ObservedJob> jobs,
      List<Pod> gatedPods,
      List<Deployment> gatedDeployments) {
    this(source, image, jobs, gatedPods, gatedDeployments, List.of(), List.of());
  }

  /** The same observation with other Jobs. */
  public Observed withJobs(List<ObservedJob> otherJobs) {
    return new Observed(
        source, image, otherJobs, gatedPods, gatedDeployments, neighbours, verifyJobs);
  }
}
