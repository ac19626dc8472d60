package io.jobgtm.schema.systemtests;

import static io.jobgtm.schema.operator.runtime.ClusterFeatures.CEL_QUANTITY_LIBRARY;
import static io.jobgtm.schema.operator.runtime.ClusterFeatures.MUTATING_ADMISSION_POLICY;
import static io.jobgtm.schema.operator.runtime.ClusterFeatures.SIDECAR_CONTAINERS;
import static io.jobgtm.schema.operator.runtime.ClusterFeatures.VALIDATING_ADMISSION_POLICY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.operator.runtime.ClusterFeatures;
import io.jobgtm.schema.operator.runtime.ClusterFeatures.Feature;
import io.jobgtm.schema.testing.KubeApiServer;
import io.jobgtm.schema.testing.KubeApiServerExtension;
import io.jobgtm.schema.testing.RequestCounter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The optional features the real API server offers, as the operator reads them from discovery and
 * reports them at start-up, on whichever Kubernetes version the build runs ({@code -Pk8s-oldest}
 * runs it on the oldest supported one, see docs/testing.md).
 *
 * <p>The expectations are Kubernetes' own release history for a server started with its default
 * flags, written here independently of {@link ClusterFeatures}: ValidatingAdmissionPolicy is GA in
 * {@code admissionregistration.k8s.io/v1} from 1.30; MutatingAdmissionPolicy is not served before
 * 1.32, alpha (1.32) and beta (1.34) are off by default, and v1 is GA and served from 1.36; native
 * sidecars are on by default from 1.29; the CEL quantity library is in new expressions from 1.29.
 */
@ExtendWith(KubeApiServerExtension.class)
class ClusterFeaturesIT {

  private static final String NAMESPACE = "cluster-features-it";
  private static final String NO_RIGHTS = "no-rights";

  private static int minor;

  @BeforeAll
  static void setUp(KubeApiServer server) {
    minor = Integer.parseInt(server.binaries().version().split("\\.")[1]);
    server
        .client()
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .serverSideApply();
  }

  @Test
  void discoveryReportsWhatThisVersionOffersByDefault(KubeApiServer server) {
    ClusterFeatures features = ClusterFeatures.discover(server.client());

    assertThat(features.serverVersion()).isEqualTo("v" + server.binaries().version());
    assertThat(features.features())
        .extracting(Feature::name)
        .containsExactly(
            VALIDATING_ADMISSION_POLICY,
            MUTATING_ADMISSION_POLICY,
            SIDECAR_CONTAINERS,
            CEL_QUANTITY_LIBRARY);
    assertThat(features.feature(VALIDATING_ADMISSION_POLICY).available()).isEqualTo(minor >= 30);
    assertThat(features.feature(MUTATING_ADMISSION_POLICY).available()).isEqualTo(minor >= 36);
    assertThat(features.feature(SIDECAR_CONTAINERS).available()).isEqualTo(minor >= 29);
    assertThat(features.feature(CEL_QUANTITY_LIBRARY).available()).isEqualTo(minor >= 29);
    if (minor < 32) {
      assertThat(features.feature(MUTATING_ADMISSION_POLICY).evidence())
          .isEqualTo(
              "discovery: admissionregistration.k8s.io serves no mutatingadmissionpolicies in v1,"
                  + " v1beta1, v1alpha1");
    }
  }

  /** Discovery is open to every authenticated user: the operator needs no RBAC rule for it. */
  @Test
  void aServiceAccountWithoutAnyRoleReadsTheSameFeatures(KubeApiServer server) {
    KubernetesClient admin = server.client();
    admin
        .serviceAccounts()
        .inNamespace(NAMESPACE)
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName(NO_RIGHTS)
                .withNamespace(NAMESPACE)
                .endMetadata()
                .build())
        .serverSideApply();

    try (KubernetesClient noRights =
        RunningOperator.serviceAccountClient(
            admin, server.kubeconfigYaml(), NAMESPACE, NO_RIGHTS, new RequestCounter())) {
      assertThat(ClusterFeatures.discover(noRights)).isEqualTo(ClusterFeatures.discover(admin));
    }
  }

  @Test
  void theOperatorLogsOneInfoLinePerFeatureAtStartUp(KubeApiServer server) {
    // The operator watches SchemaVersions. Other classes on this shared server may have installed
    // the CRD under a field manager of their own; applying it again would conflict.
    if (server
            .client()
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(SchemaVersion.CRD_NAME)
            .get()
        == null) {
      Manifests.installCrd(server.client());
    }
    List<String> expected =
        ClusterFeatures.discover(server.client()).features().stream()
            .map(Feature::describe)
            .toList();

    try (OperatorProcess operator =
        OperatorProcess.start(
            server.kubeconfig(),
            Map.of(
                "SCHEMA_OPERATOR_WATCH_NAMESPACES", NAMESPACE,
                "SCHEMA_OPERATOR_HTTP_PORT", "0",
                "SCHEMA_OPERATOR_LEADER_ELECTION", "false"),
            server.logDirectory().resolve("operator-cluster-features.log"))) {
      await("the operator to start or exit")
          .atMost(Duration.ofMinutes(2))
          .until(
              () -> operator.output().contains("schema-operator started") || !operator.isAlive());

      List<String> reported =
          operator.output().lines().filter(line -> line.contains("cluster feature ")).toList();
      assertThat(reported).as(operator.output()).hasSize(expected.size());
      for (int i = 0; i < expected.size(); i++) {
        assertThat(reported.get(i)).contains(" INFO ").endsWith(expected.get(i));
      }
      if (minor < 32) {
        assertThat(reported)
            .anySatisfy(
                line ->
                    assertThat(line)
                        .contains("cluster feature MutatingAdmissionPolicy: unavailable"));
      }
      assertThat(operator.output()).contains("schema-operator started");
    }
  }
}
