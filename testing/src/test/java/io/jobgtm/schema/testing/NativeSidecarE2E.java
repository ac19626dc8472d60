package io.jobgtm.schema.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The migration Job's shadow sidecar as the node agent runs it: a native sidecar (an init container
 * with {@code restartPolicy: Always}) of the emulated official PostgreSQL image, started once its
 * {@code pg_isready} startup probe succeeds, serving the main container through a Unix socket in an
 * emptyDir, and stopped once the main container has ended, with the statuses and Events a kubelet
 * reports.
 */
class NativeSidecarE2E {

  @RegisterExtension
  static final LocalClusterExtension CLUSTER = new LocalClusterExtension(AgentTestImages::commands);

  private static final String NAMESPACE = "sidecar-e2e";

  /** The shadow's args, as the operator writes them. */
  private static final List<String> SHADOW_ARGS =
      List.of(
          "postgres",
          "-c",
          "listen_addresses=",
          "-c",
          "unix_socket_directories=/var/run/postgresql",
          "-c",
          "shared_buffers=16MB",
          "-c",
          "max_connections=10",
          "-c",
          "fsync=off",
          "-c",
          "full_page_writes=off",
          "-c",
          "synchronous_commit=off");

  private static final List<String> READY_PROBE =
      List.of("pg_isready", "-q", "-h", "/var/run/postgresql");

  /**
   * The main container's command: the server's version over the socket, after holding the
   * connection two seconds so that a status with both containers running is written, into its
   * termination message. The client fails at once when no server listens, so a Succeeded pod proves
   * the server was up when the container started.
   */
  private static final List<String> CLIENT =
      List.of(
          AgentTestImages.QUERY,
          "$(SHADOW_SOCKET_DIR)",
          "SELECT current_setting('server_version') FROM pg_sleep(2)",
          "/dev/termination-log");

  /** A hang guard, never an expectation of speed. */
  private static final Duration PATIENCE = Duration.ofMinutes(2);

  private static LocalCluster cluster;
  private static KubernetesClient client;

  @BeforeAll
  static void createNamespace(LocalCluster localCluster) {
    cluster = localCluster;
    client = localCluster.client();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .serverSideApply();
  }

  @Test
  void sidecarServesTheMainContainerThroughItsSocketAndIsStoppedAfterIt() throws Exception {
    List<PodStatus> seen = new CopyOnWriteArrayList<>();
    try (Watch watch = watchStatuses("served", seen)) {
      client
          .pods()
          .inNamespace(NAMESPACE)
          .resource(shadowPod("served", ShadowImages.POSTGRES_17, READY_PROBE))
          .create();

      await("the pod to succeed")
          .atMost(PATIENCE)
          .untilAsserted(
              () -> assertThat(pod("served").getStatus().getPhase()).isEqualTo("Succeeded"));
    }
    PodStatus finished = pod("served").getStatus();
    ContainerStatus main = finished.getContainerStatuses().get(0);
    assertThat(main.getState().getTerminated().getExitCode()).isZero();
    assertThat(main.getState().getTerminated().getMessage()).isEqualTo("17.6");
    // Stopped after the main container, with SIGTERM: not started, not ready, not restarted.
    assertThat(finished.getInitContainerStatuses()).hasSize(1);
    ContainerStatus shadow = finished.getInitContainerStatuses().get(0);
    assertThat(shadow.getName()).isEqualTo("shadow");
    assertThat(shadow.getState().getTerminated()).isNotNull();
    assertThat(shadow.getStarted()).isFalse();
    assertThat(shadow.getReady()).isFalse();
    assertThat(shadow.getRestartCount()).isZero();
    assertThat(cluster.agent().process(NAMESPACE, "served", "shadow")).isEmpty();
    assertThat(finished.getConditions())
        .filteredOn(c -> "Ready".equals(c.getType()))
        .extracting(PodCondition::getStatus, PodCondition::getReason)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("False", "PodCompleted"));

    // While both ran: the sidecar started and ready in initContainerStatuses, the pod initialized
    // and Running; and the main container never ran before the sidecar was started.
    assertThat(seen)
        .anySatisfy(
            status -> {
              assertThat(status.getPhase()).isEqualTo("Running");
              assertThat(status.getInitContainerStatuses().get(0))
                  .satisfies(
                      s -> {
                        assertThat(s.getState().getRunning()).isNotNull();
                        assertThat(s.getStarted()).isTrue();
                        assertThat(s.getReady()).isTrue();
                      });
              assertThat(status.getContainerStatuses().get(0).getState().getRunning()).isNotNull();
              assertThat(condition(status, "Initialized")).isEqualTo("True");
              assertThat(condition(status, "Ready")).isEqualTo("True");
            });
    assertThat(seen)
        .filteredOn(status -> status.getContainerStatuses().get(0).getState().getRunning() != null)
        .allSatisfy(
            status -> assertThat(status.getInitContainerStatuses().get(0).getStarted()).isTrue());
    assertThat(seen)
        .filteredOn(status -> status.getInitContainerStatuses().get(0).getStarted() != Boolean.TRUE)
        .filteredOn(
            status -> status.getContainerStatuses().get(0).getState().getTerminated() == null)
        .allSatisfy(
            status -> {
              assertThat(status.getPhase()).isEqualTo("Pending");
              assertThat(status.getContainerStatuses().get(0).getState().getWaiting().getReason())
                  .isEqualTo("PodInitializing");
            });

    assertThat(events("served"))
        .extracting(e -> e.getInvolvedObject().getFieldPath() + " " + e.getReason())
        .contains(
            "spec.initContainers{shadow} Started",
            "spec.containers{main} Started",
            "spec.initContainers{shadow} Killing");
    // The server's log names the container's socket directory, never the agent's.
    Path log =
        cluster
            .agent()
            .logDirectory()
            .resolve(NAMESPACE + "_served_" + pod("served").getMetadata().getUid())
            .resolve("shadow")
            .resolve("0.log");
    assertThat(Files.readString(log))
        .contains("database system is ready to accept connections")
        .contains("\"/var/run/postgresql/.s.PGSQL.5432\"");
  }

  @Test
  void twoPodsAtOnceEachGetTheirOwnServerOfTheImagesMajorVersion() {
    client
        .pods()
        .inNamespace(NAMESPACE)
        .resource(shadowPod("shadow-17", ShadowImages.POSTGRES_17_SHORT, READY_PROBE))
        .create();
    client
        .pods()
        .inNamespace(NAMESPACE)
        .resource(shadowPod("shadow-16", ShadowImages.POSTGRES_16, READY_PROBE))
        .create();

    await("both pods to succeed")
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                assertThat(List.of(pod("shadow-17"), pod("shadow-16")))
                    .extracting(p -> p.getStatus().getPhase())
                    .containsExactly("Succeeded", "Succeeded"));
    assertThat(terminationMessage("shadow-17")).isEqualTo("17.6");
    assertThat(terminationMessage("shadow-16")).isEqualTo("16.10");
  }

  @Test
  void mainContainerWaitsWhileTheSidecarFailsItsStartupProbeAndIsRestarted() {
    client
        .pods()
        .inNamespace(NAMESPACE)
        .resource(
            new PodBuilder(
                    shadowPod(
                        "unready",
                        ShadowImages.POSTGRES_17,
                        List.of("pg_isready", "-q", "-h", "/var/run/postgresql/elsewhere")))
                .editSpec()
                .editFirstInitContainer()
                .editStartupProbe()
                .withFailureThreshold(3)
                .endStartupProbe()
                .endInitContainer()
                .endSpec()
                .build())
        .create();

    await("the kubelet to restart the sidecar")
        .atMost(PATIENCE)
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(pod("unready").getStatus().getInitContainerStatuses().get(0))
                    .satisfies(
                        shadow -> {
                          assertThat(shadow.getRestartCount()).isPositive();
                          assertThat(shadow.getStarted()).isFalse();
                        }));
    PodStatus status = pod("unready").getStatus();
    assertThat(status.getPhase()).isEqualTo("Pending");
    assertThat(status.getContainerStatuses().get(0).getState().getWaiting().getReason())
        .isEqualTo("PodInitializing");
    assertThat(status.getConditions())
        .filteredOn(c -> "Initialized".equals(c.getType()))
        .extracting(PodCondition::getStatus, PodCondition::getMessage)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "False", "containers with incomplete status: [shadow]"));
    assertThat(events("unready"))
        .extracting(Event::getReason, Event::getMessage)
        .contains(
            org.assertj.core.groups.Tuple.tuple(
                "Killing", "Container shadow failed startup probe, will be restarted"))
        .extracting(t -> t.toList().get(0))
        .contains("Unhealthy")
        .doesNotContain("BackOff");
    assertThat(events("unready"))
        .filteredOn(e -> "Started".equals(e.getReason()))
        .extracting(e -> e.getInvolvedObject().getFieldPath())
        .containsOnly("spec.initContainers{shadow}");
    assertThat(cluster.agent().process(NAMESPACE, "unready", "main")).isEmpty();

    client.pods().inNamespace(NAMESPACE).withName("unready").delete();
    await("the pod to be gone")
        .atMost(PATIENCE)
        .until(() -> client.pods().inNamespace(NAMESPACE).withName("unready").get() == null);
  }

  @Test
  void sidecarWithoutAProbeStartsAtOnceAndItsExitAfterSigtermDoesNotFailThePod() {
    client
        .pods()
        .inNamespace(NAMESPACE)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("plain-sidecar")
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewInitContainer()
                .withName("helper")
                .withImage(AgentTestImages.SHELL_IMAGE)
                .withRestartPolicy("Always")
                .withCommand(AgentTestImages.SHELL, "-c", "exec sleep 600")
                .endInitContainer()
                .addNewContainer()
                .withName("main")
                .withImage(AgentTestImages.SHELL_IMAGE)
                .withCommand(AgentTestImages.SHELL, "-c", "true")
                .endContainer()
                .endSpec()
                .build())
        .create();

    await("the pod to succeed")
        .atMost(PATIENCE)
        .untilAsserted(
            () -> assertThat(pod("plain-sidecar").getStatus().getPhase()).isEqualTo("Succeeded"));
    PodStatus status = pod("plain-sidecar").getStatus();
    // sleep dies of the SIGTERM: 143, as a container runtime reports it; the pod still Succeeded.
    assertThat(status.getInitContainerStatuses().get(0).getState().getTerminated())
        .satisfies(
            helper -> {
              assertThat(helper.getExitCode()).isEqualTo(143);
              assertThat(helper.getReason()).isEqualTo("Error");
            });
    assertThat(status.getContainerStatuses().get(0).getState().getTerminated().getExitCode())
        .isZero();
    assertThat(events("plain-sidecar"))
        .extracting(e -> e.getInvolvedObject().getFieldPath() + " " + e.getReason())
        .contains("spec.initContainers{helper} Killing");
  }

  /**
   * A migration Job's pod as the operator builds it with the shadow: the {@code shadow} sidecar
   * with its volumes, security context, probe and resources, and a main container (here the socket
   * client) that mounts the socket directory and gets {@code SHADOW_SOCKET_DIR}.
   */
  private static Pod shadowPod(String name, String image, List<String> probe) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .addNewVolume()
        .withName("shadow-data")
        .withNewEmptyDir()
        .withSizeLimit(new Quantity("1Gi"))
        .endEmptyDir()
        .endVolume()
        .addNewVolume()
        .withName("shadow-socket")
        .withNewEmptyDir()
        .withMedium("Memory")
        .withSizeLimit(new Quantity("1Mi"))
        .endEmptyDir()
        .endVolume()
        .addNewInitContainer()
        .withName("shadow")
        .withImage(image)
        .withRestartPolicy("Always")
        .withArgs(SHADOW_ARGS)
        .withEnv(
            new EnvVarBuilder().withName("POSTGRES_HOST_AUTH_METHOD").withValue("trust").build(),
            new EnvVarBuilder()
                .withName("PGDATA")
                .withValue("/var/lib/postgresql/data/pgdata")
                .build())
        .addNewVolumeMount()
        .withName("shadow-data")
        .withMountPath("/var/lib/postgresql/data")
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("shadow-socket")
        .withMountPath("/var/run/postgresql")
        .endVolumeMount()
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(999L)
        .withRunAsGroup(999L)
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .withNewStartupProbe()
        .withNewExec()
        .withCommand(probe)
        .endExec()
        .withPeriodSeconds(1)
        .withFailureThreshold(120)
        .endStartupProbe()
        .withNewResources()
        .withRequests(Map.of("cpu", new Quantity("50m"), "memory", new Quantity("64Mi")))
        .withLimits(Map.of("memory", new Quantity("256Mi")))
        .endResources()
        .endInitContainer()
        .addNewContainer()
        .withName("main")
        .withImage(AgentTestImages.CLIENT_IMAGE)
        .withCommand(CLIENT)
        .withEnv(
            new EnvVarBuilder()
                .withName("SHADOW_SOCKET_DIR")
                .withValue("/var/run/postgresql")
                .build(),
            new EnvVarBuilder().withName("SHADOW_DB_USER").withValue("postgres").build())
        .addNewVolumeMount()
        .withName("shadow-socket")
        .withMountPath("/var/run/postgresql")
        .endVolumeMount()
        .endContainer()
        .endSpec()
        .build();
  }

  private static Watch watchStatuses(String name, List<PodStatus> seen) {
    return client
        .pods()
        .inNamespace(NAMESPACE)
        .withName(name)
        .watch(
            new Watcher<>() {
              @Override
              public void eventReceived(Action action, Pod pod) {
                PodStatus status = pod.getStatus();
                if (status != null
                    && status.getContainerStatuses() != null
                    && !status.getContainerStatuses().isEmpty()
                    && status.getInitContainerStatuses() != null
                    && !status.getInitContainerStatuses().isEmpty()) {
                  seen.add(status);
                }
              }

              @Override
              public void onClose(WatcherException cause) {}
            });
  }

  private static String condition(PodStatus status, String type) {
    return status.getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .map(PodCondition::getStatus)
        .findFirst()
        .orElse(null);
  }

  private static String terminationMessage(String pod) {
    return Optional.ofNullable(
            pod(pod).getStatus().getContainerStatuses().get(0).getState().getTerminated())
        .map(t -> t.getMessage())
        .orElse(null);
  }

  private static Pod pod(String name) {
    return client.pods().inNamespace(NAMESPACE).withName(name).get();
  }

  private static List<Event> events(String pod) {
    return client
        .v1()
        .events()
        .inNamespace(NAMESPACE)
        .withField("involvedObject.name", pod)
        .list()
        .getItems();
  }
}
