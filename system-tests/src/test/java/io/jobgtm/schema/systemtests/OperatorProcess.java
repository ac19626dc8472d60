package io.jobgtm.schema.systemtests;

import io.jobgtm.schema.operator.runtime.OperatorMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The operator as a process of its own ({@link OperatorMain#main}, this JVM's classpath), so that a
 * test can kill it with SIGKILL as a node or an OOM kill would, and start another one. Its settings
 * are the environment variables of {@link io.jobgtm.schema.operator.runtime.OperatorConfig}; it
 * reaches the API server through a kubeconfig file ({@code KUBECONFIG}). Output goes to a log file.
 */
public final class OperatorProcess implements AutoCloseable {

  private final Process process;
  private final Path log;

  private OperatorProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /**
   * Starts the operator.
   *
   * @param kubeconfig the identity it runs as
   * @param settings {@code SCHEMA_OPERATOR_*} variables
   * @param log where its output goes (appended)
   */
  public static OperatorProcess start(Path kubeconfig, Map<String, String> settings, Path log) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // The Deployment's JVM flags matter less here than a quick start on a small machine.
    command.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    // The migrator's jar on the test classpath sets the default level to warn.
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    command.add(OperatorMain.class.getName());
    try {
      Files.createDirectories(log.getParent());
      Files.writeString(log, "$ " + String.join(" ", command) + "\n");
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().keySet().removeIf(name -> name.startsWith("SCHEMA_OPERATOR_"));
      builder.environment().remove("KUBERNETES_MASTER");
      builder.environment().put("KUBECONFIG", kubeconfig.toString());
      builder.environment().putAll(settings);
      return new OperatorProcess(builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  /** What it has logged so far. */
  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * SIGKILL: no shutdown hook runs, nothing is cleaned up, as when the node or the kernel kills.
   */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited after ten seconds. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
    }
  }
}
