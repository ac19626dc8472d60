package io.jobgtm.schema.systemtests.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jobgtm.schema.testing.LocalControlPlane;
import io.jobgtm.schema.testing.LocalControlPlaneExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code helm install} of the real chart (its kubeVersion constraint included) into the local
 * control plane, in namespaces that enforce the "restricted" Pod Security Standard: every object
 * the chart renders is accepted, and the Deployments' pods pass admission. Both RBAC modes are
 * installed, the cluster-wide one with the workflow database and its gated example Deployment.
 */
@ExtendWith(LocalControlPlaneExtension.class)
class ChartInstallE2E {

  private static final String CLUSTER_WIDE = "chart-e2e-cluster";
  private static final String NAMESPACED = "chart-e2e-namespaced";
  private static final String WATCHED = "chart-e2e-apps";

  /** A hang guard, never an expectation of speed. */
  private static final Duration PATIENCE = Duration.ofMinutes(2);

  @TempDir Path work;

  @Test
  void clusterWideModeWithTheWorkflowDatabaseIsAcceptedUnderRestrictedPodSecurity(
      LocalControlPlane cluster) throws IOException {
    KubernetesClient client = cluster.client();
    restrictedNamespace(client, CLUSTER_WIDE);
    Path values = work.resolve("values.yaml");
    Files.writeString(
        values,
        """
        workflowDatabase:
          enabled: true
          exampleDeployment:
            minVersion: "2"
        """);

    Release release = install(cluster, "cw", CLUSTER_WIDE, values);

    assertThat(release.getStatus()).isEqualTo("deployed");
    // The notes say how to grant the admission policy's permissions, by the role's real name.
    assertThat(release.getOutput())
        .contains("--clusterrole=cw-schema-operator." + CLUSTER_WIDE + ".custom-image");
    assertThat(
            client
                .rbac()
                .clusterRoles()
                .withName("cw-schema-operator." + CLUSTER_WIDE + ".custom-image")
                .get())
        .isNotNull();
    List<HasMetadata> objects = rendered("cw", CLUSTER_WIDE, values);
    assertThat(objects)
        .extracting(HasMetadata::getKind)
        .contains("ClusterRole", "ClusterRoleBinding", "Deployment", "SchemaVersion");
    assertEveryObjectExists(client, objects);
    assertPodsAdmitted(client, CLUSTER_WIDE, "cw-schema-operator");
    assertPodsAdmitted(client, CLUSTER_WIDE, "workflow-example");
    assertThat(
            client
                .pods()
                .inNamespace(CLUSTER_WIDE)
                .withLabel("app.kubernetes.io/instance", "cw")
                .withLabel("app.kubernetes.io/component", "workflow-example")
                .list()
                .getItems())
        .allSatisfy(
            pod ->
                assertThat(pod.getSpec().getSchedulingGates())
                    .extracting(gate -> gate.getName())
                    .containsExactly("schema.jobgtm.io/workflow"));
  }

  @Test
  void namespacedModeIsAcceptedUnderRestrictedPodSecurity(LocalControlPlane cluster)
      throws IOException {
    KubernetesClient client = cluster.client();
    restrictedNamespace(client, NAMESPACED);
    restrictedNamespace(client, WATCHED);
    Path values = work.resolve("values.yaml");
    Files.writeString(values, "watchNamespaces: [" + WATCHED + "]\n");

    Release release = install(cluster, "ns", NAMESPACED, values);

    assertThat(release.getStatus()).isEqualTo("deployed");
    assertThat(release.getOutput())
        .contains("--role=ns-schema-operator." + NAMESPACED + ".custom-image");
    assertThat(
            client
                .rbac()
                .roles()
                .inNamespace(WATCHED)
                .withName("ns-schema-operator." + NAMESPACED + ".custom-image")
                .get())
        .isNotNull();
    List<HasMetadata> objects = rendered("ns", NAMESPACED, values);
    assertThat(objects)
        .extracting(HasMetadata::getKind)
        .doesNotContain("ClusterRole", "ClusterRoleBinding")
        .contains("Role", "RoleBinding", "Deployment");
    assertEveryObjectExists(client, objects);
    assertThat(client.rbac().roles().inNamespace(WATCHED).withName("ns-schema-operator").get())
        .isNotNull();
    assertPodsAdmitted(client, NAMESPACED, "ns-schema-operator");
  }

  @Test
  void theNamespacesReallyEnforceRestricted(LocalControlPlane cluster) {
    KubernetesClient client = cluster.client();
    restrictedNamespace(client, CLUSTER_WIDE);
    Pod privileged =
        new PodBuilder()
            .withNewMetadata()
            .withName("privileged")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage("registry.invalid/app:1")
            .withNewSecurityContext()
            .withPrivileged(true)
            .endSecurityContext()
            .endContainer()
            .endSpec()
            .build();

    assertThatThrownBy(() -> client.pods().inNamespace(CLUSTER_WIDE).resource(privileged).create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("violates PodSecurity \"restricted:latest\"");
  }

  private static void restrictedNamespace(KubernetesClient client, String name) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(
                    Map.of(
                        "pod-security.kubernetes.io/enforce", "restricted",
                        "pod-security.kubernetes.io/enforce-version", "latest",
                        "pod-security.kubernetes.io/warn", "restricted"))
                .endMetadata()
                .build())
        .serverSideApply();
  }

  private static Release install(
      LocalControlPlane cluster, String name, String namespace, Path values) {
    return new Helm(Chart.directory())
        .install()
        .withName(name)
        .withNamespace(namespace)
        .withKubeConfig(cluster.kubeconfig())
        .withValuesFile(values)
        .call();
  }

  /** What the install applied: the same chart and values through helm template. */
  private List<HasMetadata> rendered(String release, String namespace, Path values) {
    Path chart = Chart.renderableCopy(work, null);
    return Chart.objects(
        new Helm(chart)
            .template()
            .withName(release)
            .withNamespace(namespace)
            .withValuesFile(values)
            .call());
  }

  private static void assertEveryObjectExists(KubernetesClient client, List<HasMetadata> objects) {
    assertThat(objects)
        .allSatisfy(
            object ->
                assertThat(client.resource(object).get())
                    .as("%s %s", object.getKind(), object.getMetadata().getName())
                    .isNotNull());
  }

  /** The Deployment's ReplicaSet created its pods: Pod Security admission let them in. */
  private static void assertPodsAdmitted(
      KubernetesClient client, String namespace, String deploymentName) {
    Deployment deployment =
        client.apps().deployments().inNamespace(namespace).withName(deploymentName).get();
    int replicas = deployment.getSpec().getReplicas();
    await(deploymentName + "'s pods to be created")
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              List<ReplicaSet> replicaSets =
                  client
                      .apps()
                      .replicaSets()
                      .inNamespace(namespace)
                      .withLabels(deployment.getSpec().getSelector().getMatchLabels())
                      .list()
                      .getItems();
              assertThat(replicaSets).isNotEmpty();
              assertThat(
                      replicaSets.stream()
                          .filter(rs -> rs.getStatus() != null)
                          .flatMap(rs -> rs.getStatus().getConditions().stream()))
                  .noneMatch(condition -> condition.getType().equals("ReplicaFailure"));
              assertThat(
                      client
                          .pods()
                          .inNamespace(namespace)
                          .withLabels(deployment.getSpec().getSelector().getMatchLabels())
                          .list()
                          .getItems())
                  .hasSize(replicas);
            });
  }
}
