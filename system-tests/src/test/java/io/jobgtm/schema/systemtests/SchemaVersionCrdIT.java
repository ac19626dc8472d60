package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jobgtm.schema.testing.ApiServerMessages;
import io.jobgtm.schema.testing.KubeApiServerExtension;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CRD's OpenAPI schema and CEL rules on the real kube-apiserver: the example is accepted and
 * every invalid spec is rejected with a message that names the field. Requests use strict field
 * validation, as {@code kubectl apply} does by default.
 */
@ExtendWith(KubeApiServerExtension.class)
class SchemaVersionCrdIT {

  private static final String NAMESPACE = "crd-validation";
  private static final AtomicInteger NAMES = new AtomicInteger();

  private static KubernetesClient client;

  @BeforeAll
  static void installCrd(KubernetesClient kubernetes) {
    client = kubernetes;
    Manifests.installCrd(client);
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .serverSideApply();
  }

  /** A SchemaVersion from the inside of a flow mapping such as {@code {spec: {...}}}. */
  private static GenericKubernetesResource manifest(String flowMapping) {
    String inner = flowMapping.trim().substring(1, flowMapping.trim().length() - 1).trim();
    return Serialization.unmarshal(
        // "--- " makes it YAML: a text starting with "{" would be read as JSON.
        "--- {apiVersion: schema.jobgtm.io/v1alpha1, kind: SchemaVersion, metadata: {name: sv-"
            + NAMES.incrementAndGet()
            + "}"
            + (inner.isEmpty() ? "" : ", " + inner)
            + "}",
        GenericKubernetesResource.class);
  }

  private static GenericKubernetesResource create(GenericKubernetesResource resource) {
    return client
        .resource(resource)
        .inNamespace(NAMESPACE)
        .fieldValidation(Validation.STRICT)
        .create();
  }

  @Test
  void theExampleIsAcceptedWithItsDefaults() {
    GenericKubernetesResource created =
        create(
            Serialization.unmarshal(
                Manifests.read("examples/workflow-schemaversion.yaml"),
                GenericKubernetesResource.class));

    assertThat(created.getMetadata().getUid()).isNotBlank();
    String json = Serialization.asJson(created.getAdditionalProperties().get("spec"));
    assertThat(json)
        .contains("\"port\":5432")
        .contains("\"backoffLimit\":2")
        .contains("\"usernameKey\":\"username\"");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          no spec                      | {}                                                                                              | spec: Required value
          no database                  | {spec: {targetVersion: latest}}                                                                 | spec.database: Required value
          no database name             | {spec: {database: {host: db, credentialsSecretRef: {name: s}}}}                                 | spec.database.name: Required value
          no database host             | {spec: {database: {name: jobgtm, credentialsSecretRef: {name: s}}}}                             | spec.database.host: Required value
          no credentials               | {spec: {database: {host: db, name: jobgtm}}}                                                    | spec.database.credentialsSecretRef: Required value
          no Secret name               | {spec: {database: {host: db, name: jobgtm, credentialsSecretRef: {passwordKey: pw}}}}           | spec.database.credentialsSecretRef.name: Required value
          a password in the spec       | {spec: {database: {host: db, name: jobgtm, password: hunter2, credentialsSecretRef: {name: s}}}} | unknown field "spec.database.password"
          an unknown spec field        | {spec: {color: blue, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}}      | unknown field "spec.color"
          port zero                    | {spec: {database: {host: db, port: 0, name: jobgtm, credentialsSecretRef: {name: s}}}}          | spec.database.port: Invalid value
          port too high                | {spec: {database: {host: db, port: 70000, name: jobgtm, credentialsSecretRef: {name: s}}}}      | spec.database.port: Invalid value
          unknown sslMode              | {spec: {database: {host: db, sslMode: sometimes, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.database.sslMode: Unsupported value: "sometimes"
          target with a v              | {spec: {targetVersion: v2, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.targetVersion: Invalid value: "v2"
          target ending in a dot       | {spec: {targetVersion: "2.", database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.targetVersion: Invalid value: "2."
          two migration sources        | {spec: {migrations: {configMapRef: {name: m}, image: {reference: "r/m:1"}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.migrations: Invalid value: set either migrations.configMapRef or migrations.image, not both
          image without reference      | {spec: {migrations: {image: {path: /sql}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.migrations.image.reference: Required value
          baseline without version     | {spec: {baseline: {onUnversionedSchema: Baseline}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.baseline.version: Required value
          unknown baseline policy      | {spec: {baseline: {onUnversionedSchema: Maybe}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.baseline.onUnversionedSchema: Unsupported value: "Maybe"
          baseline version not a version | {spec: {baseline: {onUnversionedSchema: Baseline, version: one}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.baseline.version: Invalid value: "one"
          downgrade allowed as text    | {spec: {downgrade: {allowed: "yes"}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.downgrade.allowed: Invalid value: "string"
          negative backoff limit       | {spec: {job: {backoffLimit: -1}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.backoffLimit: Invalid value: -1
          backoff limit above ten      | {spec: {job: {backoffLimit: 11}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.backoffLimit: Invalid value: 11
          zero deadline                | {spec: {job: {activeDeadlineSeconds: 0}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.activeDeadlineSeconds: Invalid value: 0
          negative TTL                 | {spec: {job: {ttlSecondsAfterFinished: -5}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.ttlSecondsAfterFinished: Invalid value: -5
          lock timeout in words        | {spec: {job: {lockTimeout: 10 seconds}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.lockTimeout: Invalid value: "10 seconds"
          statement timeout unitless   | {spec: {job: {statementTimeout: "5"}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.statementTimeout: Invalid value: "5"
          gated Deployment bad name    | {spec: {gate: {deployments: [Bad_Name]}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.gate.deployments[0]: Invalid value: "Bad_Name"
          """)
  void invalidSpecIsRejectedNamingTheField(String label, String manifest, String message) {
    GenericKubernetesResource resource = manifest(manifest);

    assertThatThrownBy(() -> create(resource))
        .as(label)
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isIn(400, 422);
              assertThat(ApiServerMessages.withoutRuleValueType(e.getMessage())).contains(message);
            });
  }
}
