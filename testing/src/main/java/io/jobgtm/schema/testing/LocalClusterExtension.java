package io.jobgtm.schema.testing;

import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;

/**
 * Gives a test class the {@link LocalCluster} of this JVM: the full local control plane with a node
 * agent that runs pods as processes. Registered with the image commands the agent maps, resolved
 * when the first test class needs the cluster:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final LocalClusterExtension CLUSTER =
 *     new LocalClusterExtension(() -> List.of(new ImageCommand(IMAGE, COMMAND, HOST, ENV)));
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

  private final Supplier<List<ImageCommand>> commands;

  public LocalClusterExtension(Supplier<List<ImageCommand>> commands) {
    this.commands = commands;
  }

  public LocalCluster cluster() {
    return LocalCluster.shared(commands.get());
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
