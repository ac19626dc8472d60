package io.jobgtm.schema.systemtests;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.migrator.MigrationLock;
import io.jobgtm.schema.operator.act.Labels;
import io.jobgtm.schema.testing.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The faults the recovery E2Es put in the operator's way, as a cluster or a database produces them:
 * an admission policy that refuses, a quota, another migrator holding the lock; and the retry
 * request a person answers them with.
 */
final class ClusterFaults {

  /** A hang guard, never an expectation of speed. */
  private static final Duration PATIENCE = Duration.ofMinutes(3);

  private ClusterFaults() {}

  /**
   * A ValidatingAdmissionPolicy and its binding for one namespace: {@code operation}s on {@code
   * resource} must satisfy {@code expression}, else the API server refuses them with {@code
   * message}.
   */
  static void applyPolicy(
      KubernetesClient admin,
      String namespace,
      String name,
      String group,
      String resource,
      String operation,
      String expression,
      String message) {
    admin
        .resource(
            Serialization.unmarshal(
                String.join(
                    "\n",
                    "apiVersion: admissionregistration.k8s.io/v1",
                    "kind: ValidatingAdmissionPolicy",
                    "metadata: {name: " + name + "}",
                    "spec:",
                    "  failurePolicy: Fail",
                    "  matchConstraints:",
                    "    resourceRules:",
                    "    - apiGroups: [\"" + group + "\"]",
                    "      apiVersions: [\"v1\"]",
                    "      operations: [\"" + operation + "\"]",
                    "      resources: [\"" + resource + "\"]",
                    "  validations:",
                    "  - expression: \"" + expression.replace("\"", "\\\"") + "\"",
                    "    message: \"" + message + "\""),
                ValidatingAdmissionPolicy.class))
        .serverSideApply();
    admin
        .resource(
            Serialization.unmarshal(
                String.join(
                    "\n",
                    "apiVersion: admissionregistration.k8s.io/v1",
                    "kind: ValidatingAdmissionPolicyBinding",
                    "metadata: {name: " + name + "}",
                    "spec:",
                    "  policyName: " + name,
                    "  validationActions: [Deny]",
                    "  matchResources:",
                    "    namespaceSelector:",
                    "      matchLabels: {kubernetes.io/metadata.name: " + namespace + "}"),
                ValidatingAdmissionPolicyBinding.class))
        .serverSideApply();
  }

  /**
   * Waits until the quota controller has counted a new ResourceQuota: before that, admission
   * refuses everything it covers with "status unknown", not "exceeded quota".
   */
  static void awaitQuotaCounted(KubernetesClient admin, String namespace, String name) {
    await("ResourceQuota " + name + " to be counted")
        .atMost(PATIENCE)
        .until(
            () -> {
              ResourceQuota quota =
                  admin.resourceQuotas().inNamespace(namespace).withName(name).get();
              return quota.getStatus() != null
                  && quota.getStatus().getHard() != null
                  && !quota.getStatus().getHard().isEmpty()
                  && quota.getStatus().getUsed() != null;
            });
  }

  /**
   * Takes the migration lock of the public schema, as another migrator would; closing the
   * connection gives it back.
   */
  static Connection holdMigrationLock(PostgresServer postgres, String database)
      throws SQLException {
    Connection connection = postgres.connect(database);
    try (PreparedStatement statement = connection.prepareStatement(MigrationLock.TAKE)) {
      statement.setString(1, "public");
      statement.execute();
    }
    return connection;
  }

  /** Sets the retry annotation as a person would ({@code kubectl annotate --overwrite}). */
  static void requestRetry(KubernetesClient admin, String namespace, String name, String value) {
    admin
        .resources(SchemaVersion.class)
        .inNamespace(namespace)
        .withName(name)
        .edit(
            sv -> {
              Map<String, String> annotations = new HashMap<>();
              if (sv.getMetadata().getAnnotations() != null) {
                annotations.putAll(sv.getMetadata().getAnnotations());
              }
              annotations.put(SchemaVersion.RETRY_ANNOTATION, value);
              sv.getMetadata().setAnnotations(annotations);
              return sv;
            });
  }

  /**
   * A Job labelled as the migration Job of a SchemaVersion, of the restricted kind migration Jobs
   * are, to probe admission with (dry runs).
   */
  static Job probeJob(String schemaVersion) {
    return new JobBuilder()
        .withNewMetadata()
        .withName("probe-" + schemaVersion)
        .addToLabels(Labels.SCHEMA_VERSION, schemaVersion)
        .endMetadata()
        .withNewSpec()
        .withNewTemplate()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(1000L)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .addNewContainer()
        .withName("probe")
        .withImage(RunningOperator.IMAGE)
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .endContainer()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /** A pod of the probe Job's kind, labelled as a migration pod of {@code schemaVersion}. */
  static Pod probePod(String name, String schemaVersion) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels(Labels.SCHEMA_VERSION, schemaVersion)
        .addToLabels(Labels.COMPONENT, Labels.MIGRATION_COMPONENT)
        .endMetadata()
        .withSpec(probeJob(schemaVersion).getSpec().getTemplate().getSpec())
        .build();
  }
}
