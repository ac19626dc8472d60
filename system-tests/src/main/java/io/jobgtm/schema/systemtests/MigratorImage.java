package io.jobgtm.schema.systemtests;

import io.jobgtm.schema.operator.act.MigrationJobFactory;
import io.jobgtm.schema.testing.ImageCommand;
import io.jobgtm.schema.testing.LocalClusterExtension;
import io.jobgtm.schema.testing.ShadowImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The project image's migrate command as the node agent runs it: {@code
 * /opt/schema-operator/bin/migrate ARGS} becomes {@code java -jar <migrator.jar> ARGS}, which is
 * what that script does inside the image, with the JVM flags the image sets.
 */
public final class MigratorImage {

  /** Set by the build to the shaded migrator jar (the Job's command runs it). */
  public static final String JAR_PROPERTY = "migrator.jar";

  /**
   * The JVM flags the project's Dockerfile sets for both commands, so that a migrator pod here runs
   * with the flags it has in a cluster.
   */
  public static final String JAVA_TOOL_OPTIONS =
      "-XX:MaxRAMPercentage=50 -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k"
          + " -XX:+ExitOnOutOfMemoryError";

  private MigratorImage() {}

  /**
   * The migrator of the project's image.
   *
   * @param image the migrator image the operator is configured with ({@code
   *     SCHEMA_OPERATOR_MIGRATOR_IMAGE})
   * @param migratorJar the shaded migrator jar the build packages
   */
  public static ImageCommand command(String image, Path migratorJar) {
    return new ImageCommand(
        image,
        MigrationJobFactory.MIGRATE_COMMAND,
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            migratorJar.toAbsolutePath().toString()),
        Map.of("JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS));
  }

  /**
   * The local cluster of this JVM, its node agent running {@code image}'s migrate command and the
   * official PostgreSQL images a migration Job's shadow sidecar runs ({@link ShadowImages}).
   */
  public static LocalClusterExtension localCluster(String image) {
    return new LocalClusterExtension(() -> commands(image, jar()));
  }

  /**
   * Every image command a node agent of the project's runs: {@link #command} and {@link
   * ShadowImages#commands()}.
   */
  public static List<ImageCommand> commands(String image, Path migratorJar) {
    List<ImageCommand> commands = new ArrayList<>();
    commands.add(command(image, migratorJar));
    commands.addAll(ShadowImages.commands());
    return List.copyOf(commands);
  }

  /** The shaded migrator jar the build packaged ({@value #JAR_PROPERTY}). */
  public static Path jar() {
    String path = System.getProperty(JAR_PROPERTY);
    if (path == null || !Files.isRegularFile(Path.of(path))) {
      throw new IllegalStateException(
          "the migrator jar is missing ("
              + path
              + "): run through ./mvnw verify, which packages it and passes -D"
              + JAR_PROPERTY);
    }
    return Path.of(path);
  }
}
