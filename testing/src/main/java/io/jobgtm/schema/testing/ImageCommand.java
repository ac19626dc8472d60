package io.jobgtm.schema.testing;

import java.util.List;
import java.util.Map;

/**
 * How the {@link NodeAgent} runs a container of one of the images under test: the command the
 * container names (its path inside the image) becomes a command line on this machine. The
 * container's remaining command elements and its args follow the host command, with paths under its
 * volume mounts rewritten.
 *
 * <p>One image may map several executables, one {@code ImageCommand} each: its entrypoint ({@link
 * #ENTRYPOINT}, what a container without {@code command} runs, its args following) and the other
 * programs a container or a probe names, such as {@code pg_isready} in {@code postgres:17} ({@link
 * ShadowImages}). An {@code exec} probe's command is looked up the same way.
 *
 * <p>Only what is mapped here runs as a process. A container of any other image runs as a
 * placeholder (running and ready, no process), and a container of a mapped image whose command is
 * not mapped cannot start, as a container whose executable is missing cannot.
 *
 * @param image the image reference exactly as pods name it, e.g. {@code schema-operator:dev}
 * @param command the executable inside the image, e.g. {@code /opt/app/bin/migrate}, or {@link
 *     #ENTRYPOINT}
 * @param hostCommand what runs instead, e.g. {@code java -jar migrator.jar}
 * @param environment variables the image sets ({@code ENV} in its Dockerfile); the container's own
 *     env overrides them
 */
public record ImageCommand(
    String image, String command, List<String> hostCommand, Map<String, String> environment) {

  /**
   * The {@code command} that maps the image's entrypoint: what a container with no {@code command}
   * runs, its {@code args} (the image's {@code CMD} when it has none is up to the host command)
   * following the host command.
   */
  public static final String ENTRYPOINT = "<entrypoint>";

  public ImageCommand {
    hostCommand = List.copyOf(hostCommand);
    environment = Map.copyOf(environment);
  }

  /** The mapping of {@code image}'s entrypoint. */
  public static ImageCommand entrypoint(
      String image, List<String> hostCommand, Map<String, String> environment) {
    return new ImageCommand(image, ENTRYPOINT, hostCommand, environment);
  }
}
