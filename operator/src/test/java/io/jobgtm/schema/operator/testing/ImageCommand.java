package io.jobgtm.schema.operator.testing;

import io.jobgtm.schema.operator.act.MigrationJobFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How the {@link NodeAgent} runs a container of one of the project's own images: the command the
 * container names (its path inside the image) becomes a command line on this machine. The
 * container's remaining command elements and its args follow the host command, with paths under its
 * volume mounts rewritten.
 *
 * <p>Only what is mapped here runs as a process. A container of any other image runs as a
 * placeholder (running and ready, no process), and a container of a mapped image whose command is
 * not mapped cannot start, as a container whose executable is missing cannot.
 *
 * @param image the image reference exactly as pods name it, e.g. {@code schema-operator:dev}
 * @param command the executable inside the image, e.g. {@value MigrationJobFactory#MIGRATE_COMMAND}
 * @param hostCommand what runs instead, e.g. {@code java -jar migrator.jar}
 * @param environment variables the image sets ({@code ENV} in its Dockerfile); the container's own
 *     env overrides them
 */
public record ImageCommand(
    String image, String command, List<String> hostCommand, Map<String, String> environment) {

  /**
   * The JVM flags the project's Dockerfile sets for both commands, so that a migrator pod here runs
   * with the flags it has in a cluster.
   */
  public static final String IMAGE_JAVA_TOOL_OPTIONS =
      "-XX:MaxRAMPercentage=50 -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k"
          + " -XX:+ExitOnOutOfMemoryError";

  public ImageCommand {
    hostCommand = List.copyOf(hostCommand);
    environment = Map.copyOf(environment);
  }

  /**
   * The migrator of the project's image: {@code /opt/schema-operator/bin/migrate ARGS} runs as
   * {@code java -jar <migrator.jar> ARGS}, which is what that script does inside the image.
   *
   * @param image the migrator image the operator is configured with ({@code
   *     SCHEMA_OPERATOR_MIGRATOR_IMAGE})
   * @param migratorJar the shaded migrator jar the build packages
   */
  public static ImageCommand migrator(String image, Path migratorJar) {
    return new ImageCommand(
        image,
        MigrationJobFactory.MIGRATE_COMMAND,
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            migratorJar.toAbsolutePath().toString()),
        Map.of("JAVA_TOOL_OPTIONS", IMAGE_JAVA_TOOL_OPTIONS));
  }
}
