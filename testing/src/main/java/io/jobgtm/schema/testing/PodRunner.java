package io.jobgtm.schema.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateTerminatedBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HostIP;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodReadinessGate;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one pod bound to the {@link NodeAgent}'s node, the way a kubelet's pod worker does, on a
 * thread of its own: set up its volumes, run its init containers one after the other, then its
 * containers; restart them per {@code restartPolicy}; report phase, conditions and container states
 * in the pod's status; on deletion stop the containers within the grace period and remove the pod.
 *
 * <p>Native sidecars (an init container with {@code restartPolicy: Always}, KEP-753): started in
 * their turn, the next container waits until the sidecar is started (its exec {@code startupProbe}
 * succeeded, or at once without one); restarted whenever they exit; once every regular container of
 * a {@code Never}/{@code OnFailure} pod has ended for good they get SIGTERM, and the phase counts
 * the regular containers only.
 *
 * <p>Each step recomputes the status from what the containers do and writes it when it changed; a
 * write that conflicts is simply redone on the next step (the informer delivers the newer pod).
 */
final class PodRunner implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(PodRunner.class);

  /** The kubelet's limits: 4096 bytes from the file, 80 lines or 2048 bytes from the log. */
  private static final int MAX_TERMINATION_MESSAGE = 4096;

  private static final int FALLBACK_LOG_LINES = 80;
  private static final int FALLBACK_LOG_BYTES = 2048;
  private static final Duration STEP = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
  private static final Duration INITIAL_BACKOFF = Duration.ofSeconds(10);
  private static final Duration OUTPUT_DRAIN = Duration.ofSeconds(2);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
  private static final Set<String> OWN_CONDITIONS =
      Set.of("PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready");

  private final NodeAgent agent;
  private final String uid;
  private final Path podDirectory;
  private final Path emptyDirDirectory;
  private final Path logDirectory;
  private final BlockingQueue<Boolean> wakeups = new LinkedBlockingQueue<>();
  private final List<ContainerRun> initContainers = new ArrayList<>();
  private final List<ContainerRun> containers = new ArrayList<>();
  private final Map<String, String> reportedProblems = new LinkedHashMap<>();

  private volatile Pod latest;
  private volatile boolean gone;
  private volatile boolean stopped;
  private Map<String, Path> volumes;
  private String volumeProblem;
  private String startTime;
  private PodStatus lastWritten;
  private boolean initialized;

  PodRunner(NodeAgent agent, Pod pod) {
    this.agent = agent;
    this.uid = pod.getMetadata().getUid();
    this.latest = pod;
    String key = pod.getMetadata().getNamespace() + "_" + pod.getMetadata().getName() + "_" + uid;
    this.podDirectory = agent.podsDirectory().resolve(key);
    this.emptyDirDirectory = agent.newEmptyDirDirectory();
    this.logDirectory = agent.logDirectory().resolve(key);
    if (pod.getSpec().getInitContainers() != null) {
      pod.getSpec().getInitContainers().forEach(c -> initContainers.add(new ContainerRun(c, true)));
    }
    pod.getSpec().getContainers().forEach(c -> containers.add(new ContainerRun(c, false)));
  }

  String namespace() {
    return latest.getMetadata().getNamespace();
  }

  String name() {
    return latest.getMetadata().getName();
  }

  /** The pod as the API server last showed it. */
  void update(Pod pod) {
    latest = pod;
    wakeups.offer(Boolean.TRUE);
  }

  /** The pod object is gone from the API server (force-deleted): stop everything now. */
  void gone() {
    gone = true;
    wakeups.offer(Boolean.TRUE);
  }

  /** The running process of a container, if it has one now. */
  Optional<ProcessHandle> process(String container) {
    return Stream.concat(initContainers.stream(), containers.stream())
        .filter(run -> run.container.getName().equals(container))
        .map(run -> run.process)
        .filter(process -> process != null && process.isAlive())
        .map(Process::toHandle)
        .findFirst();
  }

  /** The processes running now, for the agent's shutdown. */
  List<Process> processes() {
    return Stream.concat(initContainers.stream(), containers.stream())
        .map(run -> run.process)
        .filter(p -> p != null && p.isAlive())
        .toList();
  }

  /** The agent stops: no more steps, no more writes; the agent kills the processes. */
  void stop() {
    stopped = true;
    wakeups.offer(Boolean.TRUE);
  }

  @Override
  public void run() {
    try {
      while (!stopped) {
        boolean finished;
        try {
          finished = step();
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409) {
            LOG.warn("pod {}/{}: {}", namespace(), name(), e.getMessage());
          }
          finished = false;
        } catch (RuntimeException e) {
          LOG.warn("pod {}/{}: step failed", namespace(), name(), e);
          finished = false;
        }
        if (finished) {
          agent.finished(uid);
          return;
        }
        wakeups.poll(STEP.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One pass of the pod worker.
   *
   * @return true when the pod is done here: deleted, its containers stopped
   */
  private synchronized boolean step() {
    Pod pod = latest;
    collectExits();
    if (gone) {
      stopContainers(Duration.ofSeconds(2));
      cleanUp();
      return true;
    }
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      long grace =
          Objects.requireNonNullElse(pod.getMetadata().getDeletionGracePeriodSeconds(), 30L);
      stopContainers(Duration.ofSeconds(grace));
      writeStatus(pod, true);
      // As the kubelet does once the containers are gone: the object goes, finalizers permitting.
      agent.client().pods().inNamespace(namespace()).withName(name()).withGracePeriod(0).delete();
      cleanUp();
      return true;
    }
    if (startTime == null) {
      startTime = now();
    }
    String phase = phase(pod);
    if (!"Succeeded".equals(phase) && !"Failed".equals(phase)) {
      probe(pod);
      advance(pod);
    } else {
      // The regular containers are done for good: the kubelet then stops the sidecars, last first.
      List<ContainerRun> sidecars =
          initContainers.stream().filter(run -> run.sidecar && run.running()).toList();
      if (!sidecars.isEmpty()) {
        stop(reversed(sidecars), terminationGrace(pod));
      }
    }
    writeStatus(pod, false);
    return false;
  }

  private static List<ContainerRun> reversed(List<ContainerRun> runs) {
    List<ContainerRun> reversed = new ArrayList<>(runs);
    Collections.reverse(reversed);
    return reversed;
  }

  private static Duration terminationGrace(Pod pod) {
    return Duration.ofSeconds(
        Objects.requireNonNullElse(pod.getSpec().getTerminationGracePeriodSeconds(), 30L));
  }

  /**
   * Runs the due {@code startupProbe}s: an exec probe runs the command the container's image maps
   * for it ({@link NodeAgent#imageCommand}), with the container's environment and mounts; exit 0
   * marks the container started, {@code failureThreshold} failures in a row kill it, to be
   * restarted as its restart policy says.
   */
  private void probe(Pod pod) {
    for (ContainerRun run : allContainers()) {
      Probe probe = run.container.getStartupProbe();
      if (run.process == null || run.started || run.killed || System.nanoTime() < run.nextProbeAt) {
        continue;
      }
      run.nextProbeAt =
          System.nanoTime()
              + TimeUnit.SECONDS.toNanos(
                  Objects.requireNonNullElse(probe.getPeriodSeconds(), 10).longValue());
      String failure = execProbe(run, probe);
      if (failure == null) {
        run.started = true;
        run.probeFailures = 0;
        LOG.info("pod {}/{}: container {} started", namespace(), name(), run.container.getName());
        continue;
      }
      run.probeFailures++;
      report(pod, run.container, "Unhealthy", "Startup probe failed: " + failure);
      if (run.probeFailures >= Objects.requireNonNullElse(probe.getFailureThreshold(), 3)) {
        report(
            pod,
            run.container,
            "Killing",
            "Container " + run.container.getName() + " failed startup probe, will be restarted");
        run.killed = true;
        kill(run.process, terminationGrace(pod));
      }
    }
  }

  /** Runs an exec probe's command: null when it succeeded, else what the kubelet would say. */
  private String execProbe(ContainerRun run, Probe probe) {
    List<String> command = probe.getExec().getCommand();
    if (command == null || command.isEmpty()) {
      return "no command";
    }
    Optional<ImageCommand> mapped = agent.imageCommand(run.container.getImage(), command.get(0));
    if (mapped.isEmpty()) {
      return "exec: \""
          + command.get(0)
          + "\": executable file not found in $PATH (not mapped to a local command by the node"
          + " agent)";
    }
    List<String> argv = new ArrayList<>(mapped.get().hostCommand());
    command.stream().skip(1).map(run.mounts::rewrite).forEach(argv::add);
    // The kubelet's timeout, at least PROBE_TIMEOUT: a host command may be a JVM standing in for
    // a native program (pg_isready), slower to start than an exec into a running container.
    long timeout =
        Math.max(
            Objects.requireNonNullElse(probe.getTimeoutSeconds(), 1).longValue(),
            PROBE_TIMEOUT.toSeconds());
    try {
      ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
      builder.environment().clear();
      builder.environment().putAll(run.processEnvironment);
      Process process = builder.start();
      if (!process.waitFor(timeout, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return "command timed out after " + timeout + "s";
      }
      String output =
          new String(process.getInputStream().readNBytes(1024), StandardCharsets.UTF_8).trim();
      return process.exitValue() == 0 ? null : run.mounts.containerView(output);
    } catch (IOException e) {
      return e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** SIGTERM now, SIGKILL after the grace period if it still runs; does not wait. */
  private static void kill(Process process, Duration grace) {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    CompletableFuture.delayedExecutor(grace.toMillis(), TimeUnit.MILLISECONDS)
        .execute(
            () -> {
              if (process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
              }
            });
  }

  /** Starts, restarts or waits for containers, as far as the pod's state allows now. */
  private void advance(Pod pod) {
    if (volumes == null) {
      try {
        volumes =
            PodVolumes.prepare(
                agent.client(), pod, podDirectory.resolve("volumes"), emptyDirDirectory);
        volumeProblem = null;
      } catch (PodVolumes.NotReady e) {
        volumeProblem = e.getMessage();
        report(pod, null, "FailedMount", e.getMessage());
        return;
      }
    }
    for (ContainerRun run : initContainers) {
      if (run.sidecar) {
        if (!run.running()) {
          if (run.terminated != null) {
            restartAfterBackoff(pod, run);
          } else {
            start(pod, run);
          }
        }
        // Before the pod is initialized, the next container waits for this one to be started.
        if (run.running() && run.started || initialized) {
          continue;
        }
        return;
      }
      if (run.succeeded()) {
        continue;
      }
      if (!run.running()) {
        if (run.terminated != null) {
          if (!restartable(pod, run.terminated.getExitCode())) {
            return;
          }
          restartAfterBackoff(pod, run);
        } else {
          start(pod, run);
        }
      }
      return;
    }
    initialized = true;
    for (ContainerRun run : containers) {
      if (run.running()) {
        continue;
      }
      if (run.terminated != null) {
        if (restartable(pod, run.terminated.getExitCode())) {
          restartAfterBackoff(pod, run);
        }
      } else {
        start(pod, run);
      }
    }
  }

  private static boolean restartable(Pod pod, int exitCode) {
    String policy = Objects.requireNonNullElse(pod.getSpec().getRestartPolicy(), "Always");
    return "Always".equals(policy) || ("OnFailure".equals(policy) && exitCode != 0);
  }

  /** CrashLoopBackOff: 10 s, doubling, at most 5 minutes, as the kubelet does. */
  private void restartAfterBackoff(Pod pod, ContainerRun run) {
    long now = System.nanoTime();
    if (run.restartAt == 0) {
      long factor = 1L << Math.min(run.restartCount, 5);
      Duration backoff = INITIAL_BACKOFF.multipliedBy(factor);
      run.restartAt = now + (backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff).toNanos();
      run.backoffMessage =
          "back-off "
              + (backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff).toSeconds()
              + "s restarting failed container="
              + run.container.getName()
              + " pod="
              + name()
              + "_"
              + namespace()
              + "("
              + uid
              + ")";
      return;
    }
    if (now < run.restartAt) {
      return;
    }
    run.lastTerminated = run.terminated;
    run.terminated = null;
    run.restartAt = 0;
    run.backoffMessage = null;
    run.restartCount++;
    start(pod, run);
  }

  private void start(Pod pod, ContainerRun run) {
    Container container = run.container;
    Map<String, String> env;
    try {
      env = ContainerEnvironment.resolve(agent.client(), pod, container);
    } catch (ContainerEnvironment.ConfigError e) {
      run.waiting("CreateContainerConfigError", e.getMessage());
      report(pod, container, "Failed", "Error: " + e.getMessage());
      return;
    }
    if (agent.projectImage(container.getImage()).isEmpty()) {
      run.startPlaceholder(now());
      report(pod, container, "Started", "Started container " + container.getName());
      LOG.info(
          "pod {}/{}: container {} ({}) runs as a placeholder",
          namespace(),
          name(),
          container.getName(),
          container.getImage());
      return;
    }
    List<String> command = container.getCommand() == null ? List.of() : container.getCommand();
    Optional<ImageCommand> mapped =
        agent.imageCommand(
            container.getImage(), command.isEmpty() ? ImageCommand.ENTRYPOINT : command.get(0));
    if (mapped.isEmpty()) {
      String executable = command.isEmpty() ? "(the image's entrypoint)" : command.get(0);
      run.waiting(
          "CreateContainerError",
          "container create failed: exec: \""
              + executable
              + "\": stat "
              + executable
              + ": no such file or directory (not mapped to a local command by the node agent)");
      report(pod, container, "Failed", "Error: " + run.waitingMessage);
      return;
    }
    try {
      run.process = launch(pod, run, mapped.get(), env, command);
    } catch (IOException e) {
      run.waiting("RunContainerError", "failed to start container: " + e.getMessage());
      report(pod, container, "Failed", "Error: " + run.waitingMessage);
      return;
    }
    run.startedAt = now();
    run.containerId = "local-process://" + run.process.pid();
    run.waitingReason = null;
    run.killed = false;
    run.probeFailures = 0;
    Probe probe = container.getStartupProbe();
    // Only exec probes run here; without one (or with another kind) the container is started now.
    run.started = probe == null || probe.getExec() == null;
    run.nextProbeAt =
        System.nanoTime()
            + TimeUnit.SECONDS.toNanos(
                Objects.requireNonNullElse(probe == null ? null : probe.getInitialDelaySeconds(), 0)
                    .longValue());
    run.process.onExit().thenRun(() -> wakeups.offer(Boolean.TRUE));
    LOG.info(
        "pod {}/{}: container {} started as pid {}",
        namespace(),
        name(),
        container.getName(),
        run.process.pid());
    report(pod, container, "Started", "Started container " + container.getName());
  }

  private Process launch(
      Pod pod, ContainerRun run, ImageCommand image, Map<String, String> env, List<String> command)
      throws IOException {
    Container container = run.container;
    Path containerDirectory = podDirectory.resolve("containers").resolve(container.getName());
    Files.createDirectories(containerDirectory);
    run.terminationFile = containerDirectory.resolve("termination-log");
    Files.write(run.terminationFile, new byte[0]);
    PodVolumes.Mounts mounts =
        PodVolumes.Mounts.of(
            container, volumes, run.terminationFile, List.of(podDirectory, emptyDirDirectory));
    run.mounts = mounts;

    Map<String, String> processEnv = new LinkedHashMap<>();
    processEnv.put("PATH", Objects.requireNonNullElse(System.getenv("PATH"), "/usr/bin:/bin"));
    processEnv.put("HOSTNAME", pod.getMetadata().getName());
    image.environment().forEach((key, value) -> processEnv.put(key, mounts.rewrite(value)));
    env.forEach((key, value) -> processEnv.put(key, mounts.rewrite(value)));
    Optional<Path> tmp = mounts.hostPath("/tmp");
    if (tmp.isPresent()) {
      // The container's /tmp is its emptyDir; a JVM reads java.io.tmpdir, not TMPDIR.
      processEnv.put("TMPDIR", tmp.get().toString());
      processEnv.computeIfPresent(
          "JAVA_TOOL_OPTIONS", (key, value) -> value + " -Djava.io.tmpdir=" + tmp.get());
    }

    List<String> argv = new ArrayList<>(image.hostCommand());
    command.stream()
        .skip(1)
        .map(arg -> mounts.rewrite(ContainerEnvironment.expand(arg, env)))
        .forEach(argv::add);
    if (container.getArgs() != null) {
      container.getArgs().stream()
          .map(arg -> mounts.rewrite(ContainerEnvironment.expand(arg, env)))
          .forEach(argv::add);
    }
    Path workingDirectory =
        Optional.ofNullable(container.getWorkingDir())
            .flatMap(mounts::hostPath)
            .or(() -> tmp)
            .orElse(containerDirectory);

    Path log = logDirectory.resolve(container.getName()).resolve(run.restartCount + ".log");
    Files.createDirectories(log.getParent());
    run.log = log;
    Files.writeString(log, "$ " + String.join(" ", argv) + "\n");
    ProcessBuilder builder =
        new ProcessBuilder(argv).directory(workingDirectory.toFile()).redirectErrorStream(true);
    builder.environment().clear();
    builder.environment().putAll(processEnv);
    run.processEnvironment = Map.copyOf(processEnv);
    Process process = builder.start();
    run.output = copyOutput(process, log, mounts);
    return process;
  }

  /**
   * Appends the process's output to its log line by line, as the container would have written it
   * ({@link PodVolumes.Mounts#containerView}); ends when the output closes.
   */
  private Thread copyOutput(Process process, Path log, PodVolumes.Mounts mounts) {
    Thread copier =
        new Thread(
            () -> {
              try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                  Writer out =
                      Files.newBufferedWriter(
                          log, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                  out.write(mounts.containerView(line));
                  out.write('\n');
                  out.flush();
                }
              } catch (IOException e) {
                LOG.debug("output of pod {}/{} ended: {}", namespace(), name(), e.getMessage());
              }
            },
            "output-" + name() + "-" + process.pid());
    copier.setDaemon(true);
    copier.start();
    return copier;
  }

  /** Turns exited processes into terminated container states. */
  private void collectExits() {
    for (ContainerRun run : allContainers()) {
      if (run.process != null && !run.process.isAlive()) {
        int exitCode = run.process.exitValue();
        awaitOutput(run);
        run.terminated(exitCode, terminationMessage(run, exitCode), now());
        run.process = null;
        LOG.info(
            "pod {}/{}: container {} exited with code {}",
            namespace(),
            name(),
            run.container.getName(),
            exitCode);
      }
    }
  }

  /**
   * Stops the pod's containers within the grace period, the regular ones first, then the sidecars
   * in reverse order, as the kubelet does since sidecars exist.
   */
  private void stopContainers(Duration grace) {
    long deadline = System.nanoTime() + grace.toNanos();
    stop(
        Stream.concat(initContainers.stream().filter(run -> !run.sidecar), containers.stream())
            .toList(),
        grace);
    stop(
        reversed(initContainers.stream().filter(run -> run.sidecar).toList()),
        Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
  }

  /**
   * SIGTERM to every process of {@code runs}, SIGKILL to those still running after the grace
   * period; placeholders stop at once.
   */
  private void stop(List<ContainerRun> runs, Duration grace) {
    List<ContainerRun> running = runs.stream().filter(ContainerRun::running).toList();
    if (running.isEmpty()) {
      return;
    }
    for (ContainerRun run : running) {
      report(latest, run.container, "Killing", "Stopping container " + run.container.getName());
      if (run.process != null) {
        run.process.descendants().forEach(ProcessHandle::destroy);
        run.process.destroy();
      }
    }
    long deadline = System.nanoTime() + grace.toNanos();
    for (ContainerRun run : running) {
      if (run.process == null) {
        run.terminated(0, "", now());
        run.placeholderRunning = false;
        continue;
      }
      try {
        long left = Math.max(0, deadline - System.nanoTime());
        if (!run.process.waitFor(left, TimeUnit.NANOSECONDS)) {
          run.process.descendants().forEach(ProcessHandle::destroyForcibly);
          run.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        run.process.destroyForcibly();
      }
    }
    collectExits();
  }

  /**
   * Lets the copier write the end of the output before the log is read for the termination message;
   * bounded, since a process's children may hold its output open after it exits.
   */
  private static void awaitOutput(ContainerRun run) {
    if (run.output == null) {
      return;
    }
    try {
      run.output.join(OUTPUT_DRAIN.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String terminationMessage(ContainerRun run, int exitCode) {
    String message = "";
    if (run.terminationFile != null && Files.exists(run.terminationFile)) {
      try (InputStream in = Files.newInputStream(run.terminationFile)) {
        message =
            run.mounts.containerView(
                new String(in.readNBytes(MAX_TERMINATION_MESSAGE), StandardCharsets.UTF_8));
      } catch (IOException e) {
        LOG.debug("cannot read {}", run.terminationFile, e);
      }
    }
    if (message.isEmpty()
        && exitCode != 0
        && "FallbackToLogsOnError".equals(run.container.getTerminationMessagePolicy())
        && run.log != null) {
      try {
        List<String> lines = Files.readAllLines(run.log);
        String tail =
            String.join(
                "\n", lines.subList(Math.max(0, lines.size() - FALLBACK_LOG_LINES), lines.size()));
        byte[] bytes = tail.getBytes(StandardCharsets.UTF_8);
        message =
            bytes.length <= FALLBACK_LOG_BYTES
                ? tail
                : new String(
                    bytes,
                    bytes.length - FALLBACK_LOG_BYTES,
                    FALLBACK_LOG_BYTES,
                    StandardCharsets.UTF_8);
      } catch (IOException | UncheckedIOException e) {
        LOG.debug("cannot read {}", run.log, e);
      }
    }
    return message;
  }

  /** The pod's phase, as the kubelet's getPhase computes it. */
  private String phase(Pod pod) {
    String policy = Objects.requireNonNullElse(pod.getSpec().getRestartPolicy(), "Always");
    int pendingSidecars = 0;
    for (ContainerRun run : initContainers) {
      if (run.sidecar) {
        // A sidecar never decides the phase, but holds the pod Pending until it is started.
        if (!initialized && !(run.running() && run.started)) {
          pendingSidecars++;
        }
        continue;
      }
      if (run.succeeded()) {
        continue;
      }
      if (run.terminated != null && "Never".equals(policy)) {
        return "Failed";
      }
      return "Pending";
    }
    int running = 0;
    int waiting = 0;
    int stopped = 0;
    int succeeded = 0;
    for (ContainerRun run : containers) {
      if (run.running()) {
        running++;
      } else if (run.terminated != null) {
        stopped++;
        if (run.terminated.getExitCode() == 0) {
          succeeded++;
        }
      } else if (run.lastTerminated != null) {
        stopped++;
      } else {
        waiting++;
      }
    }
    if (waiting > 0 || (pendingSidecars > 0 && stopped != containers.size())) {
      return "Pending";
    }
    if (running > 0) {
      return "Running";
    }
    if (stopped == containers.size()) {
      return switch (policy) {
        case "Always" -> "Running";
        case "OnFailure" -> succeeded == stopped ? "Succeeded" : "Running";
        default -> succeeded == stopped ? "Succeeded" : "Failed";
      };
    }
    return "Pending";
  }

  /** Writes the status when it differs from the last one written. */
  private void writeStatus(Pod pod, boolean deleting) {
    PodStatus status = status(pod, deleting);
    if (status.equals(lastWritten)) {
      return;
    }
    Pod updated =
        new Pod(pod.getApiVersion(), pod.getKind(), pod.getMetadata(), pod.getSpec(), status);
    agent.client().pods().inNamespace(namespace()).resource(updated).updateStatus();
    lastWritten = status;
  }

  private PodStatus status(Pod pod, boolean deleting) {
    String phase = phase(pod);
    if (deleting && !"Succeeded".equals(phase) && !"Failed".equals(phase)) {
      // A pod stopped for its deletion ends terminal, as the kubelet reports it since 1.27.
      phase =
          containers.stream()
                  .allMatch(run -> run.terminated != null && run.terminated.getExitCode() == 0)
              ? "Succeeded"
              : "Failed";
    }
    if (terminal(phase) && allContainers().stream().anyMatch(ContainerRun::running)) {
      // The kubelet reports a terminal phase only once every container, sidecars too, stopped.
      phase = "Running";
    }
    boolean terminal = terminal(phase);
    List<ContainerStatus> initStatuses =
        initContainers.stream().map(run -> run.status(volumeProblem, null)).toList();
    // While init containers run, a regular container waits with PodInitializing, as the kubelet
    // says.
    String notInitialized = initialized || volumes == null ? null : "PodInitializing";
    List<ContainerStatus> statuses =
        containers.stream().map(run -> run.status(volumeProblem, notInitialized)).toList();

    PodStatus previous = pod.getStatus() == null ? new PodStatus() : pod.getStatus();
    Map<String, PodCondition> conditions = new LinkedHashMap<>();
    if (previous.getConditions() != null) {
      previous.getConditions().forEach(c -> conditions.put(c.getType(), c));
    }
    String now = now();
    put(
        conditions,
        condition("PodReadyToStartContainers", volumes != null && !terminal, null, null, now));
    List<String> uninitialized =
        initialized
            ? List.of()
            : initContainers.stream()
                .filter(run -> run.sidecar ? !(run.running() && run.started) : !run.succeeded())
                .map(run -> run.container.getName())
                .toList();
    put(
        conditions,
        condition(
            "Initialized",
            uninitialized.isEmpty(),
            uninitialized.isEmpty() ? null : "ContainersNotInitialized",
            uninitialized.isEmpty()
                ? null
                : "containers with incomplete status: [" + String.join(" ", uninitialized) + "]",
            now));
    // Sidecars count for readiness, as regular containers do.
    List<String> unready =
        Stream.concat(initContainers.stream().filter(run -> run.sidecar), containers.stream())
            .filter(run -> !run.ready())
            .map(run -> run.container.getName())
            .toList();
    boolean containersReady = unready.isEmpty();
    String unreadyReason =
        "Succeeded".equals(phase) ? "PodCompleted" : containersReady ? null : "ContainersNotReady";
    String unreadyMessage =
        containersReady
            ? null
            : "containers with unready status: [" + String.join(" ", unready) + "]";
    put(
        conditions,
        condition("ContainersReady", containersReady, unreadyReason, unreadyMessage, now));
    List<String> gates = unsatisfiedReadinessGates(pod, conditions);
    boolean ready = containersReady && gates.isEmpty();
    put(
        conditions,
        condition(
            "Ready",
            ready,
            ready ? null : containersReady ? "ReadinessGatesNotReady" : unreadyReason,
            ready
                ? null
                : containersReady
                    ? "corresponding condition of pod readiness gate \""
                        + gates.get(0)
                        + "\" does not exist."
                    : unreadyMessage,
            now));

    List<PodCondition> ordered = new ArrayList<>(conditions.values());
    ordered.sort(Comparator.comparingInt(PodRunner::conditionOrder));
    return new PodStatusBuilder(previous)
        .withPhase(phase)
        .withConditions(ordered)
        .withHostIP(NodeAgent.NODE_IP)
        .withHostIPs(new HostIP(NodeAgent.NODE_IP))
        .withPodIP(NodeAgent.NODE_IP)
        .withPodIPs(new PodIP(NodeAgent.NODE_IP))
        .withStartTime(Objects.requireNonNullElse(previous.getStartTime(), startTime))
        .withInitContainerStatuses(initStatuses.isEmpty() ? null : initStatuses)
        .withContainerStatuses(statuses)
        .build();
  }

  private static boolean terminal(String phase) {
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private static List<String> unsatisfiedReadinessGates(
      Pod pod, Map<String, PodCondition> conditions) {
    List<PodReadinessGate> gates = pod.getSpec().getReadinessGates();
    if (gates == null) {
      return List.of();
    }
    return gates.stream()
        .map(PodReadinessGate::getConditionType)
        .filter(
            type ->
                conditions.get(type) == null || !"True".equals(conditions.get(type).getStatus()))
        .collect(Collectors.toList());
  }

  private static int conditionOrder(PodCondition condition) {
    int index =
        List.of(
                "PodReadyToStartContainers",
                "Initialized",
                "Ready",
                "ContainersReady",
                "PodScheduled")
            .indexOf(condition.getType());
    return index < 0 ? 100 : index;
  }

  /** Replaces an own condition, keeping its transition time while its status stays. */
  private static void put(Map<String, PodCondition> conditions, PodCondition condition) {
    PodCondition previous = conditions.get(condition.getType());
    if (previous != null && Objects.equals(previous.getStatus(), condition.getStatus())) {
      condition.setLastTransitionTime(previous.getLastTransitionTime());
    }
    conditions.put(condition.getType(), condition);
  }

  private static PodCondition condition(
      String type, boolean status, String reason, String message, String now) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status ? "True" : "False")
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime(now)
        .build();
  }

  /** An Event as the kubelet records it, once per distinct message and container. */
  private void report(Pod pod, Container container, String reason, String message) {
    String key = (container == null ? "" : container.getName()) + "/" + reason;
    if (message.equals(reportedProblems.put(key, message))) {
      return;
    }
    agent.recordEvent(pod, container, reason, message);
  }

  private void cleanUp() {
    for (Path directory : List.of(podDirectory, emptyDirDirectory)) {
      if (!Files.exists(directory)) {
        continue;
      }
      try (Stream<Path> paths = Files.walk(directory)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      } catch (IOException e) {
        LOG.debug("cannot remove {}", directory, e);
      }
    }
  }

  private List<ContainerRun> allContainers() {
    return Stream.concat(initContainers.stream(), containers.stream()).toList();
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** What one container does here: waiting, running (a process or a placeholder), terminated. */
  private static final class ContainerRun {
    final Container container;
    final boolean init;

    /** An init container with {@code restartPolicy: Always}: a native sidecar. */
    final boolean sidecar;

    volatile Process process;
    boolean started;
    boolean killed;
    int probeFailures;
    long nextProbeAt;
    Map<String, String> processEnvironment = Map.of();
    boolean placeholderRunning;
    String startedAt;
    String containerId;
    String waitingReason = "ContainerCreating";
    String waitingMessage;
    ContainerStateTerminated terminated;
    ContainerStateTerminated lastTerminated;
    int restartCount;
    long restartAt;
    String backoffMessage;
    Path terminationFile;
    Path log;
    PodVolumes.Mounts mounts;
    Thread output;

    ContainerRun(Container container, boolean init) {
      this.container = container;
      this.init = init;
      this.sidecar = init && "Always".equals(container.getRestartPolicy());
    }

    /** Ready while it runs once started: readiness probes are not run. */
    boolean ready() {
      return running() && started;
    }

    /** Running until its exit is collected, so that one step sees one consistent state. */
    boolean running() {
      return placeholderRunning || process != null;
    }

    boolean succeeded() {
      return terminated != null && terminated.getExitCode() == 0;
    }

    void waiting(String reason, String message) {
      waitingReason = reason;
      waitingMessage = message;
    }

    /** No process: a main container runs until stopped, an init container completes at once. */
    void startPlaceholder(String now) {
      startedAt = now;
      containerId = "placeholder://" + container.getName() + "/" + restartCount;
      waitingReason = null;
      started = true;
      if (init && !sidecar) {
        terminated(0, "", now);
      } else {
        placeholderRunning = true;
      }
    }

    void terminated(int exitCode, String message, String now) {
      terminated =
          new ContainerStateTerminatedBuilder()
              .withExitCode(exitCode)
              .withReason(exitCode == 0 ? "Completed" : "Error")
              .withMessage(message == null || message.isEmpty() ? null : message)
              .withStartedAt(startedAt)
              .withFinishedAt(now)
              .withContainerID(containerId)
              .build();
    }

    /**
     * @param initializing the waiting reason of a regular container that has not been created yet,
     *     while the pod's init containers run, or null
     */
    ContainerStatus status(String volumeProblem, String initializing) {
      ContainerState state;
      if (running()) {
        state =
            new ContainerStateBuilder()
                .withNewRunning()
                .withStartedAt(startedAt)
                .endRunning()
                .build();
      } else if (terminated != null && backoffMessage == null) {
        state = new ContainerStateBuilder().withTerminated(terminated).build();
      } else if (backoffMessage != null) {
        state =
            new ContainerStateBuilder()
                .withNewWaiting()
                .withReason("CrashLoopBackOff")
                .withMessage(backoffMessage)
                .endWaiting()
                .build();
      } else {
        state =
            new ContainerStateBuilder()
                .withNewWaiting()
                .withReason(
                    initializing != null && "ContainerCreating".equals(waitingReason)
                        ? initializing
                        : waitingReason == null ? "ContainerCreating" : waitingReason)
                .withMessage(
                    "ContainerCreating".equals(waitingReason) ? volumeProblem : waitingMessage)
                .endWaiting()
                .build();
      }
      ContainerStateTerminated last = backoffMessage != null ? terminated : lastTerminated;
      return new ContainerStatusBuilder()
          .withName(container.getName())
          .withImage(container.getImage())
          .withImageID(containerId == null ? "" : "local-image://" + container.getImage())
          .withContainerID(startedAt == null ? null : containerId)
          .withReady(ready())
          .withStarted(ready())
          .withRestartCount(restartCount)
          .withState(state)
          .withLastState(
              last == null
                  ? new ContainerState()
                  : new ContainerStateBuilder().withTerminated(last).build())
          .build();
    }
  }
}
