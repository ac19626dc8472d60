package io.jobgtm.schema.migrator.testing;

import io.jobgtm.schema.migrator.ConnectionSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged migrator ({@code java -jar}) as a separate process, the way the migration Job
 * runs it: connection settings and the password in the environment, flags for the rest.
 */
public final class MigratorProcess {

  private final Path jar;
  private final Map<String, String> environment;
  private final List<String> arguments;
  private final List<String> prefix;

  private MigratorProcess(Path jar, Map<String, String> environment, List<String> arguments) {
    this(jar, environment, arguments, List.of());
  }

  private MigratorProcess(
      Path jar, Map<String, String> environment, List<String> arguments, List<String> prefix) {
    this.jar = jar;
    this.environment = environment;
    this.arguments = arguments;
    this.prefix = prefix;
  }

  /**
   * The same process run as {@code nobody} when the tests run as root (through {@code setpriv}), so
   * that it may write nowhere but where {@code nobody} may, as a container with a read-only root
   * file system; as another user, unchanged.
   */
  public MigratorProcess asUnprivilegedUser() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return this;
    }
    return new MigratorProcess(
        jar,
        environment,
        arguments,
        List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"));
  }

  /** The shaded jar built by {@code package}; failsafe passes its path. */
  public static Path jar() {
    String path = System.getProperty("migrator.jar");
    if (path == null || !Files.isRegularFile(Path.of(path))) {
      throw new IllegalStateException(
          "the migrator jar is missing ("
              + path
              + "): run through ./mvnw verify, which packages it");
    }
    return Path.of(path);
  }

  /** A process connecting with the given settings; {@code password} goes into DB_PASSWORD. */
  public static MigratorProcess of(
      ConnectionSettings settings, String password, String... arguments) {
    Map<String, String> environment =
        new java.util.HashMap<>(
            Map.of(
                "DB_HOST", settings.host(),
                "DB_PORT", String.valueOf(settings.port()),
                "DB_NAME", settings.database(),
                "DB_SCHEMA", settings.schema(),
                "DB_USER", settings.user(),
                "DB_PASSWORD", password,
                "DB_SSLMODE", settings.sslMode()));
    settings.sslRootCert().ifPresent(file -> environment.put("DB_SSLROOTCERT", file.toString()));
    return new MigratorProcess(jar(), environment, List.of(arguments));
  }

  /** The same process with one more environment variable. */
  public MigratorProcess withEnvironment(String name, String value) {
    Map<String, String> more = new java.util.HashMap<>(environment);
    more.put(name, value);
    return new MigratorProcess(jar, more, arguments, prefix);
  }

  /** Runs {@code migrate} on a migration directory, with a result file to read afterwards. */
  public static Migration migrate(ConnectionSettings settings, String password, Path migrations) {
    try {
      Path resultFile = Files.createTempFile("result-", ".json");
      Finished run =
          of(
                  settings,
                  password,
                  "migrate",
                  "--migrations",
                  migrations.toString(),
                  "--result-file",
                  resultFile.toString())
              .run();
      return new Migration(run, resultFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A finished {@code migrate} and the result file it wrote. */
  public record Migration(Finished run, Path resultFile) {}

  /** Starts the process; its output goes to files so a full pipe never blocks it. */
  public Running start() {
    try {
      Path output = Files.createTempFile("migrator-out-", ".txt");
      Path errors = Files.createTempFile("migrator-err-", ".txt");
      List<String> command = new ArrayList<>(prefix);
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-jar");
      command.add(jar.toString());
      command.addAll(arguments);
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectOutput(output.toFile())
              .redirectError(errors.toFile());
      builder.environment().putAll(environment);
      return new Running(builder.start(), output, errors);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs the process to its end. */
  public Finished run() {
    return start().await();
  }

  /** A started migrator process. */
  public record Running(Process process, Path output, Path errors) {

    /** Waits for the end; five minutes bound a hang so the suite reports it instead of stalling. */
    public Finished await() {
      try {
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
          process.destroyForcibly();
          throw new IllegalStateException("the migrator did not finish: " + read(output));
        }
        return new Finished(process.exitValue(), read(output), read(errors));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /** What the process has printed so far. */
    public String outputSoFar() {
      return read(output);
    }
  }

  /** A finished migrator process. */
  public record Finished(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }

  private static String read(Path path) {
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
