package io.jobgtm.schema.testing;

/**
 * Gives a test class the real kube-apiserver (with etcd) of this JVM, {@link
 * KubeApiServer#shared()}: started before the first such class, stopped when the JVM exits. Test
 * methods, constructors and lifecycle methods can take a {@link
 * io.fabric8.kubernetes.client.KubernetesClient} (admin, shared: do not close it) or the {@link
 * KubeApiServer} (kubeconfig, URL, log directory). A failure names the log directory.
 *
 * <pre>{@code
 * @ExtendWith(KubeApiServerExtension.class)
 * class SomethingIT {
 *   @Test
 *   void works(KubernetesClient client) { ... }
 * }
 * }</pre>
 *
 * <p>Objects outlive the test class: use a namespace or names of your own.
 */
public final class KubeApiServerExtension extends ControlPlaneExtension {

  @Override
  KubeApiServer apiServer() {
    return KubeApiServer.shared();
  }
}
