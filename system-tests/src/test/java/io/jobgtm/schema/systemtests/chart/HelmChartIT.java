package io.jobgtm.schema.systemtests.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jobgtm.schema.api.ConfigMapKeyRef;
import io.jobgtm.schema.api.GateSpec;
import io.jobgtm.schema.api.KubernetesNames;
import io.jobgtm.schema.api.MigrationImage;
import io.jobgtm.schema.api.MigrationsSpec;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.ShadowSpec;
import io.jobgtm.schema.api.SslMode;
import io.jobgtm.schema.api.UnversionedSchemaPolicy;
import io.jobgtm.schema.contract.DatabaseHost;
import io.jobgtm.schema.operator.runtime.OperatorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart through Helm itself (helm-java): lint and template for the defaults and every value
 * combination of {@code ci/}, with the rendered objects checked for what matters (least-privilege
 * RBAC, restricted pod security, the operator's settings), and bad values refused by
 * values.schema.json with a message that names the value.
 */
class HelmChartIT {

  private static final Path BAD_VALUES = Path.of("src/test/resources/chart/bad-values");
  private static final String FULLNAME = Chart.RELEASE + "-schema-operator";
  private static final String POLICY = FULLNAME + "." + Chart.NAMESPACE;
  private static final Set<Class<?>> CLUSTER_SCOPED =
      Set.of(
          ClusterRole.class,
          ClusterRoleBinding.class,
          ValidatingAdmissionPolicy.class,
          ValidatingAdmissionPolicyBinding.class);

  @TempDir static Path work;

  static Stream<Arguments> valueCombinations() {
    return Stream.concat(
        Stream.of(Arguments.of("defaults", null)),
        Chart.valueCombinations().stream()
            .map(file -> Arguments.of(file.getFileName().toString(), file)));
  }

  @Test
  void documentsAtLeastFiveValueCombinations() {
    assertThat(Chart.valueCombinations()).hasSizeGreaterThanOrEqualTo(5);
  }

  @Test
  void theRealChartLintsClean() {
    LintResult lint = new Helm(Chart.directory()).lint().strict().call();

    assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
    assertThat(lint.getMessages()).allMatch(message -> message.startsWith("[INFO]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueCombinations")
  void lintsClean(String name, Path values) {
    LintResult lint = Chart.lint(Chart.renderableCopy(work, values));

    assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
    assertThat(lint.getMessages()).allMatch(message -> message.startsWith("[INFO]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueCombinations")
  void rendersLeastPrivilegeRbacAndRestrictedPods(String name, Path values) {
    Rendered rendered = render(values);

    assertThat(rendered.all(ClusterRole.class).stream().flatMap(r -> r.getRules().stream()))
        .allSatisfy(HelmChartIT::leastPrivilege);
    assertThat(rendered.all(Role.class).stream().flatMap(r -> r.getRules().stream()))
        .allSatisfy(HelmChartIT::leastPrivilege);
    assertThat(rendered.all(Deployment.class))
        .isNotEmpty()
        .allSatisfy(deployment -> restricted(deployment.getSpec().getTemplate()));
    assertThat(rendered.objects())
        .filteredOn(o -> !CLUSTER_SCOPED.contains(o.getClass()))
        .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isNotBlank());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valueCombinations")
  void configuresTheOperatorThroughItsSettings(String name, Path values) {
    Rendered rendered = render(values);
    Deployment deployment = rendered.one(Deployment.class, FULLNAME);
    Container operator = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    Map<String, String> env =
        operator.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));

    Set<String> settings =
        OperatorConfig.OPTIONS.stream().map(OperatorConfig.Option::env).collect(Collectors.toSet());
    assertThat(env.keySet())
        .containsAll(settings)
        .allMatch(key -> settings.contains(key) || key.equals("JAVA_TOOL_OPTIONS"));
    OperatorConfig config = OperatorConfig.from(env);
    assertThat(config.leaseNamespace()).isEqualTo(Chart.NAMESPACE);
    assertThat(config.migratorImage()).isNotBlank();
    assertThat(config.shadowImage())
        .isEqualTo(values == null ? ShadowSpec.DEFAULT_IMAGE : config.shadowImage());

    assertThat(operator.getCommand()).containsExactly("/opt/schema-operator/bin/operator");
    assertThat(operator.getPorts())
        .singleElement()
        .satisfies(
            port -> {
              assertThat(port.getName()).isEqualTo("http");
              assertThat(port.getContainerPort()).isEqualTo(config.httpPort());
            });
    assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(operator.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(operator.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(operator.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(operator.getResources().getLimits()).containsKey("memory");
    assertThat(env.get("JAVA_TOOL_OPTIONS")).contains("-XX:MaxRAMPercentage=");

    String serviceAccount = deployment.getSpec().getTemplate().getSpec().getServiceAccountName();
    assertThat(rendered.all(ServiceAccount.class))
        .extracting(sa -> sa.getMetadata().getName())
        .containsExactly(serviceAccount);
    Subject subject =
        new SubjectBuilder()
            .withKind("ServiceAccount")
            .withName(serviceAccount)
            .withNamespace(Chart.NAMESPACE)
            .build();
    assertThat(rendered.all(ClusterRoleBinding.class))
        .allSatisfy(binding -> assertThat(binding.getSubjects()).containsExactly(subject));
    assertThat(rendered.all(RoleBinding.class))
        .allSatisfy(binding -> assertThat(binding.getSubjects()).containsExactly(subject));

    if (config.leaderElection()) {
      Role leases = rendered.one(Role.class, FULLNAME + "-leader-election");
      assertThat(leases.getMetadata().getNamespace()).isEqualTo(config.leaseNamespace());
      assertThat(leases.getRules()).isEqualTo(Chart.rules("files/leader-election-rules.yaml"));
      assertThat(rendered.one(RoleBinding.class, FULLNAME + "-leader-election").getRoleRef())
          .satisfies(ref -> assertThat(ref.getName()).isEqualTo(FULLNAME + "-leader-election"));
    } else {
      assertThat(deployment.getSpec().getReplicas()).isLessThanOrEqualTo(1);
      assertThat(rendered.all(Role.class))
          .noneMatch(role -> role.getMetadata().getName().endsWith("-leader-election"));
    }
  }

  @Test
  void clusterWideByDefault() {
    Rendered rendered = render(null);

    assertThat(rendered.one(ClusterRole.class, FULLNAME).getRules())
        .isEqualTo(Chart.rules("files/operator-rules.yaml"));
    assertThat(rendered.one(ClusterRoleBinding.class, FULLNAME).getRoleRef().getName())
        .isEqualTo(FULLNAME);
    assertThat(rendered.all(Role.class))
        .extracting(role -> role.getMetadata().getName())
        .containsExactly(FULLNAME + "-leader-election");
    Map<String, String> env = operatorEnv(rendered);
    assertThat(OperatorConfig.from(env).watchNamespaces()).isEmpty();
    assertThat(env.get("SCHEMA_OPERATOR_MIGRATOR_IMAGE"))
        .isEqualTo("schema-operator:" + ProjectVersion.release());
    assertThat(rendered.kinds()).doesNotContain("ServiceMonitor", "SchemaVersion");
    assertThat(rendered.one(Deployment.class, FULLNAME).getSpec().getReplicas()).isEqualTo(1);
  }

  @Test
  void namespacedModeGrantsTheSameRulesInEachWatchedNamespaceAndNothingClusterWide() {
    Rendered rendered = render(Chart.file("ci/namespaced-values.yaml"));

    assertThat(rendered.all(ClusterRole.class)).isEmpty();
    assertThat(rendered.all(ClusterRoleBinding.class)).isEmpty();
    List<PolicyRule> operatorRules = Chart.rules("files/operator-rules.yaml");
    for (String namespace : List.of("team-a", "team-b")) {
      Role role = rendered.one(Role.class, FULLNAME, namespace);
      assertThat(role.getRules()).isEqualTo(operatorRules);
      RoleBinding binding = rendered.one(RoleBinding.class, FULLNAME, namespace);
      assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
      assertThat(binding.getRoleRef().getName()).isEqualTo(FULLNAME);
    }
    assertThat(rendered.all(Role.class))
        .filteredOn(role -> role.getMetadata().getName().startsWith(FULLNAME + "-"))
        .extracting(role -> role.getMetadata().getNamespace())
        .containsExactly(Chart.NAMESPACE);
    assertThat(OperatorConfig.from(operatorEnv(rendered)).watchNamespaces())
        .containsExactlyInAnyOrder("team-a", "team-b");
  }

  @Test
  void theAdmissionPolicyChecksEverySchemaVersionOfTheClusterByDefault() {
    Rendered rendered = render(null);

    ValidatingAdmissionPolicy policy = rendered.one(ValidatingAdmissionPolicy.class, POLICY);
    assertThat(policy.getSpec().getFailurePolicy()).isEqualTo("Fail");
    assertThat(policy.getSpec().getMatchConstraints().getResourceRules())
        .singleElement()
        .satisfies(
            rule -> {
              assertThat(rule.getApiGroups()).containsExactly("schema.jobgtm.io");
              assertThat(rule.getResources()).containsExactly("schemaversions");
              assertThat(rule.getOperations()).containsExactly("CREATE", "UPDATE");
            });
    assertThat(policy.getSpec().getMatchConditions())
        .singleElement()
        .satisfies(
            condition ->
                assertThat(condition.getExpression())
                    .isEqualTo(
                        "request.userInfo.username != 'system:serviceaccount:"
                            + Chart.NAMESPACE
                            + ":"
                            + FULLNAME
                            + "'"));
    // One variable and one validation per Deployment the CRD lets a SchemaVersion gate.
    assertThat(policy.getSpec().getVariables())
        .filteredOn(variable -> variable.getName().matches("unpatchable[0-9]+"))
        .hasSize(GateSpec.MAX_DEPLOYMENTS);
    // And one per ConfigMap of the migration set.
    assertThat(policy.getSpec().getVariables())
        .filteredOn(variable -> variable.getName().matches("unreadableConfigMap[0-9]+"))
        .hasSize(MigrationsSpec.MAX_CONFIG_MAPS);
    assertThat(policy.getSpec().getValidations())
        .hasSize(4 + MigrationsSpec.MAX_CONFIG_MAPS + GateSpec.MAX_DEPLOYMENTS)
        .allSatisfy(validation -> assertThat(validation.getReason()).isEqualTo("Forbidden"))
        .allSatisfy(validation -> assertThat(validation.getMessageExpression()).isNotBlank());
    ValidatingAdmissionPolicyBinding binding =
        rendered.one(ValidatingAdmissionPolicyBinding.class, POLICY);
    assertThat(binding.getSpec().getPolicyName()).isEqualTo(POLICY);
    assertThat(binding.getSpec().getValidationActions()).containsExactly("Deny");
    assertThat(binding.getSpec().getMatchResources()).isNull();
    assertThat(rendered.one(ClusterRole.class, POLICY + ".custom-image").getRules())
        .singleElement()
        .satisfies(rule -> grants(rule, "schemaversions/customimage"));
    assertThat(rendered.one(ClusterRole.class, POLICY + ".job-service-account").getRules())
        .singleElement()
        .satisfies(rule -> grants(rule, "schemaversions/serviceaccount"));
  }

  @Test
  void namespacedModeBindsThePolicyToTheWatchedNamespacesOnly() {
    Rendered rendered = render(Chart.file("ci/namespaced-values.yaml"));

    ValidatingAdmissionPolicyBinding binding =
        rendered.one(ValidatingAdmissionPolicyBinding.class, POLICY);
    assertThat(binding.getSpec().getMatchResources().getNamespaceSelector().getMatchExpressions())
        .singleElement()
        .satisfies(
            expression -> {
              assertThat(expression.getKey()).isEqualTo("kubernetes.io/metadata.name");
              assertThat(expression.getOperator()).isEqualTo("In");
              assertThat(expression.getValues()).containsExactly("team-a", "team-b");
            });
    for (String namespace : List.of("team-a", "team-b")) {
      assertThat(rendered.one(Role.class, POLICY + ".custom-image", namespace).getRules())
          .singleElement()
          .satisfies(rule -> grants(rule, "schemaversions/customimage"));
      assertThat(rendered.one(Role.class, POLICY + ".job-service-account", namespace).getRules())
          .singleElement()
          .satisfies(rule -> grants(rule, "schemaversions/serviceaccount"));
    }
  }

  @Test
  void theSwitchRemovesThePolicyItsBindingAndItsRoles() throws IOException {
    Path values = work.resolve("no-policy.yaml");
    Files.writeString(values, "admissionPolicy:\n  enabled: false\nwatchNamespaces: [team-a]\n");
    Rendered rendered = render(values);

    assertThat(rendered.kinds())
        .doesNotContain("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");
    assertThat(rendered.all(Role.class))
        .extracting(role -> role.getMetadata().getName())
        .noneMatch(name -> name.startsWith(POLICY));
    Rendered clusterWide = render(Chart.file("ci/without-admission-policy-values.yaml"));
    assertThat(clusterWide.kinds())
        .doesNotContain("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");
    assertThat(clusterWide.all(ClusterRole.class))
        .extracting(role -> role.getMetadata().getName())
        .containsExactly(FULLNAME);
  }

  private static void grants(PolicyRule rule, String resource) {
    assertThat(rule.getApiGroups()).containsExactly("schema.jobgtm.io");
    assertThat(rule.getResources()).containsExactly(resource);
    assertThat(rule.getVerbs()).containsExactly("use");
    assertThat(rule.getResourceNames()).isNullOrEmpty();
  }

  @Test
  void twoReplicasElectALeader() {
    Rendered rendered = render(Chart.file("ci/high-availability-values.yaml"));

    assertThat(rendered.one(Deployment.class, FULLNAME).getSpec().getReplicas()).isEqualTo(2);
    OperatorConfig config = OperatorConfig.from(operatorEnv(rendered));
    assertThat(config.leaderElection()).isTrue();
    assertThat(config.leaseName()).isEqualTo("schema-operator-ha");
  }

  @Test
  void serviceMonitorScrapesTheMetricsPortOfTheService() {
    Rendered rendered = render(Chart.file("ci/service-monitor-values.yaml"));

    Service service = rendered.one(Service.class, FULLNAME);
    GenericKubernetesResource monitor = rendered.one(GenericKubernetesResource.class, FULLNAME);
    assertThat(monitor.getKind()).isEqualTo("ServiceMonitor");
    assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
    Map<String, String> selector = monitor.get("spec", "selector", "matchLabels");
    assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(selector);
    List<Map<String, Object>> endpoints = monitor.get("spec", "endpoints");
    assertThat(endpoints)
        .singleElement()
        .satisfies(
            endpoint ->
                assertThat(endpoint)
                    .containsEntry("port", "http")
                    .containsEntry("path", "/metrics")
                    .containsEntry("interval", "15s"));
    assertThat(service.getSpec().getPorts())
        .singleElement()
        .satisfies(port -> assertThat(port.getName()).isEqualTo("http"));
  }

  @Test
  void noServiceMonitorByDefault() {
    assertThat(render(null).kinds()).doesNotContain("ServiceMonitor");
  }

  @Test
  void workflowDatabaseIsASchemaVersionWithAGatedExampleDeployment() {
    Rendered rendered = render(Chart.file("ci/workflow-database-values.yaml"));

    SchemaVersion workflow = rendered.schemaVersion("workflow");
    assertThat(workflow.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
    assertThat(workflow.getSpec().getTargetVersion()).isEqualTo("2");
    assertThat(workflow.getSpec().getDatabase().getName()).isEqualTo("jobgtm");
    assertThat(workflow.getSpec().getDatabase().getSslMode()).isEqualTo(SslMode.VERIFY_FULL);
    assertThat(workflow.getSpec().getDatabase().getSslRootCert().getConfigMapKeyRef())
        .isEqualTo(new ConfigMapKeyRef("db-ca-bundle", "ca.crt"));
    assertThat(workflow.getSpec().getDatabase().getCredentialsSecretRef().getName())
        .isEqualTo("workflow-db-credentials");
    assertThat(workflow.getSpec().getMigrations().getConfigMapRef().getName())
        .isEqualTo("workflow-migrations");
    assertThat(workflow.getSpec().getBaseline().getOnUnversionedSchema())
        .isEqualTo(UnversionedSchemaPolicy.BASELINE);
    assertThat(workflow.getSpec().getBaseline().getVersion()).isEqualTo("1");
    assertThat(workflow.getSpec().getGate().getDeployments()).containsExactly("workflow-worker");

    PodTemplateSpec app = rendered.one(Deployment.class, "workflow-api").getSpec().getTemplate();
    assertThat(app.getSpec().getSchedulingGates())
        .extracting(gate -> gate.getName())
        .containsExactly("schema.jobgtm.io/workflow");
    assertThat(app.getMetadata().getAnnotations())
        .containsEntry("schema.jobgtm.io/min-version", "2");
  }

  @Test
  void workflowDatabaseDefaultsToTheMigrationsBundledInTheImage() throws IOException {
    Path values = work.resolve("workflow-defaults.yaml");
    Files.writeString(values, "workflowDatabase:\n  enabled: true\n");

    Rendered rendered = render(values);

    SchemaVersion workflow = rendered.schemaVersion("workflow");
    assertThat(workflow.getSpec().getMigrations()).isNull();
    assertThat(workflow.getSpec().getDatabase().getName()).isEqualTo("jobgtm");
    assertThat(workflow.getSpec().getGate()).isNull();
    PodTemplateSpec app =
        rendered.one(Deployment.class, "workflow-example").getSpec().getTemplate();
    assertThat(app.getSpec().getSchedulingGates())
        .extracting(gate -> gate.getName())
        .containsExactly("schema.jobgtm.io/workflow");
    assertThat(app.getMetadata().getAnnotations()).isNullOrEmpty();
  }

  @Test
  void customImageResourcesAndPort() {
    Rendered rendered = render(Chart.file("ci/custom-image-values.yaml"));

    Deployment deployment = rendered.one(Deployment.class, FULLNAME);
    Container operator = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(operator.getImage())
        .isEqualTo(
            "registry.example.com/platform/schema-operator@sha256:"
                + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    assertThat(operator.getImagePullPolicy()).isEqualTo("Always");
    assertThat(operator.getResources().getLimits()).containsEntry("memory", new Quantity("512Mi"));
    Map<String, String> env = operatorEnv(rendered);
    assertThat(env.get("JAVA_TOOL_OPTIONS"))
        .endsWith("-XX:+ExitOnOutOfMemoryError -Dorg.slf4j.simpleLogger.defaultLogLevel=debug");
    OperatorConfig config = OperatorConfig.from(env);
    assertThat(config.migratorImage())
        .isEqualTo("registry.example.com/platform/schema-operator:" + ProjectVersion.release());
    assertThat(config.shadowImage()).isEqualTo("registry.example.com/mirror/postgres:17");
    assertThat(config.httpPort()).isEqualTo(9090);
    assertThat(rendered.one(Service.class, FULLNAME).getSpec().getPorts().get(0).getPort())
        .isEqualTo(9090);
    assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("schema-operator");
    assertThat(deployment.getSpec().getTemplate().getSpec().getImagePullSecrets())
        .extracting(secret -> secret.getName())
        .containsExactly("registry-credentials");
  }

  @Test
  void theRealChartRefusesKubernetesOlderThan131() {
    // helm-java renders for a built-in v1.20.0; the constraint must stop it.
    assertThatThrownBy(() -> Chart.template(Chart.directory(), null))
        .hasMessageContaining(
            "chart requires kubeVersion: >=1.31.0-0 which is incompatible with Kubernetes v1.20.0");
  }

  static Stream<Arguments> badValues() throws IOException {
    try (Stream<Path> files = Files.list(BAD_VALUES)) {
      List<Path> sorted = files.sorted().toList();
      return sorted.stream().map(file -> Arguments.of(file.getFileName().toString(), file));
    }
  }

  /** The values schema checks names and keys with the CRD's own patterns, so both refuse alike. */
  @Test
  void theValuesSchemaUsesTheCrdsPatterns() throws IOException {
    JsonNode definitions =
        new ObjectMapper().readTree(Chart.file("values.schema.json").toFile()).get("definitions");

    assertThat(definitions.at("/secretKey/pattern").asText())
        .isEqualTo(KubernetesNames.SECRET_KEY_PATTERN);
    assertThat(definitions.at("/secretKey/maxLength").asInt())
        .isEqualTo(KubernetesNames.DNS1123_SUBDOMAIN_MAX_LENGTH);
    JsonNode host =
        new ObjectMapper()
            .readTree(Chart.file("values.schema.json").toFile())
            .at("/properties/workflowDatabase/properties/database/properties/host");
    assertThat(host.get("pattern").asText()).isEqualTo(DatabaseHost.PATTERN);
    assertThat(host.get("maxLength").asInt()).isEqualTo(DatabaseHost.MAX_LENGTH);
    JsonNode shadowImage =
        new ObjectMapper()
            .readTree(Chart.file("values.schema.json").toFile())
            .at("/properties/shadow/properties/image");
    assertThat(shadowImage.get("pattern").asText()).isEqualTo(MigrationImage.REFERENCE_PATTERN);
    assertThat(shadowImage.get("maxLength").asInt()).isEqualTo(MigrationImage.MAX_REFERENCE_LENGTH);
  }

  @Test
  void atLeastTenBadValuesFiles() throws IOException {
    assertThat(badValues().count()).isGreaterThanOrEqualTo(10);
  }

  /** Each file starts with {@code # expect: <message>}, the message Helm must give. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("badValues")
  void refusesBadValuesNamingTheValue(String name, Path values) throws IOException {
    String firstLine = Files.readAllLines(values).get(0);
    assertThat(firstLine).startsWith("# expect: ");
    String expected = firstLine.substring("# expect: ".length());

    Path chart = Chart.renderableCopy(work, null);
    assertThatThrownBy(() -> Chart.template(chart, values)).hasMessageContaining(expected);
  }

  @Test
  void refusesTheWorkflowDatabaseOutsideTheWatchedNamespaces() throws IOException {
    Path values = work.resolve("workflow-unwatched.yaml");
    Files.writeString(values, "watchNamespaces: [team-a]\nworkflowDatabase:\n  enabled: true\n");

    assertThatThrownBy(() -> render(values))
        .hasMessageContaining(
            "workflowDatabase.enabled installs a SchemaVersion in the release namespace"
                + " \"schema-system\", which watchNamespaces [team-a] does not include");
  }

  private static void leastPrivilege(PolicyRule rule) {
    assertThat(rule.getResources())
        .doesNotContain("secrets", "*")
        .noneMatch(resource -> resource.startsWith("secrets/"));
    assertThat(rule.getVerbs()).doesNotContain("*", "escalate", "bind", "impersonate");
    assertThat(rule.getApiGroups()).doesNotContain("*");
    assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
  }

  /** The "restricted" Pod Security Standard, as the admission plugin checks it. */
  private static void restricted(PodTemplateSpec template) {
    PodSpec pod = template.getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostIPC()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getVolumes() == null ? List.of() : pod.getVolumes())
        .allSatisfy(volume -> assertThat(volume.getHostPath()).isNull());
    for (Container container : pod.getContainers()) {
      SecurityContext security = container.getSecurityContext();
      assertThat(security.getAllowPrivilegeEscalation()).isFalse();
      assertThat(security.getPrivileged()).isNotEqualTo(Boolean.TRUE);
      assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
      assertThat(security.getReadOnlyRootFilesystem()).isTrue();
      assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      assertThat(container.getPorts() == null ? List.of() : container.getPorts())
          .allSatisfy(port -> assertThat(port.getHostPort()).isNull());
    }
  }

  private static Map<String, String> operatorEnv(Rendered rendered) {
    return rendered
        .one(Deployment.class, FULLNAME)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getEnv()
        .stream()
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  private static Rendered render(Path values) {
    Path chart = Chart.renderableCopy(work, null);
    return new Rendered(Chart.objects(Chart.template(chart, values)));
  }

  /** What {@code helm template} produced. */
  record Rendered(List<HasMetadata> objects) {

    <T extends HasMetadata> List<T> all(Class<T> type) {
      return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type, String name) {
      return one(type, name, null);
    }

    <T extends HasMetadata> T one(Class<T> type, String name, String namespace) {
      List<T> matches =
          all(type).stream()
              .filter(o -> o.getMetadata().getName().equals(name))
              .filter(o -> namespace == null || namespace.equals(o.getMetadata().getNamespace()))
              .toList();
      assertThat(matches)
          .as("%s %s in %s among %s", type.getSimpleName(), name, namespace, names())
          .hasSize(1);
      return matches.get(0);
    }

    /** The SchemaVersion of that name, whichever class fabric8 read it into. */
    SchemaVersion schemaVersion(String name) {
      List<HasMetadata> matches =
          objects.stream()
              .filter(o -> o.getKind().equals("SchemaVersion"))
              .filter(o -> o.getMetadata().getName().equals(name))
              .toList();
      assertThat(matches).as("SchemaVersion %s among %s", name, names()).hasSize(1);
      return Serialization.unmarshal(Serialization.asYaml(matches.get(0)), SchemaVersion.class);
    }

    Set<String> kinds() {
      return objects.stream().map(HasMetadata::getKind).collect(Collectors.toSet());
    }

    private List<String> names() {
      Function<HasMetadata, String> name =
          o -> o.getKind() + " " + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
      return objects.stream().map(name).toList();
    }
  }
}
