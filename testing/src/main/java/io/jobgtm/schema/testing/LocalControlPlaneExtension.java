package io.jobgtm.schema.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;

/**
 * Gives a test class the full {@link LocalControlPlane} of this JVM (kube-apiserver, etcd,
 * kube-controller-manager, kube-scheduler and the node {@value LocalControlPlane#NODE_NAME}),
 * started before the first such class and stopped when the JVM exits. Parameters of type {@link
 * LocalControlPlane}, {@link KubeApiServer} or {@link
 * io.fabric8.kubernetes.client.KubernetesClient} (admin, shared: do not close it) are resolved. A
 * failure names the log directory.
 *
 * <pre>{@code
 * @ExtendWith(LocalControlPlaneExtension.class)
 * class SomethingE2E {
 *   @Test
 *   void works(LocalControlPlane cluster) { ... cluster.client() ... cluster.kubeconfig() ... }
 * }
 * }</pre>
 *
 * <p>Pods bound to the node never terminate (no kubelet), so a namespace holding them cannot be
 * deleted gracefully; delete such pods with a grace period of 0, or leave them to the teardown.
 */
public final class LocalControlPlaneExtension extends ControlPlaneExtension {

  @Override
  KubeApiServer apiServer() {
    return LocalControlPlane.shared().apiServer();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == LocalControlPlane.class
        || super.supportsParameter(parameter, context);
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == LocalControlPlane.class
        ? LocalControlPlane.shared()
        : super.resolveParameter(parameter, context);
  }
}
