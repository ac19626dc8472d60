package io.jobgtm.schema.bench;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.operator.runtime.OperatorConfig;
import io.jobgtm.schema.operator.runtime.OperatorMain;
import io.jobgtm.schema.systemtests.Manifests;
import io.jobgtm.schema.systemtests.MigratorResults;
import io.jobgtm.schema.testing.KubeApiServer;
import io.jobgtm.schema.testing.KubernetesBinaries;
import io.jobgtm.schema.testing.LocalControlPlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Benchmarks of the operator's reaction, scale and memory on the local control plane (issue 8 parts
 * 3 to 5), for docs/benchmarks.md. A main, not a test: it measures, it asserts nothing.
 *
 * <pre>
 * bench/operator/run.sh reaction [n]                  # default 100
 * bench/operator/run.sh scale [n] [namespaces] [quiet seconds]   # default 1000 50 120
 * bench/operator/run.sh rss [levels...]               # default 0 100 1000
 * </pre>
 *
 * <p>No kubelet runs (no node agent): this class plays the kubelet as {@code SimulatedKubelet} does
 * in the *IT tests, terminating every migration pod with exit 0 and a success result document as
 * soon as its watch sees the pod. Every time is a client-side receipt time ({@link
 * System#nanoTime}) of a watch event in this JVM, because creationTimestamp and condition times
 * have a granularity of one second.
 */
public final class OperatorBenchmark {

  static final String IMAGE = "registry.test/schema-operator:bench";
  static final String COMPONENT = "app.kubernetes.io/component";
  static final String SV_LABEL = "schema.jobgtm.io/schemaversion";
  static final String GATED_FOR = "bench.schema.jobgtm.io/gated-for";

  private OperatorBenchmark() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "reaction";
    String[] rest = args.length > 1 ? Arrays.copyOfRange(args, 1, args.length) : new String[0];
    KubernetesBinaries binaries =
        KubernetesBinaries.configured().require(KubernetesBinaries.CONTROL_PLANE);
    // e.g. BENCH_KCM_FLAGS="--kube-api-qps=200 --kube-api-burst=400": a faster Job controller
    String kcmFlags = System.getenv().getOrDefault("BENCH_KCM_FLAGS", "").trim();
    System.out.printf(
        "%s: Java %s (%s), %d CPUs, Kubernetes %s, kube-controller-manager flags added: %s%n",
        mode,
        System.getProperty("java.version"),
        System.getProperty("java.vm.name"),
        Runtime.getRuntime().availableProcessors(),
        binaries.version(),
        kcmFlags.isEmpty() ? "none" : kcmFlags);
    long begin = System.nanoTime();
    try (KubeApiServer server = KubeApiServer.start(binaries)) {
      LocalControlPlane controlPlane =
          LocalControlPlane.start(
              server, kcmFlags.isEmpty() ? List.of() : List.of(kcmFlags.split("\\s+")));
      System.out.printf(
          "control plane ready in %d ms; logs %s%n",
          ms(System.nanoTime() - begin), server.logDirectory());
      Manifests.installCrd(controlPlane.client());
      switch (mode) {
        case "reaction" -> reaction(controlPlane, intArg(rest, 0, 100));
        case "scale" ->
            scale(controlPlane, intArg(rest, 0, 1000), intArg(rest, 1, 50), intArg(rest, 2, 120));
        case "rss" ->
            rss(
                controlPlane,
                rest.length == 0
                    ? new int[] {0, 100, 1000}
                    : Stream.of(rest).mapToInt(Integer::parseInt).toArray());
        default -> throw new IllegalArgumentException("mode: reaction | scale | rss, not " + mode);
      }
    }
    System.out.println("done; everything stopped");
    System.exit(0);
  }

  // ---------------------------------------------------------------------------------------------
  // Part 3: reaction times

  static void reaction(LocalControlPlane controlPlane, int n) throws Exception {
    KubernetesClient admin = controlPlane.client();
    String ns = "bench-reaction";
    namespaceWithInputs(admin, ns);
    CountingClient counting = CountingClient.create(controlPlane.kubeconfigYaml());
    try (OperatorMain operator = OperatorMain.start(counting.client, config());
        KubernetesClient watchClient = newClient(controlPlane.kubeconfigYaml());
        Tracker tracker = Tracker.start(watchClient)) {
      // warm-up: 5 resources not counted (first reconciliations load classes, JIT)
      int warmup = 5;
      List<Long> created2Job = new ArrayList<>();
      List<Long> done2Ready = new ArrayList<>();
      List<Long> ready2Gate = new ArrayList<>();
      List<Long> done2Gate = new ArrayList<>();
      List<Long> pod2Complete = new ArrayList<>();
      List<Long> complete2Ready = new ArrayList<>();
      List<Long> complete2Gate = new ArrayList<>();
      for (int i = 0; i < warmup + n; i++) {
        String name = (i < warmup ? "warm-" : "sv-") + String.format("%04d", i);
        String key = ns + "/" + name;
        admin.pods().inNamespace(ns).resource(gatedPod(name)).create();
        await(
            () -> tracker.gatedPodSeen.containsKey(key),
            Duration.ofSeconds(30),
            "gated pod " + key);
        Thread.sleep(20); // the operator's gated-pod informer receives the same event
        tracker.created.put(key, System.nanoTime());
        admin
            .resources(SchemaVersion.class)
            .inNamespace(ns)
            .resource(Manifests.exampleSchemaVersionOnItsOwnDatabase(name))
            .create();
        await(
            () -> tracker.gateRemoved.containsKey(key),
            Duration.ofSeconds(60),
            "gate removed " + key);
        if (i >= warmup) {
          Map<String, Map<String, Long>> all =
              Map.of(
                  "job", tracker.jobSeen,
                  "podDone", tracker.podDone,
                  "jobComplete", tracker.jobComplete,
                  "ready", tracker.ready,
                  "gateRemoved", tracker.gateRemoved);
          for (var entry : all.entrySet()) {
            await(
                () -> entry.getValue().containsKey(key),
                Duration.ofSeconds(10),
                entry.getKey() + " of " + key);
          }
          created2Job.add(tracker.jobSeen.get(key) - tracker.created.get(key));
          done2Ready.add(tracker.ready.get(key) - tracker.podDone.get(key));
          ready2Gate.add(tracker.gateRemoved.get(key) - tracker.ready.get(key));
          done2Gate.add(tracker.gateRemoved.get(key) - tracker.podDone.get(key));
          pod2Complete.add(tracker.jobComplete.get(key) - tracker.podDone.get(key));
          complete2Ready.add(tracker.ready.get(key) - tracker.jobComplete.get(key));
          complete2Gate.add(tracker.gateRemoved.get(key) - tracker.jobComplete.get(key));
        }
      }
      System.out.printf(
          "reaction over %d SchemaVersions, one at a time (after %d warm-up), ms:%n", n, warmup);
      System.out.println("  step                                   min / p50 / p95 / max");
      step("SV created -> Job seen", created2Job);
      step("Job pod Succeeded -> SV Ready", done2Ready);
      step("SV Ready -> gate removed", ready2Gate);
      step("Job pod Succeeded -> gate removed", done2Gate);
      System.out.println("  of which, Job controller and operator:");
      step("Job pod Succeeded -> Job Complete", pod2Complete);
      step("Job Complete -> SV Ready", complete2Ready);
      step("Job Complete -> gate removed", complete2Gate);
      System.out.printf(
          "operator requests: %s; reconciliations %s%n",
          counting.summary(), metric(operator.httpPort(), "schema_operator_reconciliations_total"));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Part 4: scale

  static void scale(LocalControlPlane controlPlane, int n, int namespaces, int quietSeconds)
      throws Exception {
    KubernetesClient admin = controlPlane.client();
    for (int i = 0; i < namespaces; i++) {
      namespaceWithInputs(admin, "bench-scale-" + i);
    }
    CountingClient counting = CountingClient.create(controlPlane.kubeconfigYaml());
    try (OperatorMain operator = OperatorMain.start(counting.client, config());
        KubernetesClient watchClient = newClient(controlPlane.kubeconfigYaml());
        Tracker tracker = Tracker.start(watchClient)) {
      Thread.sleep(2000);
      Map<String, Long> startup = counting.snapshot();
      System.out.printf("operator start-up requests (0 resources): %s%n", startup);
      counting.reset();
      long start = System.nanoTime();
      createAll(admin, n, namespaces, tracker);
      long createdAll = System.nanoTime();
      result("create all " + n + " SchemaVersions (8 threads)", seconds(createdAll - start), "s");
      await(() -> tracker.jobSeen.size() >= n, Duration.ofMinutes(8), "all Jobs");
      long lastJob =
          tracker.jobSeen.values().stream().mapToLong(Long::longValue).max().orElseThrow();
      await(() -> tracker.ready.size() >= n, Duration.ofMinutes(8), "all Ready");
      long lastReady =
          tracker.ready.values().stream().mapToLong(Long::longValue).max().orElseThrow();
      long lastDone =
          tracker.podDone.values().stream().mapToLong(Long::longValue).max().orElseThrow();
      Map<String, Long> work = counting.snapshot();
      counting.reset();
      List<Long> perDone2Ready = new ArrayList<>();
      List<Long> perCreated2Job = new ArrayList<>();
      List<Long> perComplete2Ready = new ArrayList<>();
      for (String key : tracker.ready.keySet()) {
        perDone2Ready.add(tracker.ready.get(key) - tracker.podDone.get(key));
        perCreated2Job.add(tracker.jobSeen.get(key) - tracker.created.get(key));
        Long complete = tracker.jobComplete.get(key);
        if (complete != null) {
          perComplete2Ready.add(tracker.ready.get(key) - complete);
        }
      }
      System.out.printf(
          "scale: %d SchemaVersions in %d namespaces, created at once%n", n, namespaces);
      result("first create -> all Jobs exist", seconds(lastJob - start), "s");
      result("first create -> all Ready", seconds(lastReady - start), "s");
      long lastComplete =
          tracker.jobComplete.values().stream().mapToLong(Long::longValue).max().orElse(lastReady);
      long firstDone =
          tracker.podDone.values().stream().mapToLong(Long::longValue).min().orElseThrow();
      result("first create -> first Job pod Succeeded", seconds(firstDone - start), "s");
      result("first create -> last Job pod Succeeded", seconds(lastDone - start), "s");
      result("last Job pod Succeeded -> all Ready", seconds(lastReady - lastDone), "s");
      result("last Job Complete -> all Ready", millis(lastReady - lastComplete), "ms");
      System.out.println("  per resource, ms                       min / p50 / p95 / max");
      step("SV created -> Job seen", perCreated2Job);
      step("Job pod Succeeded -> SV Ready", perDone2Ready);
      step("Job Complete -> SV Ready", perComplete2Ready);
      long total = work.getOrDefault("total", 0L);
      long writes = work.getOrDefault("writes", 0L);
      result("operator requests per resource until all Ready", (double) total / n, "");
      result("operator writes per resource until all Ready", (double) writes / n, "");
      System.out.printf("  by kind: %s%n", work);
      result(
          "reconciliations until all Ready",
          metric(operator.httpPort(), "schema_operator_reconciliations_total"),
          "");
      heap("heap right after all Ready");
      double reconBefore = metric(operator.httpPort(), "schema_operator_reconciliations_total");
      System.out.printf("quiet period: %d s, nothing changes ...%n", quietSeconds);
      Thread.sleep(quietSeconds * 1000L);
      Map<String, Long> quiet = counting.snapshot();
      System.out.printf("  quiet %d s, operator requests by kind: %s%n", quietSeconds, quiet);
      result("quiet period: operator writes", quiet.getOrDefault("writes", 0L), "");
      result("quiet period: operator requests", quiet.getOrDefault("total", 0L), "");
      result(
          "quiet period: reconciliations",
          metric(operator.httpPort(), "schema_operator_reconciliations_total") - reconBefore,
          "");
      heap("heap after the quiet period");
    }
  }

  /** The benchmark JVM's heap after full GCs: the operator, its caches, the benchmark's clients. */
  static void heap(String label) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    result(label + " (benchmark JVM, after System.gc())", used / 1048576.0, "MiB");
  }

  static void createAll(KubernetesClient admin, int n, int namespaces, Tracker tracker)
      throws InterruptedException {
    createRange(admin, 0, n, namespaces, tracker);
  }

  /** Creates SchemaVersions {@code from} (inclusive) to {@code to}, spread over the namespaces. */
  static void createRange(KubernetesClient admin, int from, int to, int namespaces, Tracker tracker)
      throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    for (int i = from; i < to; i++) {
      String ns = "bench-scale-" + (i % namespaces);
      String name = String.format("sv-%04d", i);
      pool.submit(
          () -> {
            tracker.created.put(ns + "/" + name, System.nanoTime());
            admin
                .resources(SchemaVersion.class)
                .inNamespace(ns)
                .resource(Manifests.exampleSchemaVersionOnItsOwnDatabase(name))
                .create();
          });
    }
    pool.shutdown();
    pool.awaitTermination(5, TimeUnit.MINUTES);
  }

  // ---------------------------------------------------------------------------------------------
  // Part 5: RSS of the operator as a process of its own, with the chart's JVM flags

  /**
   * The chart's JVM options ({@code jvm.options} of values.yaml) and, for its memory limit ({@code
   * resources.limits.memory}, in Mi), {@code -XX:MaxRAM}: the JVM then sizes its heap exactly as in
   * that container instead of from the host's RAM.
   */
  @SuppressWarnings("unchecked")
  static List<String> chartJvmFlags() throws IOException {
    Map<String, Object> values =
        Serialization.unmarshal(Manifests.read("helm/schema-operator/values.yaml"), Map.class);
    String options = (String) ((Map<String, Object>) values.get("jvm")).get("options");
    String limit =
        (String)
            ((Map<String, Object>) ((Map<String, Object>) values.get("resources")).get("limits"))
                .get("memory");
    if (!limit.endsWith("Mi")) {
      throw new IllegalStateException("resources.limits.memory in Mi expected, not " + limit);
    }
    List<String> flags = new ArrayList<>(List.of(options.trim().split("\\s+")));
    flags.add("-XX:MaxRAM=" + limit.substring(0, limit.length() - 2) + "m");
    return flags;
  }

  static void rss(LocalControlPlane controlPlane, int[] levels) throws Exception {
    KubernetesClient admin = controlPlane.client();
    int namespaces = 50;
    for (int i = 0; i < namespaces; i++) {
      namespaceWithInputs(admin, "bench-scale-" + i);
    }
    Path log =
        Manifests.repository()
            .resolve(
                "bench/operator/target/runs/operator-rss-"
                    + ProcessHandle.current().pid()
                    + ".log");
    Files.createDirectories(log.getParent());
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // BENCH_RSS_MEMORY_FLAG replaces the chart's -XX:MaxRAM (e.g. -Xmx192m)
    String memoryFlag = System.getenv("BENCH_RSS_MEMORY_FLAG");
    command.addAll(
        chartJvmFlags().stream()
            .map(f -> memoryFlag != null && f.startsWith("-XX:MaxRAM=") ? memoryFlag : f)
            .toList());
    // only to see its start-up line
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    command.add(OperatorMain.class.getName());
    Files.writeString(log, "$ " + String.join(" ", command) + "\n");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder
        .environment()
        .keySet()
        .removeIf(k -> k.startsWith("SCHEMA_OPERATOR_") || k.startsWith("JAVA_TOOL"));
    builder.environment().put("KUBECONFIG", controlPlane.kubeconfig().toString());
    builder.environment().put("SCHEMA_OPERATOR_MIGRATOR_IMAGE", IMAGE);
    builder.environment().put("SCHEMA_OPERATOR_HTTP_PORT", "0");
    builder.environment().put("SCHEMA_OPERATOR_LEADER_ELECTION", "false");
    Process process = builder.start();
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
    System.out.printf(
        "operator process pid %d, command %s, log %s%n",
        process.pid(), command.subList(1, command.size() - 3), log);
    try (KubernetesClient watchClient = newClient(controlPlane.kubeconfigYaml());
        Tracker tracker = Tracker.start(watchClient)) {
      await(
          () -> {
            try {
              return Files.readString(log).contains("schema-operator started");
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          },
          Duration.ofMinutes(2),
          "operator started");
      int created = 0;
      for (int level : levels) {
        long t0 = System.nanoTime();
        if (level > created) {
          createRange(admin, created, level, namespaces, tracker);
          created = level;
        }
        int expected = created;
        await(() -> tracker.ready.size() >= expected, Duration.ofMinutes(8), expected + " Ready");
        System.out.printf(
            "%d resources Ready (%d ms); settling 30 s%n", expected, ms(System.nanoTime() - t0));
        List<Long> samples = new ArrayList<>();
        Thread.sleep(20_000);
        for (int s = 0; s < 10; s++) {
          samples.add(vmRssKib(process.pid()));
          Thread.sleep(1000);
        }
        if (!process.isAlive()) {
          throw new IllegalStateException("the operator process exited; see " + log);
        }
        System.out.printf(
            "RSS with %d resources: min / median / max of 10 samples 1 s apart: %s MiB; jcmd GC.heap_info: %s%n",
            expected, mib(samples), heapInfo(process.pid()));
        result(
            "RSS with " + expected + " resources",
            samples.stream().sorted().toList().get(samples.size() / 2) / 1024.0,
            "MiB");
        jcmd(process.pid(), "GC.run");
        Thread.sleep(2000);
        String live = heapInfo(process.pid());
        System.out.printf(
            "  after a full GC (jcmd GC.run): RSS %.1f MiB; live heap: %s%n",
            vmRssKib(process.pid()) / 1024.0, live);
        result("live heap with " + expected + " resources", heapKib(live, "used") / 1024.0, "MiB");
        result(
            "committed heap with " + expected + " resources",
            heapKib(live, "total") / 1024.0,
            "MiB");
        System.out.printf(
            "  largest classes of the live heap (jcmd GC.class_histogram):%n%s%n",
            histogram(process.pid(), 25));
      }
    } finally {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  static long vmRssKib(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
        .filter(l -> l.startsWith("VmRSS:"))
        .map(l -> l.replaceAll("[^0-9]", ""))
        .mapToLong(Long::parseLong)
        .findFirst()
        .orElseThrow();
  }

  /** The output of {@code jcmd <pid> <command>}. */
  static String jcmd(long pid, String command) {
    try {
      Process jcmd =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                  Long.toString(pid),
                  command)
              .redirectErrorStream(true)
              .start();
      String out = new String(jcmd.getInputStream().readAllBytes());
      jcmd.waitFor(30, TimeUnit.SECONDS);
      return out;
    } catch (Exception e) {
      return "jcmd " + command + " failed: " + e;
    }
  }

  static String heapInfo(long pid) {
    return jcmd(pid, "GC.heap_info")
        .lines()
        .filter(l -> l.contains("total") || l.contains("Metaspace"))
        .map(String::trim)
        .reduce((a, b) -> a + " | " + b)
        .orElse("n/a");
  }

  /** The sum of the generations' "used" or "total" figures of a GC.heap_info summary, KiB. */
  static long heapKib(String heapInfo, String figure) {
    Matcher m = Pattern.compile("generation +total (\\d+)K, used (\\d+)K").matcher(heapInfo);
    long sum = 0;
    while (m.find()) {
      sum += Long.parseLong(m.group("total".equals(figure) ? 1 : 2));
    }
    return sum;
  }

  /** The header and the first {@code classes} rows of the live-object class histogram. */
  static String histogram(long pid, int classes) {
    return jcmd(pid, "GC.class_histogram")
        .lines()
        .skip(1)
        .limit(classes + 2L)
        .reduce((a, b) -> a + "\n" + b)
        .orElse("n/a");
  }

  static String mib(List<Long> kib) {
    List<Long> sorted = kib.stream().sorted().toList();
    return String.format(
        "%.1f / %.1f / %.1f",
        sorted.get(0) / 1024.0,
        sorted.get(sorted.size() / 2) / 1024.0,
        sorted.get(sorted.size() - 1) / 1024.0);
  }

  // ---------------------------------------------------------------------------------------------
  // Watches and the kubelet's part

  /** Client-side receipt times of the watch events, by "namespace/schemaversion". */
  static final class Tracker implements AutoCloseable {
    final Map<String, Long> created = new ConcurrentHashMap<>();
    final Map<String, Long> jobSeen = new ConcurrentHashMap<>();
    final Map<String, Long> podDone = new ConcurrentHashMap<>();
    final Map<String, Long> jobComplete = new ConcurrentHashMap<>();
    final Map<String, Long> ready = new ConcurrentHashMap<>();
    final Map<String, Long> gatedPodSeen = new ConcurrentHashMap<>();
    final Map<String, Long> gateRemoved = new ConcurrentHashMap<>();
    final Set<String> terminating = ConcurrentHashMap.newKeySet();
    final ExecutorService kubelet = Executors.newFixedThreadPool(4);
    final KubernetesClient client;
    final List<Watch> watches = new ArrayList<>();

    private Tracker(KubernetesClient client) {
      this.client = client;
    }

    static Tracker start(KubernetesClient client) {
      Tracker tracker = new Tracker(client);
      tracker.watches.add(
          client
              .resources(SchemaVersion.class)
              .inAnyNamespace()
              .watch(
                  watcher(
                      (action, sv) -> {
                        long now = System.nanoTime();
                        if (sv.getStatus() != null
                            && Conditions.find(sv.getStatus().getConditions(), Conditions.READY)
                                .filter(c -> "True".equals(c.getStatus()))
                                .filter(
                                    c ->
                                        sv.getMetadata()
                                            .getGeneration()
                                            .equals(c.getObservedGeneration()))
                                .isPresent()) {
                          tracker.ready.putIfAbsent(
                              key(sv.getMetadata().getNamespace(), sv.getMetadata().getName()),
                              now);
                        }
                      })));
      tracker.watches.add(
          client
              .batch()
              .v1()
              .jobs()
              .inAnyNamespace()
              .withLabel(COMPONENT, "migration")
              .watch(
                  watcher(
                      (action, job) -> {
                        long now = System.nanoTime();
                        String sv = job.getMetadata().getLabels().get(SV_LABEL);
                        tracker.jobSeen.putIfAbsent(key(job.getMetadata().getNamespace(), sv), now);
                        if (job.getStatus() != null
                            && job.getStatus().getConditions() != null
                            && job.getStatus().getConditions().stream()
                                .anyMatch(
                                    c ->
                                        "Complete".equals(c.getType())
                                            && "True".equals(c.getStatus()))) {
                          tracker.jobComplete.putIfAbsent(
                              key(job.getMetadata().getNamespace(), sv), now);
                        }
                      })));
      tracker.watches.add(
          client.pods().inAnyNamespace().watch(watcher((action, pod) -> tracker.pod(action, pod))));
      return tracker;
    }

    void pod(Watcher.Action action, Pod pod) {
      long now = System.nanoTime();
      Map<String, String> labels = pod.getMetadata().getLabels();
      if (labels == null || action == Watcher.Action.DELETED) {
        return;
      }
      String ns = pod.getMetadata().getNamespace();
      if (labels.containsKey(GATED_FOR)) {
        String key = key(ns, labels.get(GATED_FOR));
        gatedPodSeen.putIfAbsent(key, now);
        List<?> gates = pod.getSpec().getSchedulingGates();
        if (gates == null || gates.isEmpty()) {
          gateRemoved.putIfAbsent(key, now);
        }
        return;
      }
      if (!"migration".equals(labels.get(COMPONENT)) || labels.get(SV_LABEL) == null) {
        return;
      }
      String key = key(ns, labels.get(SV_LABEL));
      String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
      if ("Succeeded".equals(phase)) {
        podDone.putIfAbsent(key, now);
      } else if (!"Failed".equals(phase)
          && terminating.add(ns + "/" + pod.getMetadata().getName())) {
        kubelet.submit(() -> terminate(pod));
      }
    }

    /** As SimulatedKubelet.terminate: exit 0 with the migrator's success document. */
    void terminate(Pod seen) {
      Pod current = seen;
      for (int attempt = 0; attempt < 20; attempt++) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        current.setStatus(
            new PodStatusBuilder(current.getStatus())
                .withPhase("Succeeded")
                .withStartTime(now)
                .withContainerStatuses(
                    new ContainerStatusBuilder()
                        .withName("migrate")
                        .withImage(current.getSpec().getContainers().get(0).getImage())
                        .withImageID("")
                        .withReady(false)
                        .withRestartCount(0)
                        .withStarted(false)
                        .withState(
                            new ContainerStateBuilder()
                                .withNewTerminated()
                                .withExitCode(0)
                                .withReason("Completed")
                                .withMessage(MigratorResults.successDocument("2"))
                                .withStartedAt(now)
                                .withFinishedAt(now)
                                .endTerminated()
                                .build())
                        .build())
                .build());
        try {
          client
              .pods()
              .inNamespace(current.getMetadata().getNamespace())
              .resource(current)
              .updateStatus();
          return;
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409) {
            System.err.println("kubelet: " + e.getMessage());
            return;
          }
          current =
              client
                  .pods()
                  .inNamespace(seen.getMetadata().getNamespace())
                  .withName(seen.getMetadata().getName())
                  .get();
          if (current == null) {
            return;
          }
        }
      }
    }

    @Override
    public void close() {
      watches.forEach(Watch::close);
      kubelet.shutdownNow();
    }
  }

  interface Handler<T> {
    void on(Watcher.Action action, T resource);
  }

  static <T> Watcher<T> watcher(Handler<T> handler) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, T resource) {
        try {
          handler.on(action, resource);
        } catch (RuntimeException e) {
          e.printStackTrace();
        }
      }

      @Override
      public void onClose(WatcherException cause) {
        if (cause != null) {
          System.err.println("watch closed: " + cause);
        }
      }
    };
  }

  static String key(String ns, String name) {
    return ns + "/" + name;
  }

  // ---------------------------------------------------------------------------------------------
  // The operator's client, counting its requests

  static final class CountingClient {
    final KubernetesClient client;
    final Map<String, AtomicLong> counts;

    private CountingClient(KubernetesClient client, Map<String, AtomicLong> counts) {
      this.client = client;
      this.counts = counts;
    }

    static CountingClient create(String kubeconfigYaml) {
      Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
      KubernetesClient client =
          new KubernetesClientBuilder()
              .withConfig(Config.fromKubeconfig(kubeconfigYaml))
              .withHttpClientFactory(new JdkHttpClientFactory())
              .withHttpClientBuilderConsumer(
                  builder ->
                      builder.addOrReplaceInterceptor(
                          "count-requests",
                          new Interceptor() {
                            @Override
                            public void before(
                                BasicBuilder b, HttpRequest request, RequestTags tags) {
                              String method = request.method();
                              URI uri = request.uri();
                              boolean watch =
                                  uri.getQuery() != null && uri.getQuery().contains("watch=true");
                              counts
                                  .computeIfAbsent("total", k -> new AtomicLong())
                                  .incrementAndGet();
                              if (!"GET".equals(method)) {
                                counts
                                    .computeIfAbsent("writes", k -> new AtomicLong())
                                    .incrementAndGet();
                              }
                              counts
                                  .computeIfAbsent(
                                      (watch ? "WATCH" : method) + " " + kind(uri.getPath()),
                                      k -> new AtomicLong())
                                  .incrementAndGet();
                            }
                          }))
              .build();
      CountingClient counting = new CountingClient(client, counts);
      return counting;
    }

    static String kind(String path) {
      String[] parts = path.split("/");
      for (int i = 0; i < parts.length; i++) {
        if ("namespaces".equals(parts[i]) && i + 2 < parts.length) {
          return parts[i + 2] + (i + 4 < parts.length ? "/" + parts[i + 4] : "");
        }
      }
      return parts.length > 0 ? parts[parts.length - 1] : path;
    }

    Map<String, Long> snapshot() {
      Map<String, Long> copy = new TreeMap<>();
      counts.forEach((k, v) -> copy.put(k, v.get()));
      return copy;
    }

    void reset() {
      counts.clear();
    }

    String summary() {
      return snapshot().toString();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Objects

  static OperatorConfig config() {
    return new OperatorConfig(IMAGE, Set.of(), 0, false, "schema-operator-leader", null);
  }

  static KubernetesClient newClient(String kubeconfigYaml) {
    return new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(kubeconfigYaml))
        .withHttpClientFactory(new JdkHttpClientFactory())
        .build();
  }

  static void namespaceWithInputs(KubernetesClient admin, String ns) {
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .serverSideApply();
    admin
        .secrets()
        .inNamespace(ns)
        .resource(Manifests.example("workflow-db-secret.yaml", Secret.class))
        .serverSideApply();
    admin
        .configMaps()
        .inNamespace(ns)
        .resource(Manifests.migrationsConfigMap("workflow-migrations"))
        .serverSideApply();
  }

  static Pod gatedPod(String sv) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("gated-" + sv)
        .addToLabels(GATED_FOR, sv)
        .endMetadata()
        .withNewSpec()
        .addNewSchedulingGate("schema.jobgtm.io/" + sv)
        .withAutomountServiceAccountToken(false)
        .addNewContainer()
        .withName("main")
        .withImage("registry.example/other:1")
        .endContainer()
        .endSpec()
        .build();
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  static double metric(int port, String prefix) {
    try {
      String body =
          HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      return body.lines()
          .filter(line -> line.startsWith(prefix))
          .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
          .sum();
    } catch (Exception e) {
      return Double.NaN;
    }
  }

  static void await(BooleanSupplier condition, Duration atMost, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + atMost + " waiting for " + what);
      }
      Thread.sleep(5);
    }
  }

  /**
   * One figure of a run, as a line that bench/operator/summarize.py reads: {@code result: <what> =
   * <value> <unit>}.
   */
  static void result(String what, double value, String unit) {
    System.out.printf("result: %s = %.3f %s%n", what, value, unit);
  }

  /** A step's distribution over the resources of a run: a human line, then its p50 and p95. */
  static void step(String what, List<Long> nanos) {
    System.out.printf("  %-38s %s%n", what, stats(nanos));
    List<Long> sorted = nanos.stream().sorted().toList();
    result(what + " p50", pct(sorted, 0.50) / 1e6, "ms");
    result(what + " p95", pct(sorted, 0.95) / 1e6, "ms");
  }

  static double seconds(long nanos) {
    return nanos / 1e9;
  }

  static double millis(long nanos) {
    return nanos / 1e6;
  }

  static String stats(List<Long> nanos) {
    List<Long> sorted = nanos.stream().sorted().toList();
    return String.format(
        "%.1f / %.1f / %.1f / %.1f",
        sorted.get(0) / 1e6,
        pct(sorted, 0.50) / 1e6,
        pct(sorted, 0.95) / 1e6,
        sorted.get(sorted.size() - 1) / 1e6);
  }

  /** Nearest-rank percentile. */
  static long pct(List<Long> sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  static int intArg(String[] args, int index, int fallback) {
    return args.length > index ? Integer.parseInt(args[index]) : fallback;
  }
}
