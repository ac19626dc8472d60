package io.jobgtm.schema.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The node agent behaves as a kubelet does where a controller can tell: container states, exit
 * codes, termination messages, phases, conditions and deletion, with this machine's shell as the
 * mapped image's process and placeholders for every other image.
 */
class NodeAgentE2E {

  private static final String IMAGE = AgentTestImages.SHELL_IMAGE;
  private static final String SHELL = AgentTestImages.SHELL;

  @RegisterExtension
  static final LocalClusterExtension CLUSTER = new LocalClusterExtension(AgentTestImages::commands);

  private static final String NAMESPACE = "agent-e2e";

  /** Credentials that exist from the start; {@code agent-credentials} is built up by a test. */
  private static final String COMPLETE_SECRET = "agent-credentials-complete";

  /**
   * Writes what the container sees to its termination message: environment from a Secret, a
   * ConfigMap key and the image, a file of a ConfigMap volume, and whether {@code /tmp} is its own.
   */
  private static final String REPORT =
      "printf 'user=%s password=%s setting=%s file=%s image=%s tmp=%s'"
          + " \"$APP_USER\" \"$APP_PASSWORD\" \"$APP_SETTING\" \"$(cat \"$CONFIG_DIR/greeting\")\""
          + " \"$IMAGE_GREETING\" \"$(test -d \"$TMPDIR\" && test \"$TMPDIR\" != /tmp && echo own)\""
          + " > \"$RESULT_FILE\"";

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
    client
        .configMaps()
        .inNamespace(NAMESPACE)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("agent-settings")
                .endMetadata()
                .addToData("setting", "from a configmap")
                .addToData("greeting", "from a volume")
                .build())
        .serverSideApply();
    client
        .secrets()
        .inNamespace(NAMESPACE)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(COMPLETE_SECRET)
                .endMetadata()
                .addToStringData("username", "app")
                .addToStringData("password", "s3cret")
                .build())
        .serverSideApply();
  }

  @Test
  void containerWaitsWithTheKubeletsMessageUntilItsSecretIsCompleteThenRunsToItsResult() {
    client
        .pods()
        .inNamespace(NAMESPACE)
        .resource(shellPod("report", "agent-credentials", REPORT))
        .create();

    awaitWaiting("report", "CreateContainerConfigError", "secret \"agent-credentials\" not found");
    assertThat(pod("report").getStatus().getPhase()).isEqualTo("Pending");
    assertThat(events("report"))
        .anySatisfy(
            event -> {
              assertThat(event.getType()).isEqualTo("Warning");
              assertThat(event.getMessage())
                  .isEqualTo("Error: secret \"agent-credentials\" not found");
            });

    client
        .secrets()
        .inNamespace(NAMESPACE)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("agent-credentials")
                .endMetadata()
                .addToStringData("username", "app")
                .build())
        .create();
    awaitWaiting(
        "report",
        "CreateContainerConfigError",
        "couldn't find key password in Secret " + NAMESPACE + "/agent-credentials");

    client
        .secrets()
        .inNamespace(NAMESPACE)
        .withName("agent-credentials")
        .edit(
            secret -> {
              secret.setStringData(Map.of("password", "s3cret"));
              return secret;
            });

    await("the report to run")
        .atMost(PATIENCE)
        .untilAsserted(
            () -> assertThat(pod("report").getStatus().getPhase()).isEqualTo("Succeeded"));
    Pod finished = pod("report");
    ContainerStateTerminated terminated =
        finished.getStatus().getContainerStatuses().get(0).getState().getTerminated();
    assertThat(terminated.getExitCode()).isZero();
    assertThat(terminated.getReason()).isEqualTo("Completed");
    // Written to /dev/termination-log, read back from the status.
    assertThat(terminated.getMessage())
        .isEqualTo(
            "user=app password=s3cret setting=from a configmap file=from a volume"
                + " image=from the image tmp=own");
    assertThat(finished.getStatus().getConditions())
        .extracting(PodCondition::getType, PodCondition::getStatus)
        .contains(
            tuple("Initialized", "True"),
            tuple("ContainersReady", "False"),
            tuple("Ready", "False"),
            tuple("PodScheduled", "True"));
    assertThat(finished.getStatus().getConditions())
        .filteredOn(c -> "Ready".equals(c.getType()))
        .extracting(PodCondition::getReason)
        .containsExactly("PodCompleted");
  }

  @Test
  void whatTheProcessWritesNamesTheContainersPathsNotTheAgentsDirectories() throws Exception {
    String script =
        "echo \"reading $CONFIG_DIR/greeting in $PWD\";"
            + " printf 'config=%s tmp=%s result=%s' \"$CONFIG_DIR\" \"$TMPDIR\" \"$RESULT_FILE\""
            + " > \"$RESULT_FILE\"";
    client
        .pods()
        .inNamespace(NAMESPACE)
        .resource(shellPod("paths", COMPLETE_SECRET, script))
        .create();

    await("the pod to finish")
        .atMost(PATIENCE)
        .untilAsserted(
            () -> assertThat(pod("paths").getStatus().getPhase()).isEqualTo("Succeeded"));
    Pod finished = pod("paths");
    assertThat(finished.getStatus().getContainerStatuses().get(0).getState().getTerminated())
        .extracting(ContainerStateTerminated::getMessage)
        .isEqualTo("config=/config tmp=/tmp result=/dev/termination-log");
    Path log =
        cluster
            .agent()
            .logDirectory()
            .resolve(NAMESPACE + "_paths_" + finished.getMetadata().getUid())
            .resolve("main")
            .resolve("0.log");
    assertThat(Files.readAllLines(log)).contains("reading /config/greeting in /tmp");
  }

  @Test
  void mappedImageWithAnUnmappedCommandCannotStart() {
    Pod pod =
        new PodBuilder(shellPod("other-command", COMPLETE_SECRET, "true"))
            .editSpec()
            .editFirstContainer()
            .withCommand("/opt/app/bin/server")
            .withArgs()
            .endContainer()
            .endSpec()
            .build();
    client.pods().inNamespace(NAMESPACE).resource(pod).create();

    awaitWaiting(
        "other-command",
        "CreateContainerError",
        "container create failed: exec: \"/opt/app/bin/server\"");
    assertThat(pod("other-command").getStatus().getPhase()).isEqualTo("Pending");
  }

  @Test
  void placeholderRunsUntilDeletedAndDeletionStopsAProcessWithSigterm() {
    client
        .pods()
        .inNamespace(NAMESPACE)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("web")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("web")
                .withImage("registry.example/web:1")
                .endContainer()
                .endSpec()
                .build())
        .create();
    client
        .pods()
        .inNamespace(NAMESPACE)
        .resource(
            new PodBuilder(shellPod("waiting", COMPLETE_SECRET, "exec sleep 600"))
                .editSpec()
                .withTerminationGracePeriodSeconds(60L)
                .endSpec()
                .build())
        .create();

    await("both pods to run")
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                assertThat(List.of(pod("web"), pod("waiting")))
                    .allSatisfy(
                        pod -> {
                          assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
                          assertThat(pod.getStatus().getConditions())
                              .filteredOn(c -> "Ready".equals(c.getType()))
                              .extracting(PodCondition::getStatus)
                              .containsExactly("True");
                          assertThat(pod.getStatus().getPodIP()).isEqualTo("127.0.0.1");
                        }));
    ProcessHandle sleeping = cluster.agent().process(NAMESPACE, "waiting", "main").orElseThrow();
    assertThat(cluster.agent().process(NAMESPACE, "web", "web")).isEmpty();

    client.pods().inNamespace(NAMESPACE).withName("waiting").delete();
    client.pods().inNamespace(NAMESPACE).withName("web").delete();

    // SIGTERM ends the process long before the 60 s grace period would send SIGKILL; the pod
    // object goes once its containers have stopped, as the kubelet deletes it.
    await("the deleted pods to be gone")
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              assertThat(client.pods().inNamespace(NAMESPACE).withName("waiting").get()).isNull();
              assertThat(client.pods().inNamespace(NAMESPACE).withName("web").get()).isNull();
            });
    assertThat(sleeping.isAlive()).isFalse();
    assertThat(events("waiting")).extracting(Event::getReason).contains("Started", "Killing");
  }

  /**
   * The image's shell running {@code script}, with settings from {@code secret} and the ConfigMap
   * as env and as a volume, an emptyDir at {@code /tmp} and the default termination message path.
   */
  private static Pod shellPod(String name, String secret, String script) {
    List<EnvVar> env =
        List.of(
            secret("APP_USER", secret, "username"),
            secret("APP_PASSWORD", secret, "password"),
            new EnvVarBuilder()
                .withName("APP_SETTING")
                .withNewValueFrom()
                .withNewConfigMapKeyRef("setting", "agent-settings", false)
                .endValueFrom()
                .build(),
            literal("CONFIG_DIR", "/config"),
            literal("RESULT_FILE", "/dev/termination-log"));
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .addNewContainer()
        .withName("main")
        .withImage(IMAGE)
        .withCommand(SHELL, "-c", script)
        .withEnv(env)
        .addNewVolumeMount()
        .withName("config")
        .withMountPath("/config")
        .withReadOnly(true)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("tmp")
        .withMountPath("/tmp")
        .endVolumeMount()
        .endContainer()
        .addNewVolume()
        .withName("config")
        .withNewConfigMap()
        .withName("agent-settings")
        .endConfigMap()
        .endVolume()
        .addNewVolume()
        .withName("tmp")
        .withNewEmptyDir()
        .endEmptyDir()
        .endVolume()
        .endSpec()
        .build();
  }

  private static EnvVar literal(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static EnvVar secret(String name, String secret, String key) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewSecretKeyRef(key, secret, false)
        .endValueFrom()
        .build();
  }

  private static Pod pod(String name) {
    return client.pods().inNamespace(NAMESPACE).withName(name).get();
  }

  private static void awaitWaiting(String pod, String reason, String messageStart) {
    await(pod + " to wait with " + reason)
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              Pod current = pod(pod);
              assertThat(current.getStatus().getContainerStatuses()).hasSize(1);
              ContainerState state = current.getStatus().getContainerStatuses().get(0).getState();
              assertThat(state.getWaiting()).isNotNull();
              assertThat(state.getWaiting().getReason()).isEqualTo(reason);
              assertThat(state.getWaiting().getMessage()).startsWith(messageStart);
            });
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
