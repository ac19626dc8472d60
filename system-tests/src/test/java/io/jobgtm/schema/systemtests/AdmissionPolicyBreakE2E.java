package io.jobgtm.schema.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jobgtm.schema.api.ConfigMapRef;
import io.jobgtm.schema.api.GateSpec;
import io.jobgtm.schema.api.MigrationImage;
import io.jobgtm.schema.api.MigrationJobSpec;
import io.jobgtm.schema.api.MigrationsSpec;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.testing.LocalCluster;
import io.jobgtm.schema.testing.LocalClusterExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's ValidatingAdmissionPolicy tried the way a platform engineer new to the project, or an
 * attacker, would: SchemaVersions an admin created, then changed by weaker identities through every
 * kind of update (update, JSON patch, merge patch, server-side apply as another field manager), one
 * field at a time. The promise under test: changing a SchemaVersion grants nothing its author does
 * not already have, and a change that touches nothing the migration Job gets (a new target version,
 * timeouts, gates reordered) needs nothing.
 *
 * <p>Every write of a weaker identity is a server-side dry run: admission runs in full, nothing is
 * stored, so each test starts from the resources the admin created. Tests marked "Confirmation."
 * held before any change; those marked "Finding." failed on the policy they were written against.
 */
class AdmissionPolicyBreakE2E {

  @RegisterExtension
  static final LocalClusterExtension CLUSTER = MigratorImage.localCluster(RunningOperator.IMAGE);

  private static final String RELEASE = "breaker";
  private static final String SYSTEM = "break-system";
  private static final String APPS = "break-apps";

  /** A second release, in a namespace of its own, watching a namespace nobody uses. */
  private static final String SECOND_RELEASE = "second";

  private static final String SECOND_SYSTEM = "break-second-system";
  private static final String IDLE = "break-idle";
  private static final String POLICY = RELEASE + "-schema-operator." + SYSTEM;

  /** The team's database credentials; the admin's resources use them. */
  private static final String TEAM_SECRET = "team.db-credentials";

  private static final String TEAM_PASSWORD = "s3cr3t-team-password";
  private static final String TEAM_SCRIPTS = "migrations";
  private static final String OTHER_SCRIPTS = "their-scripts";

  /** A ServiceAccount whose identity is worth something: a workload identity, a Vault role. */
  private static final String PRIVILEGED = "privileged";

  private static final String CUSTOM_IMAGE = "registry.example.com/platform/migrator-vault:2.0";
  private static final Map<String, String> VAULT =
      Map.of(
          "vault.hashicorp.com/agent-inject", "true",
          "vault.hashicorp.com/role", "payments-db");

  /** A hang guard, never an expectation of speed. */
  private static final Duration PATIENCE = Duration.ofMinutes(3);

  @TempDir static Path work;

  private static LocalCluster cluster;
  private static KubernetesClient admin;

  /** May update SchemaVersions, and nothing else. */
  private static PolicyAuthors authors;

  private static KubernetesClient bumper;

  /** May update SchemaVersions and get the team's Secret and migrations ConfigMap. */
  private static KubernetesClient mover;

  /** Like the mover, plus the chart's custom-image role. */
  private static KubernetesClient imager;

  /** Like the mover, plus use of ServiceAccount {@value #PRIVILEGED} for migration Jobs. */
  private static KubernetesClient switcher;

  /** May update SchemaVersions and get a ConfigMap of its own; not the team's Secret. */
  private static KubernetesClient scripter;

  @BeforeAll
  static void installTheChartAndTheAdminsResources(LocalCluster localCluster) throws IOException {
    cluster = localCluster;
    admin = cluster.client();
    Manifests.installCrd(admin);
    for (String namespace : List.of(SYSTEM, APPS, IDLE)) {
      Manifests.restrictedNamespace(admin, namespace);
    }
    admin
        .secrets()
        .inNamespace(APPS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(TEAM_SECRET)
                .endMetadata()
                .withStringData(Map.of("username", "payments", "password", TEAM_PASSWORD))
                .build())
        .serverSideApply();
    for (String name : List.of(TEAM_SCRIPTS, OTHER_SCRIPTS)) {
      admin
          .configMaps()
          .inNamespace(APPS)
          .resource(Manifests.migrationsConfigMap(name))
          .serverSideApply();
    }
    authors = PolicyAuthors.installChart(cluster, work, RELEASE, SYSTEM, APPS);

    PolicyRule updateSchemaVersions =
        new PolicyRuleBuilder()
            .withApiGroups("schema.jobgtm.io")
            .withResources("schemaversions")
            .withVerbs("get", "list", "update", "patch")
            .build();
    PolicyRule getTeamSecret = get("secrets", TEAM_SECRET);
    PolicyRule getTeamScripts = get("configmaps", TEAM_SCRIPTS);
    bumper = serviceAccountWithRole("bumper", updateSchemaVersions);
    mover = serviceAccountWithRole("mover", updateSchemaVersions, getTeamSecret, getTeamScripts);
    imager = serviceAccountWithRole("imager", updateSchemaVersions, getTeamSecret, getTeamScripts);
    bind("imager", POLICY + ".custom-image");
    switcher =
        serviceAccountWithRole(
            "switcher",
            updateSchemaVersions,
            getTeamSecret,
            getTeamScripts,
            new PolicyRuleBuilder()
                .withApiGroups("schema.jobgtm.io")
                .withResources("schemaversions/serviceaccount")
                .withVerbs("use")
                .withResourceNames(PRIVILEGED)
                .build());
    scripter =
        serviceAccountWithRole("scripter", updateSchemaVersions, get("configmaps", OTHER_SCRIPTS));

    // Created by the admin, who may do everything the policy asks for.
    create(schemaVersion("plain"));
    create(runsAsPrivileged(schemaVersion("privileged-job")));
    create(withCustomPod(schemaVersion("custom-pod")));
    create(withCustomPod(runsAsPrivileged(schemaVersion("everything"))));
    SchemaVersion fromImage = schemaVersion("from-image");
    fromImage.getSpec().setMigrations(new MigrationsSpec());
    MigrationImage image = new MigrationImage();
    image.setReference("registry.example.com/platform/payments-migrations:7");
    fromImage.getSpec().getMigrations().setImage(image);
    create(fromImage);
    SchemaVersion gated = schemaVersion("gated");
    gated.getSpec().setGate(new GateSpec());
    gated.getSpec().getGate().setDeployments(List.of("web", "api.v2", "worker"));
    create(gated);

    await("the grants to take effect")
        .atMost(PATIENCE)
        .untilAsserted(
            () -> {
              assertAllowed("mover", "", "secrets", "", TEAM_SECRET, "get");
              assertAllowed(
                  "imager", "schema.jobgtm.io", "schemaversions", "customimage", "", "use");
              assertAllowed(
                  "switcher",
                  "schema.jobgtm.io",
                  "schemaversions",
                  "serviceaccount",
                  PRIVILEGED,
                  "use");
              assertAllowed("scripter", "", "configmaps", "", OTHER_SCRIPTS, "get");
              assertAllowed("bumper", "schema.jobgtm.io", "schemaversions", "", "plain", "update");
            });
    await("the admission policy to be in force")
        .atMost(PATIENCE)
        .untilAsserted(
            () -> assertThat(updateRefusal(bumper, "plain", moveTo("evil.example"))).isNotNull());
  }

  @AfterAll
  static void uninstall() {
    if (authors != null) {
      PolicyAuthors.uninstall(cluster, RELEASE, SYSTEM);
    }
  }

  /**
   * Finding. A user granted custom images, but not ServiceAccounts, could set an image of their own
   * on a SchemaVersion whose Job an admin set to run as a privileged ServiceAccount: the policy
   * checked the ServiceAccount only when it changed, so their image ran with that ServiceAccount's
   * workload identity.
   */
  @Test
  void aCustomImageOnAJobThatRunsAsAnotherServiceAccountNeedsThatServiceAccountToo() {
    assertThat(
            updateRefusal(
                imager,
                "privileged-job",
                resource -> resource.getSpec().getJob().setImage(CUSTOM_IMAGE)))
        .isEqualTo(serviceAccountRefused("imager"));
    assertThat(
            updateRefusal(
                imager,
                "privileged-job",
                resource -> resource.getSpec().getJob().setPodAnnotations(VAULT)))
        .isEqualTo(serviceAccountRefused("imager"));
  }

  /**
   * Finding. A user allowed to run migration Jobs as a ServiceAccount, but not to set custom images
   * or pod metadata, could move a SchemaVersion whose admin had set a custom image and injector
   * annotations onto that ServiceAccount: the policy checked the custom image only when it changed,
   * so the injector fetched that ServiceAccount's secrets into a pod someone else configured.
   */
  @Test
  void anotherServiceAccountForACustomPodNeedsTheCustomImageGrantToo() {
    assertThat(
            updateRefusal(
                switcher,
                "custom-pod",
                resource -> resource.getSpec().getJob().setServiceAccountName(PRIVILEGED)))
        .isEqualTo(customPodRefused("switcher"));
  }

  /**
   * Finding. A user who may get the credentials Secret could point a SchemaVersion whose Job runs a
   * custom image as a privileged ServiceAccount at a database of their own: only the Secret was
   * checked again, so whatever that image fetches with that identity went to their server.
   */
  @Test
  void anotherDatabaseForAPrivilegedJobNeedsWhatThatJobIsGranted() {
    assertThat(updateRefusal(mover, "custom-pod", moveTo("db.evil.example")))
        .isEqualTo(customPodRefused("mover"));
    assertThat(updateRefusal(mover, "privileged-job", moveTo("db.evil.example")))
        .isEqualTo(serviceAccountRefused("mover"));
    assertThat(
            updateRefusal(
                mover, "everything", resource -> resource.getSpec().getDatabase().setPort(6543)))
        .isEqualTo(customPodRefused("mover"));
  }

  /**
   * Finding. A user who may not get the credentials Secret could point a SchemaVersion at migration
   * scripts of their own (a ConfigMap they may get, another directory of the migrations image, or
   * the operator's bundled set): their SQL then ran as the Secret's database user, which may create
   * roles, change passwords or copy data out.
   */
  @Test
  void otherMigrationScriptsNeedTheDatabaseSecret() {
    String secretRefused = secretRefused("scripter");
    assertThat(
            updateRefusal(
                scripter,
                "plain",
                resource ->
                    resource.getSpec().getMigrations().getConfigMapRef().setName(OTHER_SCRIPTS)))
        .isEqualTo(secretRefused);
    assertThat(updateRefusal(scripter, "plain", resource -> resource.getSpec().setMigrations(null)))
        .isEqualTo(secretRefused);
    assertThat(
            updateRefusal(
                scripter,
                "from-image",
                resource -> resource.getSpec().getMigrations().getImage().setPath("/")))
        .isEqualTo(secretRefused);
  }

  /**
   * Confirmation. Every way of writing an update reaches the policy alike: update ({@code kubectl
   * replace}), JSON patch, merge patch, server-side apply as another field manager; and the refusal
   * names the Secret, never its value.
   */
  @Test
  void everyKindOfUpdateIsCheckedAlike() {
    String expected = secretRefused("bumper");
    List<String> refusals = new ArrayList<>();
    refusals.add(updateRefusal(bumper, "plain", moveTo("evil.example")));
    refusals.add(
        refusal(
            () ->
                bumper
                    .resources(SchemaVersion.class)
                    .inNamespace(APPS)
                    .withName("plain")
                    .dryRun()
                    .patch(
                        PatchContext.of(PatchType.JSON),
                        "[{\"op\":\"replace\",\"path\":\"/spec/database/host\","
                            + "\"value\":\"evil.example\"}]")));
    refusals.add(
        refusal(
            () ->
                bumper
                    .resources(SchemaVersion.class)
                    .inNamespace(APPS)
                    .withName("plain")
                    .dryRun()
                    .patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        "{\"spec\":{\"database\":{\"host\":\"evil.example\"}}}")));
    refusals.add(
        refusal(
            () ->
                bumper
                    .resources(SchemaVersion.class)
                    .inNamespace(APPS)
                    .resource(
                        Serialization.unmarshal(
                            "apiVersion: schema.jobgtm.io/v1alpha1\n"
                                + "kind: SchemaVersion\n"
                                + "metadata: {name: plain}\n"
                                + "spec:\n"
                                + "  database:\n"
                                + "    host: evil.example\n"
                                + "    name: payments_plain\n"
                                + "    credentialsSecretRef: {name: "
                                + TEAM_SECRET
                                + "}\n",
                            SchemaVersion.class))
                    .dryRun()
                    .fieldManager("release-bot")
                    .forceConflicts()
                    .serverSideApply()));
    assertThat(refusals).containsOnly(expected).hasSize(4);
    assertThat(refusals).noneMatch(message -> message.contains(TEAM_PASSWORD));
  }

  /**
   * Confirmation. An identity with no grants at all may still do what touches nothing the Job gets
   * or the operator writes, on the resource with every grant in use: raise the target version,
   * change timeouts, resources and the retry annotation, write {@code spec.job} as an empty object
   * or leave it out, reorder or repeat the gated Deployments.
   */
  @Test
  void whatChangesNothingTheJobGetsNeedsNothing() {
    assertAdmitted(
        () ->
            dryRunUpdate(
                bumper,
                "everything",
                resource -> {
                  resource.getSpec().setTargetVersion("3");
                  resource.getSpec().getJob().setActiveDeadlineSeconds(1800L);
                  resource.getSpec().getJob().setStatementTimeout("30m");
                  resource.getSpec().getJob().setBackoffLimit(0);
                  resource.getMetadata().setAnnotations(Map.of("schema.jobgtm.io/retry", "1"));
                }));
    assertAdmitted(
        () ->
            bumper
                .resources(SchemaVersion.class)
                .inNamespace(APPS)
                .withName("plain")
                .dryRun()
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"job\":null}}"));
    assertAdmitted(
        () -> dryRunUpdate(bumper, "plain", resource -> resource.getSpec().setJob(null)));
    assertAdmitted(
        () ->
            dryRunUpdate(
                bumper, "plain", resource -> resource.getSpec().setJob(new MigrationJobSpec())));
    assertAdmitted(
        () ->
            dryRunUpdate(
                bumper,
                "gated",
                resource ->
                    resource
                        .getSpec()
                        .getGate()
                        .setDeployments(List.of("worker", "api.v2", "web"))));
    assertAdmitted(
        () ->
            dryRunUpdate(
                bumper,
                "gated",
                resource ->
                    resource
                        .getSpec()
                        .getGate()
                        .setDeployments(List.of("web", "web", "api.v2", "worker"))));
  }

  /**
   * Confirmation. A gated Deployment dropped and added back in two updates is checked on the way
   * back, and one the author may not patch is named, dots and all; dropping one needs nothing.
   */
  @Test
  void aGatedDeploymentAddedBackIsCheckedAgain() {
    assertAdmitted(
        () ->
            dryRunUpdate(
                bumper,
                "gated",
                resource -> resource.getSpec().getGate().setDeployments(List.of("web", "worker"))));
    SchemaVersion dropped = SchemaVersions.get(admin, APPS, "gated");
    dropped.getSpec().getGate().setDeployments(List.of("web", "worker"));
    admin.resources(SchemaVersion.class).inNamespace(APPS).resource(dropped).update();
    try {
      assertThat(
              updateRefusal(
                  bumper,
                  "gated",
                  resource ->
                      resource
                          .getSpec()
                          .getGate()
                          .setDeployments(List.of("web", "worker", "api.v2"))))
          .startsWith(
              "spec.gate.deployments: "
                  + user("bumper")
                  + " may not patch Deployment \"api.v2\" in namespace "
                  + APPS);
    } finally {
      SchemaVersion restored = SchemaVersions.get(admin, APPS, "gated");
      restored.getSpec().getGate().setDeployments(List.of("web", "api.v2", "worker"));
      admin.resources(SchemaVersion.class).inNamespace(APPS).resource(restored).update();
    }
  }

  /**
   * Finding. With {@code serviceAccount.create: false} and no name, the chart ran the operator as
   * its namespace's default ServiceAccount, bound the operator's permissions to it and exempted it
   * from the policy: every pod of that namespace that names no ServiceAccount could then redirect
   * any SchemaVersion's Secret unchecked. The chart now refuses those values; with a name of one's
   * own, the exemption is that ServiceAccount (confirmation).
   */
  @Test
  void anExistingServiceAccountForTheOperatorMustBeNamedAndNeverTheDefaultOne() throws IOException {
    Path unnamed = work.resolve("unnamed-service-account.yaml");
    Files.writeString(
        unnamed, "watchNamespaces: [" + IDLE + "]\nserviceAccount:\n  create: false\n");
    Throwable refused = catchThrowable(() -> installSecondRelease(unnamed));
    if (refused == null) {
      uninstallSecondRelease();
    }
    assertThat(refused)
        .as("helm install with serviceAccount.create false and no name")
        .isNotNull()
        .hasMessageContaining("serviceAccount")
        .hasMessageContaining("name");

    Path named = work.resolve("named-service-account.yaml");
    Files.writeString(
        named,
        "watchNamespaces: ["
            + IDLE
            + "]\nserviceAccount:\n  create: false\n  name: platform-schema-operator\n");
    installSecondRelease(named);
    try {
      assertThat(
              admin
                  .admissionRegistration()
                  .v1()
                  .validatingAdmissionPolicies()
                  .withName(SECOND_RELEASE + "-schema-operator." + SECOND_SYSTEM)
                  .get()
                  .getSpec()
                  .getMatchConditions())
          .singleElement()
          .satisfies(
              condition ->
                  assertThat(condition.getExpression())
                      .isEqualTo(
                          "request.userInfo.username != 'system:serviceaccount:"
                              + SECOND_SYSTEM
                              + ":platform-schema-operator'"));
    } finally {
      uninstallSecondRelease();
    }
  }

  private static void installSecondRelease(Path values) {
    new Helm(Manifests.repository().resolve("helm/schema-operator"))
        .install()
        .withName(SECOND_RELEASE)
        .withNamespace(SECOND_SYSTEM)
        .createNamespace()
        .withKubeConfig(cluster.apiServer().kubeconfig())
        .withValuesFile(values)
        .call();
  }

  private static void uninstallSecondRelease() {
    PolicyAuthors.uninstall(cluster, SECOND_RELEASE, SECOND_SYSTEM);
  }

  private static Consumer<SchemaVersion> moveTo(String host) {
    return resource -> resource.getSpec().getDatabase().setHost(host);
  }

  private static SchemaVersion schemaVersion(String name) {
    SchemaVersion resource = Manifests.exampleSchemaVersion(name);
    resource.getSpec().getDatabase().setName("payments_" + name.replace('-', '_'));
    resource.getSpec().getDatabase().getCredentialsSecretRef().setName(TEAM_SECRET);
    resource.getSpec().getMigrations().setConfigMapRef(new ConfigMapRef());
    resource.getSpec().getMigrations().getConfigMapRef().setName(TEAM_SCRIPTS);
    return resource;
  }

  private static SchemaVersion runsAsPrivileged(SchemaVersion resource) {
    resource.getSpec().getJob().setServiceAccountName(PRIVILEGED);
    return resource;
  }

  private static SchemaVersion withCustomPod(SchemaVersion resource) {
    resource.getSpec().getJob().setImage(CUSTOM_IMAGE);
    resource.getSpec().getJob().setPodAnnotations(VAULT);
    return resource;
  }

  private static void create(SchemaVersion resource) {
    admin.resources(SchemaVersion.class).inNamespace(APPS).resource(resource).create();
  }

  /** The stored resource, changed, sent back as a dry-run update (what kubectl replace does). */
  /** The policy's refusal of a dry-run update of the resource, or null when it is admitted. */
  private static String updateRefusal(
      KubernetesClient client, String name, Consumer<SchemaVersion> change) {
    return refusal(() -> dryRunUpdate(client, name, change));
  }

  private static SchemaVersion dryRunUpdate(
      KubernetesClient client, String name, Consumer<SchemaVersion> change) {
    SchemaVersion resource =
        client.resources(SchemaVersion.class).inNamespace(APPS).withName(name).get();
    change.accept(resource);
    return client
        .resources(SchemaVersion.class)
        .inNamespace(APPS)
        .resource(resource)
        .dryRun()
        .update();
  }

  private static String user(String serviceAccount) {
    return "system:serviceaccount:" + APPS + ":" + serviceAccount;
  }

  private static String secretRefused(String serviceAccount) {
    return "spec.database.credentialsSecretRef: "
        + user(serviceAccount)
        + " may not get Secret \""
        + TEAM_SECRET
        + "\" in namespace "
        + APPS
        + "; the migration Job receives this Secret, so a SchemaVersion may only name a Secret"
        + " its author may get";
  }

  private static String customPodRefused(String serviceAccount) {
    return "spec.job.image, spec.job.podAnnotations: "
        + user(serviceAccount)
        + " may not set a custom image or pod metadata of migration Jobs in namespace "
        + APPS
        + "; that needs verb \"use\" on \"schemaversions/customimage\" in API group"
        + " \"schema.jobgtm.io\" (the chart's role "
        + POLICY
        + ".custom-image)";
  }

  private static String serviceAccountRefused(String serviceAccount) {
    return "spec.job.serviceAccountName: "
        + user(serviceAccount)
        + " may not run migration Jobs as ServiceAccount \""
        + PRIVILEGED
        + "\" in namespace "
        + APPS
        + "; that needs verb \"use\" on \"schemaversions/serviceaccount\" named \""
        + PRIVILEGED
        + "\" in API group \"schema.jobgtm.io\" (the chart's role "
        + POLICY
        + ".job-service-account)";
  }

  /** The message of the policy's refusal of the write, or null when it was admitted. */
  private static String refusal(Callable<?> write) {
    return authors.refusal(write);
  }

  private static void assertAdmitted(Callable<?> write) {
    assertThat(refusal(write)).isNull();
  }

  /** The authorizer allows the ServiceAccount of the apps namespace this request. */
  private static void assertAllowed(
      String serviceAccount,
      String group,
      String resource,
      String subresource,
      String name,
      String verb) {
    SubjectAccessReview review =
        admin
            .authorization()
            .v1()
            .subjectAccessReview()
            .create(
                new SubjectAccessReviewBuilder()
                    .withNewSpec()
                    .withUser(user(serviceAccount))
                    .withGroups("system:serviceaccounts", "system:serviceaccounts:" + APPS)
                    .withNewResourceAttributes()
                    .withNamespace(APPS)
                    .withGroup(group)
                    .withResource(resource)
                    .withSubresource(subresource)
                    .withName(name)
                    .withVerb(verb)
                    .endResourceAttributes()
                    .endSpec()
                    .build());
    assertThat(review.getStatus().getAllowed()).as("%s %s %s", serviceAccount, verb, name).isTrue();
  }

  private static PolicyRule get(String resources, String name) {
    return PolicyAuthors.get(resources, name);
  }

  /** A ServiceAccount in the apps namespace with a Role of these rules, and a client as it. */
  private static KubernetesClient serviceAccountWithRole(String name, PolicyRule... rules) {
    return authors.serviceAccountWithRole(APPS, name, rules);
  }

  private static void bind(String serviceAccount, String role) {
    authors.bind(APPS, serviceAccount, role);
  }
}
