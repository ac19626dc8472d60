package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.DriftAction;
import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.api.VerifySpec;
import io.jobgtm.schema.contract.DatabaseState;
import io.jobgtm.schema.operator.decide.RetryPolicy;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.LocalCluster;
import io.jobgtm.schema.testing.LocalClusterExtension;
import io.jobgtm.schema.testing.PostgresServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Knowing what the schema should be, through the operator on the full local control plane: every
 * migration Job's pod carries the shadow database as a native sidecar (the node agent runs the
 * PostgreSQL image on the embedded binaries), where the real migrator replays the set. A database
 * another tool migrated is stamped at the version it really is; drift made by hand is found by a
 * verify Job, blocks a new target, and clears once fixed. Judged by status, Events, catalog and
 * history.
 */
class VerifiedSchemaE2E {

  @RegisterExtension
  static final LocalClusterExtension CLUSTER = MigratorImage.localCluster(RunningOperator.IMAGE);

  private static final String NAMESPACE = "verified-schema-e2e";
  private static final String MIGRATIONS = "workflow-migrations";

  /** The reference set and a third version, so that a new target exists. */
  private static final String MIGRATIONS_WITH_V3 = "workflow-migrations-v3";

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
    ConfigMap withV3 = Manifests.migrationsConfigMap(MIGRATIONS_WITH_V3);
    withV3
        .getData()
        .put(
            "V3__add_job_tags.sql",
            "CREATE TABLE job_tags (\n"
                + "    job_listing_id BIGINT NOT NULL REFERENCES job_listings (id),\n"
                + "    tag            VARCHAR(64) NOT NULL,\n"
                + "    PRIMARY KEY (job_listing_id, tag)\n"
                + ");\n");
    for (ConfigMap configMap : List.of(Manifests.migrationsConfigMap(MIGRATIONS), withV3)) {
      admin.configMaps().inNamespace(NAMESPACE).resource(configMap).serverSideApply();
    }
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  /**
   * The adoption scenario: the service's Alembic took the database to its second revision
   * (the tables V1 and V2 make, and alembic_version at 002). With {@code baseline.version: Auto}
   * the replay in the Job's shadow finds version 2, which is stamped; nothing is applied.
   */
  @Test
  void aDatabaseAlembicTookToItsSecondRevisionIsStampedAtVersion2WithNothingApplied() {
    String database = "verified_adopted";
    postgres.createDatabase(database);
    postgres.execute(
        database,
        Manifests.read("migrations/V1__initial_schema.sql"),
        Manifests.read("migrations/V2__add_is_remote_to_job_listings.sql"),
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL,"
            + " CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))",
        "INSERT INTO alembic_version (version_num) VALUES ('002')");
    List<String> before = Catalog.snapshot(postgres, database, "public");
    SchemaVersion adopted =
        SchemaVersions.example("adopted", postgres, database, "public", MIGRATIONS, "latest");
    adopted.getSpec().getBaseline().setVersion("Auto");

    apply(adopted);

    SchemaVersionStatus status =
        SchemaVersions.awaitCondition(
            admin, NAMESPACE, "adopted", Conditions.READY, Reasons.BASELINED, PATIENCE);
    assertThat(status.getCurrentVersion()).isEqualTo("2");
    assertThat(status.getDatabaseState()).isEqualTo(DatabaseState.Unversioned);
    assertThat(status.getServerVersion()).startsWith("17.");
    assertThat(Catalog.history(postgres, database, "public")).containsExactly("2:BASELINE:true");
    assertThat(Catalog.snapshot(postgres, database, "public")).isEqualTo(before);
    assertThat(Conditions.find(status.getConditions(), Conditions.READY).orElseThrow().getMessage())
        .contains(
            "baselined at version 2 (schema unchanged; previous tool: Alembic's alembic_version at"
                + " revision 002)");
    assertThat(events("adopted"))
        .filteredOn(event -> Reasons.BASELINED.equals(event.getReason()))
        .singleElement()
        .satisfies(
            event ->
                assertThat(event.getMessage())
                    .contains("version 2", "Alembic's alembic_version at revision 002"));
    // The Job's pod ran the shadow as a native sidecar beside the migrator.
    Pod pod = jobPod("adopted");
    assertThat(pod.getSpec().getInitContainers().get(0).getName()).isEqualTo("shadow");
    assertThat(pod.getStatus().getPhase()).isEqualTo("Succeeded");
  }

  /**
   * Drift made by hand ({@code ALTER TABLE job_listings DROP COLUMN is_remote}) is found by the
   * next verify Job, names the column, and with {@code onDrift: Block} refuses a new target with
   * nothing written; restoring the column clears it, and the refused migration then runs by itself.
   */
  @Test
  void driftMadeByHandIsFoundBlocksANewTargetAndClearsOnceFixed() {
    String database = "verified_drift";
    postgres.createDatabase(database);
    SchemaVersion drifting =
        SchemaVersions.example("drifting", postgres, database, "public", MIGRATIONS_WITH_V3, "2");
    VerifySpec verify = new VerifySpec();
    verify.setOnDrift(DriftAction.BLOCK);
    drifting.getSpec().setVerify(verify);

    apply(drifting);

    SchemaVersionStatus migrated =
        SchemaVersions.awaitCondition(
            admin, NAMESPACE, "drifting", Conditions.READY, Reasons.MIGRATED, PATIENCE);
    assertThat(migrated.getCurrentVersion()).isEqualTo("2");
    Condition matches = awaitDrifted("drifting", "False", Reasons.SCHEMA_MATCHES);
    assertThat(matches.getMessage()).contains("version 2");
    String fingerprint =
        SchemaVersions.get(admin, NAMESPACE, "drifting").getStatus().getSchemaFingerprint();
    assertThat(fingerprint).matches("sha256:[0-9a-f]{64}");

    postgres.execute(database, "ALTER TABLE job_listings DROP COLUMN is_remote");
    requestVerification("drifting", "after-drop");

    Condition drifted = awaitDrifted("drifting", "True", Reasons.SCHEMA_DRIFTED);
    assertThat(drifted.getMessage()).contains("is_remote");
    SchemaVersionStatus driftedStatus =
        SchemaVersions.get(admin, NAMESPACE, "drifting").getStatus();
    assertThat(driftedStatus.getSchemaFingerprint()).isNotEqualTo(fingerprint);
    // Ready keeps its meaning: the database is at the target version.
    assertThat(Conditions.isTrue(driftedStatus.getConditions(), Conditions.READY)).isTrue();
    assertThat(events("drifting"))
        .filteredOn(event -> Reasons.DRIFT_DETECTED.equals(event.getReason()))
        .singleElement()
        .satisfies(event -> assertThat(event.getMessage()).contains("is_remote"));

    drifting.getSpec().setTargetVersion("3");
    apply(drifting);

    SchemaVersionStatus refused =
        SchemaVersions.awaitCondition(
            admin, NAMESPACE, "drifting", Conditions.STALLED, Reasons.SCHEMA_DRIFTED, PATIENCE);
    assertThat(refused.getCurrentVersion()).isEqualTo("2");
    assertThat(
            Conditions.find(refused.getConditions(), Conditions.STALLED).orElseThrow().getMessage())
        .contains("is_remote");
    assertThat(Catalog.history(postgres, database, "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(Catalog.tables(postgres, database, "public")).doesNotContain("job_tags");

    postgres.execute(
        database,
        "ALTER TABLE job_listings ADD COLUMN is_remote BOOLEAN NOT NULL DEFAULT false",
        "CREATE INDEX ix_job_listings_is_remote ON job_listings (is_remote)");
    requestVerification("drifting", "after-fix");

    SchemaVersionStatus fixed =
        SchemaVersions.awaitCondition(
            admin, NAMESPACE, "drifting", Conditions.READY, Reasons.MIGRATED, PATIENCE);
    assertThat(fixed.getCurrentVersion()).isEqualTo("3");
    assertThat(Catalog.history(postgres, database, "public"))
        .containsExactly("1:SQL:true", "2:SQL:true", "3:SQL:true");
    assertThat(Catalog.tables(postgres, database, "public")).contains("job_tags");
    assertThat(awaitDrifted("drifting", "False", Reasons.SCHEMA_MATCHES).getMessage())
        .contains("version 3");
    assertThat(events("drifting"))
        .filteredOn(event -> Reasons.DRIFT_RESOLVED.equals(event.getReason()))
        .isNotEmpty();
  }

  private static void apply(SchemaVersion resource) {
    admin
        .resources(SchemaVersion.class)
        .inNamespace(NAMESPACE)
        .resource(resource)
        .serverSideApply();
  }

  private static void requestVerification(String name, String value) {
    admin
        .resources(SchemaVersion.class)
        .inNamespace(NAMESPACE)
        .withName(name)
        .edit(
            resource -> {
              Map<String, String> annotations =
                  new java.util.HashMap<>(
                      resource.getMetadata().getAnnotations() == null
                          ? Map.of()
                          : resource.getMetadata().getAnnotations());
              annotations.put(SchemaVersion.VERIFY_ANNOTATION, value);
              resource.getMetadata().setAnnotations(annotations);
              return resource;
            });
  }

  private static Condition awaitDrifted(String name, String status, String reason) {
    await(name + " to be Drifted " + status + " " + reason)
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                assertThat(
                        Conditions.find(
                            SchemaVersions.get(admin, NAMESPACE, name).getStatus().getConditions(),
                            Conditions.DRIFTED))
                    .hasValueSatisfying(
                        condition -> {
                          assertThat(condition.getStatus()).isEqualTo(status);
                          assertThat(condition.getReason()).isEqualTo(reason);
                        }));
    return Conditions.find(
            SchemaVersions.get(admin, NAMESPACE, name).getStatus().getConditions(),
            Conditions.DRIFTED)
        .orElseThrow();
  }

  private static List<Event> events(String name) {
    return SchemaVersions.events(admin, NAMESPACE, name);
  }

  private static Pod jobPod(String name) {
    return admin
        .pods()
        .inNamespace(NAMESPACE)
        .withLabel(
            "job-name",
            SchemaVersions.jobsOf(admin, NAMESPACE, name).get(0).getMetadata().getName())
        .list()
        .getItems()
        .get(0);
  }
}
