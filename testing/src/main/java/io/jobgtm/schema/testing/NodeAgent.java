package io.jobgtm.schema.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet of the local control plane's node ({@value LocalControlPlane#NODE_NAME}): it watches
 * the pods bound to the node and runs them as local processes, so that a pod's program (a migration
 * Job's migrator) really runs. Test support only; nothing of it is in any image.
 *
 * <p>What it does as a kubelet would:
 *
 * <ul>
 *   <li>A container of an image under test whose command is mapped ({@link ImageCommand}) runs as
 *       that host command; a container with no {@code command} runs the image's mapped entrypoint
 *       ({@link ImageCommand#ENTRYPOINT}), its args following. Any other image runs as a
 *       placeholder: Running and Ready until the pod is deleted, no process (an init container of
 *       such an image completes at once, a sidecar of one runs as a main container does). The
 *       official PostgreSQL images run embedded PostgreSQL when the agent is given {@link
 *       ShadowImages#commands()}.
 *   <li>Native sidecars (an init container with {@code restartPolicy: Always}, Kubernetes 1.29+):
 *       started in their turn; the next init container or the main containers start once the
 *       sidecar is started (its startup probe succeeded, at once without one); restarted whenever
 *       they exit, with the back-off; they do not hold Initialized once started. When every regular
 *       container of a {@code Never}/{@code OnFailure} pod has ended for good, the sidecars get
 *       SIGTERM (the pod's grace period, SIGKILL after), the last first, and the phase is the
 *       regular containers' alone. In {@code initContainerStatuses} with {@code started} and {@code
 *       ready}.
 *   <li>{@code startupProbe} {@code exec}: the probe's command runs as the host command the
 *       container's image maps for it (with the container's environment and mounts), every {@code
 *       periodSeconds} after {@code initialDelaySeconds}, waiting at least 5 s for it whatever
 *       {@code timeoutSeconds} says (a host command may be a JVM standing in for a native program);
 *       exit 0 marks the container started, {@code failureThreshold} failures in a row kill it
 *       (Events Unhealthy, Killing "failed startup probe, will be restarted") and its restart
 *       policy decides. Other probe kinds, readiness and liveness probes are not run.
 *   <li>Environment from literals, {@code secretKeyRef}, {@code configMapKeyRef}, {@code envFrom},
 *       {@code fieldRef} and {@code resourceFieldRef}, read with the admin client. A missing
 *       Secret, ConfigMap or key leaves the container waiting with {@code
 *       CreateContainerConfigError} and the kubelet's message ({@code secret "x" not found}, {@code
 *       couldn't find key password in Secret ns/x}); it starts once the object appears. A mapped
 *       image with an unmapped command fails with {@code CreateContainerError}, as a missing
 *       executable does under CRI-O.
 *   <li>{@code configMap} and {@code secret} volumes are directories under the pod's own directory;
 *       {@code emptyDir} volumes (mode 0777) are under a short directory of the agent's, {@code
 *       /tmp/na-<6 hex digits>/<pod number>/<volume number>}, because a Unix socket path holds at
 *       most 107 bytes and a program may put its socket in an emptyDir (PostgreSQL's {@code
 *       unix_socket_directories}), which a directory under the build's work directory would not
 *       allow. A process gets every path under a mount (in env values, the image's env, command and
 *       args, also after {@code --flag=} or {@code name=}) rewritten to it, its termination message
 *       path to a file of its own, and {@code /tmp} (when mounted) as {@code TMPDIR} and {@code
 *       java.io.tmpdir}. What the process writes (its output, its termination message) gets those
 *       directories back as the mount paths, so a message reads as in a cluster ({@code
 *       /migrations/...}, never the agent's directories).
 *   <li>On exit: exit code, reason ({@code Completed}, {@code Error}), the termination message (at
 *       most 4096 bytes of the file; the log's tail with {@code FallbackToLogsOnError}). Phases
 *       Pending, Running, Succeeded, Failed per {@code restartPolicy} (restarts with the kubelet's
 *       back-off), conditions PodReadyToStartContainers, Initialized, ContainersReady and Ready; a
 *       regular container waits with PodInitializing while init containers run. A container is
 *       ready while it runs once started.
 *   <li>Deletion: SIGTERM, the pod's grace period, SIGKILL, the final status, then the pod object
 *       is deleted with grace period 0.
 *   <li>Deletion stops the regular containers first, then the sidecars, the last first.
 *   <li>Events: Started, Failed, FailedMount, Killing, Unhealthy; an init container's have the
 *       field path {@code spec.initContainers{name}}.
 * </ul>
 *
 * <p>The node itself stays as {@link LocalControlPlane} registered it: Ready, with the node
 * lifecycle controller off, so no heartbeat is needed. {@code kubectl logs} and {@code exec} do not
 * work (no kubelet API); each container's output is a file under {@link #logDirectory()}, laid out
 * as the kubelet's {@code /var/log/pods}: {@code
 * <namespace>_<pod>_<uid>/<container>/<restart>.log}.
 */
public final class NodeAgent implements AutoCloseable {

  /** The node's address, and every pod's: processes share the host's network. */
  static final String NODE_IP = "127.0.0.1";

  private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
  private static final long STOP_GRACE_SECONDS = 5;

  private final KubernetesClient client;
  private final String nodeName;
  private final List<ImageCommand> commands;
  private final Path podsDirectory;
  private final Path logDirectory;
  private final Path emptyDirBase;
  private final AtomicInteger emptyDirs = new AtomicInteger();
  private final Map<String, PodRunner> runners = new ConcurrentHashMap<>();
  private final Map<String, Thread> threads = new ConcurrentHashMap<>();
  private final Set<String> finished = ConcurrentHashMap.newKeySet();
  private SharedIndexInformer<Pod> informer;
  private volatile boolean closed;

  private NodeAgent(
      KubernetesClient client,
      String nodeName,
      List<ImageCommand> commands,
      Path podsDirectory,
      Path logDirectory) {
    this.client = client;
    this.nodeName = nodeName;
    this.commands = List.copyOf(commands);
    this.podsDirectory = podsDirectory;
    this.logDirectory = logDirectory;
    this.emptyDirBase = shortDirectory();
  }

  /**
   * A directory for the emptyDirs of this agent's pods, {@code /tmp/na-<6 hex digits>}: short, so
   * that a socket in an emptyDir ({@code /tmp/na-1a2b3c/12/0/.s.PGSQL.5432}) stays within the 107
   * bytes of a Unix socket path, which {@code podsDirectory} (under a build's work directory) does
   * not.
   */
  private static Path shortDirectory() {
    HexFormat hex = HexFormat.of();
    byte[] id = new byte[3];
    while (true) {
      ThreadLocalRandom.current().nextBytes(id);
      Path directory = Path.of("/tmp", "na-" + hex.formatHex(id));
      try {
        Files.createDirectory(directory);
        return directory;
      } catch (FileAlreadyExistsException e) {
        // Another agent's; try another name.
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * Starts an agent for the control plane's node; closing the control plane's API server closes it
   * first. Pod directories go under the run's work directory, container logs under its log
   * directory ({@code pods/}).
   */
  public static NodeAgent start(LocalControlPlane controlPlane, List<ImageCommand> commands) {
    KubeApiServer apiServer = controlPlane.apiServer();
    NodeAgent agent =
        start(
            apiServer.newClient(),
            controlPlane.nodeName(),
            commands,
            apiServer.workDirectory().resolve("node-agent"),
            apiServer.logDirectory().resolve("pods"));
    apiServer.closeBefore(agent);
    return agent;
  }

  /**
   * Starts an agent with its own client (closed with the agent) for the named node.
   *
   * @param podsDirectory where each pod gets its directory (volumes, termination files), removed
   *     when the pod goes
   * @param logDirectory where container output is kept
   */
  public static NodeAgent start(
      KubernetesClient client,
      String nodeName,
      List<ImageCommand> commands,
      Path podsDirectory,
      Path logDirectory) {
    try {
      Files.createDirectories(podsDirectory);
      Files.createDirectories(logDirectory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    NodeAgent agent = new NodeAgent(client, nodeName, commands, podsDirectory, logDirectory);
    agent.informer =
        client
            .pods()
            .inAnyNamespace()
            .withField("spec.nodeName", nodeName)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    agent.dispatch(pod);
                  }

                  @Override
                  public void onUpdate(Pod before, Pod pod) {
                    agent.dispatch(pod);
                  }

                  @Override
                  public void onDelete(Pod pod, boolean finalStateUnknown) {
                    PodRunner runner = agent.runners.get(pod.getMetadata().getUid());
                    if (runner != null) {
                      runner.gone();
                    }
                  }
                },
                0);
    LOG.info("node agent for node {} started; container logs in {}", nodeName, logDirectory);
    return agent;
  }

  /** The host command lines the agent runs the images under test with. */
  public List<ImageCommand> imageCommands() {
    return commands;
  }

  /** Where container output is kept: {@code <namespace>_<pod>_<uid>/<container>/<n>.log}. */
  public Path logDirectory() {
    return logDirectory;
  }

  /** The process a container of a pod runs now, if it runs one (placeholders do not). */
  public Optional<ProcessHandle> process(String namespace, String pod, String container) {
    return runners.values().stream()
        .filter(runner -> runner.namespace().equals(namespace) && runner.name().equals(pod))
        .map(runner -> runner.process(container))
        .flatMap(Optional::stream)
        .findFirst();
  }

  /** Stops watching and stops every container process: SIGTERM, a short grace, SIGKILL. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (informer != null) {
      informer.stop();
    }
    List<Process> processes = new ArrayList<>();
    for (PodRunner runner : runners.values()) {
      runner.stop();
    }
    for (Thread thread : threads.values()) {
      try {
        // A runner may be inside a step (a status write, a pod's own grace period); not for long.
        thread.join(TimeUnit.SECONDS.toMillis(STOP_GRACE_SECONDS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (PodRunner runner : runners.values()) {
      processes.addAll(runner.processes());
    }
    for (Process process : processes) {
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_GRACE_SECONDS);
    for (Process process : processes) {
      try {
        if (!process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly().waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
    client.close();
    PostgresBinaries.deleteRecursively(emptyDirBase);
    LOG.info(
        "node agent for node {} stopped ({} container processes stopped)",
        nodeName,
        processes.size());
  }

  KubernetesClient client() {
    return client;
  }

  Path podsDirectory() {
    return podsDirectory;
  }

  /** A new directory for one pod's emptyDirs, under the agent's short base (created on use). */
  Path newEmptyDirDirectory() {
    return emptyDirBase.resolve(String.valueOf(emptyDirs.incrementAndGet()));
  }

  /** A mapping of the image, if it is one under test. */
  Optional<ImageCommand> projectImage(String image) {
    return commands.stream().filter(c -> c.image().equals(image)).findFirst();
  }

  /** The mapping of an image's command, if there is one. */
  Optional<ImageCommand> imageCommand(String image, String command) {
    return commands.stream()
        .filter(c -> c.image().equals(image) && c.command().equals(command))
        .findFirst();
  }

  /** The runner of a pod is done: the pod is gone, or deleted and its containers stopped. */
  void finished(String uid) {
    finished.add(uid);
    runners.remove(uid);
    threads.remove(uid);
  }

  private void dispatch(Pod pod) {
    String uid = pod.getMetadata().getUid();
    if (closed || finished.contains(uid)) {
      return;
    }
    runners
        .computeIfAbsent(
            uid,
            key -> {
              PodRunner runner = new PodRunner(this, pod);
              Thread thread =
                  new Thread(
                      runner,
                      "node-agent-"
                          + pod.getMetadata().getNamespace()
                          + "/"
                          + pod.getMetadata().getName());
              thread.setDaemon(true);
              threads.put(key, thread);
              thread.start();
              return runner;
            })
        .update(pod);
  }

  /** Records an Event about a pod (or one of its containers) as the kubelet does. */
  void recordEvent(Pod pod, Container container, String reason, String message) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    boolean warning =
        reason.startsWith("Failed") || "BackOff".equals(reason) || "Unhealthy".equals(reason);
    boolean init =
        container != null
            && pod.getSpec().getInitContainers() != null
            && pod.getSpec().getInitContainers().stream()
                .anyMatch(c -> c.getName().equals(container.getName()));
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withName(
                pod.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
            .withNamespace(pod.getMetadata().getNamespace())
            .endMetadata()
            .withInvolvedObject(
                new ObjectReferenceBuilder()
                    .withApiVersion("v1")
                    .withKind("Pod")
                    .withNamespace(pod.getMetadata().getNamespace())
                    .withName(pod.getMetadata().getName())
                    .withUid(pod.getMetadata().getUid())
                    .withFieldPath(
                        container == null
                            ? null
                            : (init ? "spec.initContainers{" : "spec.containers{")
                                + container.getName()
                                + "}")
                    .build())
            .withReason(reason)
            .withMessage(message)
            .withType(warning ? "Warning" : "Normal")
            .withNewSource()
            .withComponent("kubelet")
            .withHost(nodeName)
            .endSource()
            .withReportingComponent("kubelet")
            .withReportingInstance(nodeName)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .build();
    try {
      client.v1().events().inNamespace(pod.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      LOG.debug(
          "event {} for pod {} not recorded: {}",
          reason,
          pod.getMetadata().getName(),
          e.getMessage());
    }
  }
}
