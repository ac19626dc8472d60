package io.jobgtm.schema.testing;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfig;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real kube-apiserver with its etcd, started by fabric8 kube-api-test in offline mode from the
 * binaries {@code scripts/k8s-binaries.sh} built (exact version, nothing downloaded).
 *
 * <p>{@link #shared()} starts one per test JVM and stops it when the JVM exits; tests reach it
 * through {@link KubeApiServerExtension}. No controller ever runs against it: {@link
 * LocalControlPlane} starts a server of its own. The server runs with kube-api-test's flags (RBAC,
 * the {@code ServiceAccount} admission plugin disabled, as envtest does) plus {@link #EXTRA_FLAGS};
 * every other admission plugin keeps its default, so PodSecurity admission is on. The client and
 * the kubeconfig authenticate as kube-api-test's admin user ({@code system:masters}).
 *
 * <p>kube-api-test pipes the processes' output into SLF4J at DEBUG. To give etcd and kube-apiserver
 * each its own log file whatever logging backend the tests use, kube-api-test is pointed at a
 * directory of its own under {@code target/control-plane/<run>/kube-api-test/}, whose {@code etcd}
 * and {@code kube-apiserver} are small wrapper scripts that redirect the output and exec the real
 * binaries. The wrappers also narrow etcd's client URL, which kube-api-test sets to {@code
 * 0.0.0.0}, to loopback. kube-api-test writes its certificates there too, never into the shared
 * binary cache.
 */
public final class KubeApiServer implements AutoCloseable {

  /**
   * Flags added to kube-api-test's own: serve on loopback only. The endpoint reconciler, which
   * keeps the {@code kubernetes} Service's endpoints, refuses a loopback address, so it is off;
   * with no kubelet or kube-proxy nothing could reach the server through that Service anyway.
   */
  public static final List<String> EXTRA_FLAGS =
      List.of(
          "--bind-address=127.0.0.1",
          "--advertise-address=127.0.0.1",
          "--endpoint-reconciler-type=none");

  /** A hang guard for start-up, not an expectation. */
  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

  private static KubeApiServer shared;
  private static RuntimeException sharedFailure;

  private final KubeAPIServer server;
  private final KubernetesBinaries binaries;
  private final ControlPlaneDirectories directories;
  private final Path kubeApiTestDirectory;
  private final String kubeconfigYaml;
  private final Path kubeconfig;
  private final KubernetesClient client;
  private final Deque<AutoCloseable> dependents = new ArrayDeque<>();
  private boolean closed;

  private KubeApiServer(
      KubeAPIServer server,
      KubernetesBinaries binaries,
      ControlPlaneDirectories directories,
      Path kubeApiTestDirectory,
      String kubeconfigYaml,
      Path kubeconfig) {
    this.server = server;
    this.binaries = binaries;
    this.directories = directories;
    this.kubeApiTestDirectory = kubeApiTestDirectory;
    this.kubeconfigYaml = kubeconfigYaml;
    this.kubeconfig = kubeconfig;
    this.client = newClient();
  }

  /** The one server of this test JVM, started on first use and stopped when the JVM exits. */
  public static synchronized KubeApiServer shared() {
    if (sharedFailure != null) {
      throw new IllegalStateException(
          "kube-apiserver failed to start earlier in this JVM: " + sharedFailure.getMessage(),
          sharedFailure);
    }
    if (shared == null) {
      try {
        shared = start(KubernetesBinaries.configured());
      } catch (RuntimeException e) {
        sharedFailure = e;
        throw e;
      }
      Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "kube-apiserver-shutdown"));
    }
    return shared;
  }

  /** Starts a new server in new directories; the caller closes it. */
  public static KubeApiServer start(KubernetesBinaries binaries) {
    return start(binaries, "api-server");
  }

  /** Starts a new server whose directories are named after {@code kind}. */
  public static KubeApiServer start(KubernetesBinaries binaries, String kind) {
    binaries.require(KubernetesBinaries.API_SERVER);
    ControlPlaneDirectories directories = ControlPlaneDirectories.create(kind);
    Path kubeApiTestDirectory = directories.work().resolve("kube-api-test");
    writeLaunchers(binaries, directories, kubeApiTestDirectory);
    KubeAPIServerConfig config =
        KubeAPIServerConfigBuilder.anAPIServerConfig()
            .withTestDir(kubeApiTestDirectory.toString())
            .withApiServerVersion(binaries.version())
            .withOfflineMode(true)
            .withUpdateKubeConfig(false)
            .withWaitForEtcdHealthCheckOnStartup(true)
            .withStartupTimeout((int) START_TIMEOUT.toMillis())
            .withApiServerFlags(EXTRA_FLAGS)
            .build();
    KubeAPIServer server = new KubeAPIServer(config);
    try {
      startWatched(server, binaries);
    } catch (RuntimeException e) {
      stopQuietly(server);
      throw new IllegalStateException(
          "kube-apiserver "
              + binaries.version()
              + " did not start: "
              + e.getMessage()
              + "\nLogs in "
              + directories.logs()
              + "; "
              + directories.log(KubernetesBinaries.KUBE_APISERVER)
              + " ends with:\n"
              + ComponentProcess.tail(directories.log(KubernetesBinaries.KUBE_APISERVER), 30),
          e);
    }
    String yaml = server.getKubeConfigYaml();
    Path kubeconfig = directories.work().resolve("admin.kubeconfig");
    try {
      Files.writeString(kubeconfig, yaml);
    } catch (IOException e) {
      stopQuietly(server);
      throw new UncheckedIOException(e);
    }
    return new KubeApiServer(server, binaries, directories, kubeApiTestDirectory, yaml, kubeconfig);
  }

  /** A client authenticated as the cluster admin; shared, do not close it. */
  public KubernetesClient client() {
    return client;
  }

  /**
   * A new admin client, for a test that needs its own (the caller closes it). It names its HTTP
   * client, the JDK's, so that it never depends on which fabric8 HTTP client factories the
   * classpath holds (with several, fabric8 picks one at random).
   */
  public KubernetesClient newClient() {
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(kubeconfigYaml))
        .withHttpClientFactory(new JdkHttpClientFactory())
        .build();
  }

  /** The admin kubeconfig; its certificates are files under {@link #workDirectory()}. */
  public String kubeconfigYaml() {
    return kubeconfigYaml;
  }

  /** The admin kubeconfig as a file, for {@code kubectl --kubeconfig} or a child process. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  /** The API server's URL, {@code https://127.0.0.1:<port>}. */
  public String url() {
    return client.getConfiguration().getMasterUrl().replaceAll("/$", "");
  }

  public KubernetesBinaries binaries() {
    return binaries;
  }

  /** Where this run's kubeconfigs and certificates are. */
  public Path workDirectory() {
    return directories.work();
  }

  /** Where this run's process logs are (one file per process). */
  public Path logDirectory() {
    return directories.logs();
  }

  ControlPlaneDirectories directories() {
    return directories;
  }

  /** kube-api-test's directory: its certificates (the CA, the service-account key) are here. */
  Path kubeApiTestDirectory() {
    return kubeApiTestDirectory;
  }

  /** Makes {@link #close()} close the dependent first (components that talk to this server). */
  synchronized void closeBefore(AutoCloseable dependent) {
    dependents.push(dependent);
  }

  /** Stops the dependents, then kube-apiserver, then etcd (kube-api-test's order). */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    while (!dependents.isEmpty()) {
      try {
        dependents.pop().close();
      } catch (Exception e) {
        System.err.println("could not stop a control-plane component: " + e);
      }
    }
    client.close();
    stopQuietly(server);
  }

  /**
   * Runs kube-api-test's start, but fails as soon as etcd or kube-apiserver exits: kube-api-test
   * itself would poll for readiness until its timeout.
   */
  private static void startWatched(KubeAPIServer server, KubernetesBinaries binaries) {
    CompletableFuture<Void> start =
        CompletableFuture.runAsync(
            server::start,
            task -> {
              Thread thread = new Thread(task, "kube-api-test-start");
              thread.setDaemon(true);
              thread.start();
            });
    Set<String> started = new HashSet<>();
    while (true) {
      try {
        start.get(100, TimeUnit.MILLISECONDS);
        return;
      } catch (TimeoutException e) {
        for (String binary : List.of(KubernetesBinaries.ETCD, KubernetesBinaries.KUBE_APISERVER)) {
          boolean running = childRunning(binaries.path(binary));
          if (running) {
            started.add(binary);
          } else if (started.contains(binary)) {
            throw new IllegalStateException(binary + " exited during start-up");
          }
        }
      } catch (ExecutionException e) {
        throw e.getCause() instanceof RuntimeException cause
            ? cause
            : new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while kube-apiserver started", e);
      }
    }
  }

  private static boolean childRunning(Path binary) {
    String command;
    try {
      command = binary.toRealPath().toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ProcessHandle.current()
        .children()
        .anyMatch(child -> child.isAlive() && child.info().command().orElse("").equals(command));
  }

  private static void stopQuietly(KubeAPIServer server) {
    try {
      server.stop();
    } catch (RuntimeException e) {
      System.err.println("could not stop kube-apiserver/etcd cleanly: " + e);
    }
  }

  /** Writes the binary directory kube-api-test uses: logging wrappers and a link to kubectl. */
  private static void writeLaunchers(
      KubernetesBinaries binaries, ControlPlaneDirectories directories, Path kubeApiTestDir) {
    Path launchers = kubeApiTestDir.resolve("k8s").resolve(binaries.directory().getFileName());
    try {
      Files.createDirectories(launchers);
      for (String binary : List.of(KubernetesBinaries.ETCD, KubernetesBinaries.KUBE_APISERVER)) {
        Path launcher = launchers.resolve(binary);
        Files.writeString(
            launcher,
            String.join(
                "\n",
                "#!/usr/bin/env bash",
                "# Started by kube-api-test; written by " + KubeApiServer.class.getName() + ".",
                "# Output to its own log file; kube-api-test's 0.0.0.0 client URLs to loopback.",
                "args=(\"${@//http:\\/\\/0.0.0.0:/http://127.0.0.1:}\")",
                "log=" + shellQuote(directories.log(binary).toString()),
                "printf '$ %s' " + shellQuote(binaries.path(binary).toString()) + " >>\"$log\"",
                "printf ' %q' \"${args[@]}\" >>\"$log\"",
                "echo >>\"$log\"",
                "exec "
                    + shellQuote(binaries.path(binary).toString())
                    + " \"${args[@]}\" >>\"$log\" 2>&1",
                ""));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      Files.createSymbolicLink(
          launchers.resolve(KubernetesBinaries.KUBECTL), binaries.path(KubernetesBinaries.KUBECTL));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String shellQuote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
