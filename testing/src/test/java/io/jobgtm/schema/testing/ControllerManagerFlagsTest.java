package io.jobgtm.schema.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The controller manager is told to disable only controllers its version has. */
class ControllerManagerFlagsTest {

  /** As kube-controller-manager v1.31 prints it (shortened): no ClusterTrustBundle publisher. */
  private static final String HELP_1_31 =
      """
          --controllers strings    A list of controllers to enable. '*' enables all on-by-default
                                   controllers, 'foo' enables the controller named 'foo', '-foo'
                                   disables the controller named 'foo'.
                                   All controllers: bootstrap-signer-controller, job-controller,
                                   node-lifecycle-controller, ttl-after-finished-controller
                                   Disabled-by-default controllers: bootstrap-signer-controller
                                   (default [*])
      """;

  @Test
  void readsTheControllersFromTheHelpWhereverItWrapsTheList() {
    assertThat(LocalControlPlane.knownControllers(HELP_1_31))
        .containsExactlyInAnyOrder(
            "bootstrap-signer-controller",
            "job-controller",
            "node-lifecycle-controller",
            "ttl-after-finished-controller");
  }

  @Test
  void disablesOnlyTheControllersThisVersionHas() {
    assertThat(LocalControlPlane.controllers(LocalControlPlane.knownControllers(HELP_1_31)))
        .isEqualTo("*,-node-lifecycle-controller");
    assertThat(
            LocalControlPlane.controllers(
                Set.of(
                    "job-controller",
                    "node-lifecycle-controller",
                    "kube-apiserver-serving-clustertrustbundle-publisher-controller")))
        .isEqualTo(
            "*,-node-lifecycle-controller,"
                + "-kube-apiserver-serving-clustertrustbundle-publisher-controller");
  }

  @Test
  void aHelpWithoutTheListFailsClearly() {
    assertThatThrownBy(() -> LocalControlPlane.knownControllers("Usage: something else"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("All controllers:");
  }
}
