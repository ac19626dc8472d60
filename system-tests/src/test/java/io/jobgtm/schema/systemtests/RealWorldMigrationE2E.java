package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.operator.decide.Gates;
import io.jobgtm.schema.operator.decide.RetryPolicy;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.LocalCluster;
import io.jobgtm.schema.testing.LocalClusterExtension;
import io.jobgtm.schema.testing.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Migration faults users reported against schema tools, replayed through the operator on the full
 * local control plane: the migration Job's pod runs the real migrator process against an embedded
 * PostgreSQL, and the flows are judged by the SchemaVersion's status, the gated pods and the
 * database itself (catalog, rows and migration history).
 */
class RealWorldMigrationE2E {

  @RegisterExtension
  static final LocalClusterExtension CLUSTER = MigratorImage.localCluster(RunningOperator.IMAGE);

  private static final String NAMESPACE = "realworld-e2e";

  /** A hang guard, never an expectation of speed. */
  private static final Duration PATIENCE = Duration.ofMinutes(3);

  private static KubernetesClient admin;
  private static PostgresServer postgres;
  private static InProcessOperator operator;

  @BeforeAll
  static void startOperator(LocalCluster localCluster) {
    admin = localCluster.client();
    postgres = PostgresServer.shared();
    operator = InProcessOperator.start(localCluster, RetryPolicy.DEFAULT, NAMESPACE);
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  // flyway/flyway#1930: undo in one tenant's schema must not run against another schema
  @Test
  void downgradingOneTenantSchemaLeavesThePublicSchemaOfTheSameDatabaseUntouched() {
    String database = "realworld_tenants";
    postgres.createDatabase(database);
    applyConfigMap(
        Manifests.configMap(
            "parcel-migrations",
            Map.of(
                "V1__create_parcels.sql",
                "CREATE TABLE parcels (id integer PRIMARY KEY, label text NOT NULL);\n"
                    + "INSERT INTO parcels (id, label) VALUES (1, 'crate'), (2, 'envelope');\n",
                "U1__create_parcels.sql",
                "DROP TABLE parcels;\n",
                "V2__add_parcel_weight.sql",
                "ALTER TABLE parcels ADD COLUMN weight_grams integer;\n",
                "U2__add_parcel_weight.sql",
                "ALTER TABLE parcels DROP COLUMN weight_grams;\n")));
    apply(schemaVersion("tenant-a", database, "tenant_a", "parcel-migrations", "2"));
    apply(schemaVersion("public-schema", database, "public", "parcel-migrations", "2"));

    awaitReady("tenant-a", Reasons.MIGRATED, "2");
    awaitReady("public-schema", Reasons.MIGRATED, "2");

    for (String schema : List.of("tenant_a", "public")) {
      assertThat(Catalog.snapshot(postgres, database, schema))
          .as("catalog of %s at version 2", schema)
          .anyMatch(line -> line.startsWith("column parcels.weight_grams integer"));
      assertThat(versions(database, schema))
          .as("history of %s", schema)
          .containsExactly("1:SQL:true", "2:SQL:true");
    }
    postgres.execute(
        database,
        "UPDATE public.parcels SET weight_grams = id * 250",
        "UPDATE tenant_a.parcels SET weight_grams = id * 40");
    List<String> publicCatalog = catalog(database, "public");
    List<String> publicRows = rows(database, "public");
    List<String> publicHistory = fullHistory(database, "public");
    assertThat(publicCatalog).anyMatch(line -> line.contains("weight_grams"));
    assertThat(publicRows).hasSize(2).allMatch(row -> row.contains("\"weight_grams\""));
    assertThat(publicHistory).hasSize(2);

    SchemaVersion downgrade =
        schemaVersion("tenant-a", database, "tenant_a", "parcel-migrations", "1");
    downgrade.getSpec().getDowngrade().setAllowed(true);
    apply(downgrade);

    SchemaVersionStatus tenant = awaitSettled("tenant-a");
    SoftAssertions softly = new SoftAssertions();
    softly
        .assertThat(Conditions.find(tenant.getConditions(), Conditions.READY))
        .as("tenant-a Ready condition after the downgrade: %s", tenant.getConditions())
        .hasValueSatisfying(
            condition -> {
              assertThat(condition.getStatus()).isEqualTo(Conditions.TRUE);
              assertThat(condition.getReason()).isEqualTo(Reasons.DOWNGRADED);
            });
    softly.assertThat(tenant.getCurrentVersion()).as("tenant-a currentVersion").isEqualTo("1");
    softly
        .assertThat(Catalog.snapshot(postgres, database, "tenant_a"))
        .as("tenant_a catalog after the undo of V2")
        .anyMatch(line -> line.startsWith("column parcels.label text"))
        .noneMatch(line -> line.contains("weight_grams"));
    softly
        .assertThat(rows(database, "tenant_a"))
        .as("tenant_a rows after the undo of V2")
        .containsExactly("{\"id\":1,\"label\":\"crate\"}", "{\"id\":2,\"label\":\"envelope\"}");
    softly
        .assertThat(versions(database, "tenant_a"))
        .as("tenant_a history after the undo of V2")
        .containsExactly("1:SQL:true");
    SchemaVersionStatus other = get("public-schema").getStatus();
    softly
        .assertThat(Conditions.isTrue(other.getConditions(), Conditions.READY))
        .as("public-schema still Ready")
        .isTrue();
    softly.assertThat(other.getCurrentVersion()).as("public-schema currentVersion").isEqualTo("2");
    softly
        .assertThat(catalog(database, "public"))
        .as("public catalog after tenant_a's undo")
        .isEqualTo(publicCatalog);
    softly
        .assertThat(rows(database, "public"))
        .as("public rows after tenant_a's undo")
        .isEqualTo(publicRows);
    softly
        .assertThat(fullHistory(database, "public"))
        .as("public history after tenant_a's undo")
        .isEqualTo(publicHistory);
    softly.assertAll();
  }

  // sbdchd/squawk#1230: a failed CREATE UNIQUE INDEX CONCURRENTLY leaves an INVALID index behind
  @Test
  void failedConcurrentUniqueIndexKeepsVersion1AndThePodsThatNeedVersion2Gated() {
    String name = "roster";
    String database = "realworld_roster";
    postgres.createDatabase(database);
    Map<String, String> files = new TreeMap<>();
    files.put(
        "V1__create_volunteers.sql",
        "CREATE TABLE volunteers (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
            + " email text NOT NULL);\n");
    applyConfigMap(Manifests.configMap("roster-migrations", files));
    apply(schemaVersion(name, database, "public", "roster-migrations", "latest"));
    awaitReady(name, Reasons.MIGRATED, "1");
    assertThat(versions(database, "public")).containsExactly("1:SQL:true");
    assertThat(Catalog.snapshot(postgres, database, "public"))
        .anyMatch(line -> line.startsWith("column volunteers.email text"))
        .noneMatch(line -> line.contains("lower(email)"));
    postgres.execute(
        database,
        "INSERT INTO volunteers (email) VALUES ('Rosa.Parks@Example.org')",
        "INSERT INTO volunteers (email) VALUES ('rosa.parks@example.org')");
    List<String> rowsBefore = emails(database);
    assertThat(rowsBefore).hasSize(2);

    admin
        .apps()
        .deployments()
        .inNamespace(NAMESPACE)
        .resource(gatedDeployment("roster-svc", name, "2"))
        .serverSideApply();
    await("the roster-svc pod needing version 2 to wait at version 1")
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              assertThat(get(name).getStatus().getGatedPods()).isEqualTo(1);
              assertThat(podsOf("roster-svc")).singleElement().satisfies(this::assertGated);
            });

    String firstJob = get(name).getStatus().getLastJob().getName();
    files.put(
        "V2__unique_volunteer_email.sql",
        "CREATE UNIQUE INDEX CONCURRENTLY volunteers_email_lower_key"
            + " ON volunteers (lower(email));\n");
    applyConfigMap(Manifests.configMap("roster-migrations", files));

    List<String> observedVersions = new ArrayList<>();
    Set<String> releasedPods = new LinkedHashSet<>();
    SchemaVersionStatus stalled =
        awaitFailedJobWatching(name, firstJob, "roster-svc", observedVersions, releasedPods);

    assertThat(observedVersions)
        .as("status.currentVersion observed until the failed V2 was recorded")
        .isNotEmpty()
        .containsOnly("1");
    assertThat(releasedPods).as("roster-svc pods released meanwhile").isEmpty();
    assertThat(Conditions.find(stalled.getConditions(), Conditions.STALLED).orElseThrow())
        .satisfies(
            condition -> {
              assertThat(condition.getReason()).isEqualTo(Reasons.MIGRATION_FAILED);
              assertThat(condition.getMessage()).contains("version 2");
            });
    assertThat(stalled.getLastJob().getOutcome()).isEqualTo("Failed");
    assertThat(stalled.getCurrentVersion()).isEqualTo("1");
    assertVersion1AndPodGated(name, "roster-svc");
    assertFailedIndexBuildLeftAtVersion1(database, rowsBefore);

    // The squawk#1230 retry: IF NOT EXISTS, duplicates still there; a new Job runs for the new
    // content and must still see version 1 with a failed version 2.
    String failedJob = stalled.getLastJob().getName();
    files.put(
        "V2__unique_volunteer_email.sql",
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS volunteers_email_lower_key"
            + " ON volunteers (lower(email));\n");
    applyConfigMap(Manifests.configMap("roster-migrations", files));

    SchemaVersionStatus retried =
        awaitFailedJobWatching(name, failedJob, "roster-svc", observedVersions, releasedPods);

    SoftAssertions softly = new SoftAssertions();
    softly
        .assertThat(observedVersions)
        .as("status.currentVersion observed until the retry's failure was recorded")
        .containsOnly("1");
    softly.assertThat(releasedPods).as("roster-svc pods released meanwhile").isEmpty();
    softly
        .assertThat(Conditions.find(retried.getConditions(), Conditions.STALLED))
        .as("Stalled condition after the retry")
        .hasValueSatisfying(
            condition -> {
              assertThat(condition.getReason()).isEqualTo("ValidationFailed");
              assertThat(condition.getMessage()).contains("version 2");
            });
    softly.assertThat(retried.getLastJob().getOutcome()).isEqualTo("Failed");
    softly
        .assertThat(retried.getCurrentVersion())
        .as("currentVersion after the retry")
        .isEqualTo("1");
    softly.check(() -> assertVersion1AndPodGated(name, "roster-svc"));
    softly.check(() -> assertFailedIndexBuildLeftAtVersion1(database, rowsBefore));
    softly.assertAll();
  }

  /**
   * Polls until a Job other than {@code previousJob} has finished and the resource is Stalled,
   * recording every {@code status.currentVersion} seen and every pod of {@code app} seen released.
   */
  private static SchemaVersionStatus awaitFailedJobWatching(
      String name,
      String previousJob,
      String app,
      List<String> observedVersions,
      Set<String> releasedPods) {
    await(name + " to record a failed Job after " + previousJob + ", watching version and pods")
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              SchemaVersion resource = get(name);
              SchemaVersionStatus status = resource.getStatus();
              observedVersions.add(status.getCurrentVersion());
              podsOf(app).stream()
                  .filter(pod -> !isGated(pod, name))
                  .forEach(pod -> releasedPods.add(pod.getMetadata().getName()));
              return status.getLastJob() != null
                  && !previousJob.equals(status.getLastJob().getName())
                  && status.getLastJob().getFinishedAt() != null
                  && settledAt(status, Conditions.STALLED, resource);
            });
    return get(name).getStatus();
  }

  /** For a few seconds more: the status stays at version 1 and the pod stays gated. */
  private void assertVersion1AndPodGated(String name, String app) {
    try {
      await("the version to stay at 1 and the pod gated")
          .during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  "1".equals(get(name).getStatus().getCurrentVersion())
                      && podsOf(app).size() == 1
                      && podsOf(app).stream().allMatch(pod -> isGated(pod, name)));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "expected version 1 and every "
              + app
              + " pod gated, but currentVersion is "
              + get(name).getStatus().getCurrentVersion()
              + " and the pods are "
              + podsOf(app).stream()
                  .map(
                      pod ->
                          pod.getMetadata().getName()
                              + (isGated(pod, name)
                                  ? " (gated)"
                                  : " (released, node " + pod.getSpec().getNodeName() + ")"))
                  .toList(),
          e);
    }
    assertThat(podsOf(app)).singleElement().satisfies(this::assertGated);
    assertThat(get(name).getStatus().getGatedPods()).isEqualTo(1);
  }

  /** History 1 ok and 2 failed, the INVALID index left behind, the rows untouched. */
  private static void assertFailedIndexBuildLeftAtVersion1(
      String database, List<String> rowsBefore) {
    assertThat(versions(database, "public")).containsExactly("1:SQL:true", "2:SQL:false");
    assertThat(Catalog.snapshot(postgres, database, "public"))
        .anyMatch(line -> line.startsWith("index volunteers_email_lower_key CREATE UNIQUE INDEX"));
    assertThat(indexValidity(database, "volunteers_email_lower_key"))
        .as("the index the failed concurrent build left")
        .contains(false);
    assertThat(emails(database)).isEqualTo(rowsBefore);
  }

  // --- the flows' vocabulary

  private static void applyConfigMap(ConfigMap configMap) {
    admin.configMaps().inNamespace(NAMESPACE).resource(configMap).serverSideApply();
  }

  private static SchemaVersion schemaVersion(
      String name, String database, String schema, String migrations, String target) {
    return SchemaVersions.example(name, postgres, database, schema, migrations, target);
  }

  private static void apply(SchemaVersion resource) {
    admin
        .resources(SchemaVersion.class)
        .inNamespace(NAMESPACE)
        .resource(resource)
        .serverSideApply();
  }

  private static SchemaVersion get(String name) {
    return SchemaVersions.get(admin, NAMESPACE, name);
  }

  private static SchemaVersionStatus awaitReady(String name, String reason, String version) {
    SchemaVersionStatus status =
        SchemaVersions.awaitCondition(admin, NAMESPACE, name, Conditions.READY, reason, PATIENCE);
    assertThat(status.getCurrentVersion()).as("%s currentVersion", name).isEqualTo(version);
    return status;
  }

  /** Waits until the resource's current generation is Ready or Stalled, and returns its status. */
  private static SchemaVersionStatus awaitSettled(String name) {
    await(name + " to be Ready or Stalled")
        .atMost(PATIENCE)
        .until(
            () -> {
              SchemaVersion resource = get(name);
              SchemaVersionStatus status = resource.getStatus();
              return status != null
                  && resource.getMetadata().getGeneration().equals(status.getObservedGeneration())
                  && (settledAt(status, Conditions.READY, resource)
                      || settledAt(status, Conditions.STALLED, resource));
            });
    return get(name).getStatus();
  }

  private static boolean settledAt(
      SchemaVersionStatus status, String type, SchemaVersion resource) {
    return Conditions.find(status.getConditions(), type)
        .filter(condition -> Conditions.TRUE.equals(condition.getStatus()))
        .filter(
            condition ->
                resource.getMetadata().getGeneration().equals(condition.getObservedGeneration()))
        .isPresent();
  }

  /** The example workflow-svc Deployment, renamed, one replica, gated on a SchemaVersion. */
  private static Deployment gatedDeployment(String name, String schemaVersion, String minVersion) {
    Deployment deployment = Manifests.example("workflow-svc-deployment.yaml", Deployment.class);
    Map<String, String> labels = Map.of("app.kubernetes.io/name", name);
    deployment.getMetadata().setName(name);
    deployment.getMetadata().setLabels(labels);
    deployment.getSpec().setReplicas(1);
    deployment.getSpec().getSelector().setMatchLabels(labels);
    deployment.getSpec().getTemplate().getMetadata().setLabels(labels);
    deployment
        .getSpec()
        .getTemplate()
        .getMetadata()
        .setAnnotations(Map.of(Gates.MIN_VERSION, minVersion));
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
        .setImage("registry.example/" + name + ":2.0");
    return deployment;
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

  private static boolean isGated(Pod pod, String schemaVersion) {
    return Gates.hasGate(pod, Gates.gateName(schemaVersion)) && pod.getSpec().getNodeName() == null;
  }

  /** The pod still carries the roster gate, is unbound and reports SchedulingGated. */
  private void assertGated(Pod pod) {
    assertThat(isGated(pod, "roster")).as("%s gated", pod.getMetadata().getName()).isTrue();
    assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
    assertThat(pod.getStatus().getConditions())
        .filteredOn(condition -> "PodScheduled".equals(condition.getType()))
        .extracting(PodCondition::getStatus, PodCondition::getReason)
        .containsExactly(tuple("False", "SchedulingGated"));
  }

  /** The migration history without Flyway's schema-creation marker, as version:type:success. */
  private static List<String> versions(String database, String schema) {
    return Catalog.history(postgres, database, schema).stream()
        .filter(row -> !row.endsWith(":SCHEMA:true"))
        .toList();
  }

  /** Every column of every history row, checksums and timestamps included. */
  private static List<String> fullHistory(String database, String schema) {
    return query(
        database,
        "SELECT row_to_json(h)::text FROM \""
            + schema
            + "\".flyway_schema_history h ORDER BY installed_rank");
  }

  /**
   * The catalog snapshot plus every attribute of the schema's relations as pg_attribute holds it
   * (dropped columns included), so that even a dropped-and-gone column shows.
   */
  private static List<String> catalog(String database, String schema) {
    List<String> lines = new ArrayList<>(Catalog.snapshot(postgres, database, schema));
    lines.addAll(Catalog.tables(postgres, database, schema));
    lines.addAll(
        query(
            database,
            "SELECT c.relname || ' ' || c.relkind::text || ' ' || a.attnum || ' ' || a.attname || ' '"
                + " || format_type(a.atttypid, a.atttypmod) || ' dropped=' || a.attisdropped"
                + " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = '"
                + schema
                + "' AND a.attnum > 0 ORDER BY c.relname, a.attnum"));
    return lines;
  }

  private static List<String> rows(String database, String schema) {
    return query(
        database, "SELECT row_to_json(p)::text FROM \"" + schema + "\".parcels p ORDER BY id");
  }

  private static List<String> emails(String database) {
    return query(database, "SELECT id || ' ' || email FROM public.volunteers ORDER BY id");
  }

  /** Whether PostgreSQL considers an index valid; empty when there is no such index. */
  private static Optional<Boolean> indexValidity(String database, String index) {
    return query(
            database,
            "SELECT i.indisvalid::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                + " WHERE c.relname = '"
                + index
                + "'")
        .stream()
        .findFirst()
        .map(Boolean::parseBoolean);
  }

  private static List<String> query(String database, String sql) {
    try (Connection connection = postgres.connect(database);
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      List<String> lines = new ArrayList<>();
      while (result.next()) {
        lines.add(result.getString(1));
      }
      return lines;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }
}
