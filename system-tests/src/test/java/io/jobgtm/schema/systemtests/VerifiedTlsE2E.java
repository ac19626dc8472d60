package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.ConfigMapKeyRef;
import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.api.SecretKeyRef;
import io.jobgtm.schema.api.SslMode;
import io.jobgtm.schema.api.SslRootCertSpec;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.operator.decide.RetryPolicy;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.LocalCluster;
import io.jobgtm.schema.testing.LocalClusterExtension;
import io.jobgtm.schema.testing.PostgresServer;
import io.jobgtm.schema.testing.TestCertificates;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code sslMode: verify-full} through the migration Job on the local control plane: a PostgreSQL
 * server that accepts TCP connections over TLS only, its certificate signed by a CA made for the
 * test. The CA comes from a Secret or a ConfigMap key through {@code spec.database.sslRootCert},
 * the operator mounts it into the Job's pod and the migrator verifies the server with it; a CA that
 * did not sign the server's certificate stops the resource before anything touches the database.
 */
class VerifiedTlsE2E {

  @RegisterExtension
  static final LocalClusterExtension CLUSTER = MigratorImage.localCluster(RunningOperator.IMAGE);

  private static final String NAMESPACE = "tls-e2e";
  private static final String CREDENTIALS = "tls-db";
  private static final String MIGRATIONS = "tls-migrations";
  private static final Duration PATIENCE = Duration.ofMinutes(3);
  private static final TestCertificates.Authority CA = TestCertificates.authority("tls-e2e CA");
  private static final TestCertificates.Authority OTHER_CA =
      TestCertificates.authority("another CA");

  private static KubernetesClient admin;
  private static PostgresServer server;
  private static InProcessOperator operator;

  @BeforeAll
  static void start(LocalCluster cluster) {
    admin = cluster.client();
    server =
        PostgresServer.startWithTls(CA.issueServer(List.of("localhost"), List.of("127.0.0.1")));
    operator = InProcessOperator.start(cluster, RetryPolicy.DEFAULT, NAMESPACE);
    secret(
        CREDENTIALS, Map.of("username", PostgresServer.SUPERUSER, "password", server.password()));
    secret("db-ca", Map.of("ca.crt", CA.certificatePem()));
    admin
        .configMaps()
        .inNamespace(NAMESPACE)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("other-ca")
                .endMetadata()
                .withData(Map.of("bundle.pem", OTHER_CA.certificatePem()))
                .build())
        .serverSideApply();
    admin
        .configMaps()
        .inNamespace(NAMESPACE)
        .resource(Manifests.migrationsConfigMap(MIGRATIONS))
        .serverSideApply();
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void verifyFullWithTheCaFromASecretMigrates() {
    String database = server.createDatabase("tls_verified");
    SslRootCertSpec rootCert = new SslRootCertSpec();
    rootCert.setSecretKeyRef(new SecretKeyRef("db-ca", "ca.crt"));

    apply(schemaVersion("verified", database, rootCert));

    SchemaVersionStatus status =
        SchemaVersions.awaitCondition(
            admin, NAMESPACE, "verified", Conditions.READY, Reasons.MIGRATED, PATIENCE);
    assertThat(status.getCurrentVersion()).isEqualTo("2");
    assertThat(Catalog.tables(server, database, "public"))
        .contains("job_listings", "workflow_runs");
    assertThat(Catalog.history(server, database, "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
  }

  @Test
  void aCaThatDidNotSignTheServerStopsBeforeTheDatabaseIsTouched() {
    String database = server.createDatabase("tls_untrusted");
    SslRootCertSpec rootCert = new SslRootCertSpec();
    rootCert.setConfigMapKeyRef(new ConfigMapKeyRef("other-ca", "bundle.pem"));

    apply(schemaVersion("untrusted", database, rootCert));

    SchemaVersionStatus status =
        SchemaVersions.awaitCondition(
            admin,
            NAMESPACE,
            "untrusted",
            Conditions.STALLED,
            FailureReason.TlsVerificationFailed.name(),
            PATIENCE);
    assertThat(
            Conditions.find(status.getConditions(), Conditions.STALLED).orElseThrow().getMessage())
        .containsIgnoringCase("certificate")
        .doesNotContain(server.password());
    assertThat(status.getCurrentVersion()).isNull();
    assertThat(Catalog.tables(server, database, "public")).isEmpty();
  }

  /**
   * The kubelet cannot mount a CA Secret that does not exist and keeps the pod ContainerCreating,
   * which no container status explains: the resource is Stalled with the kubelet's FailedMount
   * message, and migrates once the Secret is created.
   */
  @Test
  void aMissingCaSecretIsReportedAndTheMigrationGoesOnOnceItExists() {
    String database = server.createDatabase("tls_late_ca");
    SslRootCertSpec rootCert = new SslRootCertSpec();
    rootCert.setSecretKeyRef(new SecretKeyRef("late-ca", "ca.crt"));

    apply(schemaVersion("late-ca", database, rootCert));

    SchemaVersionStatus stalled =
        SchemaVersions.awaitCondition(
            admin,
            NAMESPACE,
            "late-ca",
            Conditions.STALLED,
            Reasons.CONTAINER_CONFIG_ERROR,
            PATIENCE);
    assertThat(
            Conditions.find(stalled.getConditions(), Conditions.STALLED).orElseThrow().getMessage())
        .contains("FailedMount: ")
        .contains("secret \"late-ca\" not found");
    assertThat(Catalog.tables(server, database, "public")).isEmpty();

    secret("late-ca", Map.of("ca.crt", CA.certificatePem()));

    SchemaVersions.awaitCondition(
        admin, NAMESPACE, "late-ca", Conditions.READY, Reasons.MIGRATED, PATIENCE);
    assertThat(Catalog.history(server, database, "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
  }

  private static void secret(String name, Map<String, String> data) {
    admin
        .secrets()
        .inNamespace(NAMESPACE)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withStringData(data)
                .build())
        .serverSideApply();
  }

  private static SchemaVersion schemaVersion(
      String name, String database, SslRootCertSpec rootCert) {
    SchemaVersion resource =
        SchemaVersions.example(name, server, database, "public", MIGRATIONS, "latest");
    resource.getSpec().getDatabase().setSslMode(SslMode.VERIFY_FULL);
    resource.getSpec().getDatabase().setSslRootCert(rootCert);
    resource.getSpec().getDatabase().getCredentialsSecretRef().setName(CREDENTIALS);
    return resource;
  }

  private static void apply(SchemaVersion resource) {
    admin.resources(SchemaVersion.class).inNamespace(NAMESPACE).resource(resource).create();
  }
}
