package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.migrator.MigrationLock;
import io.jobgtm.schema.operator.decide.RetryPolicy;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.LocalCluster;
import io.jobgtm.schema.testing.LocalClusterExtension;
import io.jobgtm.schema.testing.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
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
    operator = InProcessOperator.start(cluster, NAMESPACE, RETRIES);
    admin
        .configMaps()
        .inNamespace(NAMESPACE)
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

    try (Connection otherMigrator = holdMigrationLock(database)) {
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
  void retriesStopAtTheLimitUntilTheRetryAnnotationAsksAgain() throws Exception {
    String database = postgres.createDatabase("recovery_exhausted");
    SchemaVersion resource = schemaVersion("exhausted", database);

    try (Connection otherMigrator = holdMigrationLock(database)) {
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

    admin
        .resources(SchemaVersion.class)
        .inNamespace(NAMESPACE)
        .withName("exhausted")
        .edit(
            sv -> {
              sv.getMetadata().getAnnotations().put(SchemaVersion.RETRY_ANNOTATION, "first");
              return sv;
            });

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
      try (Connection otherMigrator = holdMigrationLock(database)) {
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
    admin
        .resources(SchemaVersion.class)
        .inNamespace(NAMESPACE)
        .withName("deadline")
        .edit(
            sv -> {
              sv.getMetadata().getAnnotations().put(SchemaVersion.RETRY_ANNOTATION, "unblocked");
              return sv;
            });
    awaitReady("deadline", "2");
    assertThat(Catalog.history(postgres, database, "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(jobsOf("deadline")).hasSize(2);
  }

  // --- vocabulary

  private static SchemaVersion schemaVersion(String name, String database) {
    SchemaVersion resource =
        SchemaVersions.example(name, postgres, database, "public", MIGRATIONS, "latest");
    resource.getSpec().getJob().setLockWaitTimeout("1s");
    resource.getSpec().getJob().setBackoffLimit(0);
    if (resource.getMetadata().getAnnotations() == null) {
      resource.getMetadata().setAnnotations(new java.util.HashMap<>());
    }
    return resource;
  }

  private static void apply(SchemaVersion resource) {
    admin
        .resources(SchemaVersion.class)
        .inNamespace(NAMESPACE)
        .resource(resource)
        .serverSideApply();
  }

  /** Takes the migration lock of the public schema, as another migrator would. */
  private static Connection holdMigrationLock(String database) throws SQLException {
    Connection connection = postgres.connect(database);
    try (PreparedStatement statement = connection.prepareStatement(MigrationLock.TAKE)) {
      statement.setString(1, "public");
      statement.execute();
    }
    return connection;
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
            .withLabel(io.jobgtm.schema.operator.act.Labels.SCHEMA_VERSION, schemaVersion)
            .list()
            .getItems();
    return pods.stream()
        .filter(pod -> pod.getStatus() != null && phase.equals(pod.getStatus().getPhase()))
        .count();
  }

  private static List<String> reasons(String name) {
    return SchemaVersions.events(admin, NAMESPACE, name).stream().map(Event::getReason).toList();
  }
}
