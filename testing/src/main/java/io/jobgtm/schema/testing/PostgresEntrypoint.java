package io.jobgtm.schema.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The entrypoint of the emulated official PostgreSQL image ({@link ShadowImages}), in the part of
 * its {@code docker-entrypoint.sh} a container of it uses: the {@link NodeAgent} runs it as {@code
 * java -cp <testing> io.jobgtm.schema.testing.PostgresEntrypoint <binaries> <container args>}.
 *
 * <ul>
 *   <li>Args: none means the image's {@code CMD}, {@code postgres}; a first arg starting with
 *       {@code -} is an option of {@code postgres}, as the script treats it. Any other program is
 *       refused (exit 127): the image's other executables are mapped one by one instead.
 *   <li>{@code PGDATA} (from the container's env, the image sets {@code /var/lib/postgresql/data})
 *       is created with mode 0700; when it holds no cluster ({@code PG_VERSION} missing), {@code
 *       initdb --username=$POSTGRES_USER} (default {@code postgres}) runs, with {@code
 *       POSTGRES_PASSWORD} as the superuser's password and {@code POSTGRES_INITDB_ARGS} appended;
 *       then {@code host all all all $POSTGRES_HOST_AUTH_METHOD} (default {@code scram-sha-256}) is
 *       added to {@code pg_hba.conf}. Without a password and without {@code trust} it refuses, as
 *       the script does: "Database is uninitialized and superuser password is not specified". Local
 *       (socket) connections are {@code trust}, initdb's default, as in the image.
 *   <li>Then {@code postgres} runs with the args after {@code postgres}, so {@code -c} settings
 *       such as {@code unix_socket_directories} apply; its output is the container's.
 *   <li>SIGTERM (the node agent stopping the container) becomes SIGINT to {@code postgres}, the
 *       image's {@code STOPSIGNAL} (fast shutdown); the exit code is the server's.
 * </ul>
 *
 * <p>Differences from the image: the container's files are the host's, so a {@code PGDATA} on no
 * volume (still under {@code /var/lib/postgresql}, not rewritten by the node agent) is refused
 * rather than created on this machine; initdb runs with {@code -E UTF8 --no-locale --no-sync} (the
 * image uses {@code en_US.utf8}); {@code POSTGRES_DB} and {@code /docker-entrypoint-initdb.d} are
 * not handled. PostgreSQL refuses to run as root, so when the node agent runs as root (where the
 * image would run as uid 999 or switch to its {@code postgres} user), initdb and the server run as
 * {@code nobody} through {@code setpriv}, and {@code PGDATA} is chowned to it.
 */
public final class PostgresEntrypoint {

  private static final String IMAGE_PGDATA_ROOT = "/var/lib/postgresql";

  private PostgresEntrypoint() {}

  /**
   * @param args the binaries' directory ({@code bin/postgres} in it), then the container's args
   */
  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      fail(2, "usage: PostgresEntrypoint <binaries directory> [postgres [options]]");
    }
    Path binaries = Path.of(args[0]);
    List<String> command = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
    if (command.isEmpty() || command.get(0).startsWith("-")) {
      command.add(0, "postgres");
    }
    if (!"postgres".equals(command.get(0))) {
      fail(
          127,
          "exec: \""
              + command.get(0)
              + "\": the emulated postgres image's entrypoint runs only postgres");
    }
    Map<String, String> env = System.getenv();
    String pgdata = env.get("PGDATA");
    if (pgdata == null || pgdata.isEmpty()) {
      fail(1, "PGDATA is not set");
    }
    if (pgdata.startsWith(IMAGE_PGDATA_ROOT)) {
      fail(
          1,
          "PGDATA "
              + pgdata
              + " is on no volume: mount an emptyDir at it or above it (the node agent gives a"
              + " container no filesystem of its own)");
    }
    Path data = Path.of(pgdata);
    Files.createDirectories(data);
    if (runningAsRoot()) {
      chownToNobody(data);
    }
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
    if (!Files.exists(data.resolve("PG_VERSION"))) {
      initialize(binaries, data, env);
    }

    List<String> server = new ArrayList<>(asServerUser());
    server.add(binaries.resolve("bin/postgres").toString());
    server.addAll(command.subList(1, command.size()));
    Process postgres = new ProcessBuilder(server).inheritIO().start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(postgres), "postgres-stop"));
    System.exit(postgres.waitFor());
  }

  private static void initialize(Path binaries, Path data, Map<String, String> env)
      throws IOException, InterruptedException {
    String user = env.getOrDefault("POSTGRES_USER", "postgres");
    String password = env.getOrDefault("POSTGRES_PASSWORD", "");
    String auth = env.getOrDefault("POSTGRES_HOST_AUTH_METHOD", "");
    if (password.isEmpty() && !"trust".equals(auth)) {
      fail(
          1,
          "Error: Database is uninitialized and superuser password is not specified.\n"
              + "       You must specify POSTGRES_PASSWORD to a non-empty value for the\n"
              + "       superuser. For example, \"-e POSTGRES_PASSWORD=password\" on \"docker run\".");
    }
    List<String> initdb = new ArrayList<>(asServerUser());
    initdb.addAll(
        List.of(
            binaries.resolve("bin/initdb").toString(),
            "--username=" + user,
            "-D",
            data.toString(),
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync"));
    Path passwordFile = null;
    if (!password.isEmpty()) {
      passwordFile = Files.createTempFile("pgpass-", "");
      Files.writeString(passwordFile, password + "\n");
      if (runningAsRoot()) {
        chownToNobody(passwordFile);
      }
      initdb.add("--pwfile=" + passwordFile);
    }
    String extra = env.getOrDefault("POSTGRES_INITDB_ARGS", "").trim();
    if (!extra.isEmpty()) {
      initdb.addAll(Arrays.asList(extra.split("\\s+")));
    }
    try {
      int exit = new ProcessBuilder(initdb).inheritIO().start().waitFor();
      if (exit != 0) {
        fail(exit, "initdb failed with exit code " + exit);
      }
    } finally {
      if (passwordFile != null) {
        Files.deleteIfExists(passwordFile);
      }
    }
    String method = auth.isEmpty() ? "scram-sha-256" : auth;
    Files.writeString(
        data.resolve("pg_hba.conf"),
        Files.readString(data.resolve("pg_hba.conf")) + "\nhost all all all " + method + "\n");
  }

  /**
   * SIGINT, the image's stop signal (fast shutdown, clients disconnected), then the server's exit
   * code as this process's, whichever signal ended the JVM.
   */
  private static void stop(Process postgres) {
    try {
      if (postgres.isAlive()) {
        new ProcessBuilder("kill", "-INT", String.valueOf(postgres.pid()))
            .inheritIO()
            .start()
            .waitFor();
      }
      if (!postgres.waitFor(60, TimeUnit.SECONDS)) {
        postgres.destroyForcibly();
      }
      Runtime.getRuntime().halt(postgres.waitFor());
    } catch (IOException e) {
      postgres.destroyForcibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      postgres.destroyForcibly();
    }
  }

  private static List<String> asServerUser() {
    return runningAsRoot()
        ? List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--")
        : List.of();
  }

  private static void chownToNobody(Path path) throws IOException {
    UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
    PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
    view.setOwner(lookup.lookupPrincipalByName("nobody"));
    GroupPrincipal group = lookup.lookupPrincipalByGroupName("nogroup");
    view.setGroup(group);
  }

  private static boolean runningAsRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static void fail(int exitCode, String message) {
    System.err.println(message);
    System.exit(exitCode);
  }
}
