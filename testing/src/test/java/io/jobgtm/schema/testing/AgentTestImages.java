package io.jobgtm.schema.testing;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The image commands of the testing module's local cluster: one list for every test class of the
 * JVM, since the cluster is shared and refuses another list. This machine's shell as {@value
 * #SHELL_IMAGE}'s {@value #SHELL}, {@link SocketQuery} as {@value #CLIENT_IMAGE}'s {@value #QUERY},
 * and the emulated PostgreSQL images ({@link ShadowImages}).
 */
final class AgentTestImages {

  /** An image whose {@value #SHELL} the agent runs as this machine's. */
  static final String SHELL_IMAGE = "registry.test/shell:1";

  static final String SHELL = "/bin/sh";

  /** An image whose {@value #QUERY} is {@link SocketQuery}, a client of a Unix socket. */
  static final String CLIENT_IMAGE = "registry.test/socket-client:1";

  static final String QUERY = "query";

  private AgentTestImages() {}

  static List<ImageCommand> commands() {
    List<ImageCommand> commands = new ArrayList<>();
    commands.add(
        new ImageCommand(
            SHELL_IMAGE, SHELL, List.of(SHELL), Map.of("IMAGE_GREETING", "from the image")));
    commands.add(
        new ImageCommand(
            CLIENT_IMAGE,
            QUERY,
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-cp",
                location(SocketQuery.class) + File.pathSeparator + location(PostgresWire.class),
                SocketQuery.class.getName()),
            Map.of()));
    commands.addAll(ShadowImages.commands());
    return commands;
  }

  private static Path location(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
