package io.jobgtm.schema.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The official PostgreSQL images as the {@link NodeAgent} runs them, so that a pod with a
 * PostgreSQL sidecar (the migration Job's {@code shadow}) really runs a server: the embedded
 * PostgreSQL binaries of the image's major version (io.zonky.test, unpacked once per machine by
 * {@link PostgresBinaries}).
 *
 * <table>
 *   <caption>images and the binaries they run</caption>
 *   <tr><th>image</th><th>binaries</th></tr>
 *   <tr><td>{@value #POSTGRES_17}, {@value #POSTGRES_17_SHORT}</td><td>{@value #VERSION_17}</td></tr>
 *   <tr><td>{@value #POSTGRES_16}, {@value #POSTGRES_16_SHORT}</td><td>{@value #VERSION_16}</td></tr>
 * </table>
 *
 * <p>Each image maps its entrypoint ({@link ImageCommand#ENTRYPOINT}, and {@code
 * docker-entrypoint.sh} by name) to {@link PostgresEntrypoint}, which runs that version's {@code
 * initdb} and {@code postgres}, and {@code pg_isready} to {@link PgIsReady} (the embedded binaries
 * hold {@code initdb}, {@code pg_ctl} and {@code postgres} only, no client programs), so a {@code
 * startupProbe} {@code exec ["pg_isready", "-q", "-h", "/var/run/postgresql"]} asks the server
 * itself. Other programs of the image ({@code psql}, ...) are not mapped: a container naming one
 * fails with {@code CreateContainerError}. The image's {@code ENV}: {@code
 * PGDATA=/var/lib/postgresql/data}, {@code PG_MAJOR}, {@code PG_VERSION}.
 */
public final class ShadowImages {

  public static final String POSTGRES_17 = "docker.io/library/postgres:17";
  public static final String POSTGRES_17_SHORT = "postgres:17";
  public static final String POSTGRES_16 = "docker.io/library/postgres:16";
  public static final String POSTGRES_16_SHORT = "postgres:16";

  /** The binaries the PostgreSQL 17 images run; {@code server_version} reads 17.6. */
  public static final String VERSION_17 = PostgresServer.VERSION;

  /** The binaries the PostgreSQL 16 images run; {@code server_version} reads 16.10. */
  public static final String VERSION_16 = "16.10.0";

  private ShadowImages() {}

  /**
   * The image commands of all four image names, the binaries unpacked first (seconds, once per
   * machine). Add them to a node agent's commands: {@code NodeAgent.start(plane, concat(own,
   * ShadowImages.commands()))}.
   *
   * @throws UncheckedIOException when the binaries cannot be unpacked
   */
  public static List<ImageCommand> commands() {
    List<ImageCommand> commands = new ArrayList<>();
    commands.addAll(commands(POSTGRES_17, VERSION_17));
    commands.addAll(commands(POSTGRES_17_SHORT, VERSION_17));
    commands.addAll(commands(POSTGRES_16, VERSION_16));
    commands.addAll(commands(POSTGRES_16_SHORT, VERSION_16));
    return List.copyOf(commands);
  }

  /**
   * The commands of one image name running the binaries of {@code version} (one of {@link
   * #VERSION_17}, {@link #VERSION_16}).
   */
  public static List<ImageCommand> commands(String image, String version) {
    Path binaries;
    try {
      binaries = PostgresBinaries.unpacked(version);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String[] parts = version.split("\\.");
    Map<String, String> environment =
        Map.of(
            "PGDATA",
            "/var/lib/postgresql/data",
            "PG_MAJOR",
            parts[0],
            "PG_VERSION",
            parts[0] + "." + parts[1]);
    List<String> java =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Xshare:auto",
            "-Xmx32m",
            "-cp",
            ownLocation().toString());
    List<String> entrypoint = new ArrayList<>(java);
    entrypoint.add(PostgresEntrypoint.class.getName());
    entrypoint.add(binaries.toString());
    List<String> pgIsReady = new ArrayList<>(java);
    pgIsReady.add(PgIsReady.class.getName());
    List<ImageCommand> commands = new ArrayList<>();
    commands.add(ImageCommand.entrypoint(image, entrypoint, environment));
    commands.add(new ImageCommand(image, "docker-entrypoint.sh", entrypoint, environment));
    commands.add(new ImageCommand(image, "pg_isready", pgIsReady, environment));
    return commands;
  }

  /** The jar or directory the testing classes are loaded from: the entrypoint's classpath. */
  private static Path ownLocation() {
    try {
      return Path.of(
          PostgresEntrypoint.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
