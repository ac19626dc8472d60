package io.jobgtm.schema.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.jobgtm.schema.contract.DatabaseState;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Java model reads and writes the YAML a person writes. */
class SchemaVersionTest {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  @Test
  void readsAResourceAsWrittenAndFillsInTheDefaults() throws IOException {
    SchemaVersion resource = example();

    assertThat(resource.getMetadata().getName()).isEqualTo("workflow");
    SchemaVersionSpec spec = resource.getSpec();
    assertThat(spec.getTargetVersion()).isEqualTo("2.1");
    assertThat(spec.getDatabase().getHost()).isEqualTo("postgres.workflow.svc");
    assertThat(spec.getDatabase().getPort()).isEqualTo(5432);
    assertThat(spec.getDatabase().getSchema()).isEqualTo("public");
    assertThat(spec.getDatabase().getSslMode()).isEqualTo(SslMode.VERIFY_FULL);
    assertThat(spec.getDatabase().getSslMode().value()).isEqualTo("verify-full");
    assertThat(spec.getDatabase().getCredentialsSecretRef().getUsernameKey()).isEqualTo("username");
    assertThat(spec.getMigrations().getConfigMapRef().getName()).isEqualTo("workflow-migrations");
    assertThat(spec.getMigrations().getImage()).isNull();
    assertThat(spec.getBaseline().getOnUnversionedSchema())
        .isEqualTo(UnversionedSchemaPolicy.BASELINE);
    assertThat(spec.getBaseline().getVersion()).isEqualTo("1");
    assertThat(spec.getDowngrade().isAllowed()).isFalse();
    assertThat(spec.getJob().getStatementTimeout()).isEqualTo("5m");
    assertThat(spec.getJob().getBackoffLimit()).isEqualTo(2);
    assertThat(spec.getJob().getResources().getLimits())
        .containsEntry("memory", new Quantity("256Mi"));
    assertThat(spec.getGate().getDeployments()).containsExactly("workflow-api", "workflow-worker");
  }

  @Test
  void writesWhatItReads() throws IOException {
    SchemaVersion resource = example();
    resource.setStatus(new SchemaVersionStatus());
    resource.getStatus().setDatabaseState(DatabaseState.Unversioned);
    resource
        .getStatus()
        .setAppliedMigrations(
            List.of(new AppliedMigration("2.1", "add index", "2025-01-01T00:00:00Z", 42L)));

    String yaml = SERIALIZATION.asYaml(resource);
    SchemaVersion again = SERIALIZATION.unmarshal(yaml, SchemaVersion.class);

    assertThat(yaml)
        .contains("sslMode: \"verify-full\"")
        .contains("onUnversionedSchema: \"Baseline\"")
        .contains("databaseState: \"Unversioned\"");
    assertThat(again.getSpec()).isEqualTo(resource.getSpec());
    assertThat(again.getStatus()).isEqualTo(resource.getStatus());
  }

  private static SchemaVersion example() throws IOException {
    try (InputStream in =
        SchemaVersionTest.class.getResourceAsStream("/schemaversion-example.yaml")) {
      return SERIALIZATION.unmarshal(in, SchemaVersion.class);
    }
  }
}
