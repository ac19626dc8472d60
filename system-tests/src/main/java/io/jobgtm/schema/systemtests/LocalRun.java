package io.jobgtm.schema.systemtests;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.operator.act.MigrationJobFactory;
import io.jobgtm.schema.operator.runtime.OperatorConfig;
import io.jobgtm.schema.operator.runtime.OperatorMain;
import io.jobgtm.schema.testing.ControlPlaneDirectories;
import io.jobgtm.schema.testing.KubeApiServer;
import io.jobgtm.schema.testing.KubernetesBinaries;
import io.jobgtm.schema.testing.LocalControlPlane;
import io.jobgtm.schema.testing.NodeAgent;
import io.jobgtm.schema.testing.PostgresServer;
import io.jobgtm.schema.testing.ShadowImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The project's main job, {@code ./mvnw -Plocal-run -DskipTests verify}: the whole system on this
 * machine, as it runs in a cluster. It starts the local control plane (etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler), the {@link NodeAgent} for its node, an embedded
 * PostgreSQL with the workflow database, installs the CRD and runs the operator in this JVM; then
 * it applies the examples (the credentials Secret pointed at the embedded PostgreSQL, the
 * migrations ConfigMap built from {@code migrations/}, the SchemaVersion and the gated workflow-svc
 * Deployment), prints how to use {@code kubectl} with it (a kubeconfig whose namespace is {@value
 * #NAMESPACE}, the control plane's own kubectl) and shows progress ({@link LocalRunView}: every
 * namespace but the control plane's, Warning Events, WARN and ERROR lines of its log) until the
 * SchemaVersion is Ready and every pod behind its gate is released and Ready ({@value #READY} ...).
 * It keeps running, still printing every change, until SIGINT or SIGTERM, then stops everything it
 * started.
 *
 * <p>Arguments: {@code --repository=DIR} (default: the working directory), {@code
 * --migrator-jar=FILE} (default: the system property {@code migrator.jar}), {@code --image=IMAGE}
 * (the migrator image the operator puts in Jobs and the node agent maps to the jar; default {@value
 * #DEFAULT_IMAGE}). The control plane's binaries and directories come from the system properties
 * the tests use ({@code k8s.version}, {@code kubeApiTest.dir}, {@code controlPlane.workDir}).
 */
public final class LocalRun {

  /** Starts the line printed when the example is Ready and its pods run. */
  public static final String READY = "==> Ready:";

  /** Starts the line printed when everything has been stopped. */
  public static final String STOPPED = "==> Stopped:";

  /** Starts the line naming the directory of this run's logs. */
  public static final String LOGS = "logs: ";

  /** Starts the printed line that sets the environment for kubectl: KUBECONFIG, then PATH. */
  public static final String KUBECTL_ENVIRONMENT = "export KUBECONFIG=";

  public static final String DEFAULT_IMAGE = "schema-operator:dev";
  public static final String NAMESPACE = "workflow";

  private static final String EXAMPLE = "workflow";
  private static final String DEPLOYMENT = "workflow-svc";
  private static final String DATABASE = "jobgtm";
  private static final String ROLE = "workflow";
  private static final Duration POLL = Duration.ofMillis(500);
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  private final Path repository;
  private final Path migratorJar;
  private final String image;
  private final Path runDirectory;
  private final Map<String, String> shown = new LinkedHashMap<>();
  private final Map<String, String> warned = new LinkedHashMap<>();
  private final LogWarnings logWarnings;

  private volatile boolean stopping;
  private boolean stopped;
  private boolean ready;
  private KubeApiServer apiServer;
  private LocalControlPlane controlPlane;
  private NodeAgent agent;
  private PostgresServer postgres;
  private OperatorMain operator;
  private KubernetesClient client;

  private LocalRun(Path repository, Path migratorJar, String image, Path runDirectory) {
    this.repository = repository;
    this.migratorJar = migratorJar;
    this.image = image;
    this.runDirectory = runDirectory;
    this.logWarnings = new LogWarnings(runDirectory.resolve("local-run.log"));
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = options(args);
    Path repository =
        Path.of(options.getOrDefault("repository", System.getProperty("user.dir")))
            .toAbsolutePath()
            .normalize();
    String jar = options.getOrDefault("migrator-jar", System.getProperty("migrator.jar"));
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalArgumentException(
          "the migrator jar is missing ("
              + jar
              + "): build it with ./mvnw -DskipTests package, or run ./mvnw -Plocal-run"
              + " -DskipTests verify");
    }
    Path runDirectory = runDirectory();
    // Before anything logs: the operator's, the node agent's and the clients' log goes to a file,
    // the console shows progress only.
    System.setProperty(
        "org.slf4j.simpleLogger.logFile", runDirectory.resolve("local-run.log").toString());
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");

    LocalRun run =
        new LocalRun(
            repository,
            Path.of(jar).toAbsolutePath(),
            options.getOrDefault("image", DEFAULT_IMAGE),
            runDirectory);
    Runtime.getRuntime().addShutdownHook(new Thread(run::stop, "local-run-stop"));
    try {
      run.start();
      run.watch();
    } catch (RuntimeException e) {
      if (!run.stopping) {
        run.stop();
        throw e;
      }
    }
    // Only a signal ends the run: the JVM is shutting down and the stop hook stops everything.
    // Wait here for the JVM to halt rather than return to Maven, which would go on to the next
    // module of the reactor.
    Thread.currentThread().join();
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException(
            "unknown argument " + arg + "; use --repository=DIR --migrator-jar=FILE --image=IMAGE");
      }
      options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
    }
    return options;
  }

  /** {@code <controlPlane.workDir>/local-run/<time>-<pid>/}: this run's own log and pod logs. */
  private static Path runDirectory() {
    Path target =
        Path.of(System.getProperty(ControlPlaneDirectories.WORK_DIR_PROPERTY, "target"))
            .toAbsolutePath();
    Path directory =
        target
            .resolve("local-run")
            .resolve(
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                    + "-"
                    + ProcessHandle.current().pid());
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return directory;
  }

  private void start() {
    say("schema-operator local run: the operator and the workflow example on a local cluster");
    KubernetesBinaries binaries =
        KubernetesBinaries.configured().require(KubernetesBinaries.CONTROL_PLANE);
    step(
        "control plane: etcd, kube-apiserver, kube-controller-manager, kube-scheduler (Kubernetes "
            + binaries.version()
            + ")",
        () -> {
          apiServer = KubeApiServer.start(binaries, "local-run");
          controlPlane = LocalControlPlane.start(apiServer);
          client = apiServer.client();
          link(runDirectory.resolve("control-plane"), apiServer.logDirectory());
        });
    step(
        "node agent for node "
            + controlPlane.nodeName()
            + ": "
            + image
            + " "
            + MigrationJobFactory.MIGRATE_COMMAND
            + " runs as java -jar "
            + repository.relativize(migratorJar)
            + ", "
            + ShadowImages.POSTGRES_17
            + " (the shadow) as embedded PostgreSQL, other images as placeholders",
        () ->
            agent =
                NodeAgent.start(
                    apiServer.newClient(),
                    controlPlane.nodeName(),
                    MigratorImage.commands(image, migratorJar),
                    apiServer.workDirectory().resolve("node-agent"),
                    runDirectory.resolve("pods")));
    byte[] secret = new byte[12];
    new SecureRandom().nextBytes(secret);
    String password = HexFormat.of().formatHex(secret);
    step(
        "PostgreSQL "
            + PostgresServer.VERSION
            + ": database "
            + DATABASE
            + " owned by role "
            + ROLE,
        () -> {
          postgres = PostgresServer.start();
          postgres.execute(
              "postgres",
              "CREATE ROLE " + ROLE + " LOGIN PASSWORD '" + password + "'",
              "CREATE DATABASE " + DATABASE + " OWNER " + ROLE);
        });
    step("CRD " + SchemaVersion.CRD_NAME, this::installCrd);
    step(
        "operator (in this JVM; migration Jobs run " + image + ")",
        () ->
            operator =
                OperatorMain.start(
                    apiServer.newClient(),
                    new OperatorConfig(image, Set.of(), 0, false, "schema-operator-leader", null)));
    step(
        "examples in namespace "
            + NAMESPACE
            + ": secret/workflow-db, configmap/workflow-migrations, schemaversion/"
            + EXAMPLE
            + ", deployment/"
            + DEPLOYMENT,
        () -> applyExamples(password));

    Path kubeconfig = writeKubeconfig();
    Path bin = linkKubectl(binaries.path(KubernetesBinaries.KUBECTL));
    System.out.println();
    System.out.println(
        "Use kubectl with it (from another terminal; kubectl "
            + binaries.version()
            + ", built with the control plane; namespace "
            + NAMESPACE
            + " is the default):");
    System.out.println("  " + KUBECTL_ENVIRONMENT + kubeconfig + " PATH=" + bin + ":$PATH");
    System.out.println("  kubectl get sv,jobs,pods");
    System.out.println("  kubectl wait --for=condition=Ready sv/" + EXAMPLE);
    System.out.println(
        "PostgreSQL: 127.0.0.1:"
            + postgres.port()
            + ", database "
            + DATABASE
            + ", user "
            + ROLE
            + " (password: kubectl get secret workflow-db -o jsonpath='{.data.password}'"
            + " | base64 -d)");
    System.out.println(
        LOGS
            + runDirectory
            + " (local-run.log: operator and node agent; pods/: container output;"
            + " control-plane/: one file per component)");
    System.out.println("Ctrl-C stops everything.");
    System.out.println();
  }

  /**
   * {@code <run>/kubeconfig}: the admin kubeconfig with {@value #NAMESPACE} as its namespace, so
   * that {@code kubectl get sv} answers for the example without {@code -n}.
   */
  private Path writeKubeconfig() {
    Config config = Serialization.unmarshal(apiServer.kubeconfigYaml(), Config.class);
    config.getContexts().forEach(context -> context.getContext().setNamespace(NAMESPACE));
    Path kubeconfig = runDirectory.resolve("kubeconfig");
    try {
      Files.writeString(kubeconfig, Serialization.asYaml(config));
      Files.setPosixFilePermissions(kubeconfig, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return kubeconfig;
  }

  /**
   * {@code <run>/bin/kubectl}, a link to the kubectl built with the control plane: the printed
   * {@code PATH} puts it before whatever kubectl the machine has, which may be of another version.
   */
  private Path linkKubectl(Path kubectl) {
    Path bin = runDirectory.resolve("bin");
    try {
      Files.createDirectories(bin);
      Files.createSymbolicLink(bin.resolve("kubectl"), kubectl);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bin;
  }

  /** Runs one start-up step unless the run is being stopped; stopping waits for it. */
  private void step(String what, Runnable action) {
    long started = System.nanoTime();
    synchronized (this) {
      if (stopping) {
        throw new IllegalStateException("stopped while starting");
      }
      action.run();
    }
    say(
        "started "
            + what
            + " ("
            + Duration.ofNanos(System.nanoTime() - started).toMillis()
            + " ms)");
  }

  private void installCrd() {
    CustomResourceDefinition crd =
        Serialization.unmarshal(
            read("crds/schemaversions.schema.jobgtm.io-v1.yml"), CustomResourceDefinition.class);
    client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    await("the CRD to be established")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              CustomResourceDefinition current =
                  client
                      .apiextensions()
                      .v1()
                      .customResourceDefinitions()
                      .withName(SchemaVersion.CRD_NAME)
                      .get();
              return current.getStatus() != null
                  && current.getStatus().getConditions() != null
                  && current.getStatus().getConditions().stream()
                      .anyMatch(
                          c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
            });
  }

  /** The examples as a person would apply them, pointed at the embedded PostgreSQL. */
  private void applyExamples(String password) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(NAMESPACE)
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                .addToLabels("pod-security.kubernetes.io/enforce-version", "latest")
                .endMetadata()
                .build())
        .create();
    Secret secret = Serialization.unmarshal(read("examples/workflow-db-secret.yaml"), Secret.class);
    secret.setStringData(Map.of("username", ROLE, "password", password));
    client.secrets().inNamespace(NAMESPACE).resource(secret).create();
    client.configMaps().inNamespace(NAMESPACE).resource(migrationsConfigMap()).create();
    SchemaVersion schemaVersion =
        Serialization.unmarshal(read("examples/workflow-schemaversion.yaml"), SchemaVersion.class);
    schemaVersion.getSpec().getDatabase().setHost("127.0.0.1");
    schemaVersion.getSpec().getDatabase().setPort(postgres.port());
    client.resources(SchemaVersion.class).inNamespace(NAMESPACE).resource(schemaVersion).create();
    Deployment deployment =
        Serialization.unmarshal(read("examples/workflow-svc-deployment.yaml"), Deployment.class);
    for (EnvVar env :
        deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
      switch (env.getName()) {
        case "DB_HOST" -> env.setValue("127.0.0.1");
        case "DB_PORT" -> env.setValue(String.valueOf(postgres.port()));
        default -> {}
      }
    }
    client.apps().deployments().inNamespace(NAMESPACE).resource(deployment).create();
  }

  /** As {@code kubectl create configmap workflow-migrations --from-file=migrations/} makes it. */
  private ConfigMap migrationsConfigMap() {
    Map<String, String> data = new TreeMap<>();
    try (Stream<Path> files = Files.list(repository.resolve("migrations"))) {
      for (Path file : files.toList()) {
        data.put(file.getFileName().toString(), Files.readString(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName("workflow-migrations")
        .endMetadata()
        .withData(data)
        .build();
  }

  private String read(String relativePath) {
    try {
      return Files.readString(repository.resolve(relativePath));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Prints every change of the objects of every namespace but the control plane's own, each new
   * Warning Event and each WARN or ERROR line of the run's log, until the run is stopped; prints
   * {@value #READY} when the example is Ready, decided from the same snapshot as the lines before
   * it.
   */
  private void watch() throws InterruptedException {
    while (!stopping) {
      try {
        LocalRunView.Snapshot snapshot = LocalRunView.Snapshot.read(client);
        Map<String, String> now = LocalRunView.lines(snapshot);
        now.forEach(
            (key, line) -> {
              if (!line.equals(shown.get(key))) {
                say(key + ": " + line);
              }
            });
        shown.keySet().stream()
            .filter(key -> !now.containsKey(key))
            .toList()
            .forEach(key -> say(key + ": deleted"));
        shown.clear();
        shown.putAll(now);
        LocalRunView.warnings(snapshot)
            .forEach(
                (uid, line) -> {
                  if (!line.equals(warned.put(uid, line))) {
                    say(line);
                  }
                });
        logWarnings.readNew().forEach(line -> say("local-run.log: " + line));
        Optional<String> readyNow = LocalRunView.ready(snapshot, NAMESPACE, EXAMPLE);
        if (readyNow.isPresent() && !ready) {
          System.out.println(READY + " " + readyNow.get() + " Ctrl-C stops everything.");
        }
        ready = readyNow.isPresent();
      } catch (RuntimeException e) {
        if (stopping) {
          return;
        }
        say("cannot read the cluster: " + e.getMessage());
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  /** Stops everything started, the processes before what they talk to; idempotent. */
  private void stop() {
    // First, so that a start-up step that has not begun yet never begins.
    stopping = true;
    synchronized (this) {
      stopEverything();
    }
  }

  private void stopEverything() {
    if (stopped) {
      return;
    }
    stopped = true;
    say("stopping");
    if (operator != null) {
      quietly("the operator", operator::close);
    }
    if (agent != null) {
      quietly("the node agent and its container processes", agent::close);
    }
    if (apiServer != null) {
      quietly("kube-scheduler, kube-controller-manager, kube-apiserver and etcd", apiServer::close);
    }
    if (postgres != null) {
      quietly("PostgreSQL", postgres::close);
    }
    System.out.println(STOPPED + " nothing of this run is left running. " + LOGS + runDirectory);
    System.out.flush();
  }

  private static void quietly(String what, Runnable close) {
    try {
      close.run();
      say("stopped " + what);
    } catch (RuntimeException e) {
      say("could not stop " + what + " cleanly: " + e);
    }
  }

  /** A symbolic link, so that one directory leads to every log of the run. */
  private static void link(Path link, Path target) {
    try {
      Files.createSymbolicLink(link, target);
    } catch (IOException | UnsupportedOperationException e) {
      // Only a convenience: the directory is printed anyway.
    }
  }

  private static void say(String line) {
    System.out.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS).format(CLOCK) + " " + line);
    System.out.flush();
  }
}
