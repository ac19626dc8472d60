package io.jobgtm.schema.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL 17 server for tests and the local run, from the embedded PostgreSQL binaries
 * published on Maven Central (io.zonky.test). The binaries are unpacked once per version into the
 * temporary directory; each server gets its own data directory and a free loopback port.
 *
 * <p>PostgreSQL refuses to run as root, so when the JVM is root the server runs as {@code nobody}
 * through {@code setpriv}. The superuser {@code postgres} authenticates with a password (SCRAM), so
 * tests of wrong credentials meet the real check.
 *
 * <p>{@link #startWithTls} starts a server that serves a given certificate on 127.0.0.1 and ::1 and
 * accepts TCP connections only over TLS ({@code hostssl} in {@code pg_hba.conf}), so a connection
 * that succeeds proves TLS was used.
 */
public final class PostgresServer implements AutoCloseable {

  /** The version of the binaries artifact on the test classpath. */
  public static final String VERSION = "17.6.0";

  public static final String SUPERUSER = "postgres";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static PostgresServer shared;

  private final Path dataDirectory;
  private final int port;
  private final String password;
  private final Process process;
  private final Path log;
  private final String adminSslMode;

  private PostgresServer(
      Path dataDirectory,
      int port,
      String password,
      Process process,
      Path log,
      String adminSslMode) {
    this.dataDirectory = dataDirectory;
    this.port = port;
    this.password = password;
    this.process = process;
    this.log = log;
    this.adminSslMode = adminSslMode;
  }

  /**
   * A server certificate and its private key, PEM-encoded: the certificate first, then any
   * intermediate certificates; the key unencrypted (PKCS#8 or the key's own PEM form).
   */
  public record Tls(String certificateChainPem, String privateKeyPem) {}

  /** One server for the whole test JVM, stopped when the JVM exits. */
  public static synchronized PostgresServer shared() {
    if (shared == null) {
      shared = start();
      Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "postgres-shutdown"));
    }
    return shared;
  }

  /** Starts a new server on a free loopback port. */
  public static PostgresServer start() {
    return start(null);
  }

  /**
   * Starts a new server on a free port of 127.0.0.1 and ::1 that serves the certificate and accepts
   * TCP connections only over TLS. Its own connections ({@link #connect}) use {@code
   * sslmode=require}.
   */
  public static PostgresServer startWithTls(Tls tls) {
    return start(java.util.Objects.requireNonNull(tls));
  }

  private static PostgresServer start(Tls tls) {
    try {
      Path binaries = PostgresBinaries.unpacked(VERSION);
      Path base = Files.createTempDirectory("schema-operator-pg-");
      Path data = base.resolve("data");
      Path passwordFile = base.resolve("pwfile");
      String password = "pg-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
      Files.writeString(passwordFile, password);
      Files.createDirectories(data);
      Path log = base.resolve("postgres.log");
      Files.createFile(log);
      if (runningAsRoot()) {
        UserPrincipal nobody =
            base.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        for (Path path : List.of(base, data, passwordFile, log)) {
          Files.setOwner(path, nobody);
        }
      }
      Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
      run(
          binaries,
          log,
          List.of(
              "initdb",
              "-D",
              data.toString(),
              "-U",
              SUPERUSER,
              "--auth=scram-sha-256",
              "--pwfile=" + passwordFile,
              "-E",
              "UTF-8",
              "--no-locale",
              "--no-sync"));
      Files.delete(passwordFile);
      List<String> tlsSettings = tls == null ? List.of() : serveTls(data, tls);
      int port = freePort();
      List<String> arguments =
          new ArrayList<>(
              List.of(
                  "postgres",
                  "-D",
                  data.toString(),
                  "-p",
                  String.valueOf(port),
                  "-c",
                  "listen_addresses=" + (tls == null ? "127.0.0.1" : "127.0.0.1,::1"),
                  "-c",
                  "unix_socket_directories=" + base,
                  "-c",
                  "fsync=off",
                  "-c",
                  "synchronous_commit=off",
                  "-c",
                  "full_page_writes=off",
                  "-c",
                  "max_connections=200"));
      arguments.addAll(tlsSettings);
      List<String> command = command(binaries, arguments);
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      PostgresServer server =
          new PostgresServer(
              data, port, password, process, log, tls == null ? "disable" : "require");
      server.awaitReady();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes the certificate and key into the data directory (the key readable by the server's user
   * only, as PostgreSQL demands) and a {@code pg_hba.conf} that accepts TCP only over TLS; returns
   * the settings that turn TLS on.
   */
  private static List<String> serveTls(Path data, Tls tls) throws IOException {
    Path certificate = data.resolve("server.crt");
    Path key = data.resolve("server.key");
    Files.writeString(certificate, tls.certificateChainPem());
    Files.writeString(key, tls.privateKeyPem());
    Files.writeString(
        data.resolve("pg_hba.conf"),
        String.join(
            "\n",
            "local all all scram-sha-256",
            "hostssl all all 127.0.0.1/32 scram-sha-256",
            "hostssl all all ::1/128 scram-sha-256",
            ""));
    for (Path path : List.of(certificate, key, data.resolve("pg_hba.conf"))) {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
      if (runningAsRoot()) {
        Files.setOwner(
            path,
            data.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
      }
    }
    return List.of(
        "-c", "ssl=on", "-c", "ssl_cert_file=server.crt", "-c", "ssl_key_file=server.key");
  }

  /** Creates an empty database with a unique name and returns the name. */
  public String createDatabase() {
    return createDatabase("test_" + DATABASES.incrementAndGet());
  }

  /** Creates an empty database with the given name and returns the name. */
  public String createDatabase(String name) {
    execute("postgres", "CREATE DATABASE \"" + name + "\"");
    return name;
  }

  /** Opens a JDBC connection to a database of this server as the superuser. */
  public Connection connect(String database) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", SUPERUSER);
    properties.setProperty("password", password);
    properties.setProperty("sslmode", adminSslMode);
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + port + "/" + database, properties);
  }

  /** Runs statements in a database of this server. */
  public void execute(String database, String... statements) {
    try (Connection connection = connect(database);
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("statement failed: " + e.getMessage(), e);
    }
  }

  public int port() {
    return port;
  }

  /** The superuser's password: tests use it to prove it never leaks. */
  public String password() {
    return password;
  }

  public Path log() {
    return log;
  }

  /** Stops the server (fast shutdown) and removes its data directory. */
  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        // SIGINT is PostgreSQL's fast shutdown: it disconnects clients instead of waiting.
        new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start().waitFor();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (IOException e) {
        process.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
    PostgresBinaries.deleteRecursively(dataDirectory.getParent());
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("PostgreSQL exited at start; see " + log + ":\n" + tail());
      }
      try {
        connect("postgres").close();
        return;
      } catch (SQLException e) {
        last = e;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while PostgreSQL started", e);
      }
    }
    throw new IllegalStateException(
        "PostgreSQL did not accept connections within "
            + START_TIMEOUT
            + ": "
            + last
            + "\n"
            + tail());
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static void run(Path binaries, Path log, List<String> arguments) throws IOException {
    Process process =
        new ProcessBuilder(command(binaries, arguments))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    try {
      if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException(
            arguments.get(0) + " failed; its output:\n" + Files.readString(log));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + arguments.get(0), e);
    }
  }

  private static List<String> command(Path binaries, List<String> arguments) {
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

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
