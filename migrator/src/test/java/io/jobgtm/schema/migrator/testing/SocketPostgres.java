package io.jobgtm.schema.migrator.testing;

import static org.awaitility.Awaitility.await;

import io.jobgtm.schema.testing.PostgresBinaries;
import io.jobgtm.schema.testing.PostgresServer;
import io.jobgtm.schema.testing.ShadowImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server that listens on a Unix-domain socket only ({@code listen_addresses} empty),
 * trusting local connections, as the shadow sidecar of a migration Job does: the shadow of the
 * socket tests. The binaries are the testing module's embedded PostgreSQL 17 and 16 ({@link
 * PostgresBinaries}, unpacked once per version into {@code java.io.tmpdir}). As root, the server
 * runs as {@code nobody} through {@code setpriv}, as {@code PostgresServer} does.
 *
 * <p>The socket directory is a fresh one directly under {@code /tmp}, so the socket's path stays
 * far below the 107 bytes of a socket address.
 */
public final class SocketPostgres implements AutoCloseable {

  private final Path binaries;
  private final Path base;
  private final Path socketDirectory;
  private Process process;

  private SocketPostgres(Path binaries, Path base, Path socketDirectory) {
    this.binaries = binaries;
    this.base = base;
    this.socketDirectory = socketDirectory;
  }

  /**
   * A data directory made by initdb and a socket directory, the server not started yet.
   *
   * @param major 16 or 17
   */
  public static SocketPostgres create(int major) {
    try {
      Path binaries = binaries(major);
      Path base = Files.createTempDirectory("schema-operator-shadow-");
      Path socket = Files.createTempDirectory(Path.of("/tmp"), "sh");
      Path data = base.resolve("data");
      Files.createDirectories(data);
      Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
      if (runningAsRoot()) {
        UserPrincipal nobody =
            base.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        for (Path path : List.of(base, data, socket)) {
          Files.setOwner(path, nobody);
        }
      }
      SocketPostgres server = new SocketPostgres(binaries, base, socket);
      server.run(
          List.of(
              "initdb",
              "-D",
              data.toString(),
              "-U",
              "postgres",
              "--auth=trust",
              "-E",
              "UTF-8",
              "--no-locale",
              "--no-sync"));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates and starts a server; returns once it accepts connections. */
  public static SocketPostgres start(int major) {
    SocketPostgres server = create(major);
    server.start();
    server.awaitReady();
    return server;
  }

  /** Starts the server with the sidecar's settings; does not wait for it. */
  public void start() {
    try {
      process =
          new ProcessBuilder(
                  command(
                      List.of(
                          "postgres",
                          "-D",
                          base.resolve("data").toString(),
                          "-c",
                          "listen_addresses=",
                          "-c",
                          "unix_socket_directories=" + socketDirectory,
                          "-c",
                          "shared_buffers=16MB",
                          "-c",
                          "max_connections=20",
                          "-c",
                          "fsync=off",
                          "-c",
                          "full_page_writes=off",
                          "-c",
                          "synchronous_commit=off")))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(base.resolve("log").toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the server accepts connections on the socket. */
  public void awaitReady() {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException(
                    "PostgreSQL exited: " + Files.readString(base.resolve("log")));
              }
              try (Connection connection = connect("postgres")) {
                return true;
              } catch (SQLException e) {
                return false;
              }
            });
  }

  /** The directory holding the socket {@code .s.PGSQL.5432}. */
  public Path socketDirectory() {
    return socketDirectory;
  }

  /** Opens a connection to a database of the server as {@code postgres}, through the socket. */
  public Connection connect(String database) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", "postgres");
    properties.setProperty("sslmode", "disable");
    properties.setProperty("socketFactory", "org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg");
    properties.setProperty("socketFactoryArg", socketDirectory.resolve(".s.PGSQL.5432").toString());
    return DriverManager.getConnection("jdbc:postgresql://localhost/" + database, properties);
  }

  /** Runs a query in a database of the server; the first column of each row. */
  public List<String> query(String database, String sql) {
    try (Connection connection = connect(database);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      List<String> values = new ArrayList<>();
      while (rows.next()) {
        values.add(rows.getString(1));
      }
      return values;
    } catch (SQLException e) {
      throw new IllegalStateException("query failed: " + e.getMessage(), e);
    }
  }

  /** Stops the server (fast shutdown) and removes its directories. */
  @Override
  public void close() {
    try {
      if (process != null && process.isAlive()) {
        new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start().waitFor();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    deleteRecursively(base);
    deleteRecursively(socketDirectory);
  }

  private void run(List<String> arguments) {
    if (exitCode(arguments) != 0) {
      throw new IllegalStateException(arguments.get(0) + " failed in " + base);
    }
  }

  private int exitCode(List<String> arguments) {
    try {
      Process started =
          new ProcessBuilder(command(arguments))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(base.resolve("log").toFile()))
              .start();
      if (!started.waitFor(2, TimeUnit.MINUTES)) {
        started.destroyForcibly();
        return -1;
      }
      return started.exitValue();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private List<String> command(List<String> arguments) {
    List<String> command = new ArrayList<>();
    if (runningAsRoot()) {
      command.addAll(
          List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"));
    }
    command.add(binaries.resolve("bin").resolve(arguments.get(0)).toString());
    command.addAll(arguments.subList(1, arguments.size()));
    return command;
  }

  private static boolean runningAsRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** The binaries of a major version, unpacked once (the testing module's copy of them). */
  private static Path binaries(int major) throws IOException {
    return PostgresBinaries.unpacked(
        major == 16 ? ShadowImages.VERSION_16 : PostgresServer.VERSION);
  }

  private static void deleteRecursively(Path directory) {
    if (directory == null || !Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // Left in the temporary directory; it holds only test data.
    }
  }
}
