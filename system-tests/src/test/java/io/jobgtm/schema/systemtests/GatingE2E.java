package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.GateSpec;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.operator.decide.Gates;
import io.jobgtm.schema.operator.runtime.OperatorConfig;
import io.jobgtm.schema.operator.runtime.OperatorMain;
import io.jobgtm.schema.systemtests.chart.ChartRbac;
import io.jobgtm.schema.testing.LocalCluster;
import io.jobgtm.schema.testing.LocalClusterExtension;
import io.jobgtm.schema.testing.PostgresServer;
import io.jobgtm.schema.testing.RequestCounter;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The gating guarantees on the full local control plane, with the operator running as the Helm
 * chart's own ServiceAccount and RBAC (rendered by helm template): pods wait for the schema they
 * need, the previous revision keeps serving, gates fail closed, and nothing else is touched.
 */
class GatingE2E {

  @RegisterExtension
  static final LocalClusterExtension CLUSTER = MigratorImage.localCluster(RunningOperator.IMAGE);

  private static final String NAMESPACE = "gating-e2e";
  private static final String MIGRATIONS = "workflow-migrations";
  private static final Duration PATIENCE = Duration.ofMinutes(3);

  private static LocalCluster cluster;
  private static KubernetesClient admin;
  private static PostgresServer postgres;
  private static ServiceAccount chartAccount;
  private static OperatorMain operator;
  private static final RequestCounter requests = new RequestCounter();

  @BeforeAll
  static void install(LocalCluster localCluster) {
    cluster = localCluster;
    admin = localCluster.client();
    postgres = PostgresServer.shared();
    Manifests.installCrd(admin);
    Manifests.restrictedNamespace(admin, NAMESPACE);
    Secret secret = Manifests.example("workflow-db-secret.yaml", Secret.class);
    secret.setStringData(
        Map.of("username", PostgresServer.SUPERUSER, "password", postgres.password()));
    admin.secrets().inNamespace(NAMESPACE).resource(secret).serverSideApply();
    admin
        .configMaps()
        .inNamespace(NAMESPACE)
        .resource(Manifests.migrationsConfigMap(MIGRATIONS))
        .serverSideApply();
    chartAccount = ChartRbac.install(admin);
    operator = startOperator();
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
  }

  private static OperatorMain startOperator() {
    KubernetesClient client =
        RunningOperator.serviceAccountClient(
            admin,
            cluster.apiServer().kubeconfigYaml(),
            chartAccount.getMetadata().getNamespace(),
            chartAccount.getMetadata().getName(),
            requests);
    return OperatorMain.start(
        client,
        new OperatorConfig(RunningOperator.IMAGE, Set.of(NAMESPACE), 0, false, "unused", null));
  }

  @Test
  void firstInstallAppliedAtOnceSchedulesPodsOnlyAfterTheMigration() {
    String name = "first";
    postgres.createDatabase(database(name));
    applyDeployment(deployment("first-svc", name, "2", "1.0", 2));
    apply(schemaVersion(name, "latest"));

    SchemaVersionStatus status = awaitReady(name, "2");
    List<Pod> pods = awaitReadyPods("first-svc", 2);

    Instant migrated = transition(status, Conditions.READY);
    assertThat(pods)
        .allSatisfy(
            pod -> {
              assertThat(Instant.parse(pod.getMetadata().getCreationTimestamp()))
                  .isBeforeOrEqualTo(migrated);
              assertThat(scheduledAt(pod)).isAfterOrEqualTo(migrated);
            });
    List<Event> events = events(name);
    assertThat(events).extracting(Event::getReason).contains("MigrationStarted", "Migrated");
    assertThat(events)
        .filteredOn(event -> event.getReason().equals("GateReleased"))
        .extracting(event -> event.getMessage())
        .hasSize(2)
        .allSatisfy(message -> assertThat(message).contains("which satisfies min-version 2"));
    assertThat(get(name).getStatus().getGatedPods()).isZero();
    // one PATCH per released pod, read from the cache: the operator never GETs a pod
    assertThat(requests.objectReads("pods")).isZero();
  }

  @Test
  void upgradeKeepsThePreviousRevisionServingWhileTheNewOneWaits() throws Exception {
    String name = "upgrade";
    postgres.createDatabase(database(name));
    apply(schemaVersion(name, "1"));
    awaitReady(name, "1");
    applyDeployment(deployment("upgrade-svc", name, "1", "1.0", 2));
    List<Pod> previous = awaitReadyPods("upgrade-svc", 2);

    try (Connection application = postgres.connect(database(name));
        Statement statement = application.createStatement()) {
      // The application holds the table: V2's ALTER TABLE waits, the migration stays in progress.
      application.setAutoCommit(false);
      statement.execute("LOCK TABLE job_listings IN ACCESS SHARE MODE");
      apply(schemaVersion(name, "latest"));
      admin
          .apps()
          .deployments()
          .inNamespace(NAMESPACE)
          .resource(deployment("upgrade-svc", name, "2", "2.0", 2))
          .serverSideApply();

      await("a pod of the new revision, gated")
          .atMost(PATIENCE)
          .until(
              () ->
                  podsOf("upgrade-svc").stream()
                      .anyMatch(pod -> image(pod).endsWith(":2.0") && gated(pod, name)));
      await("the old pods serving throughout the wait")
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(30))
          .until(() -> readyPodNames("upgrade-svc").containsAll(names(previous)));
      assertThat(Conditions.isTrue(get(name).getStatus().getConditions(), Conditions.RECONCILING))
          .isTrue();
      application.commit();
    }

    awaitReady(name, "2");
    await("the rollout to complete")
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              Deployment rolled =
                  admin.apps().deployments().inNamespace(NAMESPACE).withName("upgrade-svc").get();
              assertThat(rolled.getStatus().getUpdatedReplicas()).isEqualTo(2);
              assertThat(rolled.getStatus().getAvailableReplicas()).isEqualTo(2);
              assertThat(podsOf("upgrade-svc"))
                  .hasSize(2)
                  .allSatisfy(pod -> assertThat(image(pod)).endsWith(":2.0"));
            });
  }

  @Test
  void failedMigrationKeepsNewPodsGatedAndTheFixReleasesThem() {
    String name = "failing";
    postgres.createDatabase(database(name));
    ConfigMap broken = Manifests.migrationsConfigMap("failing-migrations");
    broken.getData().put("V3__salary.sql", "ALTER TABLE job_listings ADD COLUMN salary INTEGR;");
    admin
        .configMaps()
        .inNamespace(NAMESPACE)
        .resource(Manifests.migrationsConfigMap("failing-migrations"))
        .serverSideApply();
    SchemaVersion resource = schemaVersion(name, "latest");
    resource.getSpec().getMigrations().getConfigMapRef().setName("failing-migrations");
    apply(resource);
    awaitReady(name, "2");
    applyDeployment(deployment("failing-svc", name, "2", "1.0", 1));
    List<Pod> previous = awaitReadyPods("failing-svc", 1);

    admin.configMaps().inNamespace(NAMESPACE).resource(broken).serverSideApply();
    applyDeployment(deployment("failing-svc", name, "3", "3.0", 1));

    awaitCondition(name, Conditions.STALLED, "MigrationFailed");
    await("the new pod gated, the old one serving")
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                podsOf("failing-svc").stream()
                        .anyMatch(pod -> image(pod).endsWith(":3.0") && gated(pod, name))
                    && readyPodNames("failing-svc").containsAll(names(previous)));

    broken.getData().put("V3__salary.sql", "ALTER TABLE job_listings ADD COLUMN salary INTEGER;");
    admin.configMaps().inNamespace(NAMESPACE).resource(broken).serverSideApply();

    awaitReady(name, "3");
    await("the new revision released")
        .atMost(PATIENCE)
        .until(
            () ->
                podsOf("failing-svc").stream()
                    .allMatch(pod -> image(pod).endsWith(":3.0") && isReady(pod)));
  }

  @Test
  void whileTheOperatorIsDownNewPodsWaitAndItsReturnReleasesThem() {
    String name = "outage";
    readyAtVersion2(name);
    applyDeployment(deployment("outage-svc", name, "2", "1.0", 1));
    awaitReadyPods("outage-svc", 1);

    operator.close();
    operator = null;
    admin.apps().deployments().inNamespace(NAMESPACE).withName("outage-svc").scale(2);

    await("the new pod, gated while the operator is down")
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                podsOf("outage-svc").size() == 2
                    && podsOf("outage-svc").stream().filter(pod -> gated(pod, name)).count() == 1);

    operator = startOperator();

    awaitReadyPods("outage-svc", 2);
  }

  @Test
  void gateDeploymentsAddsTheGateOnceAndLaterReconcilesDoNotRollAgain() {
    String name = "inject";
    postgres.createDatabase(database(name));
    Deployment plain = deployment("plain-svc", name, null, "1.0", 1);
    plain.getSpec().getTemplate().getSpec().setSchedulingGates(null);
    admin.apps().deployments().inNamespace(NAMESPACE).resource(plain).serverSideApply();
    awaitReadyPods("plain-svc", 1);
    long before =
        admin
            .apps()
            .deployments()
            .inNamespace(NAMESPACE)
            .withName("plain-svc")
            .get()
            .getMetadata()
            .getGeneration();

    SchemaVersion resource = schemaVersion(name, "latest");
    GateSpec gate = new GateSpec();
    gate.setDeployments(List.of("plain-svc"));
    resource.getSpec().setGate(gate);
    apply(resource);
    awaitReady(name, "2");
    await("the gate in the template")
        .atMost(PATIENCE)
        .until(() -> Gates.hasGate(template("plain-svc"), Gates.gateName(name)));
    SchemaVersion changed = schemaVersion(name, "latest");
    changed.getSpec().setGate(gate);
    changed.getSpec().getJob().setTtlSecondsAfterFinished(600);
    apply(changed);
    awaitReady(name, "2");

    Deployment after =
        admin.apps().deployments().inNamespace(NAMESPACE).withName("plain-svc").get();
    assertThat(after.getMetadata().getGeneration()).isEqualTo(before + 1);
    assertThat(after.getSpec().getTemplate().getSpec().getSchedulingGates())
        .extracting(g -> g.getName())
        .containsExactly(Gates.gateName(name));
    assertThat(events(name)).filteredOn(event -> event.getReason().equals("GateAdded")).hasSize(1);
  }

  @Test
  void deletingTheSchemaVersionReleasesItsGatesAndTouchesNoOtherPod() {
    String name = "doomed";
    readyAtVersion2(name);
    applyDeployment(deployment("doomed-svc", name, "99", "1.0", 1));
    Pod otherSchemaVersion = bareGatedPod("other-sv", Gates.gateName("someone-else"));
    Pod otherGate = bareGatedPod("other-gate", "example.com/not-ours");
    await("the pod needing version 99, gated")
        .atMost(PATIENCE)
        .until(() -> get(name).getStatus().getGatedPods() == 1);

    admin.resources(SchemaVersion.class).inNamespace(NAMESPACE).withName(name).delete();

    await("the SchemaVersion gone").atMost(PATIENCE).until(() -> get(name) == null);
    awaitReadyPods("doomed-svc", 1);
    await("other pods still gated")
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                gated(pod(otherSchemaVersion), "someone-else")
                    && pod(otherGate).getSpec().getSchedulingGates().size() == 1);
  }

  /** A SchemaVersion of its own database, migrated to version 2. */
  private static void readyAtVersion2(String name) {
    postgres.createDatabase(database(name));
    apply(schemaVersion(name, "latest"));
    awaitReady(name, "2");
  }

  private static void applyDeployment(Deployment deployment) {
    admin.apps().deployments().inNamespace(NAMESPACE).resource(deployment).serverSideApply();
  }

  private static Deployment deployment(
      String name, String schemaVersion, String minVersion, String tag, int replicas) {
    Deployment deployment = Manifests.example("workflow-svc-deployment.yaml", Deployment.class);
    deployment.getMetadata().setName(name);
    deployment.getMetadata().setLabels(Map.of("app.kubernetes.io/name", name));
    deployment.getSpec().getSelector().setMatchLabels(Map.of("app.kubernetes.io/name", name));
    deployment
        .getSpec()
        .getTemplate()
        .getMetadata()
        .setLabels(Map.of("app.kubernetes.io/name", name));
    deployment
        .getSpec()
        .getTemplate()
        .getMetadata()
        .setAnnotations(minVersion == null ? Map.of() : Map.of(Gates.MIN_VERSION, minVersion));
    deployment
        .getSpec()
        .getTemplate()
        .getSpec()
        .getSchedulingGates()
        .get(0)
        .setName(Gates.gateName(schemaVersion));
    deployment
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .setImage("registry.example/" + name + ":" + tag);
    deployment.getSpec().setReplicas(replicas);
    return deployment;
  }

  private static Pod bareGatedPod(String name, String gate) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .endMetadata()
            .withNewSpec()
            .addNewSchedulingGate(gate)
            .withAutomountServiceAccountToken(false)
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withRunAsUser(65532L)
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .addNewContainer()
            .withName("main")
            .withImage("registry.example/other:1")
            .withNewSecurityContext()
            .withAllowPrivilegeEscalation(false)
            .withNewCapabilities()
            .withDrop("ALL")
            .endCapabilities()
            .endSecurityContext()
            .endContainer()
            .endSpec()
            .build();
    return admin.pods().inNamespace(NAMESPACE).resource(pod).create();
  }

  /** Each flow's database; other E2E classes of the JVM share the PostgreSQL server. */
  private static String database(String name) {
    return "gating_" + name;
  }

  private static SchemaVersion schemaVersion(String name, String target) {
    SchemaVersion resource = Manifests.exampleSchemaVersion(name);
    resource.getSpec().setTargetVersion(target);
    resource.getSpec().getDatabase().setHost("127.0.0.1");
    resource.getSpec().getDatabase().setPort(postgres.port());
    resource.getSpec().getDatabase().setName(database(name));
    // A held lock makes a migration wait; it must wait longer than the tests hold it.
    resource.getSpec().getJob().setLockTimeout("5m");
    resource.getSpec().getDatabase().setSslMode(io.jobgtm.schema.api.SslMode.DISABLE);
    resource.getSpec().getMigrations().getConfigMapRef().setName(MIGRATIONS);
    return resource;
  }

  private static void apply(SchemaVersion resource) {
    admin
        .resources(SchemaVersion.class)
        .inNamespace(NAMESPACE)
        .resource(resource)
        .serverSideApply();
  }

  private static SchemaVersion get(String name) {
    return admin.resources(SchemaVersion.class).inNamespace(NAMESPACE).withName(name).get();
  }

  private static SchemaVersionStatus awaitCondition(String name, String type, String reason) {
    return SchemaVersions.awaitCondition(admin, NAMESPACE, name, type, reason, PATIENCE);
  }

  private static SchemaVersionStatus awaitReady(String name, String version) {
    SchemaVersionStatus status = awaitCondition(name, Conditions.READY, null);
    assertThat(status.getCurrentVersion()).isEqualTo(version);
    return status;
  }

  private static List<Pod> podsOf(String app) {
    return admin
        .pods()
        .inNamespace(NAMESPACE)
        .withLabel("app.kubernetes.io/name", app)
        .list()
        .getItems()
        .stream()
        .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  private static List<Pod> awaitReadyPods(String app, int count) {
    await(count + " Ready pods of " + app)
        .atMost(PATIENCE)
        .until(
            () -> podsOf(app).size() == count && podsOf(app).stream().allMatch(GatingE2E::isReady));
    return podsOf(app);
  }

  private static Set<String> readyPodNames(String app) {
    return Set.copyOf(names(podsOf(app).stream().filter(GatingE2E::isReady).toList()));
  }

  private static List<String> names(List<Pod> pods) {
    return pods.stream().map(pod -> pod.getMetadata().getName()).toList();
  }

  private static Pod pod(Pod pod) {
    return admin.pods().inNamespace(NAMESPACE).withName(pod.getMetadata().getName()).get();
  }

  private static boolean isReady(Pod pod) {
    return condition(pod, "Ready").map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  private static boolean gated(Pod pod, String schemaVersion) {
    return Gates.hasGate(pod, Gates.gateName(schemaVersion)) && pod.getSpec().getNodeName() == null;
  }

  private static String image(Pod pod) {
    return pod.getSpec().getContainers().get(0).getImage();
  }

  private static io.fabric8.kubernetes.api.model.PodSpec template(String deployment) {
    return admin
        .apps()
        .deployments()
        .inNamespace(NAMESPACE)
        .withName(deployment)
        .get()
        .getSpec()
        .getTemplate()
        .getSpec();
  }

  private static Instant scheduledAt(Pod pod) {
    return condition(pod, "PodScheduled")
        .filter(c -> "True".equals(c.getStatus()))
        .map(c -> Instant.parse(c.getLastTransitionTime()))
        .orElseThrow(() -> new AssertionError(pod.getMetadata().getName() + " is not scheduled"));
  }

  private static Instant transition(SchemaVersionStatus status, String type) {
    return Instant.parse(
        Conditions.find(status.getConditions(), type).orElseThrow().getLastTransitionTime());
  }

  private static java.util.Optional<PodCondition> condition(Pod pod, String type) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return java.util.Optional.empty();
    }
    return pod.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst();
  }

  private static List<Event> events(String name) {
    return SchemaVersions.events(admin, NAMESPACE, name);
  }
}
