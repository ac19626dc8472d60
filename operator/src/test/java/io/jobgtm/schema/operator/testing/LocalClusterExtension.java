package io.jobgtm.schema.operator.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;

/**
 * Gives a test class the {@link LocalCluster} of this JVM: the full local control plane with a node
 * agent that runs pods as processes. Registered with the project image the agent maps, the one the
 * operator under test puts in its Jobs:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final LocalClusterExtension CLUSTER = new LocalClusterExtension(RunningOperator.IMAGE);
 *
 * @Test
 * void works(LocalCluster cluster) { ... cluster.client() ... cluster.agent() ... }
 * }</pre>
 *
 * <p>Parameters of type {@link LocalCluster}, {@link KubeApiServer} and {@link
 * io.fabric8.kubernetes.client.KubernetesClient} (admin, shared: do not close it) are resolved. A
 * failure names the log directory, which also holds the containers' output ({@code pods/}).
 */
public final class LocalClusterExtension extends ControlPlaneExtension {

  private final String projectImage;

  public LocalClusterExtension(String projectImage) {
    this.projectImage = projectImage;
  }

  public LocalCluster cluster() {
    return LocalCluster.shared(projectImage);
  }

  @Override
  KubeApiServer apiServer() {
    return cluster().apiServer();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == LocalCluster.class
        || super.supportsParameter(parameter, context);
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == LocalCluster.class
        ? cluster()
        : super.resolveParameter(parameter, context);
  }
}
