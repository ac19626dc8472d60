package io.jobgtm.schema.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where one control plane keeps its files: {@code target/control-plane/<run>/} for certificates,
 * kubeconfigs and kube-api-test's directory, {@code target/control-plane-logs/<run>/} for one log
 * file per process. {@code <run>} is the start time, the JVM's pid, a counter and what runs there
 * ({@code api-server}, {@code control-plane}, ...), so no two control planes share a directory and
 * logs are never overwritten.
 */
public record ControlPlaneDirectories(String run, Path work, Path logs) {

  /** Set by the build to the module's {@code target} directory. */
  public static final String WORK_DIR_PROPERTY = "controlPlane.workDir";

  private static final DateTimeFormatter RUN_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
  private static final AtomicInteger RUNS = new AtomicInteger();

  /** Creates the directories of a new run of the given kind. */
  public static ControlPlaneDirectories create(String kind) {
    Path target = Path.of(System.getProperty(WORK_DIR_PROPERTY, "target")).toAbsolutePath();
    String run =
        LocalDateTime.now().format(RUN_TIME)
            + "-"
            + ProcessHandle.current().pid()
            + "-"
            + RUNS.incrementAndGet()
            + "-"
            + kind;
    ControlPlaneDirectories directories =
        new ControlPlaneDirectories(
            run,
            target.resolve("control-plane").resolve(run),
            target.resolve("control-plane-logs").resolve(run));
    try {
      Files.createDirectories(directories.work());
      Files.createDirectories(directories.logs());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return directories;
  }

  /** The log file of one process, e.g. {@code kube-apiserver.log}. */
  public Path log(String process) {
    return logs.resolve(process + ".log");
  }
}
