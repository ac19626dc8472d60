package io.jobgtm.schema.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/**
 * A {@link LocalControlPlane} whose node is backed by a {@link NodeAgent}: pods really run. The
 * {@code *E2E} flows that need a pod to run a real program (a migration Job's migrator) use it.
 *
 * <p>It has an API server of its own, not {@link LocalControlPlane#shared()}'s: tests on that one
 * play the kubelet themselves and must never meet a node agent, whatever order the classes of the
 * JVM run in.
 */
public final class LocalCluster {

  private static LocalCluster shared;
  private static RuntimeException sharedFailure;

  private final LocalControlPlane controlPlane;
  private final NodeAgent agent;

  private LocalCluster(LocalControlPlane controlPlane, NodeAgent agent) {
    this.controlPlane = controlPlane;
    this.agent = agent;
  }

  /**
   * The cluster of this test JVM, started on first use and stopped when the JVM exits (the node
   * agent and its processes first). Its node agent runs the given image commands as processes.
   *
   * @throws IllegalStateException when it already runs with other image commands
   */
  public static synchronized LocalCluster shared(List<ImageCommand> commands) {
    if (sharedFailure != null) {
      throw new IllegalStateException(
          "the local cluster failed to start earlier in this JVM: " + sharedFailure.getMessage(),
          sharedFailure);
    }
    if (shared == null) {
      try {
        KubernetesBinaries binaries =
            KubernetesBinaries.configured().require(KubernetesBinaries.CONTROL_PLANE);
        KubeApiServer apiServer = KubeApiServer.start(binaries, "cluster");
        Runtime.getRuntime()
            .addShutdownHook(new Thread(apiServer::close, "local-cluster-shutdown"));
        LocalControlPlane controlPlane = LocalControlPlane.start(apiServer);
        shared = new LocalCluster(controlPlane, NodeAgent.start(controlPlane, commands));
      } catch (RuntimeException e) {
        sharedFailure = e;
        throw e;
      }
    } else if (!shared.agent.imageCommands().equals(commands)) {
      throw new IllegalStateException(
          "the local cluster of this JVM runs "
              + shared.agent.imageCommands()
              + ", not "
              + commands);
    }
    return shared;
  }

  public LocalControlPlane controlPlane() {
    return controlPlane;
  }

  public NodeAgent agent() {
    return agent;
  }

  public KubeApiServer apiServer() {
    return controlPlane.apiServer();
  }

  /** A client authenticated as the cluster admin; shared, do not close it. */
  public KubernetesClient client() {
    return controlPlane.client();
  }
}
