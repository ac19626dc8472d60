package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.Durations;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.JobEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * A shadow database: an empty PostgreSQL that is not the migrated one, where the migration set is
 * replayed to learn what the schema looks like at each version ({@link ShadowReplay}).
 *
 * <p>It is given as a JDBC URL, {@code jdbc:postgresql://host[:port]/database}, optionally with
 * {@code ?sslmode=MODE}; the port defaults to 5432, an IPv6 host is written in brackets. The user
 * and password come apart from the URL ({@code SHADOW_DB_USER}, {@code SHADOW_DB_PASSWORD}): any
 * other URL parameter, {@code user} and {@code password} included, is refused with {@link
 * FailureReason#InvalidConfiguration}. The host, port and sslmode are checked as {@link
 * ConnectionSettings} checks the migrated database's. No message repeats the URL: {@link
 * #describe()} names the database without user, password or parameters.
 *
 * <p>Or it is given as a directory holding the server's Unix-domain socket ({@code
 * SHADOW_SOCKET_DIR}, {@code --shadow-socket-dir}; in a migration Job the shared {@code emptyDir}
 * of the shadow sidecar): the socket {@code <dir>/.s.PGSQL.5432}, database {@code postgres}, user
 * {@code SHADOW_DB_USER} (default {@code postgres}), no TLS. pgjdbc reaches it through
 * junixsocket's socket factory, whose native library is unpacked into {@code java.io.tmpdir} at the
 * first connection (a read-only root file system needs a writable {@code /tmp}). The path of the
 * socket must fit the {@value #MAX_SOCKET_PATH_BYTES} bytes of a socket address.
 *
 * <p>{@link #connect} waits for the server, up to the connect timeout, as for the migrated
 * database: a sidecar may still be starting.
 */
public final class ShadowDatabase {

  private static final String PREFIX = "jdbc:postgresql://";

  /** The socket file of PostgreSQL's default port in its directory. */
  public static final String SOCKET_FILE = ".s.PGSQL.5432";

  /** The longest path of a Unix-domain socket, in bytes (sun_path, 108, less the final NUL). */
  static final int MAX_SOCKET_PATH_BYTES = 107;

  private static final String URL_FLAG = "--shadow-url, " + JobEnvironment.SHADOW_URL;
  private static final String SOCKET_FLAG =
      "--shadow-socket-dir, " + JobEnvironment.SHADOW_SOCKET_DIR;

  private final String host;
  private final int port;
  private final String database;
  private final String user;
  private final String password;
  private final String sslMode;
  private final Path socketDirectory;

  private ShadowDatabase(
      String host,
      int port,
      String database,
      String user,
      String password,
      String sslMode,
      Path socketDirectory) {
    this.socketDirectory = socketDirectory;
    this.host = host;
    this.port = port;
    this.database = database;
    this.user = user;
    this.password = password == null ? "" : password;
    this.sslMode = sslMode;
    // Checks host, port, sslmode and user the way the migrated database's settings are checked.
    settings("public");
  }

  /**
   * Reads a shadow database's JDBC URL.
   *
   * @throws MigrationException {@link FailureReason#InvalidConfiguration} naming the problem, never
   *     the URL
   */
  public static ShadowDatabase fromUrl(String url, String user, String password) {
    if (url == null || !url.startsWith(PREFIX)) {
      throw invalid("must start with " + PREFIX);
    }
    String rest = url.substring(PREFIX.length());
    String sslMode = "prefer";
    int query = rest.indexOf('?');
    if (query >= 0) {
      for (String parameter : rest.substring(query + 1).split("&", -1)) {
        if (parameter.startsWith("sslmode=")) {
          sslMode = parameter.substring("sslmode=".length());
        } else {
          int equals = parameter.indexOf('=');
          throw invalid(
              "may hold no parameter but sslmode, not "
                  + (equals < 0 ? "an empty one" : parameter.substring(0, equals))
                  + " (the user and password come from SHADOW_DB_USER and SHADOW_DB_PASSWORD)");
        }
      }
      rest = rest.substring(0, query);
    }
    int slash = rest.indexOf('/');
    if (slash < 0 || slash == rest.length() - 1) {
      throw invalid("names no database: jdbc:postgresql://host:port/database");
    }
    String authority = rest.substring(0, slash);
    String database =
        java.net.URLDecoder.decode(
            rest.substring(slash + 1), java.nio.charset.StandardCharsets.UTF_8);
    String host;
    String portText = null;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) {
        throw invalid("has an IPv6 host without its closing bracket");
      }
      host = authority.substring(1, close);
      if (close + 1 < authority.length()) {
        if (authority.charAt(close + 1) != ':') {
          throw invalid("has something other than :port after the IPv6 host");
        }
        portText = authority.substring(close + 2);
      }
    } else {
      int colon = authority.indexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      portText = colon < 0 ? null : authority.substring(colon + 1);
    }
    if (host.contains("@")) {
      throw invalid("holds a user: give it in SHADOW_DB_USER");
    }
    int port = 5432;
    if (portText != null) {
      try {
        port = Integer.parseInt(portText);
      } catch (NumberFormatException e) {
        throw invalid("has a port that is not a number");
      }
    }
    if (user == null || user.isBlank()) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "the shadow database needs a user (SHADOW_DB_USER or --shadow-user)");
    }
    try {
      return new ShadowDatabase(host, port, database, user, password, sslMode, null);
    } catch (MigrationException e) {
      throw new MigrationException(
          e.reason(), "the shadow URL (--shadow-url, SHADOW_URL): " + e.getMessage());
    }
  }

  /**
   * A shadow database reached through the Unix-domain socket in {@code directory}: database {@code
   * postgres}, sslmode disable.
   *
   * @param user the user, {@code postgres} when null or blank
   * @param password the password, none when null (the sidecar trusts local connections)
   * @throws MigrationException {@link FailureReason#InvalidConfiguration} for a relative directory
   *     or a socket path too long for a socket address
   */
  public static ShadowDatabase fromSocketDirectory(Path directory, String user, String password) {
    if (directory == null || !directory.isAbsolute()) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "the shadow socket directory (" + SOCKET_FLAG + ") must be an absolute path");
    }
    Path socket = directory.resolve(SOCKET_FILE);
    int bytes = socket.toString().getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_SOCKET_PATH_BYTES) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "the shadow socket directory ("
              + SOCKET_FLAG
              + ") makes a socket path of "
              + bytes
              + " bytes; a Unix-domain socket's path has at most "
              + MAX_SOCKET_PATH_BYTES);
    }
    return new ShadowDatabase(
        "localhost",
        5432,
        "postgres",
        user == null || user.isBlank() ? "postgres" : user,
        password,
        "disable",
        directory);
  }

  /**
   * What gave this shadow, for messages: {@code shadow URL (--shadow-url, SHADOW_URL)} or {@code
   * shadow socket directory (--shadow-socket-dir, SHADOW_SOCKET_DIR)}.
   */
  String source() {
    return socketDirectory == null
        ? "shadow URL (" + URL_FLAG + ")"
        : "shadow socket directory (" + SOCKET_FLAG + ")";
  }

  /**
   * Connects, waiting while the server is not there yet (no socket, connection refused, starting
   * up) for at most {@code timeout}; a wrong user or password fails at once.
   *
   * @throws MigrationException with the connection reasons of the migrated database, the message
   *     naming the shadow by {@link #describe()}, never by URL or password
   */
  /**
   * What is wrong with the socket directory when nothing answers there, for the message; empty for
   * a shadow given by URL or a socket file that exists.
   */
  private String socketProblem() {
    if (socketDirectory == null) {
      return "";
    }
    if (!java.nio.file.Files.isDirectory(socketDirectory)) {
      return " (the socket directory does not exist or is not a directory)";
    }
    if (!java.nio.file.Files.exists(socketDirectory.resolve(".s.PGSQL.5432"))) {
      return " (no socket .s.PGSQL.5432 in the socket directory: is the shadow server running, with"
          + " unix_socket_directories set to it?)";
    }
    return "";
  }

  Connection connect(Duration timeout, Timeouts timeouts, ProgressListener progress) {
    ConnectionSettings settings = settings("public");
    Redactor redactor = new Redactor(password);
    long deadline = System.nanoTime() + timeout.toNanos();
    Duration interval = Duration.ofMillis(100);
    boolean announced = false;
    while (true) {
      try {
        return DatabaseSession.dataSource(settings, timeout, timeouts).getConnection();
      } catch (SQLException e) {
        if (socketDirectory != null && hasLinkageError(e)) {
          throw new MigrationException(
              FailureReason.InvalidConfiguration,
              null,
              "the "
                  + describe()
                  + " cannot be reached: junixsocket, which connects to Unix-domain sockets, could"
                  + " not load its native library, which it unpacks into java.io.tmpdir ("
                  + System.getProperty("java.io.tmpdir")
                  + "): make that directory writable (a migration Job mounts an emptyDir at /tmp),"
                  + " or name another with -Dorg.newsclub.net.unix.library.tmpdir",
              e);
        }
        MigrationException failure = SqlFailures.connectionFailure(e, settings);
        boolean waiting = failure.reason() == FailureReason.DatabaseUnreachable;
        if (!waiting || System.nanoTime() + interval.toNanos() >= deadline) {
          throw new MigrationException(
              failure.reason(),
              null,
              redactor.clean(
                  "the "
                      + describe()
                      + (waiting
                          ? " did not accept connections within " + Durations.format(timeout)
                          : "")
                      + ": "
                      + failure.getMessage()
                      + (waiting ? socketProblem() : "")),
              null);
        }
        if (!announced) {
          progress.progress(
              redactor.clean(
                  "waiting for the "
                      + describe()
                      + " (up to "
                      + Durations.format(timeout)
                      + "): "
                      + failure.getMessage()));
          announced = true;
        }
        try {
          Thread.sleep(interval.toMillis());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new MigrationException(
              FailureReason.MigrationInterrupted, "interrupted while waiting for the shadow");
        }
        interval = interval.multipliedBy(2);
        if (interval.compareTo(Duration.ofSeconds(1)) > 0) {
          interval = Duration.ofSeconds(1);
        }
      }
    }
  }

  private static boolean hasLinkageError(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof LinkageError) {
        return true;
      }
    }
    return false;
  }

  private static MigrationException invalid(String problem) {
    return new MigrationException(
        FailureReason.InvalidConfiguration, "the shadow URL (--shadow-url, SHADOW_URL) " + problem);
  }

  /**
   * Another database of the same server, reached the same way (host and port or socket, user,
   * password, TLS): a database the replay created for itself.
   */
  ShadowDatabase otherDatabase(String name) {
    return new ShadowDatabase(host, port, name, user, password, sslMode, socketDirectory);
  }

  /** Connection settings for a schema of the shadow database. */
  ConnectionSettings settings(String schema) {
    return ConnectionSettings.builder()
        .host(host)
        .port(port)
        .database(database)
        .schema(schema)
        .user(user)
        .password(password)
        .sslMode(sslMode)
        .unixSocket(socketDirectory == null ? null : socketDirectory.resolve(SOCKET_FILE))
        .build();
  }

  /** The password, for connecting and for removing it from messages only. */
  String password() {
    return password;
  }

  /**
   * A description safe to print: {@code shadow database scratch at db:5432}, or {@code shadow
   * database postgres at socket directory /var/run/postgresql}.
   */
  public String describe() {
    if (socketDirectory != null) {
      return "shadow database " + database + " at socket directory " + socketDirectory;
    }
    return "shadow database "
        + database
        + " at "
        + (host.contains(":") ? "[" + host + "]" : host)
        + ":"
        + port;
  }

  @Override
  public String toString() {
    return "ShadowDatabase[" + describe() + "]";
  }
}
