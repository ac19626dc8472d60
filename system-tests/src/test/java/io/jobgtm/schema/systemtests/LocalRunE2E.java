package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.jobgtm.schema.testing.KubernetesBinaries;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's main job, {@code ./mvnw -Plocal-run -DskipTests verify}, run as that profile runs it
 * ({@link LocalRun} with the same system properties and arguments) in a process of its own: the
 * example reaches Ready in its output, kubectl works as printed, and after Ctrl-C (SIGINT) no
 * process of the run is left and its ports are closed.
 */
class LocalRunE2E {

  /** A hang guard, never an expectation of speed. */
  private static final Duration PATIENCE = Duration.ofMinutes(5);

  private static final Pattern KUBECONFIG = Pattern.compile("export KUBECONFIG=(\\S+)");
  private static final Pattern POSTGRES = Pattern.compile("PostgreSQL: 127\\.0\\.0\\.1:(\\d+)");

  @Test
  void mainJobReachesReadyAndCtrlCLeavesNothingRunning() throws Exception {
    Path workDirectory = Path.of(System.getProperty("controlPlane.workDir", "target"));
    Path output = Files.createTempFile(workDirectory, "local-run-e2e-", ".out");
    KubernetesBinaries binaries = KubernetesBinaries.configured();
    List<String> command = new ArrayList<>();
    // Ctrl-C must reach the run even when this JVM was started with SIGINT ignored (a build
    // started in the background of a shell): an ignored SIGINT would stay ignored across exec.
    command.addAll(List.of("env", "--default-signal=INT"));
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Dk8s.version=" + binaries.version());
    command.add("-DkubeApiTest.dir=" + binaries.cacheRoot());
    command.add("-DcontrolPlane.workDir=" + workDirectory.toAbsolutePath());
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    command.add(LocalRun.class.getName());
    command.add("--repository=" + Manifests.repository());
    command.add("--migrator-jar=" + MigratorImage.jar());
    command.add("--image=" + LocalRun.DEFAULT_IMAGE);
    Process run =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    Map<Long, ProcessHandle> seen = new ConcurrentHashMap<>();
    try {
      await("the local run to print its Ready line")
          .atMost(PATIENCE)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                run.descendants().forEach(process -> seen.put(process.pid(), process));
                return read(output).contains(LocalRun.READY) || !run.isAlive();
              });
      String started = read(output);
      assertThat(started).as(started).contains(LocalRun.READY);
      assertThat(commandLines(seen.values()))
          .anyMatch(line -> line.contains("/etcd "))
          .anyMatch(line -> line.contains("/kube-apiserver "))
          .anyMatch(line -> line.contains("/kube-controller-manager "))
          .anyMatch(line -> line.contains("/kube-scheduler "))
          .anyMatch(line -> line.contains("/bin/postgres "));
      Path kubeconfig = Path.of(group(KUBECONFIG, started));
      int apiServerPort = apiServerPort(kubeconfig);
      int postgresPort = Integer.parseInt(group(POSTGRES, started));
      String runName = kubeconfig.getParent().getFileName().toString();
      assertThat(kubectl(binaries, kubeconfig, "-n", LocalRun.NAMESPACE, "get", "sv", "workflow"))
          .contains("workflow")
          .contains("True")
          .contains("Migrated");

      new ProcessBuilder("kill", "-INT", String.valueOf(run.pid())).start().waitFor();

      assertThat(run.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
      String stopped = read(output);
      assertThat(stopped).as(stopped).contains(LocalRun.STOPPED);
      assertThat(seen.values()).noneMatch(ProcessHandle::isAlive);
      assertThat(commandLines(ProcessHandle.allProcesses().toList()))
          .noneMatch(line -> line.contains(runName))
          .noneMatch(
              line -> line.contains("/bin/postgres ") && line.contains("-p " + postgresPort));
      assertClosed(apiServerPort);
      assertClosed(postgresPort);
    } finally {
      if (run.isAlive()) {
        run.descendants().forEach(ProcessHandle::destroyForcibly);
        run.destroyForcibly();
      }
      seen.values().forEach(ProcessHandle::destroyForcibly);
    }
  }

  private static String kubectl(KubernetesBinaries binaries, Path kubeconfig, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(binaries.path(KubernetesBinaries.KUBECTL).toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.addAll(List.of(args));
    Process kubectl = new ProcessBuilder(command).redirectErrorStream(true).start();
    String printed = new String(kubectl.getInputStream().readAllBytes());
    assertThat(kubectl.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(kubectl.exitValue()).as(printed).isZero();
    return printed;
  }

  private static int apiServerPort(Path kubeconfig) throws IOException {
    Matcher server = Pattern.compile("server: (\\S+)").matcher(Files.readString(kubeconfig));
    assertThat(server.find()).isTrue();
    return URI.create(server.group(1)).getPort();
  }

  private static void assertClosed(int port) {
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
        .as("port %d is still open", port)
        .isInstanceOf(ConnectException.class);
  }

  private static List<String> commandLines(Collection<ProcessHandle> processes) {
    return processes.stream()
        .map(process -> process.info().commandLine().orElse(""))
        .filter(line -> !line.isEmpty())
        .toList();
  }

  private static String group(Pattern pattern, String text) {
    Matcher matcher = pattern.matcher(text);
    assertThat(matcher.find()).as("%s in:%n%s", pattern, text).isTrue();
    return matcher.group(1);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
