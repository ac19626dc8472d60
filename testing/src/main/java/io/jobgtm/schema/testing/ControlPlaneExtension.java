package io.jobgtm.schema.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * What {@link KubeApiServerExtension} and {@link LocalControlPlaneExtension} share: start the
 * control plane of this JVM before the test class (a start-up failure fails the class, it never
 * skips it), resolve test parameters, and make every failure of the class name the directory the
 * processes' logs are kept in.
 */
abstract class ControlPlaneExtension
    implements BeforeAllCallback,
        ParameterResolver,
        TestExecutionExceptionHandler,
        LifecycleMethodExecutionExceptionHandler {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(ControlPlaneExtension.class);
  private static final String LOGS = "logs";

  /** Starts the control plane of this JVM if needed and returns its API server. */
  abstract KubeApiServer apiServer();

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getStore(NAMESPACE).put(LOGS, apiServer().logDirectory());
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == KubernetesClient.class || type == KubeApiServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == KubernetesClient.class ? apiServer().client() : apiServer();
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw withLogLocation(context, failure);
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw withLogLocation(context, failure);
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw withLogLocation(context, failure);
  }

  @Override
  public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw withLogLocation(context, failure);
  }

  @Override
  public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    throw withLogLocation(context, failure);
  }

  /** Adds a note naming the log directory; the failure itself, and its type, stay as they are. */
  private static Throwable withLogLocation(ExtensionContext context, Throwable failure) {
    Path logs = context.getStore(NAMESPACE).get(LOGS, Path.class);
    if (logs != null) {
      failure.addSuppressed(new ControlPlaneLogs(logs));
    }
    return failure;
  }

  /** The note added to a failure: where the control plane's logs are. */
  static final class ControlPlaneLogs extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ControlPlaneLogs(Path directory) {
      super(
          "control-plane logs are kept in " + directory + " " + files(directory),
          null,
          false,
          false);
    }

    private static String files(Path directory) {
      try (Stream<Path> files = Files.list(directory)) {
        return files
            .map(file -> file.getFileName().toString())
            .sorted()
            .collect(Collectors.joining(", ", "(", ")"));
      } catch (IOException e) {
        return "";
      }
    }
  }
}
