package io.jobgtm.schema.systemtests;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jobgtm.schema.operator.runtime.OperatorConfig;
import io.jobgtm.schema.operator.runtime.OperatorMain;
import io.jobgtm.schema.testing.RequestCounter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The operator in a test JVM, authenticated as a ServiceAccount bound to exactly the rules the Helm
 * chart grants (helm/schema-operator/files/operator-rules.yaml), with a client that counts the
 * write requests it sends.
 */
public final class RunningOperator implements AutoCloseable {

  static final String NAMESPACE = "schema-operator-system";
  static final String SERVICE_ACCOUNT = "schema-operator";
  public static final String IMAGE = "registry.test/schema-operator:it";

  private final OperatorMain main;
  private final RequestCounter requests;
  private final KubernetesClient client;

  private RunningOperator(OperatorMain main, RequestCounter requests, KubernetesClient client) {
    this.main = main;
    this.requests = requests;
    this.client = client;
  }

  /** Creates the ServiceAccount and binds it to the chart's rules (idempotent). */
  static void installRbac(KubernetesClient admin) {
    admin
        .namespaces()
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName(NAMESPACE)
                .endMetadata()
                .build())
        .serverSideApply();
    admin
        .serviceAccounts()
        .inNamespace(NAMESPACE)
        .resource(
            new io.fabric8.kubernetes.api.model.ServiceAccountBuilder()
                .withNewMetadata()
                .withName(SERVICE_ACCOUNT)
                .endMetadata()
                .build())
        .serverSideApply();
    admin
        .rbac()
        .clusterRoles()
        .resource(
            new ClusterRoleBuilder()
                .withNewMetadata()
                .withName(SERVICE_ACCOUNT)
                .endMetadata()
                .withRules(chartRules())
                .build())
        .serverSideApply();
    admin
        .rbac()
        .clusterRoleBindings()
        .resource(
            new ClusterRoleBindingBuilder()
                .withNewMetadata()
                .withName(SERVICE_ACCOUNT)
                .endMetadata()
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole")
                .withName(SERVICE_ACCOUNT)
                .endRoleRef()
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(SERVICE_ACCOUNT)
                .withNamespace(NAMESPACE)
                .endSubject()
                .build())
        .serverSideApply();
    // The chart's Lease rules, in the operator's own namespace, for leader election.
    admin
        .rbac()
        .roles()
        .inNamespace(NAMESPACE)
        .resource(
            new io.fabric8.kubernetes.api.model.rbac.RoleBuilder()
                .withNewMetadata()
                .withName(SERVICE_ACCOUNT + "-leader-election")
                .endMetadata()
                .withRules(chartRules("leader-election-rules.yaml"))
                .build())
        .serverSideApply();
    admin
        .rbac()
        .roleBindings()
        .inNamespace(NAMESPACE)
        .resource(
            new io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder()
                .withNewMetadata()
                .withName(SERVICE_ACCOUNT + "-leader-election")
                .endMetadata()
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("Role")
                .withName(SERVICE_ACCOUNT + "-leader-election")
                .endRoleRef()
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(SERVICE_ACCOUNT)
                .withNamespace(NAMESPACE)
                .endSubject()
                .build())
        .serverSideApply();
  }

  /** The rules the chart grants the operator, read from the file the chart renders. */
  static List<PolicyRule> chartRules() {
    return chartRules("operator-rules.yaml");
  }

  /** Rules of one of the chart's rule files. */
  static List<PolicyRule> chartRules(String file) {
    Path rules =
        Path.of(System.getProperty("user.dir")).resolve("../helm/schema-operator/files/" + file);
    try {
      return Arrays.asList(Serialization.unmarshal(Files.readString(rules), PolicyRule[].class));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client authenticated as the operator's ServiceAccount, counting its requests. */
  static KubernetesClient serviceAccountClient(
      KubernetesClient admin, String kubeconfigYaml, RequestCounter requests) {
    return serviceAccountClient(admin, kubeconfigYaml, NAMESPACE, SERVICE_ACCOUNT, requests);
  }

  /** A client authenticated as the given ServiceAccount, counting its requests. */
  public static KubernetesClient serviceAccountClient(
      KubernetesClient admin,
      String kubeconfigYaml,
      String namespace,
      String serviceAccount,
      RequestCounter requests) {
    String token =
        admin
            .serviceAccounts()
            .inNamespace(namespace)
            .withName(serviceAccount)
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(7200L)
                    .endSpec()
                    .build())
            .getStatus()
            .getToken();
    Config base = Config.fromKubeconfig(kubeconfigYaml);
    Config config =
        new ConfigBuilder()
            .withMasterUrl(base.getMasterUrl())
            .withCaCertData(base.getCaCertData())
            .withCaCertFile(base.getCaCertFile())
            .withTrustCerts(base.isTrustCerts())
            .withOauthToken(token)
            .build();
    return requests.client(config);
  }

  /**
   * Installs the CRD and the chart's RBAC, makes {@code namespace} restricted with the example
   * credentials Secret and the reference migrations ConfigMap {@code workflow-migrations}, then
   * starts the operator.
   */
  static RunningOperator startWithExampleNamespace(
      KubernetesClient admin, String kubeconfigYaml, String namespace) {
    Manifests.installCrd(admin);
    Manifests.restrictedNamespace(admin, namespace);
    admin
        .secrets()
        .inNamespace(namespace)
        .resource(Manifests.example("workflow-db-secret.yaml", Secret.class))
        .serverSideApply();
    admin
        .configMaps()
        .inNamespace(namespace)
        .resource(Manifests.migrationsConfigMap("workflow-migrations"))
        .serverSideApply();
    installRbac(admin);
    return start(admin, kubeconfigYaml);
  }

  static RunningOperator start(KubernetesClient admin, String kubeconfigYaml) {
    RequestCounter requests = new RequestCounter();
    KubernetesClient client = serviceAccountClient(admin, kubeconfigYaml, requests);
    OperatorConfig config =
        OperatorConfig.from(
            Map.of(
                "SCHEMA_OPERATOR_MIGRATOR_IMAGE", IMAGE,
                "SCHEMA_OPERATOR_HTTP_PORT", "0",
                "SCHEMA_OPERATOR_LEADER_ELECTION", "false"));
    return new RunningOperator(OperatorMain.start(client, config), requests, client);
  }

  /** Write requests (anything but GET, watches included as GET) sent so far. */
  int writes() {
    return requests.writes();
  }

  void resetWrites() {
    requests.resetWrites();
  }

  KubernetesClient client() {
    return client;
  }

  /** The Prometheus text of the running operator's /metrics. */
  String metrics() {
    try {
      return HttpClient.newHttpClient()
          .send(
              java.net.http.HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + main.httpPort() + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The value of a counter or gauge line of /metrics whose name and labels start as given. */
  double metric(String prefix) {
    return metrics()
        .lines()
        .filter(line -> line.startsWith(prefix))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Override
  public void close() {
    main.close();
  }
}
