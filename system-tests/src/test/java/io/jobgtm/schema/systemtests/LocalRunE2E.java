package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.utils.Serialization;
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
 * example reaches Ready in its output only when every gated pod is released and Ready and the
 * SchemaVersion is Ready; the printed kubectl lines work as printed (its kubectl, the namespace
 * {@code workflow} by default); the documented ConfigMap recipe removes keys and brings a new
 * migration; a status message names the pod's {@code /migrations}; and after Ctrl-C (SIGINT) no
 * process of the run is left and its ports are closed.
 */
class LocalRunE2E {

  /** A hang guard, never an expectation of speed. */
  private static final Duration PATIENCE = Duration.ofMinutes(5);

  private static final Pattern ENVIRONMENT =
      Pattern.compile(Pattern.quote(LocalRun.KUBECTL_ENVIRONMENT) + "(\\S+) PATH=(\\S+):\\$PATH");
  private static final Pattern LOGS = Pattern.compile(Pattern.quote(LocalRun.LOGS) + "(\\S+)");
  private static final String GATED_PODS = "app.kubernetes.io/name=workflow-svc";

  /** The recipe of docs/local-run.md and examples/README.md for new migrations. */
  private static final String CONFIGMAP_RECIPE =
      "kubectl create configmap workflow-migrations --from-file=\"$1\" --dry-run=client -o yaml"
          + " | kubectl replace -f -";

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
      Matcher printed = ENVIRONMENT.matcher(started);
      assertThat(printed.find()).as(started).isTrue();
      String environment = printed.group();
      Path kubeconfig = Path.of(group(ENVIRONMENT, started));
      int apiServerPort = apiServerPort(kubeconfig);
      int postgresPort = Integer.parseInt(group(POSTGRES, started));
      Path runDirectory = Path.of(group(LOGS, started));
      String runName =
          Files.readSymbolicLink(runDirectory.resolve("control-plane")).getFileName().toString();

      // The Ready line's condition held when it was printed: placeholders stay Ready, so what
      // kubectl sees now is what the run saw; and the lines before it already show each pod Ready.
      String beforeReady = started.substring(0, started.indexOf(LocalRun.READY));
      List<Pod> gated =
          Serialization.unmarshal(
                  shell(environment, "kubectl get pods -l " + GATED_PODS + " -o json"),
                  PodList.class)
              .getItems();
      assertThat(gated).hasSize(2);
      for (Pod pod : gated) {
        assertThat(LocalRunView.releasedAndReady(pod)).as(pod.getMetadata().getName()).isTrue();
        assertThat(lastLine(beforeReady, "[workflow] pod/" + pod.getMetadata().getName() + ": "))
            .endsWith("Running, workflow-svc running, Ready");
      }
      assertThat(lastLine(beforeReady, "[workflow] schemaversion/workflow: "))
          .startsWith("[workflow] schemaversion/workflow: Ready Migrated");

      // As printed: kubectl is the control plane's own, and the namespace needs no -n.
      assertThat(shell(environment, "kubectl version --client"))
          .contains("Client Version: v" + binaries.version());
      assertThat(shell(environment, "kubectl config view --minify -o jsonpath='{..namespace}'"))
          .isEqualTo(LocalRun.NAMESPACE);
      assertThat(shell(environment, "kubectl get sv,jobs,pods"))
          .contains("schemaversion.schema.jobgtm.io/workflow")
          .contains("Migrated");

      // The documented recipe replaces the ConfigMap: the undo scripts left out are gone, V3 runs.
      Path newMigrations = Files.createTempDirectory(workDirectory, "local-run-e2e-migrations-");
      for (String file :
          List.of("V1__initial_schema.sql", "V2__add_is_remote_to_job_listings.sql")) {
        Files.copy(
            Manifests.repository().resolve("migrations").resolve(file),
            newMigrations.resolve(file));
      }
      Files.writeString(
          newMigrations.resolve("V3__add_salary.sql"),
          "ALTER TABLE job_listings ADD COLUMN salary integer;\n");
      shell(environment, CONFIGMAP_RECIPE, newMigrations.toString());
      assertThat(shell(environment, "kubectl get configmap workflow-migrations -o json"))
          .contains("V3__add_salary.sql")
          .doesNotContain("U1__initial_schema.sql")
          .doesNotContain("U2__add_is_remote_to_job_listings.sql");
      await("the SchemaVersion to reach version 3")
          .atMost(PATIENCE)
          .untilAsserted(
              () ->
                  assertThat(read(output))
                      .contains(
                          "[workflow] schemaversion/workflow: Ready Migrated: migrated to version 3"));

      // A status message names the pod's path, as in a cluster, never the node agent's.
      Path noMigrations = Files.createTempDirectory(workDirectory, "local-run-e2e-empty-");
      shell(environment, CONFIGMAP_RECIPE, noMigrations.toString());
      await("the empty migration set to stall the SchemaVersion")
          .atMost(PATIENCE)
          .untilAsserted(
              () ->
                  assertThat(read(output))
                      .contains(
                          "[workflow] schemaversion/workflow: Stalled InvalidMigrationSet:"
                              + " migration Job")
                      .contains(
                          "no versioned migrations (V<version>__*.sql or B<version>__*.sql) in /migrations")
                      .contains("[workflow] schemaversion/workflow: Warning InvalidMigrationSet:"));
      assertThat(read(output)).doesNotContain("node-agent");

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
        // A failed assertion: stop it as Ctrl-C does, so that no data directory is left either.
        new ProcessBuilder("kill", "-INT", String.valueOf(run.pid())).start().waitFor();
        run.waitFor(1, TimeUnit.MINUTES);
      }
      if (run.isAlive()) {
        run.descendants().forEach(ProcessHandle::destroyForcibly);
        run.destroyForcibly();
      }
      seen.values().forEach(ProcessHandle::destroyForcibly);
    }
  }

  /**
   * Runs {@code script} with POSIX sh after the printed environment line, as a user pastes them
   * into a terminal; {@code $1} is {@code argument}. Returns what it printed on stdout.
   */
  private static String shell(String environment, String script, String... argument)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("sh", "-c", environment + "; " + script, "sh"));
    command.addAll(List.of(argument));
    Process shell = new ProcessBuilder(command).start();
    String printed = new String(shell.getInputStream().readAllBytes());
    String errors = new String(shell.getErrorStream().readAllBytes());
    assertThat(shell.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(shell.exitValue()).as(script + ": " + printed + errors).isZero();
    return printed;
  }

  /** The last line of {@code text} that starts with {@code prefix}. */
  private static String lastLine(String text, String prefix) {
    return text.lines()
        .map(line -> line.length() > 9 ? line.substring(9) : line) // the HH:mm:ss stamp
        .filter(line -> line.startsWith(prefix))
        .reduce((first, second) -> second)
        .orElseThrow(() -> new AssertionError("no line starting with " + prefix + " in:\n" + text));
  }

  private static int apiServerPort(Path kubeconfig) throws IOException {
    Config config = Serialization.unmarshal(Files.readString(kubeconfig), Config.class);
    return URI.create(config.getClusters().get(0).getCluster().getServer()).getPort();
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
