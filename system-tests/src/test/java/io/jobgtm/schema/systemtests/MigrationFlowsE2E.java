package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSchedulingGate;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.contract.DatabaseState;
import io.jobgtm.schema.operator.act.MigrationJobFactory;
import io.jobgtm.schema.operator.decide.Gates;
import io.jobgtm.schema.operator.runtime.OperatorConfig;
import io.jobgtm.schema.operator.runtime.OperatorMain;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.LocalCluster;
import io.jobgtm.schema.testing.LocalClusterExtension;
import io.jobgtm.schema.testing.PostgresServer;
import io.jobgtm.schema.testing.RequestCounter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real flows, from applying a SchemaVersion to pods released: the full local control plane, a
 * node agent that runs the migration Job's pod as the real migrator process, an embedded
 * PostgreSQL, and the operator running as the chart's ServiceAccount. One control plane and one
 * PostgreSQL for the class; each flow has a database and a SchemaVersion of its own.
 */
class MigrationFlowsE2E {

  @RegisterExtension
  static final LocalClusterExtension CLUSTER = MigratorImage.localCluster(RunningOperator.IMAGE);

  private static final String NAMESPACE = "flows-e2e";

  /** Watched by operator processes only (the flow that kills the operator). */
  private static final String RESTART_NAMESPACE = "restart-e2e";

  private static final String MIGRATIONS = "workflow-migrations";
  private static final String ROLE = "workflow";

  /**
   * A migration that waits for an advisory lock the test holds: the Job is "mid-migration", with V1
   * and V2 committed and V3 open, for as long as the test wants.
   */
  private static final long HOLD_KEY = 727_272L;

  /** A hang guard, never an expectation of speed. */
  private static final Duration PATIENCE = Duration.ofMinutes(3);

  private static LocalCluster cluster;
  private static KubernetesClient admin;
  private static PostgresServer postgres;
  private static OperatorMain operator;
  private static String password;
  private static final List<OperatorProcess> operatorProcesses = new ArrayList<>();

  @BeforeAll
  static void startOperator(LocalCluster localCluster) {
    cluster = localCluster;
    admin = localCluster.client();
    postgres = PostgresServer.shared();
    byte[] random = new byte[12];
    new SecureRandom().nextBytes(random);
    password = HexFormat.of().formatHex(random);
    postgres.execute(
        "postgres",
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '"
            + ROLE
            + "') THEN CREATE ROLE "
            + ROLE
            + " LOGIN; END IF; END $$",
        "ALTER ROLE " + ROLE + " PASSWORD '" + password + "'");
    Manifests.installCrd(admin);
    for (String namespace : List.of(NAMESPACE, RESTART_NAMESPACE)) {
      Manifests.restrictedNamespace(admin, namespace);
      Secret secret = Manifests.example("workflow-db-secret.yaml", Secret.class);
      secret.setStringData(Map.of("username", ROLE, "password", password));
      admin.secrets().inNamespace(namespace).resource(secret).serverSideApply();
      admin
          .configMaps()
          .inNamespace(namespace)
          .resource(Manifests.migrationsConfigMap(MIGRATIONS))
          .serverSideApply();
    }
    RunningOperator.installRbac(admin);
    KubernetesClient client =
        RunningOperator.serviceAccountClient(
            admin, localCluster.apiServer().kubeconfigYaml(), new RequestCounter());
    operator =
        OperatorMain.start(
            client,
            new OperatorConfig(
                RunningOperator.IMAGE,
                Set.of(NAMESPACE),
                0,
                false,
                "schema-operator-leader",
                null));
  }

  @AfterAll
  static void stopOperator() {
    operatorProcesses.forEach(OperatorProcess::close);
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void freshDatabaseReachesVersion2AndTheGatedDeploymentStartsAfterIt() {
    createDatabase("fresh");
    SchemaVersion resource = schemaVersion("workflow", "fresh", MIGRATIONS, "latest");
    apply(NAMESPACE, resource);
    admin
        .apps()
        .deployments()
        .inNamespace(NAMESPACE)
        .resource(Manifests.example("workflow-svc-deployment.yaml", Deployment.class))
        .serverSideApply();

    SchemaVersionStatus status = awaitReady(NAMESPACE, "workflow", "Migrated", "2");

    assertThat(status.getDatabaseState()).isEqualTo(DatabaseState.Fresh);
    assertThat(status.getAppliedMigrations())
        .extracting(m -> m.getVersion())
        .containsExactly("2", "1");
    assertThat(history("fresh")).containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(Catalog.snapshot(postgres, "fresh", "public"))
        .anyMatch(line -> line.startsWith("column job_listings.is_remote boolean"));
    List<Job> jobs = jobsOf(NAMESPACE, "workflow");
    assertThat(jobs).hasSize(1);
    Pod migration =
        pods(NAMESPACE, "batch.kubernetes.io/job-name", jobs.get(0).getMetadata().getName()).get(0);
    assertThat(migration.getStatus().getPhase()).isEqualTo("Succeeded");
    // Gating: no workflow-svc container started before the migration had ended (same clock).
    Instant migrated = Instant.parse(terminated(migration).getFinishedAt());
    assertThat(awaitReadyPods(NAMESPACE, "workflow-svc", 2))
        .allSatisfy(
            pod ->
                assertThat(
                        Instant.parse(
                            pod.getStatus()
                                .getContainerStatuses()
                                .get(0)
                                .getState()
                                .getRunning()
                                .getStartedAt()))
                    .isAfterOrEqualTo(migrated));
  }

  @Test
  void unversionedDatabaseIsBaselinedThenMigrated() {
    createDatabase("unversioned");
    postgres.execute(
        "unversioned", "SET ROLE " + ROLE, Manifests.read("migrations/V1__initial_schema.sql"));
    List<String> schemaBefore = Catalog.snapshot(postgres, "unversioned", "public");
    apply(NAMESPACE, schemaVersion("unversioned", "unversioned", MIGRATIONS, "1"));

    SchemaVersionStatus baselined = awaitReady(NAMESPACE, "unversioned", "Baselined", "1");

    assertThat(baselined.getDatabaseState()).isEqualTo(DatabaseState.Unversioned);
    assertThat(history("unversioned")).containsExactly("1:BASELINE:true");
    assertThat(Catalog.snapshot(postgres, "unversioned", "public")).isEqualTo(schemaBefore);

    apply(NAMESPACE, schemaVersion("unversioned", "unversioned", MIGRATIONS, "latest"));

    SchemaVersionStatus migrated = awaitReady(NAMESPACE, "unversioned", "Migrated", "2");
    assertThat(migrated.getDatabaseState()).isEqualTo(DatabaseState.Versioned);
    assertThat(history("unversioned")).containsExactly("1:BASELINE:true", "2:SQL:true");
    assertThat(jobsOf(NAMESPACE, "unversioned")).hasSize(2);
  }

  @Test
  void upgradeFrom1To2ReleasesPodsThatNeedVersion2() {
    createDatabase("upgrade");
    apply(NAMESPACE, schemaVersion("upgrade", "upgrade", MIGRATIONS, "1"));
    awaitReady(NAMESPACE, "upgrade", "Migrated", "1");
    assertThat(history("upgrade")).containsExactly("1:SQL:true");
    admin
        .apps()
        .deployments()
        .inNamespace(NAMESPACE)
        .resource(gatedDeployment("upgrade-svc", "upgrade"))
        .serverSideApply();
    await("the pods needing version 2 to wait at version 1")
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              assertThat(get(NAMESPACE, "upgrade").getStatus().getGatedPods()).isEqualTo(2);
              assertThat(pods(NAMESPACE, "app.kubernetes.io/name", "upgrade-svc"))
                  .hasSize(2)
                  .allSatisfy(pod -> assertThat(pod.getSpec().getNodeName()).isNull());
            });

    apply(NAMESPACE, schemaVersion("upgrade", "upgrade", MIGRATIONS, "latest"));

    SchemaVersionStatus status = awaitReady(NAMESPACE, "upgrade", "Migrated", "2");
    assertThat(status.getDatabaseState()).isEqualTo(DatabaseState.Versioned);
    assertThat(history("upgrade")).containsExactly("1:SQL:true", "2:SQL:true");
    awaitReadyPods(NAMESPACE, "upgrade-svc", 2);
    await().atMost(PATIENCE).until(() -> get(NAMESPACE, "upgrade").getStatus().getGatedPods() == 0);
  }

  @Test
  void brokenMigrationStallsUntilTheConfigMapIsFixed() {
    createDatabase("broken");
    ConfigMap migrations = Manifests.migrationsConfigMap("broken-migrations");
    migrations
        .getData()
        .put("V3__add_salary_bounds.sql", "ALTER TABLE job_listings ADD COLUMN salary_min integr;");
    admin.configMaps().inNamespace(NAMESPACE).resource(migrations).serverSideApply();
    apply(NAMESPACE, schemaVersion("broken", "broken", "broken-migrations", "latest"));

    SchemaVersionStatus stalled =
        awaitCondition(NAMESPACE, "broken", Conditions.STALLED, "MigrationFailed");

    assertThat(
            Conditions.find(stalled.getConditions(), Conditions.STALLED).orElseThrow().getMessage())
        .contains("failed at version 3")
        .contains("type \"integr\" does not exist");
    assertThat(Conditions.find(stalled.getConditions(), Conditions.READY).orElseThrow().getStatus())
        .isEqualTo("False");
    assertThat(history("broken")).containsExactly("1:SQL:true", "2:SQL:true");
    Job failed = jobsOf(NAMESPACE, "broken").get(0);
    assertThat(failed.getStatus().getConditions())
        .anySatisfy(
            condition -> {
              assertThat(condition.getType()).isEqualTo("Failed");
              assertThat(condition.getReason()).isEqualTo("PodFailurePolicy");
            });
    assertThat(pods(NAMESPACE, "batch.kubernetes.io/job-name", failed.getMetadata().getName()))
        .singleElement()
        .satisfies(pod -> assertThat(terminated(pod).getExitCode()).isEqualTo(2));

    migrations
        .getData()
        .put(
            "V3__add_salary_bounds.sql", "ALTER TABLE job_listings ADD COLUMN salary_min integer;");
    admin.configMaps().inNamespace(NAMESPACE).resource(migrations).serverSideApply();

    awaitReady(NAMESPACE, "broken", "Migrated", "3");
    assertThat(history("broken")).containsExactly("1:SQL:true", "2:SQL:true", "3:SQL:true");
    assertThat(jobsOf(NAMESPACE, "broken")).hasSize(2);
  }

  @Test
  void downgradeFrom2To1OnlyWhenAllowed() {
    createDatabase("downgrade");
    apply(NAMESPACE, schemaVersion("downgrade", "downgrade", MIGRATIONS, "2"));
    awaitReady(NAMESPACE, "downgrade", "Migrated", "2");
    assertThat(Catalog.snapshot(postgres, "downgrade", "public"))
        .anyMatch(line -> line.contains("is_remote"));

    apply(NAMESPACE, schemaVersion("downgrade", "downgrade", MIGRATIONS, "1"));
    awaitCondition(NAMESPACE, "downgrade", Conditions.STALLED, "DowngradeNotAllowed");
    assertThat(jobsOf(NAMESPACE, "downgrade")).hasSize(1);

    SchemaVersion allowed = schemaVersion("downgrade", "downgrade", MIGRATIONS, "1");
    allowed.getSpec().getDowngrade().setAllowed(true);
    apply(NAMESPACE, allowed);

    awaitReady(NAMESPACE, "downgrade", "Downgraded", "1");
    assertThat(Catalog.snapshot(postgres, "downgrade", "public"))
        .isNotEmpty()
        .noneMatch(line -> line.contains("is_remote"));
    assertThat(history("downgrade")).containsExactly("1:SQL:true");
    assertThat(jobsOf(NAMESPACE, "downgrade")).hasSize(2);
  }

  @Test
  void podKilledMidMigrationIsRetriedAndEveryMigrationAppliesOnce() throws Exception {
    createDatabase("killed");
    admin
        .configMaps()
        .inNamespace(NAMESPACE)
        .resource(heldMigrations("held-migrations"))
        .serverSideApply();
    SchemaVersion resource = schemaVersion("killed", "killed", "held-migrations", "latest");
    resource.getSpec().getJob().setLockTimeout("5m");

    try (Connection hold = holdMigration("killed")) {
      apply(NAMESPACE, resource);
      awaitMigrationHeld("killed");
      Job job = jobsOf(NAMESPACE, "killed").get(0);
      Pod pod = pods(NAMESPACE, "batch.kubernetes.io/job-name", job.getMetadata().getName()).get(0);
      ProcessHandle migrator =
          cluster
              .agent()
              .process(NAMESPACE, pod.getMetadata().getName(), MigrationJobFactory.CONTAINER)
              .orElseThrow();

      migrator.destroyForcibly();
    }

    awaitReady(NAMESPACE, "killed", "Migrated", "3");
    assertThat(history("killed")).containsExactly("1:SQL:true", "2:SQL:true", "3:SQL:true");
    List<Job> jobs = jobsOf(NAMESPACE, "killed");
    assertThat(jobs).hasSize(1);
    List<Pod> attempts =
        pods(NAMESPACE, "batch.kubernetes.io/job-name", jobs.get(0).getMetadata().getName());
    assertThat(attempts)
        .extracting(pod -> pod.getStatus().getPhase())
        .containsExactlyInAnyOrder("Failed", "Succeeded");
    assertThat(attempts)
        .filteredOn(pod -> "Failed".equals(pod.getStatus().getPhase()))
        .singleElement()
        .satisfies(pod -> assertThat(terminated(pod).getExitCode()).isEqualTo(137));
  }

  @Test
  void operatorKilledMidJobIsReplacedAndConvergesWithOneJob() throws Exception {
    createDatabase("restarted");
    admin
        .configMaps()
        .inNamespace(RESTART_NAMESPACE)
        .resource(heldMigrations("held-migrations"))
        .serverSideApply();
    SchemaVersion resource = schemaVersion("restarted", "restarted", "held-migrations", "latest");
    resource.getSpec().getJob().setLockTimeout("5m");
    Path kubeconfig = serviceAccountKubeconfig();
    Map<String, String> settings =
        Map.of(
            "SCHEMA_OPERATOR_MIGRATOR_IMAGE",
            RunningOperator.IMAGE,
            "SCHEMA_OPERATOR_WATCH_NAMESPACES",
            RESTART_NAMESPACE,
            "SCHEMA_OPERATOR_HTTP_PORT",
            "0",
            "SCHEMA_OPERATOR_LEADER_ELECTION",
            "false");

    String jobName;
    OperatorProcess second;
    try (Connection hold = holdMigration("restarted")) {
      try (OperatorProcess first = startOperator(kubeconfig, settings, "operator-first.log")) {
        apply(RESTART_NAMESPACE, resource);
        awaitMigrationHeld("restarted");
        awaitCondition(RESTART_NAMESPACE, "restarted", Conditions.RECONCILING, "MigrationRunning");
        jobName = jobsOf(RESTART_NAMESPACE, "restarted").get(0).getMetadata().getName();

        first.kill();
      }
      second = startOperator(kubeconfig, settings, "operator-second.log");
      await("the new operator to start")
          .atMost(PATIENCE)
          .until(() -> second.output().contains("schema-operator started"));
      // Still held: the new operator meets the Job running.
      assertThat(jobsOf(RESTART_NAMESPACE, "restarted")).hasSize(1);
    }

    try (second) {
      SchemaVersionStatus status = awaitReady(RESTART_NAMESPACE, "restarted", "Migrated", "3");

      assertThat(status.getLastJob().getName()).isEqualTo(jobName);
      assertThat(jobsOf(RESTART_NAMESPACE, "restarted"))
          .extracting(job -> job.getMetadata().getName())
          .containsExactly(jobName);
      assertThat(history("restarted")).containsExactly("1:SQL:true", "2:SQL:true", "3:SQL:true");
    }
  }

  @Test
  void deletedWhileItsJobRunsReleasesItsGatesAtOnceAndLetsTheMigrationFinish() throws Exception {
    createDatabase("deleted");
    admin
        .configMaps()
        .inNamespace(NAMESPACE)
        .resource(heldMigrations("held-migrations"))
        .serverSideApply();
    Deployment injected = gatedDeployment("deleted-injected", "deleting");
    injected.getSpec().getTemplate().getSpec().setSchedulingGates(null);
    admin.apps().deployments().inNamespace(NAMESPACE).resource(injected).serverSideApply();
    admin
        .apps()
        .deployments()
        .inNamespace(NAMESPACE)
        .resource(gatedDeployment("deleted-reader", "deleting"))
        .serverSideApply();
    SchemaVersion resource = schemaVersion("deleting", "deleted", "held-migrations", "latest");
    resource.getSpec().getJob().setLockTimeout("5m");
    io.jobgtm.schema.api.GateSpec gate = new io.jobgtm.schema.api.GateSpec();
    gate.setDeployments(List.of("deleted-injected"));
    resource.getSpec().setGate(gate);

    String jobName;
    try (Connection hold = holdMigration("deleted")) {
      apply(NAMESPACE, resource);
      awaitMigrationHeld("deleted");
      await("the gate to be added to deleted-injected")
          .atMost(PATIENCE)
          .until(() -> templateGates(NAMESPACE, "deleted-injected").size() == 1);
      jobName = jobsOf(NAMESPACE, "deleting").get(0).getMetadata().getName();

      admin.resources(SchemaVersion.class).inNamespace(NAMESPACE).withName("deleting").delete();

      // The gates go at once: nobody waits for a resource that is going away.
      await("the gates of deleting to be gone")
          .atMost(PATIENCE)
          .untilAsserted(
              () -> {
                assertThat(templateGates(NAMESPACE, "deleted-injected")).isEmpty();
                assertThat(pods(NAMESPACE, "app.kubernetes.io/name", "deleted-reader"))
                    .isNotEmpty()
                    .allSatisfy(pod -> assertThat(pod.getSpec().getSchedulingGates()).isEmpty());
              });
      // The migration is not cut halfway: the resource, its Job and the migrator stay.
      await("the deletion to say it waits")
          .atMost(PATIENCE)
          .until(
              () ->
                  SchemaVersions.events(admin, NAMESPACE, "deleting").stream()
                      .anyMatch(e -> "DeletionWaitsForMigration".equals(e.getReason())));
      SchemaVersion deleting = get(NAMESPACE, "deleting");
      assertThat(deleting).isNotNull();
      assertThat(deleting.getMetadata().getDeletionTimestamp()).isNotNull();
      assertThat(jobsOf(NAMESPACE, "deleting"))
          .extracting(job -> job.getMetadata().getName())
          .containsExactly(jobName);
      awaitMigrationHeld("deleted");
    }

    // V3 commits, then the resource goes, and with it its Job and pods.
    await("deleting to be gone").atMost(PATIENCE).until(() -> get(NAMESPACE, "deleting") == null);
    assertThat(history("deleted")).containsExactly("1:SQL:true", "2:SQL:true", "3:SQL:true");
    assertThat(Catalog.tables(postgres, "deleted", "public")).contains("held_marker");
    await("its Job and pods to be gone")
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              assertThat(jobsOf(NAMESPACE, "deleting")).isEmpty();
              assertThat(
                      pods(
                          NAMESPACE,
                          io.jobgtm.schema.operator.act.Labels.SCHEMA_VERSION,
                          "deleting"))
                  .isEmpty();
            });
  }

  @Test
  void theStandbyReplicaTakesOverWhenTheLeaderIsKilledMidJobWithOneJobThroughout()
      throws Exception {
    createDatabase("failover");
    admin
        .configMaps()
        .inNamespace(RESTART_NAMESPACE)
        .resource(heldMigrations("held-migrations"))
        .serverSideApply();
    SchemaVersion resource = schemaVersion("failover", "failover", "held-migrations", "latest");
    resource.getSpec().getJob().setLockTimeout("5m");
    Path kubeconfig = serviceAccountKubeconfig();
    Map<String, OperatorProcess> replicas = new java.util.LinkedHashMap<>();
    for (String replica : List.of("schema-operator-a", "schema-operator-b")) {
      replicas.put(
          replica,
          startOperator(
              kubeconfig,
              Map.of(
                  "SCHEMA_OPERATOR_MIGRATOR_IMAGE",
                  RunningOperator.IMAGE,
                  "SCHEMA_OPERATOR_WATCH_NAMESPACES",
                  RESTART_NAMESPACE,
                  "SCHEMA_OPERATOR_HTTP_PORT",
                  "0",
                  "SCHEMA_OPERATOR_LEADER_ELECTION",
                  "true",
                  "SCHEMA_OPERATOR_LEASE_NAME",
                  "failover-e2e",
                  "SCHEMA_OPERATOR_LEASE_NAMESPACE",
                  RunningOperator.NAMESPACE,
                  "HOSTNAME",
                  replica),
              replica + ".log"));
    }
    java.util.concurrent.atomic.AtomicInteger mostJobs =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.ScheduledExecutorService counter =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    counter.scheduleWithFixedDelay(
        () -> mostJobs.accumulateAndGet(jobsOf(RESTART_NAMESPACE, "failover").size(), Math::max),
        0,
        200,
        java.util.concurrent.TimeUnit.MILLISECONDS);
    try {
      String leader =
          await("a leader")
              .atMost(PATIENCE)
              .until(() -> leaseHolder("failover-e2e"), Objects::nonNull);
      try (Connection hold = holdMigration("failover")) {
        apply(RESTART_NAMESPACE, resource);
        awaitMigrationHeld("failover");
        String jobName = jobsOf(RESTART_NAMESPACE, "failover").get(0).getMetadata().getName();

        replicas.get(leader).kill();

        String standby =
            replicas.keySet().stream().filter(name -> !name.equals(leader)).findFirst().get();
        await("the standby to lead")
            .atMost(PATIENCE)
            .until(() -> standby.equals(leaseHolder("failover-e2e")));
        await("the standby to reconcile")
            .atMost(PATIENCE)
            .until(() -> replicas.get(standby).output().contains("leading: this replica"));
        assertThat(jobsOf(RESTART_NAMESPACE, "failover"))
            .extracting(job -> job.getMetadata().getName())
            .containsExactly(jobName);
      }
      SchemaVersionStatus status = awaitReady(RESTART_NAMESPACE, "failover", "Migrated", "3");
      assertThat(jobsOf(RESTART_NAMESPACE, "failover")).hasSize(1);
      assertThat(status.getLastJob().getAttempt()).isNull();
      assertThat(history("failover")).containsExactly("1:SQL:true", "2:SQL:true", "3:SQL:true");
      assertThat(Catalog.tables(postgres, "failover", "public")).contains("held_marker");
    } finally {
      counter.shutdownNow();
      replicas.values().forEach(OperatorProcess::close);
    }
    assertThat(mostJobs.get()).isEqualTo(1);
  }

  private static String leaseHolder(String lease) {
    io.fabric8.kubernetes.api.model.coordination.v1.Lease found =
        admin.leases().inNamespace(RunningOperator.NAMESPACE).withName(lease).get();
    return found == null || found.getSpec() == null ? null : found.getSpec().getHolderIdentity();
  }

  private static List<io.fabric8.kubernetes.api.model.PodSchedulingGate> templateGates(
      String namespace, String deployment) {
    List<PodSchedulingGate> gates =
        admin
            .apps()
            .deployments()
            .inNamespace(namespace)
            .withName(deployment)
            .get()
            .getSpec()
            .getTemplate()
            .getSpec()
            .getSchedulingGates();
    return gates == null ? List.of() : gates;
  }

  /** An operator process; whatever a failing flow leaves running is stopped after the class. */
  private static OperatorProcess startOperator(
      Path kubeconfig, Map<String, String> settings, String log) {
    OperatorProcess process =
        OperatorProcess.start(
            kubeconfig, settings, cluster.apiServer().logDirectory().resolve(log));
    operatorProcesses.add(process);
    return process;
  }

  // --- the flows' vocabulary

  private static void createDatabase(String name) {
    postgres.execute("postgres", "CREATE DATABASE \"" + name + "\" OWNER " + ROLE);
  }

  /** The example SchemaVersion, pointed at one of the embedded PostgreSQL's databases. */
  private static SchemaVersion schemaVersion(
      String name, String database, String migrations, String target) {
    SchemaVersion resource = Manifests.exampleSchemaVersion(name);
    resource.getSpec().setTargetVersion(target);
    resource.getSpec().getDatabase().setHost("127.0.0.1");
    resource.getSpec().getDatabase().setPort(postgres.port());
    resource.getSpec().getDatabase().setName(database);
    resource.getSpec().getMigrations().getConfigMapRef().setName(migrations);
    return resource;
  }

  private static void apply(String namespace, SchemaVersion resource) {
    admin
        .resources(SchemaVersion.class)
        .inNamespace(namespace)
        .resource(resource)
        .serverSideApply();
  }

  private static SchemaVersion get(String namespace, String name) {
    return admin.resources(SchemaVersion.class).inNamespace(namespace).withName(name).get();
  }

  private static SchemaVersionStatus awaitCondition(
      String namespace, String name, String type, String reason) {
    return SchemaVersions.awaitCondition(admin, namespace, name, type, reason, PATIENCE);
  }

  private static SchemaVersionStatus awaitReady(
      String namespace, String name, String reason, String version) {
    SchemaVersionStatus status = awaitCondition(namespace, name, Conditions.READY, reason);
    assertThat(status.getCurrentVersion()).isEqualTo(version);
    return status;
  }

  private static List<Job> jobsOf(String namespace, String name) {
    return SchemaVersions.jobsOf(admin, namespace, name);
  }

  private static List<Pod> pods(String namespace, String label, String value) {
    return admin.pods().inNamespace(namespace).withLabel(label, value).list().getItems();
  }

  private static ContainerStateTerminated terminated(Pod pod) {
    return pod.getStatus().getContainerStatuses().get(0).getState().getTerminated();
  }

  private static List<Pod> awaitReadyPods(String namespace, String app, int count) {
    await(count + " " + app + " pods to be Ready")
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                assertThat(pods(namespace, "app.kubernetes.io/name", app))
                    .hasSize(count)
                    .allSatisfy(
                        pod -> {
                          assertThat(pod.getSpec().getSchedulingGates()).isNullOrEmpty();
                          assertThat(pod.getStatus().getPhase()).isEqualTo("Running");
                          assertThat(pod.getStatus().getConditions())
                              .filteredOn(c -> "Ready".equals(c.getType()))
                              .extracting(PodCondition::getStatus)
                              .containsExactly("True");
                        }));
    return pods(namespace, "app.kubernetes.io/name", app);
  }

  /** The example workflow-svc Deployment, renamed and gated on another SchemaVersion. */
  private static Deployment gatedDeployment(String name, String schemaVersion) {
    Deployment deployment = Manifests.example("workflow-svc-deployment.yaml", Deployment.class);
    deployment.getMetadata().setName(name);
    Map<String, String> labels = Map.of("app.kubernetes.io/name", name);
    deployment.getMetadata().setLabels(labels);
    deployment.getSpec().getSelector().setMatchLabels(labels);
    deployment.getSpec().getTemplate().getMetadata().setLabels(labels);
    deployment
        .getSpec()
        .getTemplate()
        .getSpec()
        .setSchedulingGates(List.of(new PodSchedulingGate(Gates.gateName(schemaVersion))));
    return deployment;
  }

  /** The reference migrations and a V3 that waits for the test's advisory lock. */
  private static ConfigMap heldMigrations(String name) {
    ConfigMap migrations = Manifests.migrationsConfigMap(name);
    migrations
        .getData()
        .put(
            "V3__add_held_marker.sql",
            "CREATE TABLE held_marker (id integer);\nSELECT pg_advisory_xact_lock("
                + HOLD_KEY
                + ");\n");
    return migrations;
  }

  /** Takes the lock V3 of {@link #heldMigrations} waits for; closing the connection frees it. */
  private static Connection holdMigration(String database) throws SQLException {
    Connection connection = postgres.connect(database);
    try (Statement statement = connection.createStatement()) {
      statement.execute("SELECT pg_advisory_lock(" + HOLD_KEY + ")");
    }
    return connection;
  }

  /** Waits until a migrator session waits for the held lock: V1 and V2 are in, V3 is open. */
  private static void awaitMigrationHeld(String database) {
    await("the migration of " + database + " to reach the held V3")
        .atMost(PATIENCE)
        .until(
            () -> {
              try (Connection connection = postgres.connect("postgres");
                  Statement statement = connection.createStatement();
                  ResultSet waiting =
                      statement.executeQuery(
                          "SELECT count(*) FROM pg_stat_activity WHERE datname = '"
                              + database
                              + "' AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
                              + " AND query LIKE '%pg_advisory_xact_lock("
                              + HOLD_KEY
                              + ")%'")) {
                waiting.next();
                return waiting.getInt(1) == 1;
              }
            });
    assertThat(history(database)).containsExactly("1:SQL:true", "2:SQL:true");
  }

  private static List<String> history(String database) {
    return Catalog.history(postgres, database, "public");
  }

  /** A kubeconfig for the operator's ServiceAccount, bound to exactly the chart's rules. */
  private static Path serviceAccountKubeconfig() throws IOException {
    String token =
        admin
            .serviceAccounts()
            .inNamespace(RunningOperator.NAMESPACE)
            .withName(RunningOperator.SERVICE_ACCOUNT)
            .tokenRequest(
                new io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(7200L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    Config adminConfig = Config.fromKubeconfig(cluster.apiServer().kubeconfigYaml());
    String certificateAuthority =
        adminConfig.getCaCertData() != null
            ? "certificate-authority-data: " + adminConfig.getCaCertData()
            : "certificate-authority: " + Objects.requireNonNull(adminConfig.getCaCertFile());
    Path kubeconfig = cluster.apiServer().workDirectory().resolve("schema-operator.kubeconfig");
    Files.writeString(
        kubeconfig,
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: local",
            "  cluster:",
            "    server: " + cluster.apiServer().url(),
            "    " + certificateAuthority,
            "users:",
            "- name: schema-operator",
            "  user:",
            "    token: " + token,
            "contexts:",
            "- name: schema-operator",
            "  context:",
            "    cluster: local",
            "    user: schema-operator",
            "    namespace: " + RunningOperator.NAMESPACE,
            "current-context: schema-operator",
            ""));
    return kubeconfig;
  }
}
