package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.GateSpec;
import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.operator.act.Labels;
import io.jobgtm.schema.operator.decide.RetryPolicy;
import io.jobgtm.schema.operator.runtime.OperatorConfig;
import io.jobgtm.schema.operator.runtime.OperatorMain;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.LocalCluster;
import io.jobgtm.schema.testing.LocalClusterExtension;
import io.jobgtm.schema.testing.PostgresServer;
import io.jobgtm.schema.testing.RequestCounter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Retries and refusals in situations a platform engineer new to the operator runs into, on the full
 * local control plane with the real migrator as pods and an embedded PostgreSQL: Events of every
 * retry, an operator restarted during a back-off, a gate an admission policy refuses while a retry
 * waits or until the policy goes, a Job quota with a gated Deployment, a policy on the migration
 * pod, and a restarted operator facing resources that did not change.
 *
 * <p>Tests whose name states what a user expects and that failed on the code before their fixes are
 * findings (each "Finding" below describes the fault as it was); the others confirm behaviour that
 * worked. Where one flow shows both, the confirmed steps are hard assertions and the finding is
 * checked last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecoveryBreakE2E {

  @RegisterExtension
  static final LocalClusterExtension CLUSTER = MigratorImage.localCluster(RunningOperator.IMAGE);

  private static final String NAMESPACE = "break-e2e";

  /** Where ValidatingAdmissionPolicies refuse the operator's patches and the Job's pods. */
  private static final String REFUSALS = "break-refusals";

  /** Where a ResourceQuota allows no Jobs. */
  private static final String JOB_QUOTA = "break-job-quota";

  private static final List<String> NAMESPACES = List.of(NAMESPACE, REFUSALS, JOB_QUOTA);

  private static final String MIGRATIONS = "break-migrations";

  /** The same migrations, created before the operator starts. */
  private static final String PREEXISTING = "preexisting-migrations";

  /** Long enough to restart the operator within one back-off, short enough for the flows. */
  private static final RetryPolicy RETRIES =
      new RetryPolicy(Duration.ofSeconds(8), Duration.ofSeconds(8), 2);

  /** How long a correct operator needs at most after a back-off; a hang guard for findings. */
  private static final Duration AFTER_BACK_OFF = Duration.ofSeconds(45);

  private static final Duration PATIENCE = Duration.ofMinutes(3);

  private static LocalCluster cluster;
  private static KubernetesClient admin;
  private static PostgresServer postgres;
  private static OperatorMain operator;

  @BeforeAll
  static void startOperator(LocalCluster localCluster) {
    cluster = localCluster;
    admin = cluster.client();
    postgres = PostgresServer.shared();
    Manifests.installCrd(admin);
    for (String namespace : NAMESPACES) {
      Manifests.restrictedNamespace(admin, namespace);
      Secret secret = Manifests.example("workflow-db-secret.yaml", Secret.class);
      secret.setStringData(
          Map.of("username", PostgresServer.SUPERUSER, "password", postgres.password()));
      admin.secrets().inNamespace(namespace).resource(secret).serverSideApply();
      applyMigrations(namespace, PREEXISTING);
    }
    RunningOperator.installRbac(admin);
    operator = newOperator(NAMESPACES);
    // Created while the operator runs, so that its watches (not its first list) bring them.
    NAMESPACES.forEach(namespace -> applyMigrations(namespace, MIGRATIONS));
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  /**
   * Finding. The operator watches three namespaces (SCHEMA_OPERATOR_WATCH_NAMESPACES), and each has
   * its migrations ConfigMap from before the operator started, as after any restart or upgrade of
   * the operator. Every SchemaVersion should find its ConfigMap; only those of one namespace do,
   * the others are Stalled ConfigMapNotFound although the ConfigMap is there. JOSDK runs one
   * informer per namespace, and {@code withItemStore(LeanItemStore.of())} hands all of them the
   * same store instance: each informer's first list (and any later re-list) keeps only its own
   * namespace's objects in the shared store. The same holds for the SchemaVersions' own cache, the
   * Jobs, pods, Deployments and Events.
   */
  @Test
  @Order(0)
  void anOperatorWatchingSeveralNamespacesFindsTheConfigMapsThatExistedBeforeItStarted() {
    Map<String, String> databases = new LinkedHashMap<>();
    for (String namespace : NAMESPACES) {
      String database = postgres.createDatabase("break_pre_" + namespace.replace('-', '_'));
      databases.put(namespace, database);
      SchemaVersion resource = schemaVersion("preexisting", database);
      resource.getSpec().getMigrations().getConfigMapRef().setName(PREEXISTING);
      apply(namespace, resource);
    }
    succeeds(
        Duration.ofSeconds(90),
        () ->
            NAMESPACES.forEach(
                namespace ->
                    assertThat(trueReason(status(namespace, "preexisting"), Conditions.READY))
                        .isEqualTo(Reasons.MIGRATED)));
    SoftAssertions softly = new SoftAssertions();
    for (String namespace : NAMESPACES) {
      SchemaVersionStatus status = status(namespace, "preexisting");
      softly
          .assertThat(trueReason(status, Conditions.READY))
          .as(
              "Ready in %s (Stalled: %s; ConfigMap there: %s)",
              namespace,
              trueMessage(status, Conditions.STALLED),
              admin.configMaps().inNamespace(namespace).withName(PREEXISTING).get() != null)
          .isEqualTo(Reasons.MIGRATED);
    }
    softly.assertAll();
  }

  /**
   * Finding. Another migrator holds the lock: the retries run out, a person asks again (still
   * held), then asks once more after the lock is free. {@code kubectl describe sv} should show each
   * scheduled retry and each request; Events are named by resource, subject and reason, and the
   * subject of RetryScheduled and RetryRequested is the resource itself, so only the first of each
   * is ever recorded (the API server answers 409 to the others, which the recorder ignores).
   */
  @Test
  @Order(1)
  void everyScheduledRetryAndEveryRetryRequestShowsInTheEvents() throws Exception {
    String database = postgres.createDatabase("break_events");
    String name = "ledger-events";
    try (Connection otherMigrator = ClusterFaults.holdMigrationLock(postgres, database)) {
      apply(NAMESPACE, schemaVersion(name, database));
      SchemaVersions.awaitCondition(
          admin, NAMESPACE, name, Conditions.STALLED, Reasons.RETRIES_EXHAUSTED, PATIENCE);

      ClusterFaults.requestRetry(admin, NAMESPACE, name, "first");
      awaitStatus(
          NAMESPACE,
          name,
          "the requested attempt to fail and wait for its retry",
          status ->
              Objects.equals(status.getLastJob().getAttempt(), RETRIES.limit() + 1)
                  && trueReason(status, Conditions.RECONCILING).equals(Reasons.RETRY_SCHEDULED));
    }
    ClusterFaults.requestRetry(admin, NAMESPACE, name, "second");
    SchemaVersions.awaitCondition(
        admin, NAMESPACE, name, Conditions.READY, Reasons.MIGRATED, PATIENCE);
    assertThat(Catalog.history(postgres, database, "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");

    List<Event> events = SchemaVersions.events(admin, NAMESPACE, name);
    SoftAssertions softly = new SoftAssertions();
    softly
        .assertThat(messages(events, Reasons.RETRY_SCHEDULED))
        .as("RetryScheduled Events (3 retries were scheduled)")
        .anyMatch(message -> message.startsWith("retry 2 of 2"));
    softly
        .assertThat(messages(events, Reasons.RETRY_REQUESTED))
        .as("RetryRequested Events (two requests were acted on)")
        .hasSize(2);
    softly.assertAll();
  }

  /**
   * Confirmed. The operator stops while a retry waits and starts again: the new one keeps {@code
   * status.retries.nextAttemptAt} (the next Job is not created before it), creates exactly one Job
   * for the attempt, and the count is not bumped twice. Runs last: its operators watch only this
   * namespace.
   */
  @Test
  @Order(9)
  void anOperatorRestartedDuringTheBackOffKeepsTheScheduledTimeAndCreatesNoExtraJob()
      throws Exception {
    String database = postgres.createDatabase("break_restart");
    String name = "ledger-restart";
    // One namespace only: with several, a restart would meet the shared-store fault above.
    operator.close();
    operator = newOperator(List.of(NAMESPACE));
    SchemaVersionStatus waiting;
    try (Connection otherMigrator = ClusterFaults.holdMigrationLock(postgres, database)) {
      apply(NAMESPACE, schemaVersion(name, database));
      waiting =
          SchemaVersions.awaitCondition(
              admin, NAMESPACE, name, Conditions.RECONCILING, Reasons.RETRY_SCHEDULED, PATIENCE);
      operator.close();
    }
    Instant next = Instant.parse(waiting.getRetries().getNextAttemptAt());
    operator = newOperator(List.of(NAMESPACE));
    Instant restarted = Instant.now();

    SchemaVersionStatus ready =
        SchemaVersions.awaitCondition(
            admin, NAMESPACE, name, Conditions.READY, Reasons.MIGRATED, PATIENCE);
    List<Job> jobs = SchemaVersions.jobsOf(admin, NAMESPACE, name);
    assertThat(jobs).hasSize(2);
    assertThat(ready.getLastJob().getAttempt()).isEqualTo(1);
    assertThat(ready.getRetries()).isNull();
    Job retry =
        jobs.stream()
            .filter(job -> job.getMetadata().getName().equals(ready.getLastJob().getName()))
            .findFirst()
            .orElseThrow();
    assertThat(Instant.parse(retry.getMetadata().getCreationTimestamp()))
        .isAfterOrEqualTo(next.truncatedTo(ChronoUnit.SECONDS));
    Assumptions.assumeTrue(
        restarted.isBefore(next), "the restart must end within the back-off to test it");
  }

  /**
   * Finding. An admission policy freezes the Deployment the resource gates, and another migrator
   * holds the lock for the first Job. The status says GateInjectionRefused and shows a retry at
   * {@code nextAttemptAt}; once the lock is free the retry should migrate the database (the gate
   * refusal is about the Deployment, not the migration). The refused gate's error path returns
   * {@code withNoRetry()}, so nothing wakes the resource and the retry never runs.
   */
  @Test
  @Order(3)
  void aRefusedGateDoesNotCancelTheScheduledRetry() throws Exception {
    String database = postgres.createDatabase("break_frozen");
    String name = "ledger-frozen";
    freezeDeployment("ledger-api");
    try (Connection otherMigrator = ClusterFaults.holdMigrationLock(postgres, database)) {
      apply(REFUSALS, gated(schemaVersion(name, database), "ledger-api"));
      SchemaVersionStatus refused =
          awaitStatus(
              REFUSALS,
              name,
              "the first Job to fail while the gate is refused",
              status ->
                  status.getLastJob() != null
                      && "LockTimeout".equals(status.getLastJob().getReason())
                      && Reasons.GATE_INJECTION_REFUSED.equals(
                          trueReason(status, Conditions.STALLED)));
      assertThat(refused.getRetries().getNextAttemptAt()).isNotNull();
    }

    await("the scheduled retry to migrate the database once the lock is free")
        .atMost(AFTER_BACK_OFF)
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(Catalog.history(postgres, database, "public"))
                    .containsExactly("1:SQL:true", "2:SQL:true"));
  }

  /**
   * Finding. The Deployment is frozen while the migration succeeds: Stalled GateInjectionRefused,
   * as documented. Then the freeze ends (the policy is deleted) and the operations guide says
   * "allow the patch": the gate should be added and the resource become Ready without anyone
   * touching it. A permanent refusal is reported {@code withNoRetry()} and nothing the operator
   * watches changes, so it stays Stalled (until JOSDK's 10 h resync or an unrelated event). Also:
   * the Job's outcome is counted twice in the metrics, once by the reconciliation and once by the
   * error hook that reports the refused gate.
   */
  @Test
  @Order(4)
  void aGateRefusedUntilThePolicyGoesIsAddedWithoutAnyoneTouchingTheResource() {
    String database = postgres.createDatabase("break_billing");
    String name = "billing-gated";
    freezeDeployment("billing-api");
    apply(REFUSALS, gated(schemaVersion(name, database), "billing-api"));
    awaitStatus(
        REFUSALS,
        name,
        "the migration to succeed while the gate is refused",
        status ->
            status.getLastJob() != null
                && Reasons.MIGRATED.equals(status.getLastJob().getOutcome())
                && Reasons.GATE_INJECTION_REFUSED.equals(trueReason(status, Conditions.STALLED)));
    double applied =
        metric(
            "schema_operator_migrations_applied_total",
            "name=\"" + name + "\"",
            "namespace=\"" + REFUSALS + "\"");

    deletePolicy("break-freeze-billing-api");
    await("the API server to drop the freeze")
        .atMost(PATIENCE)
        .ignoreExceptions()
        .until(
            () ->
                admin
                        .apps()
                        .deployments()
                        .inNamespace(REFUSALS)
                        .withName("billing-api")
                        .dryRun()
                        .edit(
                            d -> {
                              d.getMetadata().setAnnotations(Map.of("probe", "1"));
                              return d;
                            })
                    != null);

    boolean recovered =
        succeeds(
            AFTER_BACK_OFF,
            () -> {
              assertThat(hasGate(REFUSALS, "billing-api", name)).isTrue();
              assertThat(trueReason(status(REFUSALS, name), Conditions.READY))
                  .isEqualTo(Reasons.MIGRATED);
            });
    SoftAssertions softly = new SoftAssertions();
    softly
        .assertThat(recovered)
        .as("gate added and Ready once the policy is gone, without touching the resource")
        .isTrue();
    softly.assertThat(applied).as("migrations applied, counted once each (V1, V2)").isEqualTo(2.0);
    softly.assertAll();
  }

  /**
   * Finding, with a confirmed recovery. A ResourceQuota allows no Jobs: JobCreateFailed is retried
   * and the Job runs once the quota goes (confirmed). Meanwhile the gated Deployment should carry
   * its gate, so that a rollout of the application waits for the schema; the reconciler throws on
   * the refused Job before it adds any gate, so the gate comes only if something unrelated (a
   * change to the Deployment) happens to reconcile the resource during a back-off.
   */
  @Test
  @Order(5)
  void aJobRefusedByAQuotaStillGatesTheDeploymentMeanwhile() {
    String database = postgres.createDatabase("break_orders");
    String name = "orders-schema";
    admin
        .resourceQuotas()
        .inNamespace(JOB_QUOTA)
        .resource(
            new ResourceQuotaBuilder()
                .withNewMetadata()
                .withName("no-jobs")
                .endMetadata()
                .withNewSpec()
                .addToHard("count/jobs.batch", new Quantity("0"))
                .endSpec()
                .build())
        .serverSideApply();
    ClusterFaults.awaitQuotaCounted(admin, JOB_QUOTA, "no-jobs");
    createDeployment(JOB_QUOTA, "orders-api");

    apply(JOB_QUOTA, gated(schemaVersion(name, database), "orders-api"));
    SchemaVersionStatus waiting =
        SchemaVersions.awaitCondition(
            admin, JOB_QUOTA, name, Conditions.RECONCILING, Reasons.RETRY_SCHEDULED, PATIENCE);
    assertThat(waiting.getLastJob().getReason()).isEqualTo(Reasons.JOB_CREATE_FAILED);
    // Read at once: the retries (two, 8 s apart) end before a longer wait would.
    boolean gatedMeanwhile = hasGate(JOB_QUOTA, "orders-api", name);

    admin.resourceQuotas().inNamespace(JOB_QUOTA).withName("no-jobs").delete();
    SchemaVersions.awaitCondition(
        admin, JOB_QUOTA, name, Conditions.READY, Reasons.MIGRATED, PATIENCE);
    assertThat(SchemaVersions.jobsOf(admin, JOB_QUOTA, name)).hasSize(1);

    assertThat(gatedMeanwhile)
        .as("the Deployment carries the gate while the Job cannot be created")
        .isTrue();
  }

  /**
   * Finding. An admission policy refuses the migration Job: Stalled JobRefused, as documented.
   * Meanwhile the gated Deployment should get its gate, so that a rollout of the application does
   * not start against the old schema; the reconciler throws on the refused Job before it adds any
   * gate, and the refusal is reported {@code withNoRetry()}, so the Deployment stays ungated for as
   * long as the Job is refused.
   */
  @Test
  @Order(7)
  void aJobThatAPolicyRefusesStillGatesTheDeploymentMeanwhile() {
    String database = postgres.createDatabase("break_reports");
    String name = "reports-schema";
    ClusterFaults.applyPolicy(
        admin,
        REFUSALS,
        "break-refuse-jobs",
        "batch",
        "jobs",
        "CREATE",
        "!has(object.metadata.labels) || !('"
            + Labels.SCHEMA_VERSION
            + "' in object.metadata.labels) || object.metadata.labels['"
            + Labels.SCHEMA_VERSION
            + "'] != '"
            + name
            + "'",
        "migration Jobs of reports-schema need a change ticket");
    createDeployment(REFUSALS, "reports-api");
    await("the API server to enforce the Job policy")
        .atMost(PATIENCE)
        .until(() -> refusedWith("need a change ticket", () -> dryRunJob(name)));

    apply(REFUSALS, gated(schemaVersion(name, database), "reports-api"));
    SchemaVersions.awaitCondition(
        admin, REFUSALS, name, Conditions.STALLED, Reasons.JOB_REFUSED, PATIENCE);

    boolean gated =
        succeeds(
            Duration.ofSeconds(20),
            () -> assertThat(hasGate(REFUSALS, "reports-api", name)).isTrue());
    assertThat(gated)
        .as("the Deployment carries the gate while the migration Job is refused")
        .isTrue();
  }

  /**
   * Finding, with a confirmed recovery. A policy refuses the migration pod (not the Job):
   * PodCreationRefused with the policy's message (confirmed), and once the policy goes the Job
   * controller creates the pod and the resource is Ready (confirmed). While the Job controller
   * retries, nothing changes for the user, yet each retry's FailedCreate Event names a new
   * generated pod name, the condition message copies it, and the status is rewritten each time.
   */
  @Test
  @Order(6)
  void aPodThatAPolicyRefusesIsReportedOnceAndRecoversWhenThePolicyGoes() {
    String database = postgres.createDatabase("break_pod_policy");
    String name = "pod-policy";
    ClusterFaults.applyPolicy(
        admin,
        REFUSALS,
        "break-refuse-pods",
        "",
        "pods",
        "CREATE",
        "!has(object.metadata.labels) || !('"
            + Labels.SCHEMA_VERSION
            + "' in object.metadata.labels) || object.metadata.labels['"
            + Labels.SCHEMA_VERSION
            + "'] != '"
            + name
            + "'",
        "migration pods of pod-policy need a database exception");
    await("the API server to enforce the pod policy")
        .atMost(PATIENCE)
        .until(() -> refusedWith("need a database exception", () -> dryRunPod(name)));

    apply(REFUSALS, schemaVersion(name, database));
    SchemaVersionStatus stalled =
        SchemaVersions.awaitCondition(
            admin, REFUSALS, name, Conditions.STALLED, Reasons.POD_CREATION_REFUSED, PATIENCE);
    String first = trueMessage(stalled, Conditions.STALLED);
    assertThat(first).contains("need a database exception");
    String job = SchemaVersions.jobsOf(admin, REFUSALS, name).get(0).getMetadata().getName();
    await("the Job controller to try three more times")
        .atMost(PATIENCE)
        .until(() -> failedCreates(REFUSALS, job) >= 4);
    boolean sameMessage =
        succeeds(
            Duration.ofSeconds(10),
            () ->
                assertThat(trueMessage(status(REFUSALS, name), Conditions.STALLED))
                    .isEqualTo(first));

    deletePolicy("break-refuse-pods");
    SchemaVersionStatus ready =
        SchemaVersions.awaitCondition(
            admin, REFUSALS, name, Conditions.READY, Reasons.MIGRATED, PATIENCE);
    assertThat(ready.getCurrentVersion()).isEqualTo("2");
    assertThat(trueReason(ready, Conditions.STALLED)).isEmpty();

    assertThat(sameMessage)
        .as("the Stalled message stays the same while the Job controller retries: %s", first)
        .isTrue();
  }

  /**
   * Finding for one resource, confirmed for the others. A restarted operator reconciles every
   * resource; those whose state did not change must not be written. Confirmed for resources that
   * became Ready after retries, a restart, a refused Job and a refused pod; not so for one Stalled
   * GateInjectionRefused after its migration succeeded: every reconciliation moves the conditions'
   * lastTransitionTime.
   */
  @Test
  @Order(8)
  void aRestartedOperatorRewritesNoStatusOfResourcesThatDidNotChange() {
    String database = postgres.createDatabase("break_quiet");
    String frozen = "quiet-frozen";
    freezeDeployment("ledger-api");
    apply(REFUSALS, gated(schemaVersion(frozen, database), "ledger-api"));
    awaitStatus(
        REFUSALS,
        frozen,
        "the migration to succeed while the gate is refused",
        status ->
            status.getLastJob() != null
                && Reasons.MIGRATED.equals(status.getLastJob().getOutcome())
                && Reasons.GATE_INJECTION_REFUSED.equals(trueReason(status, Conditions.STALLED)));

    // The conditions carry seconds: restart in a later second than the last write, or a moved
    // lastTransitionTime could not show.
    Instant written =
        Conditions.find(status(REFUSALS, frozen).getConditions(), Conditions.STALLED)
            .map(c -> Instant.parse(c.getLastTransitionTime()))
            .orElseThrow();
    await("a second after the last write")
        .atMost(PATIENCE)
        .until(() -> Instant.now().truncatedTo(ChronoUnit.SECONDS).isAfter(written));
    Map<String, String> before = new LinkedHashMap<>();
    for (String name : List.of("pod-policy", frozen)) {
      SchemaVersion found = SchemaVersions.get(admin, REFUSALS, name);
      if (found != null) {
        before.put(REFUSALS + "/" + name, found.getMetadata().getResourceVersion());
      }
    }
    long resources =
        admin.resources(SchemaVersion.class).inNamespace(REFUSALS).list().getItems().size();

    // One namespace only: with several, the restart would meet the shared-store fault above.
    operator.close();
    operator = newOperator(List.of(REFUSALS));
    await("the new operator to reconcile every resource")
        .atMost(PATIENCE)
        .until(() -> metric("schema_operator_reconciliations_total") >= resources);
    try {
      await()
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(10))
          .until(() -> resourceVersions(before.keySet()).equals(before));
    } catch (ConditionTimeoutException e) {
      // compared below, resource by resource
    }
    Map<String, String> after = resourceVersions(before.keySet());
    SoftAssertions softly = new SoftAssertions();
    before.forEach(
        (key, version) ->
            softly.assertThat(after.get(key)).as("resourceVersion of %s", key).isEqualTo(version));
    softly.assertAll();
  }

  // --- vocabulary

  private static void applyMigrations(String namespace, String name) {
    admin
        .configMaps()
        .inNamespace(namespace)
        .resource(
            Manifests.configMap(
                name,
                Map.of(
                    "V1__create_invoices.sql",
                    "CREATE TABLE invoices (id bigint PRIMARY KEY, total_cents bigint);\n",
                    "V2__add_invoice_currency.sql",
                    "ALTER TABLE invoices ADD COLUMN currency char(3);\n")))
        .serverSideApply();
  }

  /** The resourceVersion of each {@code namespace/name}. */
  private static Map<String, String> resourceVersions(Set<String> keys) {
    Map<String, String> versions = new LinkedHashMap<>();
    for (String key : keys) {
      String[] parts = key.split("/");
      versions.put(
          key, SchemaVersions.get(admin, parts[0], parts[1]).getMetadata().getResourceVersion());
    }
    return versions;
  }

  private static OperatorMain newOperator(List<String> namespaces) {
    KubernetesClient client =
        RunningOperator.serviceAccountClient(
            admin, cluster.apiServer().kubeconfigYaml(), new RequestCounter());
    return OperatorMain.start(
        client,
        new OperatorConfig(
            RunningOperator.IMAGE, Set.copyOf(namespaces), 0, false, "unused", null, RETRIES));
  }

  private static SchemaVersion schemaVersion(String name, String database) {
    SchemaVersion resource =
        SchemaVersions.example(name, postgres, database, "public", MIGRATIONS, "latest");
    resource.getSpec().getJob().setLockWaitTimeout("1s");
    resource.getSpec().getJob().setBackoffLimit(0);
    return resource;
  }

  private static SchemaVersion gated(SchemaVersion resource, String deployment) {
    GateSpec gate = new GateSpec();
    gate.setDeployments(List.of(deployment));
    resource.getSpec().setGate(gate);
    return resource;
  }

  private static void apply(String namespace, SchemaVersion resource) {
    admin
        .resources(SchemaVersion.class)
        .inNamespace(namespace)
        .resource(resource)
        .serverSideApply();
  }

  private static SchemaVersionStatus status(String namespace, String name) {
    return SchemaVersions.get(admin, namespace, name).getStatus();
  }

  private static SchemaVersionStatus awaitStatus(
      String namespace, String name, String what, Predicate<SchemaVersionStatus> condition) {
    await(name + ": " + what)
        .atMost(PATIENCE)
        .until(
            () -> {
              SchemaVersionStatus status = status(namespace, name);
              return status != null && condition.test(status);
            });
    return status(namespace, name);
  }

  /** Whether an assertion holds within {@code patience}. */
  private static boolean succeeds(Duration patience, Runnable assertion) {
    try {
      await().atMost(patience).untilAsserted(assertion::run);
      return true;
    } catch (ConditionTimeoutException e) {
      return false;
    }
  }

  private static String trueReason(SchemaVersionStatus status, String type) {
    return Conditions.find(status.getConditions(), type)
        .filter(c -> Conditions.TRUE.equals(c.getStatus()))
        .map(c -> c.getReason())
        .orElse("");
  }

  private static String trueMessage(SchemaVersionStatus status, String type) {
    return Conditions.find(status.getConditions(), type)
        .filter(c -> Conditions.TRUE.equals(c.getStatus()))
        .map(c -> c.getMessage())
        .orElse("");
  }

  private static List<String> messages(List<Event> events, String reason) {
    return events.stream()
        .filter(event -> reason.equals(event.getReason()))
        .map(Event::getMessage)
        .toList();
  }

  /** FailedCreate Events of the Job controller about a Job, counting repeats. */
  private static int failedCreates(String namespace, String job) {
    return SchemaVersions.events(admin, namespace, job).stream()
        .filter(event -> "FailedCreate".equals(event.getReason()))
        .mapToInt(event -> event.getCount() == null ? 1 : event.getCount())
        .sum();
  }

  /** A Deployment of no replicas and no gate. */
  private static void createDeployment(String namespace, String name) {
    Deployment deployment = Manifests.example("workflow-svc-deployment.yaml", Deployment.class);
    deployment.getMetadata().setName(name);
    deployment.getSpec().setReplicas(0);
    deployment.getSpec().getTemplate().getSpec().setSchedulingGates(null);
    admin.apps().deployments().inNamespace(namespace).resource(deployment).serverSideApply();
    // The Deployment controller's status write comes first, not during the flow under test.
    await(name + " to be observed by its controller")
        .atMost(PATIENCE)
        .until(
            () -> {
              Deployment found =
                  admin.apps().deployments().inNamespace(namespace).withName(name).get();
              return found.getStatus() != null
                  && Objects.equals(
                      found.getStatus().getObservedGeneration(),
                      found.getMetadata().getGeneration());
            });
  }

  /**
   * Creates the Deployment in {@link #REFUSALS} unless it exists, and a policy that refuses every
   * change to it.
   */
  private static void freezeDeployment(String name) {
    if (admin.apps().deployments().inNamespace(REFUSALS).withName(name).get() == null) {
      createDeployment(REFUSALS, name);
    }
    ClusterFaults.applyPolicy(
        admin,
        REFUSALS,
        "break-freeze-" + name,
        "apps",
        "deployments",
        "UPDATE",
        "object.metadata.name != '" + name + "'",
        name + " is frozen for the audit");
    await("the API server to freeze " + name)
        .atMost(PATIENCE)
        .until(
            () ->
                refusedWith(
                    "frozen for the audit",
                    () ->
                        admin
                            .apps()
                            .deployments()
                            .inNamespace(REFUSALS)
                            .withName(name)
                            .edit(
                                d -> {
                                  d.getMetadata().setAnnotations(Map.of("probe", "1"));
                                  return d;
                                })));
  }

  private static boolean hasGate(String namespace, String deployment, String schemaVersion) {
    Deployment found = admin.apps().deployments().inNamespace(namespace).withName(deployment).get();
    List<io.fabric8.kubernetes.api.model.PodSchedulingGate> gates =
        found.getSpec().getTemplate().getSpec().getSchedulingGates();
    return gates != null
        && gates.stream()
            .anyMatch(gate -> ("schema.jobgtm.io/" + schemaVersion).equals(gate.getName()));
  }

  private static void deletePolicy(String name) {
    admin
        .genericKubernetesResources(
            "admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding")
        .withName(name)
        .delete();
    admin
        .genericKubernetesResources("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy")
        .withName(name)
        .delete();
  }

  /** Whether the request is refused with a message that contains {@code text}. */
  private static boolean refusedWith(String text, Runnable request) {
    try {
      request.run();
      return false;
    } catch (KubernetesClientException e) {
      return String.valueOf(e.getMessage()).contains(text);
    }
  }

  /** Asks the API server, without creating anything, for a migration Job of a SchemaVersion. */
  private static void dryRunJob(String schemaVersion) {
    admin
        .batch()
        .v1()
        .jobs()
        .inNamespace(REFUSALS)
        .resource(ClusterFaults.probeJob(schemaVersion))
        .dryRun()
        .create();
  }

  /** Asks the API server, without creating anything, for a migration pod of a SchemaVersion. */
  private static void dryRunPod(String schemaVersion) {
    admin
        .pods()
        .inNamespace(REFUSALS)
        .resource(ClusterFaults.probePod("probe-" + schemaVersion, schemaVersion))
        .dryRun()
        .create();
  }

  /** The sum of the operator's /metrics lines of a series whose labels contain every filter. */
  private static double metric(String series, String... labels) {
    String text;
    try {
      text =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + operator.httpPort() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return text.lines()
        .filter(line -> line.startsWith(series))
        .filter(line -> List.of(labels).stream().allMatch(line::contains))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }
}
