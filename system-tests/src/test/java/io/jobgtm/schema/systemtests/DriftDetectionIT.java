package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.DriftAction;
import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.api.VerifySpec;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.JobEnvironment;
import io.jobgtm.schema.contract.SchemaVerification;
import io.jobgtm.schema.operator.act.Labels;
import io.jobgtm.schema.testing.LocalControlPlane;
import io.jobgtm.schema.testing.LocalControlPlaneExtension;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Drift detection by the operator on a real control plane, with the chart's RBAC: the Drifted
 * condition, the fingerprint, the Events and the metric from the result documents of migration and
 * verify Jobs, and a migration refused for drift ({@code onDrift: Block}) that runs again once a
 * verify Job finds the drift gone. {@link SimulatedKubelet} ends the pods with the result documents
 * the migrator writes ({@link MigratorResults}).
 */
@ExtendWith(LocalControlPlaneExtension.class)
class DriftDetectionIT {

  private static final String NAMESPACE = "drift-it";
  private static final Duration PATIENCE = Duration.ofMinutes(2);
  private static final String LIVE = "sha256:" + "a".repeat(64);
  private static final String EXPECTED = "sha256:" + "b".repeat(64);
  private static final SchemaVerification DRIFTED =
      SchemaVerification.drifted(
          "2", LIVE, EXPECTED, List.of("missing column public.job_listings.is_remote"));

  private static KubernetesClient admin;
  private static SimulatedKubelet kubelet;
  private static RunningOperator operator;

  @BeforeAll
  static void startOperator(LocalControlPlane controlPlane) {
    admin = controlPlane.client();
    kubelet = new SimulatedKubelet(admin);
    operator =
        RunningOperator.startWithExampleNamespace(admin, controlPlane.kubeconfigYaml(), NAMESPACE);
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  private static SchemaVersion apply(String name, VerifySpec verify) {
    SchemaVersion resource = Manifests.exampleSchemaVersionOnItsOwnDatabase(name);
    resource.getSpec().setVerify(verify);
    return admin
        .resources(SchemaVersion.class)
        .inNamespace(NAMESPACE)
        .resource(resource)
        .serverSideApply();
  }

  private static VerifySpec verify(String interval, DriftAction onDrift) {
    VerifySpec verify = new VerifySpec();
    verify.setInterval(interval);
    verify.setOnDrift(onDrift);
    return verify;
  }

  private static Job awaitJob(String name, Predicate<Job> which, List<String> besides) {
    return await()
        .atMost(PATIENCE)
        .until(
            () ->
                SchemaVersions.jobsOf(admin, NAMESPACE, name).stream()
                    .filter(which)
                    .filter(job -> !besides.contains(job.getMetadata().getName()))
                    .findFirst()
                    .orElse(null),
            job -> job != null);
  }

  private static boolean isVerify(Job job) {
    return Labels.VERIFY_KIND.equals(job.getMetadata().getLabels().get(Labels.JOB_KIND));
  }

  private static void end(Job job, int exitCode, String document) {
    kubelet.terminate(kubelet.awaitPod(NAMESPACE, job.getMetadata().getName()), exitCode, document);
  }

  private static Condition awaitDrifted(String name, String status, String reason) {
    return await()
        .atMost(PATIENCE)
        .until(
            () ->
                Conditions.find(
                        SchemaVersions.get(admin, NAMESPACE, name).getStatus() == null
                            ? null
                            : SchemaVersions.get(admin, NAMESPACE, name)
                                .getStatus()
                                .getConditions(),
                        Conditions.DRIFTED)
                    .filter(c -> c.getStatus().equals(status) && c.getReason().equals(reason))
                    .orElse(null),
            condition -> condition != null);
  }

  private static List<Event> events(String name, String reason) {
    return SchemaVersions.events(admin, NAMESPACE, name).stream()
        .filter(event -> reason.equals(event.getReason()))
        .toList();
  }

  @Test
  void aVerifyJobReportsDriftWhileTheResourceStaysReady() {
    apply("reported", verify("5m", DriftAction.REPORT));
    Job migration = awaitJob("reported", job -> !isVerify(job), List.of());
    assertThat(
            migration.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(env -> env.getName().equals(JobEnvironment.ON_DRIFT))
                .map(EnvVar::getValue))
        .containsExactly("Report");
    // No verification after the migration (no shadow): the first verify Job starts at once.
    end(migration, 0, MigratorResults.successDocument("2"));
    SchemaVersionStatus ready =
        SchemaVersions.awaitCondition(
            admin, NAMESPACE, "reported", Conditions.READY, "Migrated", PATIENCE);
    Job verifyJob = awaitJob("reported", DriftDetectionIT::isVerify, List.of());
    assertThat(verifyJob.getMetadata().getName()).startsWith("reported-verify-");
    assertThat(verifyJob.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
        .containsExactly("verify");

    end(verifyJob, 0, MigratorResults.verifyDocument(DRIFTED));

    Condition drifted = awaitDrifted("reported", "True", Reasons.SCHEMA_DRIFTED);
    assertThat(drifted.getMessage())
        .isEqualTo(
            "1 difference from the migration set at version 2: missing column"
                + " public.job_listings.is_remote");
    SchemaVersionStatus status = SchemaVersions.get(admin, NAMESPACE, "reported").getStatus();
    assertThat(status.getSchemaFingerprint()).isEqualTo(LIVE);
    assertThat(status.getServerVersion()).isEqualTo("17.6");
    assertThat(status.getVerification().getLastJob()).isEqualTo(verifyJob.getMetadata().getName());
    assertThat(status.getLastJob()).isEqualTo(ready.getLastJob());
    assertThat(status.getCurrentVersion()).isEqualTo("2");
    assertThat(Conditions.isTrue(status.getConditions(), Conditions.READY)).isTrue();
    assertThat(Conditions.isTrue(status.getConditions(), Conditions.RECONCILING)).isFalse();
    assertThat(Conditions.isTrue(status.getConditions(), Conditions.STALLED)).isFalse();
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              assertThat(events("reported", Reasons.DRIFT_DETECTED))
                  .singleElement()
                  .satisfies(
                      event -> {
                        assertThat(event.getType()).isEqualTo("Warning");
                        assertThat(event.getMessage())
                            .contains("missing column public.job_listings.is_remote");
                      });
              assertThat(
                      operator.metric(
                          "schema_operator_schema_drifted{name=\"reported\",namespace=\""
                              + NAMESPACE
                              + "\"}"))
                  .isEqualTo(1.0);
            });
    // The next verify Job waits for the interval: none runs now.
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                SchemaVersions.jobsOf(admin, NAMESPACE, "reported").stream()
                        .filter(DriftDetectionIT::isVerify)
                        .count()
                    == 1);
  }

  @Test
  void aMigrationRefusedForDriftRunsAgainOnceAVerifyJobFindsTheDriftGone() {
    apply("blocked", verify("5m", DriftAction.BLOCK));
    Job refused = awaitJob("blocked", job -> !isVerify(job), List.of());

    // The refusal's document carries no verification here, so the first verify Job starts at
    // once rather than spec.verify.interval after the refusal's own check.
    end(
        refused,
        FailureReason.EXIT_PERMANENT,
        MigratorResults.driftRefusedDocument(DRIFTED, false));

    SchemaVersionStatus stalled =
        SchemaVersions.awaitCondition(
            admin, NAMESPACE, "blocked", Conditions.STALLED, Reasons.SCHEMA_DRIFTED, PATIENCE);
    assertThat(
            Conditions.find(stalled.getConditions(), Conditions.STALLED).orElseThrow().getMessage())
        .contains("missing column public.job_listings.is_remote");
    // The drift is fixed by hand; the verify Job, which runs while the resource is Stalled by
    // drift, finds it gone.
    Job verifyJob = awaitJob("blocked", DriftDetectionIT::isVerify, List.of());
    end(verifyJob, 0, MigratorResults.verifyDocument(SchemaVerification.matches("2", EXPECTED)));

    Job again =
        awaitJob("blocked", job -> !isVerify(job), List.of(refused.getMetadata().getName()));
    awaitDrifted("blocked", "False", Reasons.SCHEMA_MATCHES);
    end(again, 0, MigratorResults.successDocument("3", SchemaVerification.matches("3", EXPECTED)));

    SchemaVersionStatus ready =
        SchemaVersions.awaitCondition(
            admin, NAMESPACE, "blocked", Conditions.READY, "Migrated", PATIENCE);
    assertThat(ready.getCurrentVersion()).isEqualTo("3");
    assertThat(ready.getLastJob().getAttempt()).isEqualTo(1);
    assertThat(ready.getRetries() == null ? null : ready.getRetries().getRequest()).isNull();
    await()
        .atMost(PATIENCE)
        .untilAsserted(
            () -> assertThat(events("blocked", Reasons.VERIFICATION_STARTED)).hasSize(1));
  }
}
