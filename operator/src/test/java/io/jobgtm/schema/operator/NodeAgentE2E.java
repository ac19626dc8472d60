package io.jobgtm.schema.operator;

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
import io.jobgtm.schema.migrator.testing.PostgresServer;
import io.jobgtm.schema.operator.act.MigrationJobFactory;
import io.jobgtm.schema.operator.testing.LocalCluster;
import io.jobgtm.schema.operator.testing.LocalClusterExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The node agent behaves as a kubelet does where the operator can tell: container states, exit
 * codes, termination messages, phases, conditions and deletion, with the real migrator as the
 * project image's process and placeholders for every other image.
 */
class NodeAgentE2E {

  @RegisterExtension
  static final LocalClusterExtension CLUSTER = new LocalClusterExtension(RunningOperator.IMAGE);

  private static final String NAMESPACE = "agent-e2e";
  private static final String DATABASE = "agent_e2e";

  /** Credentials that exist from the start; {@code agent-db} is built up by a test. */
  private static final String COMPLETE_SECRET = "agent-db-complete";

  /** A hang guard, never an expectation of speed. */
  private static final Duration PATIENCE = Duration.ofMinutes(2);

  private static LocalCluster cluster;
  private static KubernetesClient client;
  private static PostgresServer postgres;

  @BeforeAll
  static void createNamespace(LocalCluster localCluster) {
    cluster = localCluster;
    client = localCluster.client();
    postgres = PostgresServer.shared();
    postgres.createDatabase(DATABASE);
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .serverSideApply();
    client
        .configMaps()
        .inNamespace(NAMESPACE)
        .resource(Manifests.migrationsConfigMap("agent-migrations"))
        .serverSideApply();
    client
        .configMaps()
        .inNamespace(NAMESPACE)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("agent-settings")
                .endMetadata()
                .addToData("database", DATABASE)
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
                .addToStringData("username", PostgresServer.SUPERUSER)
                .addToStringData("password", postgres.password())
                .build())
        .serverSideApply();
  }

  @Test
  void containerWaitsWithTheKubeletsMessageUntilItsSecretIsCompleteThenRunsToItsResult() {
    client
        .pods()
        .inNamespace(NAMESPACE)
        .resource(migratorPod("info", "info", postgres.port(), "agent-db"))
        .create();

    awaitWaiting("info", "CreateContainerConfigError", "secret \"agent-db\" not found");
    assertThat(pod("info").getStatus().getPhase()).isEqualTo("Pending");
    assertThat(events("info"))
        .anySatisfy(
            event -> {
              assertThat(event.getType()).isEqualTo("Warning");
              assertThat(event.getMessage()).isEqualTo("Error: secret \"agent-db\" not found");
            });

    client
        .secrets()
        .inNamespace(NAMESPACE)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("agent-db")
                .endMetadata()
                .addToStringData("username", PostgresServer.SUPERUSER)
                .build())
        .create();
    awaitWaiting(
        "info",
        "CreateContainerConfigError",
        "couldn't find key password in Secret " + NAMESPACE + "/agent-db");

    client
        .secrets()
        .inNamespace(NAMESPACE)
        .withName("agent-db")
        .edit(
            secret -> {
              secret.setStringData(Map.of("password", postgres.password()));
              return secret;
            });

    await("the migrator's info to run")
        .atMost(PATIENCE)
        .untilAsserted(() -> assertThat(pod("info").getStatus().getPhase()).isEqualTo("Succeeded"));
    Pod finished = pod("info");
    ContainerStateTerminated terminated =
        finished.getStatus().getContainerStatuses().get(0).getState().getTerminated();
    assertThat(terminated.getExitCode()).isZero();
    assertThat(terminated.getReason()).isEqualTo("Completed");
    // The result document the migrator wrote to /dev/termination-log, read back from the status;
    // it found the migrations in the ConfigMap volume at /migrations.
    assertThat(terminated.getMessage())
        .startsWith("{\"apiVersion\":\"migrator.schema.jobgtm.io/v1\"")
        .contains("\"command\":\"info\"")
        .contains("\"databaseState\":\"Fresh\"")
        .contains("\"pending\":[\"1\",\"2\"]");
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
  void projectImageWithAnUnmappedCommandCannotStart() {
    Pod pod =
        new PodBuilder(migratorPod("operator-command", "info", postgres.port(), COMPLETE_SECRET))
            .editSpec()
            .editFirstContainer()
            .withCommand("/opt/schema-operator/bin/operator")
            .withArgs()
            .endContainer()
            .endSpec()
            .build();
    client.pods().inNamespace(NAMESPACE).resource(pod).create();

    awaitWaiting(
        "operator-command",
        "CreateContainerError",
        "container create failed: exec: \"/opt/schema-operator/bin/operator\"");
    assertThat(pod("operator-command").getStatus().getPhase()).isEqualTo("Pending");
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
    // Nothing listens on port 1: the migrator keeps waiting for its database.
    client
        .pods()
        .inNamespace(NAMESPACE)
        .resource(
            new PodBuilder(migratorPod("waiting", "migrate", 1, COMPLETE_SECRET))
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
    ProcessHandle migrator =
        cluster.agent().process(NAMESPACE, "waiting", MigrationJobFactory.CONTAINER).orElseThrow();
    assertThat(cluster.agent().process(NAMESPACE, "web", "web")).isEmpty();

    client.pods().inNamespace(NAMESPACE).withName("waiting").delete();
    client.pods().inNamespace(NAMESPACE).withName("web").delete();

    // SIGTERM ends the migrator long before the 60 s grace period would send SIGKILL; the pod
    // object goes once its containers have stopped, as the kubelet deletes it.
    await("the deleted pods to be gone")
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              assertThat(client.pods().inNamespace(NAMESPACE).withName("waiting").get()).isNull();
              assertThat(client.pods().inNamespace(NAMESPACE).withName("web").get()).isNull();
            });
    assertThat(migrator.isAlive()).isFalse();
    assertThat(events("waiting")).extracting(Event::getReason).contains("Started", "Killing");
  }

  /** The migrator as a migration Job runs it, reading the settings a Job's pod gets. */
  private static Pod migratorPod(String name, String command, int port, String secret) {
    List<EnvVar> env =
        List.of(
            literal("DB_HOST", "127.0.0.1"),
            literal("DB_PORT", String.valueOf(port)),
            new EnvVarBuilder()
                .withName("DB_NAME")
                .withNewValueFrom()
                .withNewConfigMapKeyRef("database", "agent-settings", false)
                .endValueFrom()
                .build(),
            secret("DB_USER", secret, "username"),
            secret("DB_PASSWORD", secret, "password"),
            literal("DB_SSLMODE", "disable"),
            literal("CONNECT_TIMEOUT", "5m"),
            literal("MIGRATIONS_DIR", "/migrations"),
            literal("RESULT_FILE", "/dev/termination-log"));
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .addNewContainer()
        .withName(MigrationJobFactory.CONTAINER)
        .withImage(RunningOperator.IMAGE)
        .withCommand(MigrationJobFactory.MIGRATE_COMMAND)
        .withArgs(command)
        .withEnv(env)
        .addNewVolumeMount()
        .withName("migrations")
        .withMountPath("/migrations")
        .withReadOnly(true)
        .endVolumeMount()
        .addNewVolumeMount()
        .withName("tmp")
        .withMountPath("/tmp")
        .endVolumeMount()
        .withTerminationMessagePath("/dev/termination-log")
        .endContainer()
        .addNewVolume()
        .withName("migrations")
        .withNewConfigMap()
        .withName("agent-migrations")
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
