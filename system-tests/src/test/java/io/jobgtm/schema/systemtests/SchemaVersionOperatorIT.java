package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.ConfigMapRef;
import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.operator.act.MigrationJobFactory;
import io.jobgtm.schema.testing.LocalControlPlane;
import io.jobgtm.schema.testing.LocalControlPlaneExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator against a real kube-apiserver, controller manager and scheduler, running as a
 * ServiceAccount with exactly the chart's RBAC. No kubelet runs: {@link SimulatedKubelet} writes
 * the migration pod's terminated status with a result document, as a kubelet would.
 */
@ExtendWith(LocalControlPlaneExtension.class)
class SchemaVersionOperatorIT {

  private static final String NAMESPACE = "workflow-it";
  private static final Duration PATIENCE = Duration.ofMinutes(2);

  private static LocalControlPlane cluster;
  private static KubernetesClient admin;
  private static SimulatedKubelet kubelet;
  private static RunningOperator operator;

  @BeforeAll
  static void startOperator(LocalControlPlane controlPlane) {
    cluster = controlPlane;
    admin = controlPlane.client();
    kubelet = new SimulatedKubelet(admin);
    operator =
        RunningOperator.startWithExampleNamespace(admin, controlPlane.kubeconfigYaml(), NAMESPACE);
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  private static SchemaVersion apply(SchemaVersion resource) {
    return admin
        .resources(SchemaVersion.class)
        .inNamespace(NAMESPACE)
        .resource(resource)
        .serverSideApply();
  }

  private static SchemaVersion get(String name) {
    return admin.resources(SchemaVersion.class).inNamespace(NAMESPACE).withName(name).get();
  }

  private static List<Job> jobsOf(String name) {
    return SchemaVersions.jobsOf(admin, NAMESPACE, name);
  }

  private static Job awaitSingleJob(String name) {
    await().atMost(PATIENCE).until(() -> jobsOf(name).size() == 1);
    return jobsOf(name).get(0);
  }

  private static SchemaVersionStatus awaitCondition(String name, String type, String reason) {
    return SchemaVersions.awaitCondition(admin, NAMESPACE, name, type, reason, PATIENCE);
  }

  @Test
  void theExampleGetsExactlyOneRestrictedJobThenReadyOnSuccess() throws Exception {
    apply(Manifests.exampleSchemaVersionOnItsOwnDatabase("workflow"));

    Job job = awaitSingleJob("workflow");
    Pod pod = kubelet.awaitPod(NAMESPACE, job.getMetadata().getName());
    assertThat(pod.getSpec().getInitContainers())
        .as("the Job controller's pod, shadow sidecar included, admitted under restricted")
        .extracting(Container::getName)
        .containsExactly(MigrationJobFactory.SHADOW_CONTAINER);
    Container container = pod.getSpec().getContainers().get(0);
    assertThat(container.getEnv())
        .filteredOn(env -> env.getName().equals("DB_USER") || env.getName().equals("DB_PASSWORD"))
        .hasSize(2)
        .allSatisfy(
            env -> {
              assertThat(env.getValue()).isNull();
              assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("workflow-db");
            });
    assertThat(container.getEnv()).noneMatch(env -> "change-me".equals(env.getValue()));
    awaitCondition("workflow", Conditions.RECONCILING, Reasons.MIGRATION_RUNNING);

    kubelet.terminate(pod, 0, MigratorResults.successDocument("2"));

    SchemaVersionStatus status = awaitCondition("workflow", Conditions.READY, "Migrated");
    assertThat(status.getCurrentVersion()).isEqualTo("2");
    assertThat(status.getDatabaseState()).hasToString("Fresh");
    assertThat(status.getAppliedMigrations())
        .extracting(m -> m.getVersion())
        .containsExactly("2", "1");
    assertThat(status.getLastJob().getName()).isEqualTo(job.getMetadata().getName());
    assertThat(jobsOf("workflow")).hasSize(1);
    Process wait =
        new ProcessBuilder(
                cluster.apiServer().binaries().path("kubectl").toString(),
                "--kubeconfig",
                cluster.kubeconfig().toString(),
                "-n",
                NAMESPACE,
                "wait",
                "--for=condition=Ready",
                "sv/workflow",
                "--timeout=60s")
            .redirectErrorStream(true)
            .start();
    assertThat(wait.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(new String(wait.getInputStream().readAllBytes()))
        .contains("schemaversion.schema.jobgtm.io/workflow condition met");
    assertThat(wait.exitValue()).isZero();
    assertThat(events("workflow"))
        .extracting(Event::getReason)
        .contains("MigrationStarted", "Migrated");
  }

  @Test
  void permanentFailureStallsWithoutNewJobsUntilTheMigrationsAreFixed() {
    ConfigMap migrations = Manifests.migrationsConfigMap("broken-migrations");
    migrations.getData().put("V3__broken.sql", "CREATE TABEL nope (id INT);");
    admin.configMaps().inNamespace(NAMESPACE).resource(migrations).serverSideApply();
    SchemaVersion resource = Manifests.exampleSchemaVersionOnItsOwnDatabase("broken");
    resource.getSpec().getMigrations().getConfigMapRef().setName("broken-migrations");
    apply(resource);
    Job first = awaitSingleJob("broken");

    kubelet.terminate(
        kubelet.awaitPod(NAMESPACE, first.getMetadata().getName()),
        2,
        MigratorResults.failureDocument());

    SchemaVersionStatus stalled = awaitCondition("broken", Conditions.STALLED, "MigrationFailed");
    assertThat(Conditions.find(stalled.getConditions(), Conditions.READY).orElseThrow().getStatus())
        .isEqualTo("False");
    assertThat(
            Conditions.find(stalled.getConditions(), Conditions.STALLED).orElseThrow().getMessage())
        .contains("failed at version 3")
        .contains("syntax error at or near \"TABEL\"");
    assertThat(events("broken"))
        .anySatisfy(
            event -> {
              assertThat(event.getType()).isEqualTo("Warning");
              assertThat(event.getReason()).isEqualTo("MigrationFailed");
            });
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .until(() -> jobsOf("broken").size() == 1);

    migrations.getData().put("V3__broken.sql", "CREATE TABLE fixed (id INT);");
    admin.configMaps().inNamespace(NAMESPACE).resource(migrations).serverSideApply();

    await().atMost(PATIENCE).until(() -> jobsOf("broken").size() == 2);
    Job second =
        jobsOf("broken").stream()
            .filter(job -> !job.getMetadata().getName().equals(first.getMetadata().getName()))
            .findFirst()
            .orElseThrow();
    kubelet.terminate(
        kubelet.awaitPod(NAMESPACE, second.getMetadata().getName()),
        0,
        MigratorResults.successDocument("3"));
    SchemaVersionStatus ready = awaitCondition("broken", Conditions.READY, "Migrated");
    assertThat(ready.getCurrentVersion()).isEqualTo("3");
  }

  @Test
  void podThatCannotStartStallsNamingTheMissingSecret() {
    SchemaVersion resource = Manifests.exampleSchemaVersionOnItsOwnDatabase("no-secret");
    resource.getSpec().getDatabase().getCredentialsSecretRef().setName("missing-credentials");
    apply(resource);
    Job job = awaitSingleJob("no-secret");

    kubelet.cannotStart(
        kubelet.awaitPod(NAMESPACE, job.getMetadata().getName()),
        "CreateContainerConfigError",
        "secret \"missing-credentials\" not found");

    SchemaVersionStatus status =
        awaitCondition("no-secret", Conditions.STALLED, Reasons.CONTAINER_CONFIG_ERROR);
    assertThat(
            Conditions.find(status.getConditions(), Conditions.STALLED).orElseThrow().getMessage())
        .contains("secret \"missing-credentials\" not found");
  }

  @Test
  void missingConfigMapStallsNamingIt() {
    SchemaVersion resource = Manifests.exampleSchemaVersionOnItsOwnDatabase("no-configmap");
    resource.getSpec().getMigrations().getConfigMapRef().setName("nowhere");
    apply(resource);

    SchemaVersionStatus status =
        awaitCondition("no-configmap", Conditions.STALLED, Reasons.CONFIG_MAP_NOT_FOUND);
    assertThat(
            Conditions.find(status.getConditions(), Conditions.STALLED).orElseThrow().getMessage())
        .isEqualTo(
            "ConfigMap nowhere (spec.migrations.configMapRef) not found in namespace " + NAMESPACE);
    assertThat(jobsOf("no-configmap")).isEmpty();

    admin
        .configMaps()
        .inNamespace(NAMESPACE)
        .resource(Manifests.migrationsConfigMap("nowhere"))
        .serverSideApply();

    awaitSingleJob("no-configmap");
  }

  @Test
  void aMissingConfigMapOfSeveralStallsNamingItAndItsCreationStartsTheJob() {
    admin
        .configMaps()
        .inNamespace(NAMESPACE)
        .resource(Manifests.migrationsConfigMap("split-schema"))
        .serverSideApply();
    SchemaVersion resource = Manifests.exampleSchemaVersionOnItsOwnDatabase("split-set");
    resource.getSpec().getMigrations().setConfigMapRef(null);
    resource
        .getSpec()
        .getMigrations()
        .setConfigMapRefs(
            List.of(new ConfigMapRef("split-schema"), new ConfigMapRef("split-data")));
    apply(resource);

    SchemaVersionStatus status =
        awaitCondition("split-set", Conditions.STALLED, Reasons.CONFIG_MAP_NOT_FOUND);
    assertThat(
            Conditions.find(status.getConditions(), Conditions.STALLED).orElseThrow().getMessage())
        .isEqualTo(
            "ConfigMap split-data (spec.migrations.configMapRefs) not found in namespace "
                + NAMESPACE);
    assertThat(jobsOf("split-set")).isEmpty();

    admin
        .configMaps()
        .inNamespace(NAMESPACE)
        .resource(
            Manifests.configMap(
                "split-data", Map.of("V3__seed.sql", "INSERT INTO job_listings DEFAULT VALUES;\n")))
        .serverSideApply();

    Job job = awaitSingleJob("split-set");
    var pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getVolumes())
        .filteredOn(volume -> volume.getConfigMap() != null)
        .extracting(volume -> volume.getConfigMap().getName())
        .containsExactly("split-schema", "split-data");
    assertThat(pod.getContainers().get(0).getEnv())
        .filteredOn(env -> env.getName().equals("MIGRATIONS_DIR"))
        .extracting(env -> env.getValue())
        .containsExactly("/migrations/split-schema,/migrations/split-data");
  }

  @Test
  void specChangeWhileAJobRunsWaitsForIt() {
    apply(Manifests.exampleSchemaVersionOnItsOwnDatabase("changing"));
    Job first = awaitSingleJob("changing");
    SchemaVersion changed = Manifests.exampleSchemaVersionOnItsOwnDatabase("changing");
    changed.getSpec().setTargetVersion("1");
    apply(changed);

    SchemaVersionStatus waiting =
        awaitCondition("changing", Conditions.RECONCILING, Reasons.WAITING_FOR_PREVIOUS_JOB);
    assertThat(waiting.getObservedGeneration()).isEqualTo(2L);
    assertThat(jobsOf("changing")).hasSize(1);

    kubelet.terminate(
        kubelet.awaitPod(NAMESPACE, first.getMetadata().getName()),
        0,
        MigratorResults.successDocument("2"));

    await().atMost(PATIENCE).until(() -> jobsOf("changing").size() == 2);
    SchemaVersionStatus next =
        awaitCondition("changing", Conditions.RECONCILING, Reasons.MIGRATION_RUNNING);
    assertThat(next.getCurrentVersion()).isEqualTo("2");
  }

  @Test
  void operatorRestartedMidJobAdoptsTheSameJob() {
    apply(Manifests.exampleSchemaVersionOnItsOwnDatabase("restarted"));
    Job job = awaitSingleJob("restarted");
    awaitCondition("restarted", Conditions.RECONCILING, Reasons.MIGRATION_RUNNING);

    operator.close();
    operator = RunningOperator.start(admin, cluster.kubeconfigYaml());

    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .until(() -> jobsOf("restarted").size() == 1);
    kubelet.terminate(
        kubelet.awaitPod(NAMESPACE, job.getMetadata().getName()),
        0,
        MigratorResults.successDocument("2"));
    awaitCondition("restarted", Conditions.READY, "Migrated");
    assertThat(jobsOf("restarted"))
        .extracting(j -> j.getMetadata().getName())
        .containsExactly(job.getMetadata().getName());
  }

  @Test
  void operatorIdentityCannotReadSecrets() {
    assertThatThrownBy(
            () -> operator.client().secrets().inNamespace(NAMESPACE).withName("workflow-db").get())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    assertThatThrownBy(() -> operator.client().secrets().inNamespace(NAMESPACE).list())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
  }

  @Test
  void metricsEndpointServesTheDocumentedSeries() {
    apply(Manifests.exampleSchemaVersionOnItsOwnDatabase("metered"));
    Job job = awaitSingleJob("metered");
    kubelet.terminate(
        kubelet.awaitPod(NAMESPACE, job.getMetadata().getName()),
        0,
        MigratorResults.successDocument("2"));
    awaitCondition("metered", Conditions.READY, "Migrated");

    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              String metrics = operator.metrics();
              assertThat(metrics)
                  .contains(
                      "schema_operator_migrations_applied_total{name=\"metered\",namespace=\""
                          + NAMESPACE
                          + "\"} 2.0")
                  .contains(
                      "schema_operator_current_version{name=\"metered\",namespace=\""
                          + NAMESPACE
                          + "\"} 2.0")
                  .contains(
                      "schema_operator_migration_job_duration_seconds_count{name=\"metered\",namespace=\""
                          + NAMESPACE
                          + "\",outcome=\"Migrated\"} 1")
                  .contains("schema_operator_reconciliations_total");
            });
  }

  @Test
  void fiftyReadyResourcesAreResyncedWithoutASingleWrite() {
    String namespace = "quiet-it";
    Manifests.restrictedNamespace(admin, namespace);
    for (int i = 0; i < 50; i++) {
      SchemaVersion resource = Manifests.exampleSchemaVersionOnItsOwnDatabase("quiet-" + i);
      resource.getSpec().setMigrations(null);
      admin
          .resources(SchemaVersion.class)
          .inNamespace(namespace)
          .resource(resource)
          .serverSideApply();
    }
    for (int i = 0; i < 50; i++) {
      String name = "quiet-" + i;
      await().atMost(PATIENCE).until(() -> jobsIn(namespace, name).size() == 1);
      String job = jobsIn(namespace, name).get(0).getMetadata().getName();
      kubelet.terminate(kubelet.awaitPod(namespace, job), 0, MigratorResults.successDocument("2"));
    }
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                admin
                        .resources(SchemaVersion.class)
                        .inNamespace(namespace)
                        .list()
                        .getItems()
                        .stream()
                        .filter(
                            sv ->
                                sv.getStatus() != null
                                    && Conditions.isTrue(
                                        sv.getStatus().getConditions(), Conditions.READY))
                        .count()
                    == 50);

    operator.close();
    operator = RunningOperator.start(admin, cluster.kubeconfigYaml());

    // A fresh operator reconciles every resource it finds; a quiet cluster sees no write.
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                operator.metric("schema_operator_reconciliations_total") >= 50 + readyElsewhere());
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .until(() -> operator.writes() == 0);
    assertThat(operator.writes()).isZero();
  }

  /** SchemaVersions of the other tests, which the fresh operator reconciles too. */
  private static long readyElsewhere() {
    return admin.resources(SchemaVersion.class).inNamespace(NAMESPACE).list().getItems().size();
  }

  private static List<Job> jobsIn(String namespace, String name) {
    return SchemaVersions.jobsOf(admin, namespace, name);
  }

  private static List<Event> events(String name) {
    return new ArrayList<>(SchemaVersions.events(admin, NAMESPACE, name));
  }
}
