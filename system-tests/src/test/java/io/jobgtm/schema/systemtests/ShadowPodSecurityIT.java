package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionSpec;
import io.jobgtm.schema.api.ShadowSpec;
import io.jobgtm.schema.api.UnversionedSchemaPolicy;
import io.jobgtm.schema.operator.act.MigrationJobFactory;
import io.jobgtm.schema.operator.observe.MigrationSource;
import io.jobgtm.schema.testing.KubeApiServerExtension;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The migration Job with the shadow sidecar on the real kube-apiserver: the Job is valid (a native
 * sidecar with a startup probe), and its pod is admitted by Pod Security admission in a namespace
 * that enforces the "restricted" standard, as the Job controller creates it. The same pod with a
 * shadow running as root is refused there, so the namespace does enforce. No kubelet runs: what the
 * sidecar does once started is the node's part.
 */
@ExtendWith(KubeApiServerExtension.class)
class ShadowPodSecurityIT {

  private static final String NAMESPACE = "shadow-pod-security";
  private static final AtomicInteger NAMES = new AtomicInteger();

  private static KubernetesClient client;

  @BeforeAll
  static void restrictedNamespace(KubernetesClient kubernetes) {
    client = kubernetes;
    Manifests.restrictedNamespace(client, NAMESPACE);
  }

  /**
   * The operator's Job for the example, changed by {@code change}, without an owner (none here).
   */
  private static Job migrationJob(Consumer<SchemaVersionSpec> change, MigrationSource source) {
    SchemaVersion resource = Manifests.exampleSchemaVersion("workflow-" + NAMES.incrementAndGet());
    resource.getMetadata().setNamespace(NAMESPACE);
    resource.getMetadata().setUid("uid-" + resource.getMetadata().getName());
    resource.getMetadata().setGeneration(1L);
    change.accept(resource.getSpec());
    Job job =
        new MigrationJobFactory(RunningOperator.IMAGE)
            .build(
                resource, source, resource.getMetadata().getName() + "-0123456789", "0123456789");
    job.getMetadata().setOwnerReferences(null);
    return job;
  }

  /** A pod of the Job's template, as the Job controller creates it. */
  private static Pod podOf(Job job) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(job.getMetadata().getName() + "-pod")
        .withNamespace(NAMESPACE)
        .withLabels(job.getSpec().getTemplate().getMetadata().getLabels())
        .endMetadata()
        .withSpec(job.getSpec().getTemplate().getSpec())
        .build();
  }

  @Test
  void theJobWithTheShadowSidecarAndItsPodAreAdmittedUnderRestricted() {
    Job job = migrationJob(spec -> {}, new MigrationSource.Bundled());

    Job created = client.batch().v1().jobs().inNamespace(NAMESPACE).resource(job).create();
    Pod pod = client.pods().inNamespace(NAMESPACE).resource(podOf(created)).create();

    PodSpec spec = pod.getSpec();
    Container shadow = spec.getInitContainers().get(0);
    assertThat(shadow.getName()).isEqualTo(MigrationJobFactory.SHADOW_CONTAINER);
    assertThat(shadow.getRestartPolicy()).isEqualTo("Always");
    assertThat(shadow.getImage()).isEqualTo(ShadowSpec.DEFAULT_IMAGE);
    assertThat(shadow.getStartupProbe().getExec().getCommand()).startsWith("pg_isready");
    assertThat(spec.getVolumes())
        .filteredOn(volume -> volume.getName().startsWith("shadow-"))
        .hasSize(2);
  }

  @Test
  void withMigrationsFromAnImageTheShadowStartsFirstAndThePodIsAdmitted() {
    Job job =
        migrationJob(
            spec -> {}, new MigrationSource.FromImage("registry.test/app/migrations:1", "/sql"));

    Pod pod = client.pods().inNamespace(NAMESPACE).resource(podOf(job)).create();

    assertThat(pod.getSpec().getInitContainers())
        .extracting(Container::getName)
        .containsExactly(MigrationJobFactory.SHADOW_CONTAINER, "copy-migrations");
  }

  @Test
  void withTheShadowDisabledThePodHasNoSidecarAndIsAdmitted() {
    Job job =
        migrationJob(
            spec -> {
              spec.getShadow().setEnabled(false);
              spec.getBaseline().setOnUnversionedSchema(UnversionedSchemaPolicy.BASELINE);
              spec.getBaseline().setVersion("1");
              spec.getBaseline().setVerify(false);
            },
            new MigrationSource.Bundled());

    Pod pod = client.pods().inNamespace(NAMESPACE).resource(podOf(job)).create();

    assertThat(pod.getSpec().getInitContainers()).isEmpty();
  }

  @Test
  void theNamespaceEnforcesRestrictedAShadowRunningAsRootIsRefused() {
    Pod pod = podOf(migrationJob(spec -> {}, new MigrationSource.Bundled()));
    pod.getMetadata().setName(pod.getMetadata().getName() + "-root");
    pod.getSpec().getInitContainers().get(0).getSecurityContext().setRunAsUser(0L);
    pod.getSpec().getInitContainers().get(0).getSecurityContext().setRunAsNonRoot(null);

    assertThatThrownBy(() -> client.pods().inNamespace(NAMESPACE).resource(pod).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(403);
              assertThat(e.getMessage())
                  .contains("violates PodSecurity \"restricted:latest\"")
                  .contains("container \"shadow\" must not set runAsUser=0");
            });
  }
}
