package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.api.SslMode;
import io.jobgtm.schema.operator.act.Labels;
import io.jobgtm.schema.testing.PostgresServer;
import java.time.Duration;
import java.util.List;

/** Reading SchemaVersions and their Jobs, and waiting for their conditions, in ITs and E2Es. */
final class SchemaVersions {

  private SchemaVersions() {}

  /**
   * The example SchemaVersion, pointed at a schema of one of the embedded server's databases
   * without TLS, with its migrations from a ConfigMap.
   */
  static SchemaVersion example(
      String name,
      PostgresServer postgres,
      String database,
      String schema,
      String migrations,
      String target) {
    SchemaVersion resource = Manifests.exampleSchemaVersion(name);
    resource.getSpec().setTargetVersion(target);
    resource.getSpec().getDatabase().setHost("127.0.0.1");
    resource.getSpec().getDatabase().setPort(postgres.port());
    resource.getSpec().getDatabase().setName(database);
    resource.getSpec().getDatabase().setSchema(schema);
    resource.getSpec().getDatabase().setSslMode(SslMode.DISABLE);
    resource.getSpec().getMigrations().getConfigMapRef().setName(migrations);
    return resource;
  }

  static SchemaVersion get(KubernetesClient client, String namespace, String name) {
    return client.resources(SchemaVersion.class).inNamespace(namespace).withName(name).get();
  }

  /** The migration Jobs of a SchemaVersion. */
  static List<Job> jobsOf(KubernetesClient client, String namespace, String name) {
    return client
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withLabel(Labels.SCHEMA_VERSION, name)
        .list()
        .getItems();
  }

  /** The Events recorded about a SchemaVersion (or any object of that name) in its namespace. */
  static List<Event> events(KubernetesClient client, String namespace, String name) {
    return client
        .v1()
        .events()
        .inNamespace(namespace)
        .withField("involvedObject.name", name)
        .list()
        .getItems();
  }

  /**
   * Waits until a condition is True, with the reason given (any reason when null), for the
   * resource's current generation; {@code patience} guards against a hang only.
   */
  static SchemaVersionStatus awaitCondition(
      KubernetesClient client,
      String namespace,
      String name,
      String type,
      String reason,
      Duration patience) {
    await(name + " to be " + type + (reason == null ? "" : " " + reason))
        .atMost(patience)
        .untilAsserted(
            () -> {
              SchemaVersion resource = get(client, namespace, name);
              assertThat(resource.getStatus()).isNotNull();
              assertThat(resource.getStatus().getObservedGeneration())
                  .isEqualTo(resource.getMetadata().getGeneration());
              assertThat(Conditions.find(resource.getStatus().getConditions(), type))
                  .hasValueSatisfying(
                      condition -> {
                        assertThat(condition.getStatus()).isEqualTo("True");
                        if (reason != null) {
                          assertThat(condition.getReason()).isEqualTo(reason);
                        }
                        assertThat(condition.getObservedGeneration())
                            .isEqualTo(resource.getMetadata().getGeneration());
                      });
            });
    return get(client, namespace, name).getStatus();
  }
}
