package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSchedulingGate;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.GateSpec;
import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.operator.act.Labels;
import io.jobgtm.schema.operator.decide.Gates;
import io.jobgtm.schema.operator.decide.RetryPolicy;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.LocalCluster;
import io.jobgtm.schema.testing.LocalClusterExtension;
import io.jobgtm.schema.testing.PostgresServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The operator recovers by itself and says why: transient failures are retried after a back-off
 * until the cause is gone, the retries stop at the limit until a person asks again, and a Job
 * stopped at its deadline is reported as such. The full local control plane, the migration Jobs'
 * pods run as the real migrator by the node agent, an embedded PostgreSQL.
 *
 * <p>The transient cause here is another migrator holding the migration lock, which the test can
 * take and give back at will; a database that is down and comes back takes the same path ({@code
 * DatabaseUnreachable} is transient as {@code LockTimeout} is).
 */
class RecoveryE2E {

  @RegisterExtension
  static final LocalClusterExtension CLUSTER = MigratorImage.localCluster(RunningOperator.IMAGE);

  private static final String NAMESPACE = "recovery-e2e";

  /** Where admission policies refuse what the operator asks for. */
  private static final String REFUSALS = "refusals-e2e";

  /** Where a ResourceQuota allows no Jobs. */
  private static final String JOB_QUOTA = "job-quota-e2e";

  /** A second team's namespace, whose resources the operator cannot compare with the first's. */
  private static final String OTHER_TEAM = "other-team-e2e";

  /** Where a mutating admission policy adds a never-ending sidecar to migration pods. */
  private static final String MESH = "mesh-e2e";

  /** Where a ResourceQuota allows no pods. */
  private static final String POD_QUOTA = "pod-quota-e2e";

  private static final String MIGRATIONS = "recovery-migrations";

  /** Short so that the flows take seconds; the limit is what the exhausted flow counts. */
  private static final RetryPolicy RETRIES =
      new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(4), 3);

  /** The key V2 of {@link #MIGRATIONS} waits for in the deadline flow. */
  private static final long HOLD_KEY = 737_373L;

  /** A hang guard, never an expectation of speed. */
  private static final Duration PATIENCE = Duration.ofMinutes(3);

  private static KubernetesClient admin;
  private static PostgresServer postgres;
  private static InProcessOperator operator;

  @BeforeAll
  static void startOperator(LocalCluster cluster) {
    admin = cluster.client();
    postgres = PostgresServer.shared();
    operator =
        InProcessOperator.start(
            cluster, RETRIES, NAMESPACE, REFUSALS, JOB_QUOTA, POD_QUOTA, OTHER_TEAM, MESH);
    for (String namespace : List.of(NAMESPACE, REFUSALS, JOB_QUOTA, POD_QUOTA, OTHER_TEAM, MESH)) {
      admin
          .configMaps()
          .inNamespace(namespace)
          .resource(
              Manifests.configMap(
                  MIGRATIONS,
                  Map.of(
                      "V1__create_shipments.sql",
                      "CREATE TABLE shipments (id bigint PRIMARY KEY, carrier text NOT NULL);\n",
                      "V2__add_shipment_weight.sql",
                      "ALTER TABLE shipments ADD COLUMN weight_grams integer;\n")))
          .serverSideApply();
    }
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void aHeldMigrationLockIsRetriedAfterABackOffAndMigratesOnceItIsFree() throws Exception {
    String database = postgres.createDatabase("recovery_lock");
    SchemaVersion resource = schemaVersion("held-lock", database);

    try (Connection otherMigrator = ClusterFaults.holdMigrationLock(postgres, database)) {
      apply(resource);

      SchemaVersionStatus waiting = awaitCondition("held-lock", Reasons.RETRY_SCHEDULED);
      assertThat(waiting.getRetries().getCount()).isPositive();
      assertThat(waiting.getRetries().getLastReason()).isEqualTo("LockTimeout");
      assertThat(waiting.getRetries().getNextAttemptAt()).isNotNull();
      assertThat(waiting.getLastJob().getReason()).isEqualTo("LockTimeout");
      assertThat(reasons("held-lock")).contains("LockTimeout", Reasons.RETRY_SCHEDULED);
      // Nothing ran while the lock was held.
      assertThat(Catalog.tables(postgres, database, "public")).isEmpty();
    }

    SchemaVersionStatus ready = awaitReady("held-lock", "2");
    assertThat(Catalog.history(postgres, database, "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(Catalog.snapshot(postgres, database, "public"))
        .anyMatch(line -> line.startsWith("column shipments.weight_grams integer"));
    List<Job> jobs = jobsOf("held-lock");
    assertThat(jobs).hasSizeGreaterThan(1);
    assertThat(ready.getLastJob().getAttempt()).isEqualTo(jobs.size() - 1);
    assertThat(ready.getRetries()).isNull();
  }

  @Test
  void aDatabaseThatComesBackIsMigratedAtTheNextRetryWithNobodyInvolved() throws Exception {
    String database = postgres.createDatabase("recovery_outage");
    int port;
    try (ServerSocket reserved = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = reserved.getLocalPort();
    }
    // The database's address answers nothing: the server is down.
    SchemaVersion resource = schemaVersion("outage", database);
    resource.getSpec().getDatabase().setPort(port);
    resource.getSpec().getJob().setConnectTimeout("2s");
    apply(resource);

    SchemaVersionStatus waiting = awaitCondition("outage", Reasons.RETRY_SCHEDULED);
    assertThat(waiting.getLastJob().getReason()).isEqualTo("DatabaseUnreachable");
    assertThat(waiting.getRetries().getLastReason()).isEqualTo("DatabaseUnreachable");

    // The server comes back at the same address.
    try (TcpForwarder back = TcpForwarder.start(port, postgres.port())) {
      SchemaVersionStatus ready = awaitReady("outage", "2");
      assertThat(ready.getRetries()).isNull();
      assertThat(ready.getLastJob().getAttempt()).isPositive();
      assertThat(Catalog.history(postgres, database, "public"))
          .containsExactly("1:SQL:true", "2:SQL:true");
      assertThat(Catalog.snapshot(postgres, database, "public"))
          .anyMatch(line -> line.startsWith("column shipments.weight_grams integer"));
    }
  }

  @Test
  void retriesStopAtTheLimitUntilTheRetryAnnotationAsksAgain() throws Exception {
    String database = postgres.createDatabase("recovery_exhausted");
    SchemaVersion resource = schemaVersion("exhausted", database);

    try (Connection otherMigrator = ClusterFaults.holdMigrationLock(postgres, database)) {
      apply(resource);

      SchemaVersionStatus stalled =
          SchemaVersions.awaitCondition(
              admin,
              NAMESPACE,
              "exhausted",
              Conditions.STALLED,
              Reasons.RETRIES_EXHAUSTED,
              PATIENCE);
      assertThat(stalled.getRetries().getCount()).isEqualTo(RETRIES.limit());
      assertThat(stalled.getRetries().getNextAttemptAt()).isNull();
      assertThat(stalled.getLastJob().getReason()).isEqualTo("LockTimeout");
      assertThat(stalled.getLastJob().getAttempt()).isEqualTo(RETRIES.limit());
      assertThat(jobsOf("exhausted")).hasSize(RETRIES.limit() + 1);
      assertThat(reasons("exhausted")).contains(Reasons.RETRIES_EXHAUSTED);
      assertThat(Catalog.tables(postgres, database, "public")).isEmpty();
    }

    ClusterFaults.requestRetry(admin, NAMESPACE, "exhausted", "first");

    SchemaVersionStatus ready = awaitReady("exhausted", "2");
    assertThat(ready.getRetries().getRequest()).isEqualTo("first");
    assertThat(ready.getRetries().getCount()).isNull();
    assertThat(jobsOf("exhausted")).hasSize(RETRIES.limit() + 2);
    assertThat(reasons("exhausted")).contains(Reasons.RETRY_REQUESTED);
    assertThat(Catalog.history(postgres, database, "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
  }

  @Test
  void aJobStoppedAtItsDeadlineIsDeadlineExceededNotItsFirstPodsFailure() throws Exception {
    String database = postgres.createDatabase("recovery_deadline");
    admin
        .configMaps()
        .inNamespace(NAMESPACE)
        .resource(
            Manifests.configMap(
                "deadline-migrations",
                Map.of(
                    "V1__create_shipments.sql",
                    "CREATE TABLE shipments (id bigint PRIMARY KEY, carrier text NOT NULL);\n",
                    "V2__wait_for_the_test.sql",
                    "SELECT pg_advisory_xact_lock(" + HOLD_KEY + ");\n")))
        .serverSideApply();
    SchemaVersion resource = schemaVersion("deadline", database);
    resource.getSpec().getMigrations().getConfigMapRef().setName("deadline-migrations");
    resource.getSpec().getJob().setBackoffLimit(1);
    resource.getSpec().getJob().setActiveDeadlineSeconds(45L);
    resource.getSpec().getJob().setLockTimeout("5m");
    resource.getSpec().getJob().setStatementTimeout("0s");

    try (Connection holdV2 = hold(database, HOLD_KEY)) {
      try (Connection otherMigrator = ClusterFaults.holdMigrationLock(postgres, database)) {
        apply(resource);
        // The first pod fails with LockTimeout; the Job runs a second one after its back-off.
        await("the first pod to fail")
            .atMost(PATIENCE)
            .until(() -> podsIn("deadline", "Failed") == 1);
      }
      // The second pod gets the lock, applies V1 and waits in V2 until the deadline stops it.
      SchemaVersionStatus stalled =
          SchemaVersions.awaitCondition(
              admin,
              NAMESPACE,
              "deadline",
              Conditions.STALLED,
              Reasons.DEADLINE_EXCEEDED,
              PATIENCE);
      assertThat(stalled.getLastJob().getReason()).isEqualTo(Reasons.DEADLINE_EXCEEDED);
      assertThat(condition(stalled, Conditions.STALLED).getMessage())
          .contains("spec.job.activeDeadlineSeconds")
          .contains("An earlier attempt failed with LockTimeout");
      assertThat(stalled.getRetries()).isNull();
      assertThat(jobsOf("deadline")).hasSize(1);
      assertThat(reasons("deadline")).contains(Reasons.DEADLINE_EXCEEDED);
      assertThat(Catalog.history(postgres, database, "public")).doesNotContain("2:SQL:true");
    }

    // Nothing retries a deadline by itself; a person who removed the cause asks again.
    ClusterFaults.requestRetry(admin, NAMESPACE, "deadline", "unblocked");
    awaitReady("deadline", "2");
    assertThat(Catalog.history(postgres, database, "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(jobsOf("deadline")).hasSize(2);
  }

  @Test
  void aJobThatAnAdmissionPolicyRefusesIsStalledWithThePolicysMessageAndNotRetried()
      throws Exception {
    String database = postgres.createDatabase("recovery_job_refused");
    ClusterFaults.applyPolicy(
        admin,
        REFUSALS,
        "refuse-migration-jobs",
        "batch",
        "jobs",
        "CREATE",
        "!has(object.metadata.labels) || !('"
            + Labels.SCHEMA_VERSION
            + "' in object.metadata.labels) || object.metadata.labels['"
            + Labels.SCHEMA_VERSION
            + "'] != 'refused-job'",
        "migration Jobs of refused-job need a change ticket");
    awaitRefused(
        () ->
            admin
                .batch()
                .v1()
                .jobs()
                .inNamespace(REFUSALS)
                .resource(ClusterFaults.probeJob("refused-job"))
                .dryRun()
                .create());

    apply(REFUSALS, schemaVersion("refused-job", database));

    SchemaVersionStatus stalled =
        SchemaVersions.awaitCondition(
            admin, REFUSALS, "refused-job", Conditions.STALLED, Reasons.JOB_REFUSED, PATIENCE);
    assertThat(condition(stalled, Conditions.STALLED).getMessage())
        .contains("the API server refused to create migration Job")
        .contains("migration Jobs of refused-job need a change ticket")
        .contains(SchemaVersion.RETRY_ANNOTATION);
    assertThat(stalled.getLastJob().getReason()).isEqualTo(Reasons.JOB_REFUSED);
    assertThat(stalled.getRetries()).isNull();
    assertThat(SchemaVersions.jobsOf(admin, REFUSALS, "refused-job")).isEmpty();
    assertThat(reasons(REFUSALS, "refused-job")).contains(Reasons.JOB_REFUSED);
    assertThat(Catalog.tables(postgres, database, "public")).isEmpty();

    // The ticket came through: the policy goes, a retry request runs the Job.
    admin
        .genericKubernetesResources("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy")
        .withName("refuse-migration-jobs")
        .delete();
    await("the API server to drop the policy")
        .atMost(PATIENCE)
        .ignoreExceptions()
        .until(
            () ->
                admin
                        .batch()
                        .v1()
                        .jobs()
                        .inNamespace(REFUSALS)
                        .resource(ClusterFaults.probeJob("refused-job"))
                        .dryRun()
                        .create()
                    != null);
    ClusterFaults.requestRetry(admin, REFUSALS, "refused-job", "ticket-1234");
    SchemaVersionStatus ready =
        SchemaVersions.awaitCondition(
            admin, REFUSALS, "refused-job", Conditions.READY, Reasons.MIGRATED, PATIENCE);
    assertThat(ready.getCurrentVersion()).isEqualTo("2");
    assertThat(Catalog.history(postgres, database, "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
  }

  @Test
  void aJobQuotaThatIsUsedUpIsRetriedUntilItFrees() throws Exception {
    String database = postgres.createDatabase("recovery_job_quota");
    applyQuota(JOB_QUOTA, "no-jobs", "count/jobs.batch");

    apply(JOB_QUOTA, schemaVersion("job-quota", database));

    SchemaVersionStatus waiting =
        SchemaVersions.awaitCondition(
            admin,
            JOB_QUOTA,
            "job-quota",
            Conditions.RECONCILING,
            Reasons.RETRY_SCHEDULED,
            PATIENCE);
    assertThat(waiting.getLastJob().getReason()).isEqualTo(Reasons.JOB_CREATE_FAILED);
    assertThat(waiting.getLastJob().getMessage()).contains("exceeded quota");
    assertThat(waiting.getRetries().getLastReason()).isEqualTo(Reasons.JOB_CREATE_FAILED);
    assertThat(reasons(JOB_QUOTA, "job-quota"))
        .contains(Reasons.JOB_CREATE_FAILED, Reasons.RETRY_SCHEDULED);

    admin.resourceQuotas().inNamespace(JOB_QUOTA).withName("no-jobs").delete();

    SchemaVersionStatus ready =
        SchemaVersions.awaitCondition(
            admin, JOB_QUOTA, "job-quota", Conditions.READY, Reasons.MIGRATED, PATIENCE);
    assertThat(ready.getCurrentVersion()).isEqualTo("2");
    assertThat(ready.getRetries()).isNull();
    assertThat(SchemaVersions.jobsOf(admin, JOB_QUOTA, "job-quota")).hasSize(1);
    assertThat(Catalog.history(postgres, database, "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
  }

  @Test
  void aPodThatIsNeverAdmittedIsReportedAsSuchNotAsALaterDeadline() {
    String database = postgres.createDatabase("recovery_pod_quota");
    applyQuota(POD_QUOTA, "no-pods", "pods");

    apply(POD_QUOTA, schemaVersion("pod-quota", database));

    SchemaVersionStatus stalled =
        SchemaVersions.awaitCondition(
            admin,
            POD_QUOTA,
            "pod-quota",
            Conditions.STALLED,
            Reasons.POD_CREATION_REFUSED,
            PATIENCE);
    assertThat(condition(stalled, Conditions.STALLED).getMessage())
        .contains("Kubernetes cannot create the pod of migration Job")
        .contains("exceeded quota");
    assertThat(stalled.getLastJob().getOutcome()).isEqualTo("Running");
    assertThat(SchemaVersions.jobsOf(admin, POD_QUOTA, "pod-quota")).hasSize(1);
    assertThat(Catalog.tables(postgres, database, "public")).isEmpty();
  }

  @Test
  void aGateThatAnAdmissionPolicyRefusesIsStalledNamingTheDeployment() throws Exception {
    String database = postgres.createDatabase("recovery_gate_refused");
    ClusterFaults.applyPolicy(
        admin,
        REFUSALS,
        "freeze-payments-api",
        "apps",
        "deployments",
        "UPDATE",
        "object.metadata.name != 'payments-api'",
        "payments-api is frozen for the quarter end");
    Deployment deployment = Manifests.example("workflow-svc-deployment.yaml", Deployment.class);
    deployment.getMetadata().setName("payments-api");
    deployment.getSpec().setReplicas(0);
    deployment.getSpec().getTemplate().getSpec().setSchedulingGates(null);
    admin.apps().deployments().inNamespace(REFUSALS).resource(deployment).create();
    awaitRefused(
        () ->
            admin
                .apps()
                .deployments()
                .inNamespace(REFUSALS)
                .withName("payments-api")
                .edit(
                    d -> {
                      d.getMetadata().setAnnotations(Map.of("probe", "1"));
                      return d;
                    }));

    SchemaVersion resource = schemaVersion("gated-payments", database);
    GateSpec gate = new GateSpec();
    gate.setDeployments(List.of("payments-api"));
    resource.getSpec().setGate(gate);
    apply(REFUSALS, resource);

    SchemaVersionStatus stalled =
        SchemaVersions.awaitCondition(
            admin,
            REFUSALS,
            "gated-payments",
            Conditions.STALLED,
            Reasons.GATE_INJECTION_REFUSED,
            PATIENCE);
    assertThat(condition(stalled, Conditions.STALLED).getMessage())
        .contains("Deployment payments-api")
        .contains("payments-api is frozen for the quarter end");
    assertThat(reasons(REFUSALS, "gated-payments")).contains(Reasons.GATE_INJECTION_REFUSED);
    assertThat(
            admin
                .apps()
                .deployments()
                .inNamespace(REFUSALS)
                .withName("payments-api")
                .get()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getSchedulingGates())
        .isNullOrEmpty();
  }

  @Test
  void twoResourcesOnOneSchemaDoNotFightInOneNamespaceOrAcrossTwo() throws Exception {
    String database = postgres.createDatabase("recovery_shared_schema");
    apply(schemaVersion("orders", database));
    awaitReady("orders", "2");

    // A copy in the same namespace: the operator sees it and holds it back, running nothing.
    apply(schemaVersion("orders-copy", database));
    SchemaVersionStatus copy =
        SchemaVersions.awaitCondition(
            admin,
            NAMESPACE,
            "orders-copy",
            Conditions.STALLED,
            Reasons.CONFLICTING_SCHEMA_VERSION,
            PATIENCE);
    assertThat(condition(copy, Conditions.STALLED).getMessage())
        .contains("SchemaVersion orders (older)");
    assertThat(jobsOf("orders-copy")).isEmpty();

    // Another team's copy: the operator cannot tell, the migrator's recorded owner can.
    apply(OTHER_TEAM, schemaVersion("orders", database));
    SchemaVersionStatus refused =
        SchemaVersions.awaitCondition(
            admin, OTHER_TEAM, "orders", Conditions.STALLED, "SchemaOwnedByAnother", PATIENCE);
    assertThat(condition(refused, Conditions.STALLED).getMessage())
        .contains(NAMESPACE + "/orders")
        .contains("not by " + OTHER_TEAM + "/orders");
    assertThat(Catalog.history(postgres, database, "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(historyComment(database))
        .startsWith("schema-operator owner=" + NAMESPACE + "/orders");

    // The other team's resource replaces the first: it says so, and takes over.
    SchemaVersion takeOver = schemaVersion("orders", database);
    takeOver.getSpec().getDatabase().setTakeOverFrom(NAMESPACE + "/orders");
    apply(OTHER_TEAM, takeOver);
    SchemaVersionStatus ready =
        SchemaVersions.awaitCondition(
            admin, OTHER_TEAM, "orders", Conditions.READY, Reasons.UP_TO_DATE, PATIENCE);
    assertThat(ready.getCurrentVersion()).isEqualTo("2");
    assertThat(historyComment(database))
        .startsWith("schema-operator owner=" + OTHER_TEAM + "/orders");
    assertThat(Catalog.history(postgres, database, "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
  }

  @Test
  void theLongestNameWorksEndToEndAlsoWhereTheJobNameIsCutAtADot() {
    String database = postgres.createDatabase("recovery_long_name");
    // 63 characters, the CRD's limit, with the dot just where the Job name is cut (52).
    String name = "x".repeat(51) + "." + "y".repeat(11);
    assertThat(name).hasSize(63);
    Pod reader = ClusterFaults.probePod("long-name-reader", "long-name");
    reader.getMetadata().setLabels(null);
    reader.getSpec().setSchedulingGates(List.of(new PodSchedulingGate(Gates.gateName(name))));
    Pod waiting = admin.pods().inNamespace(NAMESPACE).resource(reader).create();
    assertThat(waiting.getSpec().getSchedulingGates()).hasSize(1);

    apply(schemaVersion(name, database));

    SchemaVersionStatus ready = awaitReady(name, "2");
    assertThat(ready.getLastJob().getName())
        .hasSizeLessThanOrEqualTo(63)
        .startsWith("x".repeat(51) + "-");
    assertThat(jobsOf(name)).hasSize(1);
    await("the reader pod to be released")
        .atMost(PATIENCE)
        .until(
            () ->
                admin
                    .pods()
                    .inNamespace(NAMESPACE)
                    .withName("long-name-reader")
                    .get()
                    .getSpec()
                    .getSchedulingGates()
                    .isEmpty());
    assertThat(Catalog.history(postgres, database, "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
  }

  @Test
  void aSidecarThatNeverEndsNeitherHoldsTheMigrationNorTurnsItIntoADeadline() throws Exception {
    // Kubernetes' MutatingAdmissionPolicy (served from 1.34 on) adds the sidecar, as a mesh's
    // injector would; the oldest supported version has no such policy, see docs/testing.md.
    Assumptions.assumeTrue(
        admin.getApiGroups().getGroups().stream()
                .filter(group -> group.getName().equals("admissionregistration.k8s.io"))
                .flatMap(group -> group.getVersions().stream())
                .anyMatch(version -> version.getVersion().equals("v1"))
            && servesMutatingAdmissionPolicy(),
        "this Kubernetes serves no admissionregistration.k8s.io/v1 MutatingAdmissionPolicy");
    String database = postgres.createDatabase("recovery_sidecar");
    for (String document :
        List.of(
            String.join(
                "\n",
                "apiVersion: admissionregistration.k8s.io/v1",
                "kind: MutatingAdmissionPolicy",
                "metadata: {name: add-mesh-proxy}",
                "spec:",
                "  failurePolicy: Fail",
                "  reinvocationPolicy: Never",
                "  matchConstraints:",
                "    resourceRules:",
                "    - apiGroups: ['']",
                "      apiVersions: ['v1']",
                "      operations: ['CREATE']",
                "      resources: ['pods']",
                "  matchConditions:",
                "  - name: not-opted-out",
                "    expression: \"!has(object.metadata.annotations) || !('sidecar.istio.io/inject'"
                    + " in object.metadata.annotations)\"",
                "  mutations:",
                "  - patchType: JSONPatch",
                "    jsonPatch:",
                "      expression: >",
                "        [JSONPatch{op: 'add', path: '/spec/containers/-',",
                "        value: Object.spec.containers{",
                "        name: 'mesh-proxy', image: 'mesh.example/proxy:1.0',",
                "        securityContext: Object.spec.containers.securityContext{",
                "        allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 1337,",
                "        capabilities: Object.spec.containers.securityContext.capabilities{",
                "        drop: ['ALL']},",
                "        seccompProfile: Object.spec.containers.securityContext.seccompProfile{",
                "        type: 'RuntimeDefault'}}}}]"),
            String.join(
                "\n",
                "apiVersion: admissionregistration.k8s.io/v1",
                "kind: MutatingAdmissionPolicyBinding",
                "metadata: {name: add-mesh-proxy}",
                "spec:",
                "  policyName: add-mesh-proxy",
                "  matchResources:",
                "    namespaceSelector:",
                "      matchLabels: {kubernetes.io/metadata.name: " + MESH + "}"))) {
      admin
          .resource(Serialization.unmarshal(document, GenericKubernetesResource.class))
          .serverSideApply();
    }
    await("the API server to add the sidecar")
        .atMost(PATIENCE)
        .ignoreExceptions()
        .until(
            () ->
                admin
                        .pods()
                        .inNamespace(MESH)
                        .resource(ClusterFaults.probePod("mesh-probe", "mesh-probe"))
                        .dryRun()
                        .create()
                        .getSpec()
                        .getContainers()
                        .size()
                    == 2);

    apply(MESH, schemaVersion("meshed", database));

    SchemaVersionStatus ready =
        SchemaVersions.awaitCondition(
            admin, MESH, "meshed", Conditions.READY, Reasons.MIGRATED, PATIENCE);
    assertThat(ready.getCurrentVersion()).isEqualTo("2");
    assertThat(Catalog.history(postgres, database, "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
    await("the lingering Job to be ended")
        .atMost(PATIENCE)
        .until(() -> SchemaVersions.jobsOf(admin, MESH, "meshed").isEmpty());
    // The operator records the Event after it deleted the Job: it may arrive a moment later.
    await("the JobEnded Event")
        .atMost(PATIENCE)
        .until(() -> reasons(MESH, "meshed").contains(Reasons.JOB_ENDED));

    // Opted out of the mesh through spec.job.podAnnotations: one container, a normal Job.
    String optedOutDatabase = postgres.createDatabase("recovery_sidecar_opt_out");
    SchemaVersion optedOut = schemaVersion("opted-out", optedOutDatabase);
    optedOut.getSpec().getJob().setPodAnnotations(Map.of("sidecar.istio.io/inject", "false"));
    apply(MESH, optedOut);
    SchemaVersions.awaitCondition(
        admin, MESH, "opted-out", Conditions.READY, Reasons.MIGRATED, PATIENCE);
    List<Pod> pods =
        admin
            .pods()
            .inNamespace(MESH)
            .withLabel(Labels.SCHEMA_VERSION, "opted-out")
            .list()
            .getItems();
    assertThat(pods)
        .isNotEmpty()
        .allSatisfy(pod -> assertThat(pod.getSpec().getContainers()).hasSize(1));
  }

  private static boolean servesMutatingAdmissionPolicy() {
    return admin.getApiResources("admissionregistration.k8s.io/v1").getResources().stream()
        .anyMatch(resource -> resource.getName().equals("mutatingadmissionpolicies"));
  }

  // --- vocabulary

  private static SchemaVersion schemaVersion(String name, String database) {
    SchemaVersion resource =
        SchemaVersions.example(name, postgres, database, "public", MIGRATIONS, "latest");
    resource.getSpec().getJob().setLockWaitTimeout("1s");
    resource.getSpec().getJob().setBackoffLimit(0);
    return resource;
  }

  private static void apply(SchemaVersion resource) {
    apply(NAMESPACE, resource);
  }

  private static void apply(String namespace, SchemaVersion resource) {
    admin
        .resources(SchemaVersion.class)
        .inNamespace(namespace)
        .resource(resource)
        .serverSideApply();
  }

  /** Waits until the API server enforces a new policy or quota: the request is refused. */
  private static void awaitRefused(Runnable request) {
    await("the API server to enforce it")
        .atMost(PATIENCE)
        .until(
            () -> {
              try {
                request.run();
                return false;
              } catch (KubernetesClientException e) {
                return e.getCode() == 403 || e.getCode() == 422 || e.getCode() == 400;
              }
            });
  }

  /** A ResourceQuota that allows none of {@code resource}, once the quota controller counts it. */
  private static void applyQuota(String namespace, String name, String resource) {
    admin
        .resourceQuotas()
        .inNamespace(namespace)
        .resource(
            new ResourceQuotaBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .addToHard(resource, new Quantity("0"))
                .endSpec()
                .build())
        .serverSideApply();
    ClusterFaults.awaitQuotaCounted(admin, namespace, name);
  }

  /** Where the migrator records who migrates the schema. */
  private static String historyComment(String database) throws SQLException {
    try (Connection connection = postgres.connect(database);
        Statement statement = connection.createStatement();
        java.sql.ResultSet result =
            statement.executeQuery(
                "SELECT obj_description('public.flyway_schema_history'::regclass, 'pg_class')")) {
      result.next();
      return String.valueOf(result.getString(1));
    }
  }

  private static Connection hold(String database, long key) throws SQLException {
    Connection connection = postgres.connect(database);
    try (Statement statement = connection.createStatement()) {
      statement.execute("SELECT pg_advisory_lock(" + key + ")");
    }
    return connection;
  }

  private static SchemaVersionStatus awaitCondition(String name, String reason) {
    return SchemaVersions.awaitCondition(
        admin, NAMESPACE, name, Conditions.RECONCILING, reason, PATIENCE);
  }

  private static SchemaVersionStatus awaitReady(String name, String version) {
    SchemaVersionStatus status =
        SchemaVersions.awaitCondition(
            admin, NAMESPACE, name, Conditions.READY, Reasons.MIGRATED, PATIENCE);
    assertThat(status.getCurrentVersion()).isEqualTo(version);
    return status;
  }

  private static io.fabric8.kubernetes.api.model.Condition condition(
      SchemaVersionStatus status, String type) {
    return Conditions.find(status.getConditions(), type).orElseThrow();
  }

  private static List<Job> jobsOf(String name) {
    return SchemaVersions.jobsOf(admin, NAMESPACE, name);
  }

  private static long podsIn(String schemaVersion, String phase) {
    List<Pod> pods =
        admin
            .pods()
            .inNamespace(NAMESPACE)
            .withLabel(Labels.SCHEMA_VERSION, schemaVersion)
            .list()
            .getItems();
    return pods.stream()
        .filter(pod -> pod.getStatus() != null && phase.equals(pod.getStatus().getPhase()))
        .count();
  }

  private static List<String> reasons(String name) {
    return reasons(NAMESPACE, name);
  }

  private static List<String> reasons(String namespace, String name) {
    return SchemaVersions.events(admin, namespace, name).stream().map(Event::getReason).toList();
  }
}
