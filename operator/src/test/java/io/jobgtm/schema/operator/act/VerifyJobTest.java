package io.jobgtm.schema.operator.act;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.contract.JobEnvironment;
import io.jobgtm.schema.operator.Fixtures;
import io.jobgtm.schema.operator.observe.MigrationSource;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** spec.verify in the migration Job's environment, and the verify Job built from it. */
class VerifyJobTest {

  private static final String FINGERPRINT = "sha256:" + "0123456789abcdef".repeat(4);

  private final MigrationJobFactory factory =
      new MigrationJobFactory("registry.test/schema-operator:1.0");
  private final MigrationSource bundled = new MigrationSource.Bundled();

  private static Map<String, String> env(Job job) {
    return job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .filter(env -> env.getValue() != null)
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  @Test
  void withoutSpecVerifyTheJobGetsNoDriftSettings() {
    Map<String, String> env = env(factory.build(Fixtures.schemaVersion(), bundled, "j", "h"));

    assertThat(env)
        .doesNotContainKeys(
            JobEnvironment.ON_DRIFT,
            JobEnvironment.ACCEPTED_FINGERPRINT,
            JobEnvironment.VERIFY_IGNORE_TABLES);
  }

  @Test
  void specVerifyBecomesTheMigratorsDriftSettingsOnlyWhereSet() {
    SchemaVersion report = Fixtures.schemaVersion("verify: {interval: 6h}");
    SchemaVersion block =
        Fixtures.schemaVersion(
            "verify: {onDrift: Block, ignoreTables: [audit_log, sessions], acceptedFingerprint: \""
                + FINGERPRINT
                + "\"}");

    assertThat(env(factory.build(report, bundled, "j", "h")))
        .containsEntry(JobEnvironment.ON_DRIFT, "Report")
        .doesNotContainKeys(
            JobEnvironment.ACCEPTED_FINGERPRINT, JobEnvironment.VERIFY_IGNORE_TABLES);
    assertThat(env(factory.build(block, bundled, "j", "h")))
        .containsEntry(JobEnvironment.ON_DRIFT, "Block")
        .containsEntry(JobEnvironment.ACCEPTED_FINGERPRINT, FINGERPRINT)
        .containsEntry(JobEnvironment.VERIFY_IGNORE_TABLES, "audit_log,sessions");
  }

  @Test
  void theVerifyJobIsTheMigrationJobRunningVerifyLabelledApart() {
    SchemaVersion resource = Fixtures.schemaVersion("verify: {interval: 6h}");
    Job migration = factory.build(resource, bundled, "workflow-abc", "h");

    Job verify = factory.buildVerify(resource, bundled, "workflow-verify-1767261660", "h");

    assertThat(verify.getMetadata().getName()).isEqualTo("workflow-verify-1767261660");
    assertThat(verify.getMetadata().getLabels())
        .containsEntry(Labels.JOB_KIND, Labels.VERIFY_KIND)
        .containsEntry(Labels.COMPONENT, Labels.MIGRATION_COMPONENT)
        .containsEntry(Labels.SCHEMA_VERSION, "workflow");
    assertThat(verify.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry(Labels.JOB_KIND, Labels.VERIFY_KIND);
    Container container = verify.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getArgs()).isEqualTo(List.of(MigrationJobFactory.VERIFY_COMMAND));
    Container migrate = migration.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo(migrate.getImage());
    assertThat(container.getEnv()).isEqualTo(migrate.getEnv());
    assertThat(container.getVolumeMounts()).isEqualTo(migrate.getVolumeMounts());
    assertThat(verify.getSpec().getTemplate().getSpec().getInitContainers())
        .isEqualTo(migration.getSpec().getTemplate().getSpec().getInitContainers());
    assertThat(verify.getSpec().getTtlSecondsAfterFinished())
        .isEqualTo(migration.getSpec().getTtlSecondsAfterFinished());
    assertThat(migration.getMetadata().getLabels()).doesNotContainKey(Labels.JOB_KIND);
  }
}
