package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jobgtm.schema.contract.DatabaseHost;
import io.jobgtm.schema.testing.ApiServerMessages;
import io.jobgtm.schema.testing.KubeApiServerExtension;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CRD's OpenAPI schema and CEL rules on the real kube-apiserver: the example is accepted, every
 * invalid spec is rejected with a message that names the field (among them every value the API
 * server or the kubelet would only refuse once the operator creates the migration Job), and values
 * Kubernetes itself accepts stay accepted. Requests use strict field validation, as {@code kubectl
 * apply} does by default.
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
        .contains("\"usernameKey\":\"username\"")
        .contains("\"shadow\":{\"enabled\":true}")
        .contains("\"verify\":true");
  }

  @Test
  void verifyWithAnIntervalOnlyReportsDrift() {
    GenericKubernetesResource created =
        create(
            manifest(
                "{spec: {verify: {interval: 6h}, database: {host: db, name: jobgtm,"
                    + " credentialsSecretRef: {name: s}}}}"));

    String json = Serialization.asJson(created.getAdditionalProperties().get("spec"));
    assertThat(json).contains("\"verify\":{\"interval\":\"6h\",\"onDrift\":\"Report\"}");
  }

  @Test
  void theProductionExampleIsAccepted() {
    GenericKubernetesResource example =
        Serialization.unmarshal(
            Manifests.read("examples/production-schemaversion.yaml"),
            GenericKubernetesResource.class);
    // Named like the workflow example, which another test creates in the same namespace.
    example.getMetadata().setName("workflow-production");

    GenericKubernetesResource created = create(example);

    String json = Serialization.asJson(created.getAdditionalProperties().get("spec"));
    assertThat(json).contains("\"sslMode\":\"verify-full\"").contains("\"configMapKeyRef\"");
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
          host with URL parameters     | {spec: {database: {host: "evil.example/x?sslmode=disable&sslfactory=foo&", name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.database.host: Invalid value: "evil.example/x?sslmode=disable&sslfactory=foo&"
          schema of 64 characters      | {spec: {database: {host: db, name: jobgtm, schema: sxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx, credentialsSecretRef: {name: s}}}} | spec.database.schema: Too long
          schema of 64 bytes in UTF-8  | {spec: {database: {host: db, name: jobgtm, schema: éééééééééééééééééééééééééééééééé, credentialsSecretRef: {name: s}}}} | database.schema has more than 63 bytes in UTF-8, PostgreSQL's limit on names
          host with a port             | {spec: {database: {host: "db:5433", name: jobgtm, credentialsSecretRef: {name: s}}}}          | spec.database.host: Invalid value: "db:5433"
          two hosts                    | {spec: {database: {host: "db,evil.example", name: jobgtm, credentialsSecretRef: {name: s}}}}  | spec.database.host: Invalid value: "db,evil.example"
          IPv6 host in brackets        | {spec: {database: {host: "[::1]", name: jobgtm, credentialsSecretRef: {name: s}}}}            | spec.database.host: Invalid value: "[::1]"
          IPv6 host with a zone        | {spec: {database: {host: "fe80::1%eth0", name: jobgtm, credentialsSecretRef: {name: s}}}}     | spec.database.host: Invalid value: "fe80::1%eth0"
          host with a trailing dot     | {spec: {database: {host: "db.example.", name: jobgtm, credentialsSecretRef: {name: s}}}}      | spec.database.host: Invalid value: "db.example."
          host label ending in hyphen  | {spec: {database: {host: "db-.example", name: jobgtm, credentialsSecretRef: {name: s}}}}      | spec.database.host: Invalid value: "db-.example"
          empty host                   | {spec: {database: {host: "", name: jobgtm, credentialsSecretRef: {name: s}}}}                 | spec.database.host: Invalid value: ""
          verify-full without CA       | {spec: {database: {host: db, sslMode: verify-full, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.database.sslRootCert: Required value: database.sslRootCert is required when database.sslMode is verify-ca or verify-full
          verify-ca without CA         | {spec: {database: {host: db, sslMode: verify-ca, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.database.sslRootCert: Required value: database.sslRootCert is required when database.sslMode is verify-ca or verify-full
          CA with require              | {spec: {database: {host: db, sslMode: require, sslRootCert: {secretKeyRef: {name: tls, key: ca.crt}}, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.database.sslRootCert: Invalid value: database.sslRootCert is used only with database.sslMode verify-ca or verify-full
          CA with the default prefer   | {spec: {database: {host: db, sslRootCert: {configMapKeyRef: {name: ca, key: ca.crt}}, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.database.sslRootCert: Invalid value: database.sslRootCert is used only with database.sslMode verify-ca or verify-full
          CA from both sources         | {spec: {database: {host: db, sslMode: verify-full, sslRootCert: {secretKeyRef: {name: tls, key: ca.crt}, configMapKeyRef: {name: ca, key: ca.crt}}, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.database.sslRootCert: Invalid value: set exactly one of sslRootCert.secretKeyRef and sslRootCert.configMapKeyRef
          CA from no source            | {spec: {database: {host: db, sslMode: verify-full, sslRootCert: {}, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.database.sslRootCert: Invalid value: set exactly one of sslRootCert.secretKeyRef and sslRootCert.configMapKeyRef
          CA Secret without key        | {spec: {database: {host: db, sslMode: verify-full, sslRootCert: {secretKeyRef: {name: tls}}, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.database.sslRootCert.secretKeyRef.key: Required value
          CA Secret name uppercase     | {spec: {database: {host: db, sslMode: verify-full, sslRootCert: {secretKeyRef: {name: TLS, key: ca.crt}}, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.database.sslRootCert.secretKeyRef.name: Invalid value: "TLS"
          CA ConfigMap key with a slash | {spec: {database: {host: db, sslMode: verify-full, sslRootCert: {configMapKeyRef: {name: ca, key: a/ca.crt}}, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.database.sslRootCert.configMapKeyRef.key: Invalid value: "a/ca.crt"
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
          baseline Auto without shadow | {spec: {shadow: {enabled: false}, baseline: {onUnversionedSchema: Baseline, version: Auto}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.baseline.version: Invalid value: baseline.version Auto needs the shadow database, where the migration set is replayed to find the version: leave shadow.enabled true or give a version
          baseline Auto unverified     | {spec: {baseline: {onUnversionedSchema: Baseline, version: Auto, verify: false}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.baseline.verify: Invalid value: baseline.verify false cannot go with baseline.version Auto, which is found by the verification: give a version to stamp it unchecked
          baseline version, no shadow, verified | {spec: {shadow: {enabled: false}, baseline: {onUnversionedSchema: Baseline, version: "2"}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.baseline.verify: Invalid value: baseline.verify must be false when shadow.enabled is false: without the shadow database baseline.version cannot be checked, so say that it is stamped unchecked
          baseline version auto in lowercase | {spec: {baseline: {onUnversionedSchema: Baseline, version: auto}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.baseline.version: Invalid value: "auto"
          baseline verify as text      | {spec: {baseline: {verify: "no"}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.baseline.verify: Invalid value: "string"
          shadow enabled as text       | {spec: {shadow: {enabled: "off"}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.shadow.enabled: Invalid value: "string"
          shadow image uppercase path  | {spec: {shadow: {image: docker.io/library/Postgres:17}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.shadow.image: Invalid value: "docker.io/library/Postgres:17"
          shadow image empty           | {spec: {shadow: {image: ""}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.shadow.image: Invalid value: ""
          shadow image with a scheme   | {spec: {shadow: {image: "https://docker.io/postgres:17"}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.shadow.image: Invalid value: "https://docker.io/postgres:17"
          shadow memory in words       | {spec: {shadow: {resources: {limits: {memory: plenty}}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.shadow.resources.limits: Invalid value: values must be quantities of at least 0, such as 500m, 2 or 1Gi
          shadow resource unknown      | {spec: {shadow: {resources: {requests: {hugepages-2Mi: 2Mi}}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.shadow.resources.requests: Invalid value: keys must be cpu, memory or ephemeral-storage
          shadow request above limit   | {spec: {shadow: {resources: {requests: {memory: 512Mi}, limits: {memory: 256Mi}}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.shadow.resources.requests: Invalid value: a request must not exceed the limit of the same resource
          shadow unknown field         | {spec: {shadow: {version: "17"}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | unknown field "spec.shadow.version"
          downgrade allowed as text    | {spec: {downgrade: {allowed: "yes"}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.downgrade.allowed: Invalid value: "string"
          negative backoff limit       | {spec: {job: {backoffLimit: -1}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.backoffLimit: Invalid value: -1
          backoff limit above ten      | {spec: {job: {backoffLimit: 11}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.backoffLimit: Invalid value: 11
          zero deadline                | {spec: {job: {activeDeadlineSeconds: 0}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.activeDeadlineSeconds: Invalid value: 0
          negative TTL                 | {spec: {job: {ttlSecondsAfterFinished: -5}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.ttlSecondsAfterFinished: Invalid value: -5
          lock timeout in words        | {spec: {job: {lockTimeout: 10 seconds}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.lockTimeout: Invalid value: "10 seconds"
          statement timeout unitless   | {spec: {job: {statementTimeout: "5"}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.statementTimeout: Invalid value: "5"
          gated Deployment bad name    | {spec: {gate: {deployments: [Bad_Name]}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.gate.deployments[0]: Invalid value: "Bad_Name"
          TTL beyond a Java int        | {spec: {job: {ttlSecondsAfterFinished: 3000000000}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.ttlSecondsAfterFinished: Invalid value: 3000000000
          cpu limit in words           | {spec: {job: {resources: {limits: {cpu: lots}}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.resources.limits: Invalid value: values must be quantities of at least 0, such as 500m, 2 or 1Gi
          memory request with a space  | {spec: {job: {resources: {requests: {memory: 1 Gi}}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.resources.requests: Invalid value: values must be quantities of at least 0, such as 500m, 2 or 1Gi
          negative memory limit        | {spec: {job: {resources: {limits: {memory: -1Gi}}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.resources.limits: Invalid value: values must be quantities of at least 0, such as 500m, 2 or 1Gi
          negative integer cpu request | {spec: {job: {resources: {requests: {cpu: -1}}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.resources.requests: Invalid value: values must be quantities of at least 0, such as 500m, 2 or 1Gi
          unknown resource limit       | {spec: {job: {resources: {limits: {gpu: 1}}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.resources.limits: Invalid value: keys must be cpu, memory or ephemeral-storage
          resource name misspelt       | {spec: {job: {resources: {requests: {CPU: 1}}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.resources.requests: Invalid value: keys must be cpu, memory or ephemeral-storage
          four resource limits         | {spec: {job: {resources: {limits: {cpu: 1, memory: 1Gi, ephemeral-storage: 1Gi, pods: 1}}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.resources.limits: Too many: 4: must have at most 3 items
          cpu request above its limit  | {spec: {job: {resources: {requests: {cpu: "2"}, limits: {cpu: 500m}}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.resources.requests: Invalid value: a request must not exceed the limit of the same resource
          memory request above, units  | {spec: {job: {resources: {requests: {memory: 1025Mi}, limits: {memory: 1Gi}}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.resources.requests: Invalid value: a request must not exceed the limit of the same resource
          job image uppercase path     | {spec: {job: {image: ghcr.io/Acme/migrations:1}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.image: Invalid value: "ghcr.io/Acme/migrations:1"
          job image with a space       | {spec: {job: {image: "schema-operator: dev"}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.image: Invalid value: "schema-operator: dev"
          job image empty              | {spec: {job: {image: ""}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.image: Invalid value: ""
          job image with a scheme      | {spec: {job: {image: "https://ghcr.io/acme/m:1"}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.image: Invalid value: "https://ghcr.io/acme/m:1"
          migrations image short digest | {spec: {migrations: {image: {reference: "r/m@sha256:abc"}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.migrations.image.reference: Invalid value: "r/m@sha256:abc"
          migrations image trailing space | {spec: {migrations: {image: {reference: "r/m:1 "}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.migrations.image.reference: Invalid value: "r/m:1 "
          migrations image two tags    | {spec: {migrations: {image: {reference: "r/m:1:2"}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.migrations.image.reference: Invalid value: "r/m:1:2"
          service account uppercase    | {spec: {job: {serviceAccountName: Migrator}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.serviceAccountName: Invalid value: "Migrator"
          service account underscore   | {spec: {job: {serviceAccountName: db_migrator}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.job.serviceAccountName: Invalid value: "db_migrator"
          Secret name with a space     | {spec: {database: {host: db, name: jobgtm, credentialsSecretRef: {name: db secret}}}} | spec.database.credentialsSecretRef.name: Invalid value: "db secret"
          Secret name uppercase        | {spec: {database: {host: db, name: jobgtm, credentialsSecretRef: {name: DbSecret}}}} | spec.database.credentialsSecretRef.name: Invalid value: "DbSecret"
          username key with a space    | {spec: {database: {host: db, name: jobgtm, credentialsSecretRef: {name: s, usernameKey: user name}}}} | spec.database.credentialsSecretRef.usernameKey: Invalid value: "user name"
          password key dot dot         | {spec: {database: {host: db, name: jobgtm, credentialsSecretRef: {name: s, passwordKey: ..pw}}}} | spec.database.credentialsSecretRef.passwordKey: Invalid value: "..pw"
          password key a slash         | {spec: {database: {host: db, name: jobgtm, credentialsSecretRef: {name: s, passwordKey: db/pw}}}} | spec.database.credentialsSecretRef.passwordKey: Invalid value: "db/pw"
          ConfigMap name uppercase     | {spec: {migrations: {configMapRef: {name: Migrations}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.migrations.configMapRef.name: Invalid value: "Migrations"
          configMapRefs and configMapRef | {spec: {migrations: {configMapRef: {name: m}, configMapRefs: [{name: n}]}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.migrations: Invalid value: set migrations.configMapRefs alone: it lists every ConfigMap of the set, so it replaces migrations.configMapRef and cannot be combined with migrations.image
          configMapRefs and image      | {spec: {migrations: {configMapRefs: [{name: n}], image: {reference: "r/m:1"}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.migrations: Invalid value: set migrations.configMapRefs alone: it lists every ConfigMap of the set, so it replaces migrations.configMapRef and cannot be combined with migrations.image
          configMapRefs empty          | {spec: {migrations: {configMapRefs: []}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.migrations.configMapRefs: Invalid value: 0: spec.migrations.configMapRefs in body should have at least 1 items
          five configMapRefs           | {spec: {migrations: {configMapRefs: [{name: a}, {name: b}, {name: c}, {name: d}, {name: e}]}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.migrations.configMapRefs: Too many: 5: must have at most 4 items
          a ConfigMap named twice      | {spec: {migrations: {configMapRefs: [{name: a}, {name: b}, {name: a}]}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.migrations.configMapRefs: Invalid value: migrations.configMapRefs names a ConfigMap twice
          one placeholder in two cases | {spec: {migrations: {placeholders: {owner: app, OWNER: other}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | migrations.placeholders names one placeholder twice in different case
          two kinds with one prefix    | {spec: {migrations: {naming: {repeatableSqlMigrationPrefix: V}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | migrations.naming: the four prefixes (versioned V, undo U, repeatable R, baseline B unless set) must differ from each other
          an empty suffix              | {spec: {migrations: {naming: {sqlMigrationSuffixes: [".sql", ""]}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | migrations.naming.sqlMigrationSuffixes: each suffix is 1 to 64 characters, no comma
          no suffix at all             | {spec: {migrations: {naming: {sqlMigrationSuffixes: []}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.migrations.naming.sqlMigrationSuffixes
          configMapRefs name uppercase | {spec: {migrations: {configMapRefs: [{name: a}, {name: B}]}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.migrations.configMapRefs[1].name: Invalid value: "B"
          history table of 64 characters | {spec: {database: {host: db, name: jobgtm, historyTable: hxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx, credentialsSecretRef: {name: s}}}} | spec.database.historyTable: Too long
          history table of 64 bytes in UTF-8 | {spec: {database: {host: db, name: jobgtm, historyTable: éééééééééééééééééééééééééééééééé, credentialsSecretRef: {name: s}}}} | database.historyTable has more than 63 bytes in UTF-8, PostgreSQL's limit on names
          history table blank          | {spec: {database: {host: db, name: jobgtm, historyTable: "  ", credentialsSecretRef: {name: s}}}} | spec.database.historyTable: Invalid value: "  "
          out of order as text         | {spec: {migrations: {outOfOrder: "yes"}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.migrations.outOfOrder: Invalid value: "string"
          a placeholder value a number | {spec: {migrations: {placeholders: {owner: 7}}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.migrations.placeholders.owner: Invalid value: "integer"
          empty placeholder prefix     | {spec: {migrations: {placeholderPrefix: ""}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.migrations.placeholderPrefix: Invalid value: ""
          verify interval below 5m     | {spec: {verify: {interval: 4m}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.verify.interval: Invalid value: "4m": verify.interval must be at least 5m
          verify interval 299 seconds  | {spec: {verify: {interval: 299s}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.verify.interval: Invalid value: "299s": verify.interval must be at least 5m
          verify interval in days      | {spec: {verify: {interval: 1d}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.verify.interval: Invalid value: "1d"
          verify interval in words     | {spec: {verify: {interval: 6 hours}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.verify.interval: Invalid value: "6 hours"
          unknown onDrift              | {spec: {verify: {onDrift: Stop}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.verify.onDrift: Unsupported value: "Stop"
          short accepted fingerprint   | {spec: {verify: {acceptedFingerprint: "sha256:abc"}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.verify.acceptedFingerprint: Invalid value: "sha256:abc"
          fingerprint in upper case    | {spec: {verify: {acceptedFingerprint: "sha256:ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB"}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.verify.acceptedFingerprint: Invalid value: "sha256:ABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABABAB"
          33 ignored tables            | {spec: {verify: {ignoreTables: [t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15, t16, t17, t18, t19, t20, t21, t22, t23, t24, t25, t26, t27, t28, t29, t30, t31, t32, t33]}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.verify.ignoreTables: Too many: 33: must have at most 32 items
          ignored table with a comma   | {spec: {verify: {ignoreTables: ["a,b"]}, database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}} | spec.verify.ignoreTables[0]: Invalid value: "a,b"
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

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          cpu and memory as Kubernetes writes them | {job: {resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {cpu: "2", memory: 1Gi, ephemeral-storage: 2Gi}}}}
          integer quantities                       | {job: {resources: {requests: {cpu: 1}, limits: {cpu: 2}}}}
          requests equal to limits in other units  | {job: {resources: {requests: {cpu: "1", memory: 1024Mi}, limits: {cpu: 1000m, memory: 1Gi}}}}
          requests only, decimal and exponent      | {job: {resources: {requests: {cpu: "0.5", memory: "1e9", ephemeral-storage: "0"}}}}
          limits only                              | {job: {resources: {limits: {memory: 384Mi}}}}
          image with registry and tag              | {job: {image: ghcr.io/acme/migrations:1.2.3}}
          image by digest on a registry port       | {job: {image: "localhost:5000/x/y@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}}
          image name and tag only                  | {job: {image: "schema-operator:dev"}}
          image on port 443, deep path             | {job: {image: "registry.example.com:443/a/b/c:v1"}}
          image with tag and digest                | {job: {image: "docker.io/library/postgres:17.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}}
          image with separators, IPv6 registry     | {job: {image: "[fd00::1]:5000/team_a/db__tools/mig--rator.v2:V1_2-rc.3"}}
          image without tag                        | {migrations: {image: {reference: registry.example.com/app/migrations}}}
          host in the cluster's domain             | {database: {host: postgres.db.svc.cluster.local, name: jobgtm, credentialsSecretRef: {name: s}}}
          host name with capitals and digits       | {database: {host: Db-1.Example.COM, name: jobgtm, credentialsSecretRef: {name: s}}}
          IPv4 host                                | {database: {host: 10.0.0.7, name: jobgtm, credentialsSecretRef: {name: s}}}
          IPv6 loopback host                       | {database: {host: "::1", name: jobgtm, credentialsSecretRef: {name: s}}}
          IPv6 host                                | {database: {host: "fd00:10:96::a", name: jobgtm, credentialsSecretRef: {name: s}}}
          IPv6 host uncompressed                   | {database: {host: "2001:db8:0:0:1:0:0:1", name: jobgtm, credentialsSecretRef: {name: s}}}
          verify-full with a CA from a Secret      | {database: {host: db, sslMode: verify-full, sslRootCert: {secretKeyRef: {name: db-tls, key: ca.crt}}, name: jobgtm, credentialsSecretRef: {name: s}}}
          verify-ca with a CA from a ConfigMap     | {database: {host: db, sslMode: verify-ca, sslRootCert: {configMapKeyRef: {name: cluster.trust-bundle, key: trust-bundle.pem}}, name: jobgtm, credentialsSecretRef: {name: s}}}
          service account with dots                | {job: {serviceAccountName: db-migrator.v2}}
          Secret keys with dots and underscores    | {database: {host: db, name: jobgtm, credentialsSecretRef: {name: db.secret-1, usernameKey: .user_name, passwordKey: PASSWORD.v2}}}
          ConfigMap name with dots                 | {migrations: {configMapRef: {name: workflow.migrations-v2}}}
          four ConfigMaps in order                 | {migrations: {configMapRefs: [{name: schema}, {name: data.v2}, {name: views}, {name: grants}]}}
          history table of 63 characters           | {database: {host: db, name: jobgtm, historyTable: hxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx, credentialsSecretRef: {name: s}}}
          history table Flyway 5 named             | {database: {host: db, name: jobgtm, historyTable: schema_version, credentialsSecretRef: {name: s}}}
          placeholders and Flyway's settings       | {migrations: {outOfOrder: true, placeholderReplacement: true, placeholders: {owner: app, "Schema.Name": "a ${b} 'c'"}, placeholderPrefix: "#[", placeholderSuffix: "]"}}
          baseline Auto with the default shadow    | {baseline: {onUnversionedSchema: Baseline, version: Auto}}
          baseline version checked by the shadow   | {baseline: {onUnversionedSchema: Baseline, version: "2.1", verify: true}}
          baseline version unchecked, no shadow    | {shadow: {enabled: false}, baseline: {onUnversionedSchema: Baseline, version: "2", verify: false}}
          no shadow and no baseline version        | {shadow: {enabled: false}}
          shadow from a mirror, with resources     | {shadow: {image: "registry.internal:5000/mirror/postgres:16.4", resources: {requests: {cpu: 50m, memory: 64Mi}, limits: {memory: 512Mi, ephemeral-storage: 2Gi}}}}
          shadow image by digest                   | {shadow: {image: "docker.io/library/postgres:17@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}}
          Flyway's naming settings                 | {migrations: {naming: {sqlMigrationPrefix: M, repeatableSqlMigrationPrefix: RM, baselineMigrationPrefix: BL, undoSqlMigrationPrefix: UNDO, sqlMigrationSeparator: "-", sqlMigrationSuffixes: [".pgsql", "POSTGRESQL.sql"]}}}
          verify every 5 minutes                   | {verify: {interval: 5m}}
          verify every 300 seconds                 | {verify: {interval: 300s}}
          verify with every setting                | {verify: {interval: 6h, onDrift: Block, ignoreTables: [audit_log, "Sessions"], acceptedFingerprint: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}}
          """)
  void validSpecIsAccepted(String label, String spec) {
    // A case without a database block gets a minimal valid one.
    String database = "database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}";
    String inner = spec.trim().substring(1, spec.trim().length() - 1);
    GenericKubernetesResource resource =
        manifest("{spec: {" + inner + (inner.contains("database:") ? "" : ", " + database) + "}}");

    GenericKubernetesResource created = create(resource);

    assertThat(created.getMetadata().getUid()).as(label).isNotBlank();
  }

  @Test
  void aNameThatFitsALabelValueIsAcceptedOneLongerIsRejected() {
    String longest = "sv-" + "a".repeat(60);
    String spec = ", spec: {database: {host: db, name: jobgtm, credentialsSecretRef: {name: s}}}";
    assertThat(create(named(longest, spec)).getMetadata().getName()).hasSize(63);

    assertThatThrownBy(() -> create(named(longest + "b", spec)))
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getMessage())
                  .contains("metadata.name must be at most 63 characters")
                  .contains("schema.jobgtm.io/schemaversion");
            });
  }

  /**
   * The API server and the migrator judge every host alike: the same list goes to both, among them
   * the numeric forms that the C library and Java read as different addresses.
   */
  @Test
  void theApiServerAndTheMigratorAgreeOnEveryHost() {
    List<String> hosts =
        List.of(
            "postgres",
            "DB-1.Example.COM",
            "xn--pstgres-1ya.example",
            "postgres.1team",
            "123.example",
            "db.0xyz",
            "10.0.0.7",
            "0.0.0.0",
            "255.255.255.255",
            "010.0.0.1",
            "0177.0.0.1",
            "127.000.000.001",
            "127.1",
            "2130706433",
            "0x7f.1",
            "0x7F000001",
            "256.0.0.1",
            "1.2.3.4.5",
            "db.123",
            "fd00::1",
            "FD00::1",
            "::ffff:a00:1",
            "::ffff:10.0.0.1",
            "fe80::1%eth0",
            "a".repeat(63) + ".example",
            "a".repeat(64) + ".example",
            ("a".repeat(63) + ".").repeat(3) + "a".repeat(61),
            ("a".repeat(63) + ".").repeat(3) + "a".repeat(62),
            "db.",
            "db?sslmode=disable");
    for (String host : hosts) {
      GenericKubernetesResource resource =
          manifest(
              "{spec: {database: {host: \""
                  + host
                  + "\", name: n, credentialsSecretRef: {name: s}}}}");
      boolean accepted;
      try {
        client
            .resource(resource)
            .inNamespace(NAMESPACE)
            .dryRun()
            .fieldValidation(Validation.STRICT)
            .create();
        accepted = true;
      } catch (KubernetesClientException e) {
        assertThat(e.getCode()).as(host).isIn(400, 422);
        accepted = false;
      }
      assertThat(accepted).as(host).isEqualTo(DatabaseHost.isValid(host));
    }
  }

  private static GenericKubernetesResource named(String name, String rest) {
    return Serialization.unmarshal(
        "--- {apiVersion: schema.jobgtm.io/v1alpha1, kind: SchemaVersion, metadata: {name: "
            + name
            + "}"
            + rest
            + "}",
        GenericKubernetesResource.class);
  }
}
