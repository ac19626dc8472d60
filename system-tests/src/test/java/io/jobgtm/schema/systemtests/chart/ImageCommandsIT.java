package io.jobgtm.schema.systemtests.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.jobgtm.schema.operator.act.MigrationJobFactory;
import io.jobgtm.schema.testing.KubeApiServer;
import io.jobgtm.schema.testing.KubeApiServerExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The image without a Docker engine: every command line the Dockerfile runs, run here as a plain
 * process. The build stage's script builds {@code /opt/schema-operator} from a copy of the Docker
 * build context (as {@code .dockerignore} defines it); then its two commands run from that
 * directory, with the image's JVM flags: the migrator as a migration Job runs it, and the operator
 * with the environment the Helm chart gives it, against a real kube-apiserver.
 */
@ExtendWith(KubeApiServerExtension.class)
class ImageCommandsIT {

  /** The image's home; the Dockerfile's build stage lays it out under /image. */
  private static final String IMAGE_HOME = "/opt/schema-operator";

  private static final String BUILD_COMMAND = "sh docker/build-image-home.sh /image" + IMAGE_HOME;
  private static final String TRAIN_COMMAND =
      "sh /tmp/train-cds.sh " + IMAGE_HOME + " && rm /tmp/train-cds.sh";
  private static final String NAMESPACE = "image-commands-it";

  /** Hang guards, never expectations of speed. */
  private static final Duration BUILD_PATIENCE = Duration.ofMinutes(8);

  private static final Duration PATIENCE = Duration.ofMinutes(1);

  private static Path work;
  private static Path home;
  private static Map<String, List<String>> dockerfile;

  @BeforeAll
  static void buildTheImageHomeFromTheDockerContext() throws Exception {
    Path repository = Chart.repository();
    // A directory of this run's own: builds of the same tree may run this class at once.
    Path target = Files.createDirectories(Path.of("target").toAbsolutePath());
    work = Files.createTempDirectory(target, "image-commands-it-");
    Path context = work.resolve("context");
    DockerContext.of(repository).copy(repository, context);
    dockerfile = instructions(repository.resolve("Dockerfile"));
    home = work.resolve("image" + IMAGE_HOME);

    // The build stage's RUN line, with the destination moved under target/.
    Result build =
        run(
            List.of("sh", "docker/build-image-home.sh", home.toString()),
            context,
            Map.of("MAVEN_ARGS", "-q"),
            BUILD_PATIENCE);

    assertThat(build.exitCode()).as("build-image-home.sh failed:\n%s", build.output()).isZero();

    // The final stage's RUN line: train the migrator's AppCDS archive with the image's JVM flags.
    Result train =
        run(
            List.of("sh", context.resolve("docker/train-cds.sh").toString(), home.toString()),
            context,
            Map.of("JAVA_TOOL_OPTIONS", imageJavaToolOptions()),
            BUILD_PATIENCE);

    assertThat(train.exitCode()).as("train-cds.sh failed:\n%s", train.output()).isZero();
  }

  @Test
  void dockerfileRunsExactlyTheCommandsThisTestRuns() {
    List<String> runs =
        dockerfile.getOrDefault("RUN", List.of()).stream()
            .map(line -> line.replaceAll("--mount=\\S+\\s+", ""))
            .toList();

    assertThat(runs).containsExactly(BUILD_COMMAND, TRAIN_COMMAND);
    assertThat(dockerfile.get("COPY")).contains("docker/train-cds.sh /tmp/train-cds.sh");
    assertThat(dockerfile.get("COPY")).contains("--from=build /image/ /");
    assertThat(dockerfile.get("ENTRYPOINT"))
        .containsExactly("[\"" + IMAGE_HOME + "/bin/operator\"]");
    assertThat(dockerfile.get("USER")).containsExactly("65532:65532");
    assertThat(dockerfile.get("FROM")).hasSize(2);
    assertThat(MigrationJobFactory.MIGRATE_COMMAND).isEqualTo(IMAGE_HOME + "/bin/migrate");
  }

  @Test
  void imageHomeHoldsBothCommandsAndKeepsTheMigratorOffTheOperatorClasspath() throws IOException {
    assertThat(home.resolve("bin/operator")).isExecutable();
    assertThat(home.resolve("bin/migrate")).isExecutable();
    List<String> lib;
    try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
      lib = jars.map(jar -> jar.getFileName().toString()).sorted().toList();
    }
    assertThat(lib)
        .anyMatch(jar -> jar.matches("operator-.*\\.jar"))
        .anyMatch(jar -> jar.matches("crds-.*\\.jar"))
        .anyMatch(jar -> jar.matches("operator-framework-core-.*\\.jar"))
        .noneMatch(jar -> jar.startsWith("migrator") || jar.startsWith("flyway"))
        .noneMatch(jar -> jar.startsWith("postgresql"))
        .noneMatch(jar -> jar.startsWith("junit") || jar.startsWith("kube-api-test"));
    try (JarFile migrator = new JarFile(home.resolve("migrator/migrator.jar").toFile())) {
      assertThat(migrator.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo("io.jobgtm.schema.migrator.cli.MigratorCli");
      assertThat(migrator.getEntry("db/migration/V1__initial_schema.sql")).isNotNull();
    }
  }

  @Test
  void migrateHelpPrintsTheCommandsAndExitCodes() {
    Result help = run(List.of(home.resolve("bin/migrate").toString(), "--help"), Map.of());

    assertThat(help.exitCode()).isZero();
    assertThat(help.output())
        .contains("Picked up JAVA_TOOL_OPTIONS: " + imageJavaToolOptions())
        .contains("Usage: migrator")
        .contains("migrate", "info", "undo", "plan")
        .contains("Exit codes: 0 success, 1 transient failure (retry), 2 permanent failure.");
  }

  @Test
  void migrateStartsFromTheTrainedClassDataArchive() {
    assertThat(home.resolve("migrator/migrator.jsa")).isRegularFile();

    // -Xshare:on makes the JVM refuse to start when the archive cannot be used.
    Result help =
        run(
            List.of(home.resolve("bin/migrate").toString(), "--help"),
            Map.of("JAVA_TOOL_OPTIONS", imageJavaToolOptions() + " -Xshare:on"));

    assertThat(help.exitCode()).as(help.output()).isZero();
    assertThat(help.output()).contains("Usage: migrator");
  }

  @Test
  void migrateInfoWithoutADatabaseFailsPermanently() {
    Result info = run(List.of(home.resolve("bin/migrate").toString(), "info"), Map.of());

    assertThat(info.exitCode()).isEqualTo(2);
    assertThat(info.output()).contains("error: InvalidConfiguration: no database name given");
  }

  @Test
  void migrateAsTheJobRunsItReportsAnUnreachableDatabaseAsTransient() throws IOException {
    Path terminationLog = work.resolve("termination-log");
    Files.deleteIfExists(terminationLog);
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DB_HOST", "127.0.0.1");
    env.put("DB_PORT", String.valueOf(closedPort()));
    env.put("DB_NAME", "jobgtm");
    env.put("DB_SCHEMA", "public");
    env.put("DB_SSLMODE", "disable");
    env.put("DB_USER", "app");
    env.put("DB_PASSWORD", "s3cr3t-never-printed");
    env.put("TARGET_VERSION", "latest");
    env.put("ON_UNVERSIONED", "Fail");
    env.put("ALLOW_DOWNGRADE", "false");
    env.put("RESULT_FILE", terminationLog.toString());
    env.put("CONNECT_TIMEOUT", "1s");

    // The Job's container: command MIGRATE_COMMAND, args [migrate].
    Result migrate = run(List.of(home.resolve("bin/migrate").toString(), "migrate"), env);

    assertThat(migrate.exitCode()).isEqualTo(1);
    assertThat(migrate.output()).contains("error: DatabaseUnreachable");
    String result = Files.readString(terminationLog);
    assertThat(result)
        .startsWith("{\"apiVersion\":\"migrator.schema.jobgtm.io/v1\"")
        .contains("\"outcome\":\"Failed\"", "\"reason\":\"DatabaseUnreachable\"");
    assertThat(result.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(4096);
    assertThat(migrate.output() + result).doesNotContain("s3cr3t-never-printed");
  }

  @Test
  void operatorRefusesABadSettingNamingTheVariable() {
    Result operator =
        run(
            List.of(home.resolve("bin/operator").toString()),
            Map.of("SCHEMA_OPERATOR_HTTP_PORT", "eighty"));

    assertThat(operator.exitCode()).isEqualTo(2);
    assertThat(operator.output())
        .contains("error: SCHEMA_OPERATOR_HTTP_PORT='eighty' is not valid");
  }

  @Test
  void operatorRunsWithTheChartsEnvironmentAgainstARealApiServer(
      KubeApiServer server, KubernetesClient client) throws Exception {
    Map<String, String> env = operatorEnvironment(server, client, null);
    Path log = work.resolve("operator-chart-defaults.log");
    Process operator = startOperator(env, log);
    try {
      awaitReady(operator, env, log);
      await("the operator to hold its Lease")
          .atMost(PATIENCE)
          .untilAsserted(
              () -> {
                Lease lease =
                    client
                        .leases()
                        .inNamespace(NAMESPACE)
                        .withName(env.get("SCHEMA_OPERATOR_LEASE_NAME"))
                        .get();
                assertThat(lease).isNotNull();
                assertThat(lease.getSpec().getHolderIdentity()).isNotBlank();
              });
      assertThat(Files.readString(log))
          .contains("Picked up JAVA_TOOL_OPTIONS: " + env.get("JAVA_TOOL_OPTIONS"))
          .contains("schema-operator started: watching [" + NAMESPACE + "]");
    } finally {
      operator.destroyForcibly().waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }
  }

  @Test
  void operatorWithoutLeaderElectionStopsOnSigterm(KubeApiServer server, KubernetesClient client)
      throws Exception {
    Map<String, String> env =
        operatorEnvironment(server, client, Chart.file("ci/single-replica-values.yaml"));
    assertThat(env).containsEntry("SCHEMA_OPERATOR_LEADER_ELECTION", "false");
    Path log = work.resolve("operator-single-replica.log");
    Process operator = startOperator(env, log);
    awaitReady(operator, env, log);

    assertStopsOnSigterm(operator, log);
  }

  /**
   * With leader election, stopping releases leadership; that must not trigger the exit on lost
   * leadership inside the shutdown hook, which would hang the pod until SIGKILL.
   */
  @Test
  void operatorWithLeaderElectionStopsOnSigterm(KubeApiServer server, KubernetesClient client)
      throws Exception {
    Map<String, String> env = operatorEnvironment(server, client, null);
    Path log = work.resolve("operator-leader-sigterm.log");
    Process operator = startOperator(env, log);
    awaitReady(operator, env, log);

    assertStopsOnSigterm(operator, log);
  }

  /**
   * The operator container's environment from the chart, made fit for a process: it watches a
   * namespace of its own (so it never acts on another IT's objects), holds its Lease there, listens
   * on a free port and reaches the API server through its kubeconfig.
   */
  private static Map<String, String> operatorEnvironment(
      KubeApiServer server, KubernetesClient client, Path values) throws IOException {
    installCrd(client);
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .serverSideApply();
    Map<String, String> env = new LinkedHashMap<>(chartEnvironment(values));
    env.put("SCHEMA_OPERATOR_WATCH_NAMESPACES", NAMESPACE);
    env.put("SCHEMA_OPERATOR_LEASE_NAMESPACE", NAMESPACE);
    env.put("SCHEMA_OPERATOR_HTTP_PORT", String.valueOf(closedPort()));
    env.put("KUBECONFIG", server.kubeconfig().toString());
    return env;
  }

  private static Process startOperator(Map<String, String> env, Path log) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(home.resolve("bin/operator").toString())
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return builder.start();
  }

  private static void awaitReady(Process operator, Map<String, String> env, Path log) {
    int port = Integer.parseInt(env.get("SCHEMA_OPERATOR_HTTP_PORT"));
    HttpClient http = HttpClient.newHttpClient();
    await("the operator to be ready; its log: " + log)
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              assertThat(operator.isAlive()).as("operator alive; log: %s", tail(log)).isTrue();
              assertThat(status(http, port, "/healthz")).isEqualTo(200);
              assertThat(status(http, port, "/readyz")).isEqualTo(200);
            });
    assertThat(status(http, port, "/metrics")).isEqualTo(200);
  }

  /** Exits through its shutdown hook on SIGTERM (128 + 15), as in a pod being deleted. */
  private static void assertStopsOnSigterm(Process operator, Path log) throws Exception {
    operator.destroy();
    boolean stopped = operator.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    if (!stopped) {
      operator.destroyForcibly().waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }
    assertThat(stopped).as("the operator stops on SIGTERM; log: %s", tail(log)).isTrue();
    assertThat(operator.exitValue()).isEqualTo(143);
  }

  /** The operator container's environment as the chart renders it. */
  private static Map<String, String> chartEnvironment(Path values) {
    Path chart = Chart.renderableCopy(work, null);
    List<HasMetadata> objects = Chart.objects(Chart.template(chart, values));
    Deployment deployment =
        objects.stream()
            .filter(Deployment.class::isInstance)
            .map(Deployment.class::cast)
            .findFirst()
            .orElseThrow();
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .collect(
            Collectors.toMap(EnvVar::getName, EnvVar::getValue, (a, b) -> b, LinkedHashMap::new));
  }

  private static void installCrd(KubernetesClient client) throws IOException {
    CustomResourceDefinition crd;
    try (InputStream yaml =
        Files.newInputStream(Chart.file("crds/schemaversions.schema.jobgtm.io-v1.yml"))) {
      crd = client.apiextensions().v1().customResourceDefinitions().load(yaml).item();
    }
    client
        .resource(crd)
        .patch(
            new PatchContext.Builder()
                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                .withForce(true)
                .withFieldManager("image-commands-it")
                .build());
    await("the SchemaVersion CRD to be established")
        .atMost(PATIENCE)
        .until(
            () ->
                client
                    .apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(crd.getMetadata().getName())
                    .get()
                    .getStatus()
                    .getConditions()
                    .stream()
                    .anyMatch(
                        c -> "Established".equals(c.getType()) && "True".equals(c.getStatus())));
  }

  /** The JAVA_TOOL_OPTIONS the image sets (its ENV line). */
  private static String imageJavaToolOptions() {
    String env = String.join(" ", dockerfile.get("ENV"));
    java.util.regex.Matcher matcher =
        java.util.regex.Pattern.compile("JAVA_TOOL_OPTIONS=\"([^\"]*)\"").matcher(env);
    assertThat(matcher.find()).as("the Dockerfile sets JAVA_TOOL_OPTIONS").isTrue();
    return matcher.group(1);
  }

  private static int status(HttpClient http, int port, String path) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private record Result(int exitCode, String output) {}

  /** Runs a command of the image with its ENV and the given variables. */
  private static Result run(List<String> command, Map<String, String> env) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("JAVA_TOOL_OPTIONS", imageJavaToolOptions());
    all.putAll(env);
    return run(command, work, all, PATIENCE);
  }

  private static Result run(
      List<String> command, Path directory, Map<String, String> env, Duration patience) {
    try {
      Path output = Files.createTempFile(work, "process-", ".log");
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(directory.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(patience.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(command + " did not finish:\n" + Files.readString(output));
      }
      return new Result(process.exitValue(), Files.readString(output));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The Dockerfile's instructions by keyword, continuation lines joined, comments dropped. */
  private static Map<String, List<String>> instructions(Path file) throws IOException {
    Map<String, List<String>> instructions = new LinkedHashMap<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(file)) {
      String stripped = line.strip();
      if (current.isEmpty() && (stripped.isEmpty() || stripped.startsWith("#"))) {
        continue;
      }
      if (stripped.endsWith("\\")) {
        current.append(stripped, 0, stripped.length() - 1).append(' ');
        continue;
      }
      current.append(stripped);
      String[] parts = current.toString().strip().split("\\s+", 2);
      instructions
          .computeIfAbsent(parts[0].toUpperCase(java.util.Locale.ROOT), k -> new ArrayList<>())
          .add(parts.length > 1 ? parts[1].replaceAll("\\s+", " ") : "");
      current.setLength(0);
    }
    return instructions;
  }

  private static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
