package io.jobgtm.schema.operator;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.jobgtm.schema.api.SchemaVersion;
import java.util.Collection;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts on scheduling gates: removes a SchemaVersion's gate from the pods it satisfies, and adds it
 * to the pod templates of the Deployments named in {@code spec.gate.deployments}. Each removal is a
 * JSON patch that first tests the gate is still where it was, so a concurrent change to the pod
 * fails the patch instead of removing someone else's gate. Patches go through {@code
 * resource(cached).patch(...)}, one request each: {@code withName(...).patch(...)} would GET the
 * object first.
 */
public final class GateKeeper {

  private static final Logger LOG = LoggerFactory.getLogger(GateKeeper.class);
  private static final PatchContext JSON_PATCH = PatchContext.of(PatchType.JSON);

  private final KubernetesClient client;
  private final EventRecorder events;

  public GateKeeper(KubernetesClient client, EventRecorder events) {
    this.client = client;
    this.events = events;
  }

  /**
   * Releases every pod the SchemaVersion now satisfies.
   *
   * @return how many pods still wait for it
   */
  public int release(
      SchemaVersion resource, Collection<Pod> pods, String currentVersion, boolean ready) {
    String gate = Gates.gateName(resource.getMetadata().getName());
    int waiting = 0;
    for (Pod pod : pods) {
      if (!Gates.hasGate(pod, gate)) {
        continue;
      }
      Optional<String> reason = Gates.stillWaiting(pod, currentVersion, ready);
      if (reason.isPresent()) {
        waiting++;
        continue;
      }
      if (!remove(pod, gate)) {
        waiting++;
        continue;
      }
      events.record(
          resource,
          pod.getMetadata().getName(),
          EventRecorder.NORMAL,
          "GateReleased",
          "released pod "
              + pod.getMetadata().getName()
              + ": the database is at version "
              + currentVersion
              + minVersionNote(pod));
    }
    return waiting;
  }

  /** Releases every pod waiting for the SchemaVersion, whatever its state: it is going away. */
  public void releaseAll(SchemaVersion resource, Collection<Pod> pods) {
    String gate = Gates.gateName(resource.getMetadata().getName());
    for (Pod pod : pods) {
      if (Gates.hasGate(pod, gate) && remove(pod, gate)) {
        events.record(
            resource,
            pod.getMetadata().getName(),
            EventRecorder.NORMAL,
            "GateReleased",
            "released pod " + pod.getMetadata().getName() + ": the SchemaVersion is being deleted");
      }
    }
  }

  /** Adds the gate to each named Deployment's pod template that lacks it (this rolls it once). */
  public void inject(SchemaVersion resource, Collection<Deployment> deployments) {
    String gate = Gates.gateName(resource.getMetadata().getName());
    for (Deployment deployment : deployments) {
      if (Gates.hasGate(deployment.getSpec().getTemplate().getSpec(), gate)) {
        continue;
      }
      patch(deployment, Gates.additionPatch(deployment.getSpec().getTemplate().getSpec(), gate));
      events.record(
          resource,
          deployment.getMetadata().getName(),
          EventRecorder.NORMAL,
          "GateAdded",
          "added scheduling gate "
              + gate
              + " to Deployment "
              + deployment.getMetadata().getName()
              + "; its pods now wait for the schema");
    }
  }

  /**
   * Removes the gate from the named Deployments' pod templates: the SchemaVersion is going away.
   */
  public void uninject(SchemaVersion resource, Collection<Deployment> deployments) {
    String gate = Gates.gateName(resource.getMetadata().getName());
    for (Deployment deployment : deployments) {
      int index = Gates.indexOf(deployment.getSpec().getTemplate().getSpec(), gate);
      if (index < 0) {
        continue;
      }
      patchQuietly(
          () ->
              patch(
                  deployment,
                  Gates.removalPatch("/spec/template/spec/schedulingGates", index, gate)),
          "Deployment " + deployment.getMetadata().getName());
    }
  }

  private boolean remove(Pod pod, String gate) {
    int index = Gates.indexOf(pod.getSpec(), gate);
    if (index < 0) {
      return false;
    }
    return patchQuietly(
        () ->
            client
                .pods()
                .inNamespace(pod.getMetadata().getNamespace())
                .resource(pod)
                .patch(JSON_PATCH, Gates.removalPatch("/spec/schedulingGates", index, gate)),
        "pod " + pod.getMetadata().getName());
  }

  private void patch(Deployment deployment, String jsonPatch) {
    client
        .apps()
        .deployments()
        .inNamespace(deployment.getMetadata().getNamespace())
        .resource(deployment)
        .patch(JSON_PATCH, jsonPatch);
  }

  /** A patch that fails because the object is gone or changed is retried by the next event. */
  private static boolean patchQuietly(Runnable patch, String what) {
    try {
      patch.run();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404 || e.getCode() == 409 || e.getCode() == 422) {
        LOG.debug("{} changed while its gate was removed: {}", what, e.getMessage());
        return false;
      }
      throw e;
    }
  }

  private static String minVersionNote(Pod pod) {
    String minVersion =
        pod.getMetadata().getAnnotations() == null
            ? null
            : pod.getMetadata().getAnnotations().get(Gates.MIN_VERSION);
    return minVersion == null
        ? " and the SchemaVersion is Ready"
        : ", which satisfies min-version " + minVersion;
  }
}
