package io.jobgtm.schema.testing;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The full local control plane for {@code *E2E} tests: a {@link KubeApiServer} with etcd plus
 * kube-controller-manager and kube-scheduler as child processes, and one registered {@link Node},
 * {@value #NODE_NAME}, that pods are scheduled to. No kubelet exists: a bound pod stays {@code
 * Pending} until a test plays the kubelet, or a {@link NodeAgent} ({@link LocalCluster}) runs it.
 *
 * <p>Everything listens on 127.0.0.1 and authenticates as kube-api-test's admin user (no
 * per-controller service-account credentials). The controller manager runs every default-on
 * controller except {@code node-lifecycle-controller}: nothing sends the fake node's heartbeats, so
 * that controller would mark it unreachable after the grace period, taint it and evict its pods.
 * With it off, the node stays as registered; this class removes the {@code
 * node.kubernetes.io/not-ready} taint that admission puts on a new node, which is what that
 * controller would do once the node reports Ready. A node agent that heartbeats can re-enable it.
 *
 * <p>Stopping order: kube-scheduler, kube-controller-manager, then kube-apiserver and etcd.
 */
public final class LocalControlPlane implements AutoCloseable {

  public static final String NODE_NAME = "local-node";

  private static final String ALL_CONTROLLERS = "All controllers:";

  /**
   * Controllers kube-controller-manager must not run: the node lifecycle (see above) and the
   * publisher of the API server's serving CA as a ClusterTrustBundle, which refuses kube-api-test's
   * self-signed serving certificate (no CA bit) and would retry forever. Every other default-on
   * controller runs.
   */
  public static final List<String> DISABLED_CONTROLLERS =
      List.of(
          "node-lifecycle-controller",
          "kube-apiserver-serving-clustertrustbundle-publisher-controller");

  /** A hang guard for start-up, not an expectation. */
  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

  private static LocalControlPlane shared;
  private static RuntimeException sharedFailure;

  private final KubeApiServer apiServer;
  private final List<String> controllerManagerFlags;
  private final List<ComponentProcess> components = new ArrayList<>();
  private boolean closed;

  private LocalControlPlane(KubeApiServer apiServer, List<String> controllerManagerFlags) {
    this.apiServer = apiServer;
    this.controllerManagerFlags = List.copyOf(controllerManagerFlags);
  }

  /**
   * The control plane of this test JVM, started on first use and stopped when the JVM exits. It has
   * an API server of its own, not {@link KubeApiServer#shared()}: the bare server of the {@code
   * *IT} classes in the same JVM never sees a controller, whatever order the classes run in.
   */
  public static synchronized LocalControlPlane shared() {
    if (sharedFailure != null) {
      throw new IllegalStateException(
          "the local control plane failed to start earlier in this JVM: "
              + sharedFailure.getMessage(),
          sharedFailure);
    }
    if (shared == null) {
      try {
        KubernetesBinaries binaries =
            KubernetesBinaries.configured().require(KubernetesBinaries.CONTROL_PLANE);
        KubeApiServer apiServer = KubeApiServer.start(binaries, "control-plane");
        Runtime.getRuntime()
            .addShutdownHook(new Thread(apiServer::close, "local-control-plane-shutdown"));
        shared = start(apiServer);
      } catch (RuntimeException e) {
        sharedFailure = e;
        throw e;
      }
    }
    return shared;
  }

  /**
   * Starts the controller manager and the scheduler against the server and registers the node;
   * closing the server closes this first.
   */
  public static LocalControlPlane start(KubeApiServer apiServer) {
    return start(apiServer, List.of());
  }

  /**
   * As {@link #start(KubeApiServer)}, with flags added to kube-controller-manager's command line (a
   * benchmark raises its client rate limit, {@code --kube-api-qps}, with them).
   */
  public static LocalControlPlane start(
      KubeApiServer apiServer, List<String> controllerManagerFlags) {
    apiServer.binaries().require(KubernetesBinaries.CONTROL_PLANE);
    LocalControlPlane controlPlane = new LocalControlPlane(apiServer, controllerManagerFlags);
    apiServer.closeBefore(controlPlane);
    try {
      controlPlane.startComponents();
      controlPlane.registerNode();
      controlPlane.awaitReady();
    } catch (RuntimeException e) {
      controlPlane.close();
      throw new IllegalStateException(
          "the local control plane did not start; logs in " + apiServer.logDirectory(), e);
    }
    return controlPlane;
  }

  public KubeApiServer apiServer() {
    return apiServer;
  }

  /** A client authenticated as the cluster admin; shared, do not close it. */
  public KubernetesClient client() {
    return apiServer.client();
  }

  /** The admin kubeconfig as a file. */
  public Path kubeconfig() {
    return apiServer.kubeconfig();
  }

  public String kubeconfigYaml() {
    return apiServer.kubeconfigYaml();
  }

  public String nodeName() {
    return NODE_NAME;
  }

  /** Where every process's log file is. */
  public Path logDirectory() {
    return apiServer.logDirectory();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (int i = components.size() - 1; i >= 0; i--) {
      components.get(i).stop();
    }
  }

  private void startComponents() {
    ControlPlaneDirectories directories = apiServer.directories();
    Path certificates = apiServer.kubeApiTestDirectory();
    Path controllerManagerKubeconfig = writeKubeconfig("kube-controller-manager");
    List<String> controllerManager =
        new ArrayList<>(
            List.of(
                apiServer.binaries().path(KubernetesBinaries.KUBE_CONTROLLER_MANAGER).toString(),
                "--kubeconfig=" + controllerManagerKubeconfig,
                "--bind-address=127.0.0.1",
                "--secure-port=" + freePort(),
                "--controllers="
                    + controllers(
                        knownControllers(
                            apiServer.binaries().path(KubernetesBinaries.KUBE_CONTROLLER_MANAGER))),
                // The key kube-api-test gives kube-apiserver to sign and verify service-account
                // tokens, and the CA of its serving certificate (published as kube-root-ca.crt).
                "--service-account-private-key-file=" + certificates.resolve("apiserver.key"),
                "--root-ca-file=" + certificates.resolve("apiserver.crt"),
                "--service-cluster-ip-range=10.0.0.0/24",
                "--leader-elect=true",
                "--v=2"));
    controllerManager.addAll(controllerManagerFlags);
    components.add(
        ComponentProcess.start(
            KubernetesBinaries.KUBE_CONTROLLER_MANAGER,
            controllerManager,
            directories.log(KubernetesBinaries.KUBE_CONTROLLER_MANAGER)));
    Path schedulerKubeconfig = writeKubeconfig("kube-scheduler");
    components.add(
        ComponentProcess.start(
            KubernetesBinaries.KUBE_SCHEDULER,
            List.of(
                apiServer.binaries().path(KubernetesBinaries.KUBE_SCHEDULER).toString(),
                "--kubeconfig=" + schedulerKubeconfig,
                "--bind-address=127.0.0.1",
                "--secure-port=" + freePort(),
                "--leader-elect=true",
                "--v=2"),
            directories.log(KubernetesBinaries.KUBE_SCHEDULER)));
  }

  /**
   * The {@code --controllers} value: every default-on controller but those of {@link
   * #DISABLED_CONTROLLERS} that this controller manager has. It refuses to start on a name it does
   * not know, and older versions lack some (1.31 has no ClusterTrustBundle publisher).
   */
  static String controllers(Set<String> known) {
    StringBuilder value = new StringBuilder("*");
    for (String controller : DISABLED_CONTROLLERS) {
      if (known.contains(controller)) {
        value.append(",-").append(controller);
      }
    }
    return value.toString();
  }

  /** The controllers a kube-controller-manager binary knows, as its {@code --help} lists them. */
  static Set<String> knownControllers(Path binary) {
    try {
      Process help =
          new ProcessBuilder(binary.toString(), "--help").redirectErrorStream(true).start();
      String text = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      help.waitFor();
      return knownControllers(text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + binary + " --help", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + binary + " --help", e);
    }
  }

  /** The names after "All controllers:" up to "Disabled-by-default controllers:" in the help. */
  static Set<String> knownControllers(String help) {
    int start = help.indexOf(ALL_CONTROLLERS);
    int end = help.indexOf("Disabled-by-default controllers:", Math.max(start, 0));
    if (start < 0 || end < 0) {
      throw new IllegalStateException(
          "kube-controller-manager --help lists no controllers (no '" + ALL_CONTROLLERS + "')");
    }
    return Arrays.stream(help.substring(start + ALL_CONTROLLERS.length(), end).split("[,\\s]+"))
        .filter(name -> !name.isEmpty())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** A node as a kubelet would register it, Ready, with room for the tests' pods. */
  private void registerNode() {
    KubernetesClient client = apiServer.client();
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(NODE_NAME)
                .withLabels(
                    Map.of(
                        "kubernetes.io/hostname", NODE_NAME,
                        "kubernetes.io/os", "linux",
                        "kubernetes.io/arch", "amd64"))
                .endMetadata()
                .build())
        .create();
    Instant now = Instant.now();
    Map<String, Quantity> resources =
        Map.of(
            "cpu", new Quantity("8"),
            "memory", new Quantity("16Gi"),
            "pods", new Quantity("110"),
            "ephemeral-storage", new Quantity("100Gi"));
    // Merge patches without a resourceVersion: controllers (the TTL controller, ...) update the
    // new node at the same time, so a read-modify-write could conflict.
    Node status =
        new NodeBuilder()
            .withNewMetadata()
            .withName(NODE_NAME)
            .endMetadata()
            .withNewStatus()
            .withCapacity(resources)
            .withAllocatable(resources)
            .withConditions(
                condition("Ready", "True", "KubeletReady", "local node is ready", now),
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "", now),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "", now),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "", now))
            .withNewNodeInfo()
            .withArchitecture("amd64")
            .withOperatingSystem("linux")
            .withKubeletVersion("v" + apiServer.binaries().version())
            .withContainerRuntimeVersion("local-process://0")
            .withKernelVersion("")
            .withOsImage("schema-operator test node")
            .withMachineID("")
            .withSystemUUID("")
            .withBootID("")
            .endNodeInfo()
            .addNewAddress()
            .withType("InternalIP")
            .withAddress("127.0.0.1")
            .endAddress()
            .addNewAddress()
            .withType("Hostname")
            .withAddress(NODE_NAME)
            .endAddress()
            .endStatus()
            .build();
    PatchContext mergePatch = PatchContext.of(PatchType.JSON_MERGE);
    client.nodes().resource(status).subresource("status").patch(mergePatch);
    // Admission (TaintNodesByCondition) taints every new node not-ready; the node lifecycle
    // controller would lift it now that the node is Ready, but it is not running.
    client.nodes().withName(NODE_NAME).patch(mergePatch, "{\"spec\":{\"taints\":null}}");
  }

  private static NodeCondition condition(
      String type, String status, String reason, String message, Instant now) {
    return new NodeConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastHeartbeatTime(now.toString())
        .withLastTransitionTime(now.toString())
        .build();
  }

  /**
   * Ready when both components lead (they start their loops only then), the controllers work (the
   * service-account controller has created {@code default/default}) and the node is schedulable.
   */
  private void awaitReady() {
    KubernetesClient client = apiServer.client();
    await("the local control plane to be ready")
        .atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              components.forEach(ComponentProcess::requireAlive);
              return leads(client, "kube-controller-manager")
                  && leads(client, "kube-scheduler")
                  && client.serviceAccounts().inNamespace("default").withName("default").get()
                      != null
                  && nodeSchedulable(client.nodes().withName(NODE_NAME).get());
            });
  }

  private static boolean leads(KubernetesClient client, String component) {
    Lease lease = client.leases().inNamespace("kube-system").withName(component).get();
    return lease != null
        && lease.getSpec().getHolderIdentity() != null
        && !lease.getSpec().getHolderIdentity().isEmpty();
  }

  private static boolean nodeSchedulable(Node node) {
    return node != null
        && (node.getSpec().getTaints() == null || node.getSpec().getTaints().isEmpty())
        && node.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** A kubeconfig of the component's own, with the admin credentials. */
  private Path writeKubeconfig(String component) {
    Path file = apiServer.workDirectory().resolve(component + ".kubeconfig");
    try {
      Files.writeString(file, apiServer.kubeconfigYaml());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
