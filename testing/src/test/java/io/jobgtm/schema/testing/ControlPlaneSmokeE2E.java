package io.jobgtm.schema.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSchedulingGate;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The local control plane behaves like a cluster's: controllers create pods, the scheduler binds
 * them to the node and honours scheduling gates, admission enforces Pod Security.
 */
@ExtendWith(LocalControlPlaneExtension.class)
class ControlPlaneSmokeE2E {

  private static final String NAMESPACE = "smoke-e2e";
  private static final String IMAGE = "registry.invalid/smoke:1";

  /** A hang guard: generous, never an expectation of speed. */
  private static final Duration PATIENCE = Duration.ofMinutes(1);

  @BeforeAll
  static void createNamespace(KubernetesClient client) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
  }

  @Test
  void deploymentGetsAReplicaSetWhosePodsAreBoundToTheNode(LocalControlPlane cluster) {
    KubernetesClient client = cluster.client();
    client
        .apps()
        .deployments()
        .inNamespace(NAMESPACE)
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName("web")
                .endMetadata()
                .withNewSpec()
                .withReplicas(2)
                .withNewSelector()
                .withMatchLabels(Map.of("app", "web"))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Map.of("app", "web"))
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("web")
                .withImage(IMAGE)
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();

    await("the deployment's pods to be bound")
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              List<ReplicaSet> replicaSets =
                  client
                      .apps()
                      .replicaSets()
                      .inNamespace(NAMESPACE)
                      .withLabel("app", "web")
                      .list()
                      .getItems();
              assertThat(replicaSets).hasSize(1);
              ReplicaSet replicaSet = replicaSets.get(0);
              assertThat(replicaSet.getMetadata().getOwnerReferences())
                  .extracting(OwnerReference::getKind, OwnerReference::getName)
                  .containsExactly(tuple("Deployment", "web"));
              List<Pod> pods =
                  client.pods().inNamespace(NAMESPACE).withLabel("app", "web").list().getItems();
              assertThat(pods)
                  .hasSize(2)
                  .allSatisfy(
                      pod -> {
                        assertThat(pod.getMetadata().getOwnerReferences())
                            .extracting(OwnerReference::getName)
                            .containsExactly(replicaSet.getMetadata().getName());
                        assertThat(pod.getSpec().getNodeName()).isEqualTo(cluster.nodeName());
                      });
            });
  }

  @Test
  void gatedPodWaitsUnscheduledUntilItsGateIsRemoved(LocalControlPlane cluster) {
    KubernetesClient client = cluster.client();
    client
        .pods()
        .inNamespace(NAMESPACE)
        .resource(pod("gated", List.of("smoke.test/hold")))
        .create();
    client.pods().inNamespace(NAMESPACE).resource(pod("ungated", List.of())).create();

    await("the ungated pod to be bound")
        .atMost(PATIENCE)
        .untilAsserted(() -> assertThat(nodeName(client, "ungated")).isEqualTo(cluster.nodeName()));
    await("the gated pod to report SchedulingGated")
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                assertThat(
                        podScheduled(client.pods().inNamespace(NAMESPACE).withName("gated").get()))
                    .extracting(PodCondition::getStatus, PodCondition::getReason)
                    .containsExactly("False", "SchedulingGated"));
    Pod gated = client.pods().inNamespace(NAMESPACE).withName("gated").get();
    assertThat(gated.getSpec().getNodeName()).isNull();
    assertThat(gated.getStatus().getPhase()).isEqualTo("Pending");

    client
        .pods()
        .inNamespace(NAMESPACE)
        .withName("gated")
        .edit(
            pod -> {
              pod.getSpec().setSchedulingGates(List.of());
              return pod;
            });

    await("the released pod to be bound")
        .atMost(PATIENCE)
        .untilAsserted(() -> assertThat(nodeName(client, "gated")).isEqualTo(cluster.nodeName()));
  }

  @Test
  void podSecurityAdmissionRejectsAPrivilegedPodInARestrictedNamespace(KubernetesClient client) {
    String restricted = "smoke-restricted";
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(restricted)
                .withLabels(Map.of("pod-security.kubernetes.io/enforce", "restricted"))
                .endMetadata()
                .build())
        .create();
    Pod privileged =
        new PodBuilder(pod("privileged", List.of()))
            .editSpec()
            .editFirstContainer()
            .withNewSecurityContext()
            .withPrivileged(true)
            .endSecurityContext()
            .endContainer()
            .endSpec()
            .build();

    assertThatThrownBy(() -> client.pods().inNamespace(restricted).resource(privileged).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            rejection -> {
              assertThat(rejection.getCode()).isEqualTo(403);
              assertThat(rejection.getStatus().getMessage())
                  .contains("violates PodSecurity \"restricted:latest\"")
                  .contains(
                      "privileged (container \"main\" must not set securityContext.privileged=true)");
            });

    Pod compliant =
        new PodBuilder(pod("compliant", List.of()))
            .editSpec()
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .editFirstContainer()
            .withNewSecurityContext()
            .withAllowPrivilegeEscalation(false)
            .withNewCapabilities()
            .withDrop("ALL")
            .endCapabilities()
            .endSecurityContext()
            .endContainer()
            .endSpec()
            .build();
    client.pods().inNamespace(restricted).resource(compliant).create();
    assertThat(client.pods().inNamespace(restricted).withName("compliant").get()).isNotNull();
  }

  private static Pod pod(String name, List<String> schedulingGates) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("main")
        .withImage(IMAGE)
        .endContainer()
        .addAllToSchedulingGates(
            schedulingGates.stream().map(gate -> new PodSchedulingGate(gate)).toList())
        .endSpec()
        .build();
  }

  private static String nodeName(KubernetesClient client, String pod) {
    return client.pods().inNamespace(NAMESPACE).withName(pod).get().getSpec().getNodeName();
  }

  private static PodCondition podScheduled(Pod pod) {
    List<PodCondition> conditions =
        Objects.requireNonNullElse(pod.getStatus().getConditions(), List.of());
    return conditions.stream()
        .filter(condition -> "PodScheduled".equals(condition.getType()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no PodScheduled condition: " + pod.getStatus()));
  }
}
