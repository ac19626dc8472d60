package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jobgtm.schema.testing.LocalCluster;
import io.jobgtm.schema.testing.RequestCounter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The chart's admission policy from the side of the users it judges: the chart installed in
 * namespaced mode, ServiceAccounts with Roles of chosen rules and clients authenticated as them,
 * and the policy's refusal of a write, as the text after {@code denied request: } that {@code
 * kubectl} shows.
 */
final class PolicyAuthors {

  private final LocalCluster cluster;
  private final KubernetesClient admin;
  private final String policy;

  private PolicyAuthors(LocalCluster cluster, String policy) {
    this.cluster = cluster;
    this.admin = cluster.client();
    this.policy = policy;
  }

  /**
   * {@code helm install <release>} of the repository's chart into {@code namespace}, watching
   * {@code watched}; the policy's name is {@code <release>-schema-operator.<namespace>}.
   */
  static PolicyAuthors installChart(
      LocalCluster cluster, Path work, String release, String namespace, String watched) {
    try {
      Path values = Files.createTempFile(work, release, "-values.yaml");
      Files.writeString(values, "watchNamespaces: [" + watched + "]\n");
      new Helm(Manifests.repository().resolve("helm/schema-operator"))
          .install()
          .withName(release)
          .withNamespace(namespace)
          .withKubeConfig(cluster.apiServer().kubeconfig())
          .withValuesFile(values)
          .call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new PolicyAuthors(cluster, release + "-schema-operator." + namespace);
  }

  /** The name of the policy, its binding, and the prefix of its roles. */
  String policy() {
    return policy;
  }

  /** {@code helm uninstall} of the release. */
  static void uninstall(LocalCluster cluster, String release, String namespace) {
    Helm.uninstall(release)
        .withNamespace(namespace)
        .withKubeConfig(cluster.apiServer().kubeconfig())
        .call();
  }

  /** A ServiceAccount with a Role of these rules (both named {@code name}), and a client as it. */
  KubernetesClient serviceAccountWithRole(String namespace, String name, PolicyRule... rules) {
    admin
        .serviceAccounts()
        .inNamespace(namespace)
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName(name).endMetadata().build())
        .serverSideApply();
    grant(namespace, name, name, rules);
    return RunningOperator.serviceAccountClient(
        admin, cluster.apiServer().kubeconfigYaml(), namespace, name, new RequestCounter());
  }

  KubernetesClient serviceAccountWithRole(String namespace, String name, List<PolicyRule> rules) {
    return serviceAccountWithRole(namespace, name, rules.toArray(PolicyRule[]::new));
  }

  /** A Role of these rules in the namespace, bound to the ServiceAccount. */
  void grant(String namespace, String serviceAccount, String role, PolicyRule... rules) {
    admin
        .rbac()
        .roles()
        .inNamespace(namespace)
        .resource(
            new RoleBuilder()
                .withNewMetadata()
                .withName(role)
                .endMetadata()
                .withRules(rules)
                .build())
        .serverSideApply();
    bind(namespace, serviceAccount, role);
  }

  /** A RoleBinding of the namespace's Role to the ServiceAccount. */
  void bind(String namespace, String serviceAccount, String role) {
    admin
        .rbac()
        .roleBindings()
        .inNamespace(namespace)
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName(serviceAccount + "-" + role)
                .endMetadata()
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("Role")
                .withName(role)
                .endRoleRef()
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(serviceAccount)
                .withNamespace(namespace)
                .endSubject()
                .build())
        .serverSideApply();
  }

  /** {@code get} on one object of a core resource, such as a Secret. */
  static PolicyRule get(String resources, String name) {
    return new PolicyRuleBuilder()
        .withApiGroups("")
        .withResources(resources)
        .withVerbs("get")
        .withResourceNames(name)
        .build();
  }

  /**
   * The policy's message when it refuses the write (HTTP 403), or null when the write is admitted.
   */
  String refusal(Callable<?> write) {
    KubernetesClientException refused =
        catchThrowableOfType(KubernetesClientException.class, write::call);
    if (refused == null) {
      return null;
    }
    assertThat(refused.getCode()).as(refused.getMessage()).isEqualTo(403);
    String denied =
        "ValidatingAdmissionPolicy '" + policy + "' with binding '" + policy + "' denied request: ";
    String message = refused.getStatus().getMessage();
    assertThat(message).contains(denied);
    return message.substring(message.indexOf(denied) + denied.length());
  }
}
