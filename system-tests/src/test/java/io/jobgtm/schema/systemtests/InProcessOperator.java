package io.jobgtm.schema.systemtests;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jobgtm.schema.operator.decide.RetryPolicy;
import io.jobgtm.schema.operator.runtime.OperatorConfig;
import io.jobgtm.schema.operator.runtime.OperatorMain;
import io.jobgtm.schema.testing.LocalCluster;
import io.jobgtm.schema.testing.PostgresServer;
import io.jobgtm.schema.testing.RequestCounter;
import java.util.Map;
import java.util.Set;

/**
 * The operator in the test's JVM, as the chart's ServiceAccount (its RBAC exactly), watching
 * restricted namespaces that each have the example credentials Secret, pointing at the shared
 * PostgreSQL's superuser.
 */
final class InProcessOperator implements AutoCloseable {

  private final OperatorMain operator;

  private InProcessOperator(OperatorMain operator) {
    this.operator = operator;
  }

  /** Installs the CRD, the namespaces, their Secrets and the RBAC, then starts the operator. */
  static InProcessOperator start(LocalCluster cluster, RetryPolicy retries, String... namespaces) {
    KubernetesClient admin = cluster.client();
    PostgresServer postgres = PostgresServer.shared();
    Manifests.installCrd(admin);
    for (String namespace : namespaces) {
      Manifests.restrictedNamespace(admin, namespace);
      Secret secret = Manifests.example("workflow-db-secret.yaml", Secret.class);
      secret.setStringData(
          Map.of("username", PostgresServer.SUPERUSER, "password", postgres.password()));
      admin.secrets().inNamespace(namespace).resource(secret).serverSideApply();
    }
    RunningOperator.installRbac(admin);
    KubernetesClient client =
        RunningOperator.serviceAccountClient(
            admin, cluster.apiServer().kubeconfigYaml(), new RequestCounter());
    return new InProcessOperator(
        OperatorMain.start(
            client,
            new OperatorConfig(
                RunningOperator.IMAGE, Set.of(namespaces), 0, false, "unused", null, retries)));
  }

  @Override
  public void close() {
    operator.close();
  }
}
