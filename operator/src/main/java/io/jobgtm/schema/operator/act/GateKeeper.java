package io.jobgtm.schema.operator.act;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.operator.decide.Decision;
import io.jobgtm.schema.operator.decide.Gates;
import io.jobgtm.schema.operator.decide.Refusal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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
   * Removes the gate from each pod, recording its Event once it is gone.
   *
   * @return how many could not be released now (the pod changed or is gone; the next event for it
   *     decides again)
   */
  public int release(SchemaVersion resource, List<Decision.Release> releases) {
    int failed = 0;
    for (Decision.Release release : releases) {
      if (remove(release.pod(), release.gate())) {
        events.record(resource, release.released());
      } else {
        failed++;
      }
    }
    return failed;
  }

  /**
   * Adds the gate to each Deployment's pod template (this rolls it once), with its Event.
   *
   * @return the patches the API server refused (an admission policy, a conflict), one per
   *     Deployment; the others are made
   */
  public List<ApiRefusal> inject(SchemaVersion resource, List<Decision.Injection> injections) {
    List<ApiRefusal> refused = new ArrayList<>();
    for (Decision.Injection injection : injections) {
      Deployment deployment = injection.deployment();
      try {
        patch(
            deployment,
            Gates.additionPatch(deployment.getSpec().getTemplate().getSpec(), injection.gate()));
      } catch (KubernetesClientException e) {
        refused.add(ApiRefusal.of(Refusal.Action.ADD_GATE, deployment.getMetadata().getName(), e));
        continue;
      }
      events.record(resource, injection.added());
    }
    return refused;
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
}
