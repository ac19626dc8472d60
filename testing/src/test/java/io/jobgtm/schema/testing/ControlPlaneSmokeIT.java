package io.jobgtm.schema.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The API server the integration tests run against is the real one, built from source. */
@ExtendWith(KubeApiServerExtension.class)
class ControlPlaneSmokeIT {

  private static final String NAMESPACE = "smoke-it";
  private static final ResourceDefinitionContext WIDGETS =
      new ResourceDefinitionContext.Builder()
          .withGroup("smoke.test")
          .withVersion("v1")
          .withKind("Widget")
          .withPlural("widgets")
          .withNamespaced(true)
          .build();

  @BeforeAll
  static void installWidgetCrd(KubernetesClient client) throws Exception {
    CustomResourceDefinition crd;
    try (InputStream yaml =
        ControlPlaneSmokeIT.class.getResourceAsStream("/smoke/widgets-crd.yaml")) {
      crd = client.apiextensions().v1().customResourceDefinitions().load(yaml).item();
    }
    client.resource(crd).create();
    await("the Widget CRD to be established")
        .atMost(Duration.ofMinutes(1))
        .until(
            () ->
                established(
                    client
                        .apiextensions()
                        .v1()
                        .customResourceDefinitions()
                        .withName(crd.getMetadata().getName())
                        .get()));
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
  }

  @Test
  void serverIsTheVersionTheScriptBuilt(KubeApiServer server) {
    assertThat(server.client().getKubernetesVersion().getGitVersion())
        .isEqualTo("v" + server.binaries().version());
  }

  @Test
  void celRuleRejectsAnInvalidWidgetWithTheRulesMessage(KubernetesClient client) {
    GenericKubernetesResource inverted = widget("inverted", 3, 1);

    assertThatThrownBy(
            () ->
                client
                    .genericKubernetesResources(WIDGETS)
                    .inNamespace(NAMESPACE)
                    .resource(inverted)
                    .create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            rejection -> {
              assertThat(rejection.getCode()).isEqualTo(422);
              assertThat(rejection.getStatus().getDetails().getCauses())
                  .extracting(
                      StatusCause::getField,
                      cause -> ApiServerMessages.withoutRuleValueType(cause.getMessage()))
                  .containsExactly(
                      tuple("spec", "Invalid value: minReplicas must not exceed maxReplicas"));
            });
    assertThat(
            client
                .genericKubernetesResources(WIDGETS)
                .inNamespace(NAMESPACE)
                .withName("inverted")
                .get())
        .isNull();
  }

  @Test
  void validWidgetIsAccepted(KubernetesClient client) {
    client
        .genericKubernetesResources(WIDGETS)
        .inNamespace(NAMESPACE)
        .resource(widget("valid", 1, 3))
        .create();

    GenericKubernetesResource stored =
        client.genericKubernetesResources(WIDGETS).inNamespace(NAMESPACE).withName("valid").get();
    assertThat(stored.<Integer>get("spec", "maxReplicas")).isEqualTo(3);
  }

  private static boolean established(CustomResourceDefinition crd) {
    return crd.getStatus() != null
        && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static GenericKubernetesResource widget(String name, int minReplicas, int maxReplicas) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("smoke.test/v1")
        .withKind("Widget")
        .withNewMetadata()
        .withName(name)
        .withNamespace(NAMESPACE)
        .endMetadata()
        .withAdditionalProperties(
            Map.of("spec", Map.of("minReplicas", minReplicas, "maxReplicas", maxReplicas)))
        .build();
  }
}
