package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.ConfigMapRef;
import io.jobgtm.schema.api.GateSpec;
import io.jobgtm.schema.api.MigrationImage;
import io.jobgtm.schema.api.MigrationJobSpec;
import io.jobgtm.schema.api.MigrationsSpec;
import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SecretKeyRef;
import io.jobgtm.schema.api.ShadowSpec;
import io.jobgtm.schema.api.SslMode;
import io.jobgtm.schema.api.SslRootCertSpec;
import io.jobgtm.schema.operator.runtime.OperatorConfig;
import io.jobgtm.schema.operator.runtime.OperatorMain;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.LocalCluster;
import io.jobgtm.schema.testing.LocalClusterExtension;
import io.jobgtm.schema.testing.PostgresServer;
import io.jobgtm.schema.testing.RequestCounter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's ValidatingAdmissionPolicy on the local control plane, installed with {@code helm
 * install} in namespaced mode: a ServiceAccount that may create SchemaVersions but not get a
 * Secret, use a custom image, run the Job as another ServiceAccount or patch a Deployment is
 * refused each until granted, with the exact message {@code kubectl apply} shows; changes are
 * checked again where they change; and with the policy on, the operator (as the chart's
 * ServiceAccount) still adds its finalizer, writes status, migrates and lets the resource go.
 *
 * <p>Refusals and acceptances before the last test are server-side dry runs: admission runs in
 * full, nothing is stored.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdmissionPolicyE2E {

  @RegisterExtension
  static final LocalClusterExtension CLUSTER = MigratorImage.localCluster(RunningOperator.IMAGE);

  private static final String RELEASE = "guard";
  private static final String SYSTEM = "policy-system";
  private static final String APPS = "policy-apps";
  private static final String ELSEWHERE = "policy-elsewhere";
  private static final String POLICY = RELEASE + "-schema-operator." + SYSTEM;
  private static final String OPERATOR_SERVICE_ACCOUNT = RELEASE + "-schema-operator";
  private static final String AUTHOR = "author";
  private static final String AUTHOR_NAME = "system:serviceaccount:" + APPS + ":" + AUTHOR;
  private static final String OWN_SECRET = "own-db";
  private static final String OTHER_SECRET = "other-db";
  private static final String MIGRATIONS = "migrations";

  /** A hang guard, never an expectation of speed. */
  private static final Duration PATIENCE = Duration.ofMinutes(3);

  @TempDir static Path work;

  private static LocalCluster cluster;
  private static KubernetesClient admin;
  private static PostgresServer postgres;
  private static PolicyAuthors authors;
  private static KubernetesClient author;
  private static OperatorMain operator;

  @BeforeAll
  static void installTheChart(LocalCluster localCluster) throws IOException {
    cluster = localCluster;
    admin = cluster.client();
    postgres = PostgresServer.shared();
    Manifests.installCrd(admin);
    for (String namespace : List.of(SYSTEM, APPS, ELSEWHERE)) {
      Manifests.restrictedNamespace(admin, namespace);
    }
    for (String namespace : List.of(APPS, ELSEWHERE)) {
      for (String name : List.of(OWN_SECRET, OTHER_SECRET)) {
        admin.secrets().inNamespace(namespace).resource(credentials(name)).serverSideApply();
      }
      admin
          .configMaps()
          .inNamespace(namespace)
          .resource(Manifests.migrationsConfigMap(MIGRATIONS))
          .serverSideApply();
    }
    authors = PolicyAuthors.installChart(cluster, work, RELEASE, SYSTEM, APPS);
    // The author may write SchemaVersions, get its own Secret and the migrations, nothing else.
    author = authors.serviceAccountWithRole(APPS, AUTHOR, authorRules());
    await("the admission policy to be in force")
        .atMost(PATIENCE)
        .untilAsserted(
            () -> assertThat(refusal(author, schemaVersion("probe", OTHER_SECRET))).isNotNull());
  }

  @AfterAll
  static void uninstall() {
    if (operator != null) {
      operator.close();
    }
    if (authors != null) {
      PolicyAuthors.uninstall(cluster, RELEASE, SYSTEM);
    }
  }

  /** The API server type-checks every expression against the CRD's schema: no warnings. */
  @Test
  @Order(0)
  void everyExpressionTypeChecksAgainstTheCrd() {
    await("the policy to be type-checked")
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              ValidatingAdmissionPolicy policy =
                  admin
                      .admissionRegistration()
                      .v1()
                      .validatingAdmissionPolicies()
                      .withName(POLICY)
                      .get();
              assertThat(policy.getStatus()).isNotNull();
              assertThat(policy.getStatus().getObservedGeneration())
                  .isEqualTo(policy.getMetadata().getGeneration());
              assertThat(policy.getStatus().getTypeChecking()).isNotNull();
              assertThat(policy.getStatus().getTypeChecking().getExpressionWarnings()).isEmpty();
            });
  }

  @Test
  @Order(1)
  void aSecretTheAuthorMayNotGetIsRefusedItsOwnIsAllowed() {
    assertThat(refusal(author, schemaVersion("ledger", OTHER_SECRET)))
        .isEqualTo(
            "spec.database.credentialsSecretRef: "
                + AUTHOR_NAME
                + " may not get Secret \"other-db\" in namespace "
                + APPS
                + "; the migration Job receives this Secret, so a SchemaVersion may only name a"
                + " Secret its author may get");
    assertAdmitted(author, schemaVersion("ledger", OWN_SECRET));
  }

  @Test
  @Order(2)
  void aCaCertificateTheAuthorMayNotGetIsRefused() {
    assertThat(refusal(author, verifyFull(schemaVersion("ledger", OWN_SECRET), OTHER_SECRET)))
        .isEqualTo(
            "spec.database.sslRootCert: "
                + AUTHOR_NAME
                + " may not get Secret \"other-db\" in namespace "
                + APPS
                + "; the migration Job mounts it, so a SchemaVersion may only name one its author"
                + " may get");
    assertAdmitted(author, verifyFull(schemaVersion("ledger", OWN_SECRET), OWN_SECRET));
  }

  @Test
  @Order(3)
  void everyConfigMapOfSeveralIsCheckedAndTheFirstTheAuthorMayNotGetIsNamed() {
    SchemaVersion split = schemaVersion("ledger", OWN_SECRET);
    split.getSpec().getMigrations().setConfigMapRef(null);
    split
        .getSpec()
        .getMigrations()
        .setConfigMapRefs(List.of(new ConfigMapRef(MIGRATIONS), new ConfigMapRef("ledger-data")));

    assertThat(refusal(author, split))
        .isEqualTo(
            "spec.migrations.configMapRefs: "
                + AUTHOR_NAME
                + " may not get ConfigMap \"ledger-data\" in namespace "
                + APPS
                + "; the migration Job runs its scripts, so a SchemaVersion may only name one its"
                + " author may get");

    authors.grant(APPS, AUTHOR, "get-ledger-data", getConfigMaps("ledger-data"));

    await("the ConfigMap grant to take effect")
        .atMost(PATIENCE)
        .untilAsserted(() -> assertAdmitted(author, split));
  }

  @Test
  @Order(4)
  void aCustomImageOrPodMetadataIsRefusedUntilGranted() {
    SchemaVersion custom = schemaVersion("ledger", OWN_SECRET);
    custom.getSpec().setJob(new MigrationJobSpec());
    custom.getSpec().getJob().setImage("registry.example.com/team/migrator:1.0");
    custom.getSpec().getJob().setPodAnnotations(Map.of("vault.hashicorp.com/agent-inject", "true"));
    String expected =
        "spec.job.image, spec.job.podAnnotations: "
            + AUTHOR_NAME
            + " may not set a custom image or pod metadata of migration Jobs in namespace "
            + APPS
            + "; that needs verb \"use\" on \"schemaversions/customimage\" in API group"
            + " \"schema.jobgtm.io\" (the chart's role "
            + POLICY
            + ".custom-image)";
    assertThat(refusal(author, custom)).isEqualTo(expected);
    SchemaVersion migrationsImage = schemaVersion("ledger", OWN_SECRET);
    migrationsImage.getSpec().getMigrations().setConfigMapRef(null);
    MigrationImage image = new MigrationImage();
    image.setReference("registry.example.com/team/migrations:1.0");
    migrationsImage.getSpec().getMigrations().setImage(image);
    assertThat(refusal(author, migrationsImage)).startsWith("spec.migrations.image: ");
    // The shadow image: the chart's own needs no grant, whether left unset or named; another does.
    SchemaVersion chartsShadow = schemaVersion("ledger", OWN_SECRET);
    chartsShadow.getSpec().getShadow().setImage(ShadowSpec.DEFAULT_IMAGE);
    assertAdmitted(author, chartsShadow);
    assertAdmitted(author, schemaVersion("ledger", OWN_SECRET));
    SchemaVersion otherShadow = schemaVersion("ledger", OWN_SECRET);
    otherShadow.getSpec().getShadow().setImage("registry.example.com/team/postgres:17");
    assertThat(refusal(author, otherShadow))
        .isEqualTo(
            "spec.shadow.image: "
                + AUTHOR_NAME
                + " may not set a custom image or pod metadata of migration Jobs in namespace "
                + APPS
                + "; that needs verb \"use\" on \"schemaversions/customimage\" in API group"
                + " \"schema.jobgtm.io\" (the chart's role "
                + POLICY
                + ".custom-image)");

    authors.bind(APPS, AUTHOR, POLICY + ".custom-image");

    await("the custom-image grant to take effect")
        .atMost(PATIENCE)
        .untilAsserted(() -> assertAdmitted(author, custom));
    assertAdmitted(author, migrationsImage);
    assertAdmitted(author, otherShadow);
  }

  @Test
  @Order(5)
  void anotherServiceAccountIsRefusedUntilGrantedByName() {
    SchemaVersion asMigrator = schemaVersion("ledger", OWN_SECRET);
    asMigrator.getSpec().setJob(new MigrationJobSpec());
    asMigrator.getSpec().getJob().setServiceAccountName("migrator");
    assertThat(refusal(author, asMigrator))
        .isEqualTo(
            "spec.job.serviceAccountName: "
                + AUTHOR_NAME
                + " may not run migration Jobs as ServiceAccount \"migrator\" in namespace "
                + APPS
                + "; that needs verb \"use\" on \"schemaversions/serviceaccount\" named"
                + " \"migrator\" in API group \"schema.jobgtm.io\" (the chart's role "
                + POLICY
                + ".job-service-account)");

    // The chart's role allows every ServiceAccount; a Role of one's own can name some.
    authors.grant(
        APPS,
        AUTHOR,
        "use-migrator",
        new PolicyRuleBuilder()
            .withApiGroups("schema.jobgtm.io")
            .withResources("schemaversions/serviceaccount")
            .withVerbs("use")
            .withResourceNames("migrator")
            .build());

    await("the service-account grant to take effect")
        .atMost(PATIENCE)
        .untilAsserted(() -> assertAdmitted(author, asMigrator));
    SchemaVersion asDeployer = schemaVersion("ledger", OWN_SECRET);
    asDeployer.getSpec().setJob(new MigrationJobSpec());
    asDeployer.getSpec().getJob().setServiceAccountName("deployer");
    assertThat(refusal(author, asDeployer))
        .startsWith(
            "spec.job.serviceAccountName: "
                + AUTHOR_NAME
                + " may not run migration Jobs as ServiceAccount \"deployer\"");
  }

  @Test
  @Order(6)
  void aDeploymentTheAuthorMayNotPatchIsRefusedUntilGranted() {
    SchemaVersion gating = schemaVersion("ledger", OWN_SECRET);
    gating.getSpec().setGate(new GateSpec());
    gating.getSpec().getGate().setDeployments(List.of("web", "api"));
    String refused = "spec.gate.deployments: " + AUTHOR_NAME + " may not patch Deployment ";
    String because =
        " in namespace "
            + APPS
            + "; the operator adds a scheduling gate to the pod templates of the Deployments it"
            + " gates, so a SchemaVersion may only gate Deployments its author may patch";
    // The API server shows the first refusal only: the first Deployment the author may not patch.
    assertThat(refusal(author, gating)).isEqualTo(refused + "\"web\"" + because);

    authors.grant(APPS, AUTHOR, "patch-web", patchDeployments("web"));

    await("the patch grant to take effect")
        .atMost(PATIENCE)
        .untilAsserted(
            () -> assertThat(refusal(author, gating)).isEqualTo(refused + "\"api\"" + because));
    authors.grant(APPS, AUTHOR, "patch-api", patchDeployments("api"));
    await("the second patch grant to take effect")
        .atMost(PATIENCE)
        .untilAsserted(() -> assertAdmitted(author, gating));
  }

  /**
   * Every check at once, with as many gated Deployments and migration ConfigMaps as the CRD allows:
   * within the API server's budget of authorization checks per request (all 28 of it), and the last
   * Deployment is checked too.
   */
  @Test
  @Order(7)
  void theLargestSchemaVersionIsCheckedInFull() {
    List<String> deployments =
        IntStream.rangeClosed(1, GateSpec.MAX_DEPLOYMENTS).mapToObj(i -> "app-" + i).toList();
    authors.grant(
        APPS,
        AUTHOR,
        "patch-apps-but-the-last",
        patchDeployments(deployments.subList(0, deployments.size() - 1).toArray(String[]::new)));
    SchemaVersion largest = verifyFull(schemaVersion("ledger", OWN_SECRET), OWN_SECRET);
    largest.getSpec().setJob(new MigrationJobSpec());
    largest.getSpec().getJob().setImage("registry.example.com/team/migrator:1.0");
    largest.getSpec().getJob().setPodLabels(Map.of("team", "ledger"));
    largest.getSpec().getJob().setServiceAccountName("migrator");
    largest.getSpec().getShadow().setImage("registry.example.com/team/postgres:17");
    largest.getSpec().setGate(new GateSpec());
    largest.getSpec().getGate().setDeployments(deployments);
    List<String> configMaps =
        IntStream.rangeClosed(1, MigrationsSpec.MAX_CONFIG_MAPS)
            .mapToObj(i -> i == 1 ? MIGRATIONS : "ledger-part-" + i)
            .toList();
    authors.grant(
        APPS,
        AUTHOR,
        "get-ledger-parts",
        getConfigMaps(configMaps.subList(1, configMaps.size()).toArray(String[]::new)));
    largest.getSpec().getMigrations().setConfigMapRef(null);
    largest
        .getSpec()
        .getMigrations()
        .setConfigMapRefs(configMaps.stream().map(ConfigMapRef::new).toList());

    await("the grant of all Deployments but the last to take effect")
        .atMost(PATIENCE)
        .untilAsserted(
            () ->
                assertThat(refusal(author, largest))
                    .startsWith(
                        "spec.gate.deployments: "
                            + AUTHOR_NAME
                            + " may not patch Deployment \"app-"
                            + GateSpec.MAX_DEPLOYMENTS
                            + "\" in namespace"));
    authors.grant(APPS, AUTHOR, "patch-the-last-app", patchDeployments(deployments.get(19)));
    await("the last grant to take effect")
        .atMost(PATIENCE)
        .untilAsserted(() -> assertAdmitted(author, largest));
  }

  /**
   * A bot that may only update SchemaVersions (say, to raise targetVersion) is not refused for what
   * others set, but sending the Secret elsewhere is checked again: host, Secret, image.
   */
  @Test
  @Order(8)
  void anUpdateIsCheckedWhereItChangesWhatTheJobGets() {
    admin.resources(SchemaVersion.class).inNamespace(APPS).resource(stored("bumped")).create();
    KubernetesClient bumper =
        authors.serviceAccountWithRole(
            APPS,
            "bumper",
            List.of(
                new PolicyRuleBuilder()
                    .withApiGroups("schema.jobgtm.io")
                    .withResources("schemaversions")
                    .withVerbs("get", "update", "patch")
                    .build()));

    assertThatCode(
            () ->
                bumper
                    .resources(SchemaVersion.class)
                    .inNamespace(APPS)
                    .withName("bumped")
                    .edit(resource -> withTarget(resource, "1")))
        .doesNotThrowAnyException();

    String secretRefused =
        "spec.database.credentialsSecretRef: system:serviceaccount:"
            + APPS
            + ":bumper may not get Secret \"own-db\" in namespace "
            + APPS;
    assertThat(
            updateRefusal(
                bumper, "bumped", resource -> resource.getSpec().getDatabase().setHost("evil")))
        .startsWith(secretRefused);
    assertThat(
            updateRefusal(
                bumper,
                "bumped",
                resource ->
                    resource
                        .getSpec()
                        .getDatabase()
                        .getCredentialsSecretRef()
                        .setName(OTHER_SECRET)))
        .startsWith(
            "spec.database.credentialsSecretRef: system:serviceaccount:"
                + APPS
                + ":bumper may not get Secret \"other-db\"");
    assertThat(
            updateRefusal(
                bumper,
                "bumped",
                resource -> {
                  resource.getSpec().setJob(new MigrationJobSpec());
                  resource.getSpec().getJob().setImage("registry.example.com/evil:1");
                }))
        .startsWith(secretRefused);
    assertThat(
            updateRefusal(
                bumper,
                "bumped",
                resource -> resource.getSpec().getShadow().setImage("registry.example.com/evil:1")))
        .startsWith(secretRefused);
    // Other ConfigMaps, or other placeholder values, change the SQL run as the Secret's user.
    assertThat(
            updateRefusal(
                bumper,
                "bumped",
                resource -> {
                  resource.getSpec().getMigrations().setConfigMapRef(null);
                  resource
                      .getSpec()
                      .getMigrations()
                      .setConfigMapRefs(
                          List.of(new ConfigMapRef(MIGRATIONS), new ConfigMapRef("ledger-data")));
                }))
        .startsWith(secretRefused);
    assertThat(
            updateRefusal(
                bumper,
                "bumped",
                resource ->
                    resource.getSpec().getMigrations().setPlaceholders(Map.of("owner", "evil"))))
        .startsWith(secretRefused);
    assertThat(
            admin
                .resources(SchemaVersion.class)
                .inNamespace(APPS)
                .withName("bumped")
                .get()
                .getSpec()
                .getDatabase()
                .getHost())
        .isEqualTo("127.0.0.1");
    admin.resources(SchemaVersion.class).inNamespace(APPS).withName("bumped").delete();
  }

  @Test
  @Order(9)
  void outsideTheWatchedNamespacesThePolicyIsNotBound() {
    KubernetesClient elsewhere =
        authors.serviceAccountWithRole(
            ELSEWHERE,
            AUTHOR,
            List.of(
                new PolicyRuleBuilder()
                    .withApiGroups("schema.jobgtm.io")
                    .withResources("schemaversions")
                    .withVerbs("create")
                    .build()));

    await("the grant to take effect")
        .atMost(PATIENCE)
        .untilAsserted(
            () -> assertAdmitted(elsewhere, ELSEWHERE, schemaVersion("ledger", OTHER_SECRET)));
  }

  /**
   * The operator, as the chart's ServiceAccount with the chart's Role, adds its finalizer, writes
   * status, migrates and removes the finalizer of a resource the author created, policy on.
   */
  @Test
  @Order(10)
  void withThePolicyOnTheOperatorMigratesAndLetsGo() {
    operator =
        OperatorMain.start(
            RunningOperator.serviceAccountClient(
                admin,
                cluster.apiServer().kubeconfigYaml(),
                SYSTEM,
                OPERATOR_SERVICE_ACCOUNT,
                new RequestCounter()),
            OperatorConfig.from(
                Map.of(
                    "SCHEMA_OPERATOR_MIGRATOR_IMAGE",
                    RunningOperator.IMAGE,
                    "SCHEMA_OPERATOR_WATCH_NAMESPACES",
                    APPS,
                    "SCHEMA_OPERATOR_HTTP_PORT",
                    "0",
                    "SCHEMA_OPERATOR_LEADER_ELECTION",
                    "false")));
    SchemaVersion ledger = stored("ledger");

    author.resources(SchemaVersion.class).inNamespace(APPS).resource(ledger).create();

    SchemaVersions.awaitCondition(
        admin, APPS, "ledger", Conditions.READY, Reasons.MIGRATED, PATIENCE);
    SchemaVersion migrated = SchemaVersions.get(admin, APPS, "ledger");
    assertThat(migrated.getMetadata().getFinalizers()).isNotEmpty();
    assertThat(migrated.getStatus().getCurrentVersion()).isEqualTo("2");
    String database = ledger.getSpec().getDatabase().getName();
    assertThat(Catalog.tables(postgres, database, "public"))
        .contains("job_listings", "workflow_runs");
    assertThat(Catalog.history(postgres, database, "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");

    author.resources(SchemaVersion.class).inNamespace(APPS).withName("ledger").delete();

    await("the SchemaVersion to be gone")
        .atMost(PATIENCE)
        .until(() -> SchemaVersions.get(admin, APPS, "ledger") == null);
    assertThat(Catalog.history(postgres, database, "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
  }

  private static SchemaVersion schemaVersion(String name, String secret) {
    SchemaVersion resource =
        SchemaVersions.example(name, postgres, "policy_" + name, "public", MIGRATIONS, "latest");
    resource.getSpec().getDatabase().getCredentialsSecretRef().setName(secret);
    return resource;
  }

  /** The resource with verify-full against the CA certificates of that Secret's key ca.crt. */
  private static SchemaVersion verifyFull(SchemaVersion resource, String caSecret) {
    SslRootCertSpec rootCert = new SslRootCertSpec();
    rootCert.setSecretKeyRef(new SecretKeyRef(caSecret, "ca.crt"));
    resource.getSpec().getDatabase().setSslMode(SslMode.VERIFY_FULL);
    resource.getSpec().getDatabase().setSslRootCert(rootCert);
    return resource;
  }

  /** A resource that migrates for real: its own database, the author's Secret. */
  private static SchemaVersion stored(String name) {
    postgres.createDatabase("policy_" + name);
    return schemaVersion(name, OWN_SECRET);
  }

  private static SchemaVersion withTarget(SchemaVersion resource, String target) {
    resource.getSpec().setTargetVersion(target);
    return resource;
  }

  private static Secret credentials(String name) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withStringData(
            Map.of("username", PostgresServer.SUPERUSER, "password", postgres.password()))
        .build();
  }

  /** The message of the policy's refusal of a dry-run create, or null when it was admitted. */
  private static String refusal(KubernetesClient client, SchemaVersion resource) {
    return refusal(client, APPS, resource);
  }

  private static String refusal(KubernetesClient client, String namespace, SchemaVersion resource) {
    return authors.refusal(
        () ->
            client
                .resources(SchemaVersion.class)
                .inNamespace(namespace)
                .resource(resource)
                .dryRun()
                .create());
  }

  private static String updateRefusal(
      KubernetesClient client, String name, Consumer<SchemaVersion> change) {
    String refused =
        authors.refusal(
            () ->
                client
                    .resources(SchemaVersion.class)
                    .inNamespace(APPS)
                    .withName(name)
                    .edit(
                        resource -> {
                          change.accept(resource);
                          return resource;
                        }));
    assertThat(refused).as("the refusal of the update of %s", name).isNotNull();
    return refused;
  }

  private static void assertAdmitted(KubernetesClient client, SchemaVersion resource) {
    assertAdmitted(client, APPS, resource);
  }

  private static void assertAdmitted(
      KubernetesClient client, String namespace, SchemaVersion resource) {
    assertThat(refusal(client, namespace, resource)).isNull();
  }

  private static List<PolicyRule> authorRules() {
    List<PolicyRule> rules = new ArrayList<>();
    rules.add(
        new PolicyRuleBuilder()
            .withApiGroups("schema.jobgtm.io")
            .withResources("schemaversions")
            .withVerbs("create", "get", "list", "watch", "update", "patch", "delete")
            .build());
    rules.add(
        new PolicyRuleBuilder()
            .withApiGroups("")
            .withResources("secrets")
            .withVerbs("get")
            .withResourceNames(OWN_SECRET)
            .build());
    rules.add(
        new PolicyRuleBuilder()
            .withApiGroups("")
            .withResources("configmaps")
            .withVerbs("get")
            .withResourceNames(MIGRATIONS)
            .build());
    return rules;
  }

  private static PolicyRule getConfigMaps(String... names) {
    return new PolicyRuleBuilder()
        .withApiGroups("")
        .withResources("configmaps")
        .withVerbs("get")
        .withResourceNames(names)
        .build();
  }

  private static PolicyRule patchDeployments(String... names) {
    return new PolicyRuleBuilder()
        .withApiGroups("apps")
        .withResources("deployments")
        .withVerbs("patch")
        .withResourceNames(names)
        .build();
  }
}
