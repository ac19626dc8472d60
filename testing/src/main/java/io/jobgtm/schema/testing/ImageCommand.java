package io.jobgtm.schema.testing;

import java.util.List;
import java.util.Map;

/**
 * How the {@link NodeAgent} runs a container of one of the images under test: the command the
 * container names (its path inside the image) becomes a command line on this machine. The
 * container's remaining command elements and its args follow the host command, with paths under its
 * volume mounts rewritten.
 *
 * <p>Only what is mapped here runs as a process. A container of any other image runs as a
 * placeholder (running and ready, no process), and a container of a mapped image whose command is
 * not mapped cannot start, as a container whose executable is missing cannot.
 *
 * @param image the image reference exactly as pods name it, e.g. {@code schema-operator:dev}
 * @param command the executable inside the image, e.g. {@code /opt/app/bin/migrate}
 * @param hostCommand what runs instead, e.g. {@code java -jar migrator.jar}
 * @param environment variables the image sets ({@code ENV} in its Dockerfile); the container's own
 *     env overrides them
 */
public record ImageCommand(
    String image, String command, List<String> hostCommand, Map<String, String> environment) {

  public ImageCommand {
    hostCommand = List.copyOf(hostCommand);
    environment = Map.copyOf(environment);
  }
}
