package io.jobgtm.schema.operator.act;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.jobgtm.schema.api.ConfigMapKeyRef;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SecretKeyRef;
import io.jobgtm.schema.api.SslMode;
import io.jobgtm.schema.api.SslRootCertSpec;
import io.jobgtm.schema.operator.Fixtures;
import io.jobgtm.schema.operator.decide.JobIdentity;
import io.jobgtm.schema.operator.observe.MigrationSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MigrationJobFactoryTest {

  private final MigrationJobFactory factory =
      new MigrationJobFactory("registry.test/schema-operator:1.0");
  private final MigrationSource bundled = new MigrationSource.Bundled();

  private static MigrationSource.FromConfigMap configMap(String sql) {
    return new MigrationSource.FromConfigMap(
        "workflow-migrations",
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName("workflow-migrations")
            .endMetadata()
            .withData(Map.of("V1__initial_schema.sql", sql))
            .build());
  }

  /** The Job for the resource as the reconciler builds it: named by the identity rule. */
  private Job build(SchemaVersion resource, MigrationSource source) {
    String hash = JobIdentity.specHash(resource, source, factory.image(resource));
    return factory.build(
        resource, source, JobIdentity.name(resource.getMetadata().getName(), hash, 0), hash);
  }

  @Test
  void podMeetsTheRestrictedPodSecurityStandard() {
    PodSpec pod = build(Fixtures.schemaVersion(), bundled).getSpec().getTemplate().getSpec();
    Container container = pod.getContainers().get(0);

    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(container.getVolumeMounts())
        .anySatisfy(mount -> assertThat(mount.getMountPath()).isEqualTo("/tmp"));
    assertThat(container.getTerminationMessagePath()).isEqualTo("/dev/termination-log");
  }

  @Test
  void credentialsComeOnlyFromTheSecret() {
    Container container =
        build(Fixtures.schemaVersion(), bundled)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);

    EnvVar user = env(container, "DB_USER");
    EnvVar password = env(container, "DB_PASSWORD");
    assertThat(user.getValue()).isNull();
    assertThat(user.getValueFrom().getSecretKeyRef().getName()).isEqualTo("workflow-db");
    assertThat(user.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("username");
    assertThat(password.getValue()).isNull();
    assertThat(password.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
    assertThat(env(container, "DB_HOST").getValue()).isEqualTo("postgres.apps.svc");
    assertThat(env(container, "RESULT_FILE").getValue()).isEqualTo("/dev/termination-log");
  }

  @Test
  void rootCertificatesFromASecretKeyAreMountedReadOnlyAndPassedAsAFile() {
    SchemaVersion resource = Fixtures.schemaVersion();
    resource.getSpec().getDatabase().setSslMode(SslMode.VERIFY_FULL);
    SslRootCertSpec rootCert = new SslRootCertSpec();
    rootCert.setSecretKeyRef(new SecretKeyRef("db-tls", "ca.crt"));
    resource.getSpec().getDatabase().setSslRootCert(rootCert);

    PodSpec pod = build(resource, bundled).getSpec().getTemplate().getSpec();

    assertThat(pod.getVolumes())
        .filteredOn(volume -> volume.getName().equals("ssl-root-cert"))
        .singleElement()
        .satisfies(
            volume -> {
              assertThat(volume.getSecret().getSecretName()).isEqualTo("db-tls");
              assertThat(volume.getSecret().getItems())
                  .singleElement()
                  .satisfies(
                      item -> {
                        assertThat(item.getKey()).isEqualTo("ca.crt");
                        assertThat(item.getPath()).isEqualTo("root.crt");
                      });
              assertThat(volume.getConfigMap()).isNull();
            });
    assertRootCertificatesMounted(pod.getContainers().get(0));
  }

  @Test
  void rootCertificatesFromAConfigMapKeyAreMountedReadOnlyAndPassedAsAFile() {
    SchemaVersion resource = Fixtures.schemaVersion();
    resource.getSpec().getDatabase().setSslMode(SslMode.VERIFY_CA);
    SslRootCertSpec rootCert = new SslRootCertSpec();
    rootCert.setConfigMapKeyRef(new ConfigMapKeyRef("cluster-trust-bundle", "trust-bundle.pem"));
    resource.getSpec().getDatabase().setSslRootCert(rootCert);

    PodSpec pod = build(resource, configMap("SELECT 1;")).getSpec().getTemplate().getSpec();

    assertThat(pod.getVolumes())
        .filteredOn(volume -> volume.getName().equals("ssl-root-cert"))
        .singleElement()
        .satisfies(
            volume -> {
              assertThat(volume.getConfigMap().getName()).isEqualTo("cluster-trust-bundle");
              assertThat(volume.getConfigMap().getItems())
                  .singleElement()
                  .satisfies(
                      item -> {
                        assertThat(item.getKey()).isEqualTo("trust-bundle.pem");
                        assertThat(item.getPath()).isEqualTo("root.crt");
                      });
              assertThat(volume.getSecret()).isNull();
            });
    assertRootCertificatesMounted(pod.getContainers().get(0));
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .extracting(mount -> mount.getMountPath())
        .containsExactlyInAnyOrder(
            "/tmp", "/etc/schema-operator/tls", "/migrations", "/var/run/postgresql");
  }

  @Test
  void withoutRootCertificatesThereIsNoVolumeMountOrVariable() {
    PodSpec pod = build(Fixtures.schemaVersion(), bundled).getSpec().getTemplate().getSpec();

    assertThat(pod.getVolumes()).noneMatch(volume -> volume.getName().equals("ssl-root-cert"));
    assertThat(pod.getContainers().get(0).getVolumeMounts())
        .noneMatch(mount -> mount.getName().equals("ssl-root-cert"));
    assertThat(pod.getContainers().get(0).getEnv())
        .noneMatch(variable -> variable.getName().equals("DB_SSLROOTCERT"));
  }

  private static void assertRootCertificatesMounted(Container container) {
    assertThat(container.getVolumeMounts())
        .filteredOn(mount -> mount.getName().equals("ssl-root-cert"))
        .singleElement()
        .satisfies(
            mount -> {
              assertThat(mount.getMountPath()).isEqualTo("/etc/schema-operator/tls");
              assertThat(mount.getReadOnly()).isTrue();
            });
    assertThat(env(container, "DB_SSLROOTCERT").getValue())
        .isEqualTo("/etc/schema-operator/tls/root.crt");
  }

  @Test
  void failsAtOnceOnPermanentErrorsAndIgnoresDisruptions() {
    Job job = build(Fixtures.schemaVersion(), bundled);

    assertThat(job.getSpec().getBackoffLimit()).isEqualTo(2);
    assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(900L);
    assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(3600);
    assertThat(job.getSpec().getPodFailurePolicy().getRules())
        .satisfiesExactly(
            rule -> {
              assertThat(rule.getAction()).isEqualTo("FailJob");
              assertThat(rule.getOnExitCodes().getValues()).containsExactly(2);
              assertThat(rule.getOnExitCodes().getContainerName()).isEqualTo("migrate");
            },
            rule -> {
              assertThat(rule.getAction()).isEqualTo("Ignore");
              assertThat(rule.getOnPodConditions().get(0).getType()).isEqualTo("DisruptionTarget");
            });
    assertThat(job.getMetadata().getOwnerReferences().get(0).getController()).isTrue();
    assertThat(job.getMetadata().getOwnerReferences().get(0).getKind()).isEqualTo("SchemaVersion");
  }

  @Test
  void configMapMigrationsAreMountedAndImageMigrationsCopied() {
    Job fromConfigMap = build(Fixtures.schemaVersion(), configMap("SELECT 1;"));
    PodSpec configMapPod = fromConfigMap.getSpec().getTemplate().getSpec();
    assertThat(configMapPod.getVolumes())
        .filteredOn(volume -> volume.getConfigMap() != null)
        .singleElement()
        .satisfies(
            volume -> assertThat(volume.getConfigMap().getName()).isEqualTo("workflow-migrations"));
    assertThat(env(configMapPod.getContainers().get(0), "MIGRATIONS_DIR").getValue())
        .isEqualTo("/migrations");

    Job fromImage =
        build(
            Fixtures.schemaVersion(), new MigrationSource.FromImage("registry.test/sql:7", "/sql"));
    PodSpec imagePod = fromImage.getSpec().getTemplate().getSpec();
    assertThat(imagePod.getInitContainers())
        .extracting(Container::getName)
        .as("the shadow first, so that it starts before the copy and the migrator")
        .containsExactly("shadow", "copy-migrations");
    assertThat(imagePod.getInitContainers().get(1))
        .satisfies(
            init -> {
              assertThat(init.getImage()).isEqualTo("registry.test/sql:7");
              assertThat(init.getCommand()).containsExactly("cp", "-R", "/sql/.", "/migrations/");
              assertThat(init.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            });
  }

  @Test
  void severalConfigMapsAreMountedEachAtItsOwnDirectoryListedInOrder() {
    SchemaVersion resource =
        Fixtures.schemaVersion(
            "migrations: {configMapRefs: [{name: ledger-schema}, {name: ledger-data}]}");
    MigrationSource source =
        new MigrationSource.FromConfigMaps(
            List.of(
                new MigrationSource.FromConfigMap("ledger-schema", null),
                new MigrationSource.FromConfigMap("ledger-data", null)));

    PodSpec pod = build(resource, source).getSpec().getTemplate().getSpec();
    Container container = pod.getContainers().get(0);

    assertThat(pod.getVolumes())
        .filteredOn(volume -> volume.getConfigMap() != null)
        .extracting(volume -> volume.getName() + "=" + volume.getConfigMap().getName())
        .containsExactly("migrations-0=ledger-schema", "migrations-1=ledger-data");
    assertThat(container.getVolumeMounts())
        .filteredOn(mount -> mount.getName().startsWith("migrations"))
        .extracting(
            mount -> mount.getName() + "@" + mount.getMountPath() + ":" + mount.getReadOnly())
        .containsExactly(
            "migrations-0@/migrations/ledger-schema:true",
            "migrations-1@/migrations/ledger-data:true");
    assertThat(env(container, "MIGRATIONS_DIR").getValue())
        .isEqualTo("/migrations/ledger-schema,/migrations/ledger-data");
  }

  @Test
  void historyTableOutOfOrderAndPlaceholdersReachTheMigrator() {
    SchemaVersion resource =
        Fixtures.schemaVersion(
            """
            migrations:
              outOfOrder: true
              placeholderReplacement: true
              placeholders: {owner: app_owner, "quote": "it's \\"x\\""}
              placeholderPrefix: "#["
              placeholderSuffix: "]"
            """);
    resource.getSpec().getDatabase().setHistoryTable("schema_version");
    Container container =
        build(resource, bundled).getSpec().getTemplate().getSpec().getContainers().get(0);

    assertThat(env(container, "HISTORY_TABLE").getValue()).isEqualTo("schema_version");
    assertThat(env(container, "OUT_OF_ORDER").getValue()).isEqualTo("true");
    assertThat(env(container, "PLACEHOLDER_REPLACEMENT").getValue()).isEqualTo("true");
    assertThat(env(container, "PLACEHOLDERS").getValue())
        .isEqualTo("{\"owner\":\"app_owner\",\"quote\":\"it's \\\"x\\\"\"}");
    assertThat(env(container, "PLACEHOLDER_PREFIX").getValue()).isEqualTo("#[");
    assertThat(env(container, "PLACEHOLDER_SUFFIX").getValue()).isEqualTo("]");
  }

  @Test
  void flywaysNamingSettingsReachTheMigrator() {
    SchemaVersion resource =
        Fixtures.schemaVersion(
            """
            migrations:
              naming:
                sqlMigrationPrefix: M
                repeatableSqlMigrationPrefix: RM
                sqlMigrationSeparator: "-"
                sqlMigrationSuffixes: [".pgsql", "POSTGRESQL.sql"]
            """);
    Container container =
        build(resource, bundled).getSpec().getTemplate().getSpec().getContainers().get(0);

    assertThat(env(container, "SQL_MIGRATION_PREFIX").getValue()).isEqualTo("M");
    assertThat(env(container, "REPEATABLE_SQL_MIGRATION_PREFIX").getValue()).isEqualTo("RM");
    assertThat(env(container, "SQL_MIGRATION_SEPARATOR").getValue()).isEqualTo("-");
    assertThat(env(container, "SQL_MIGRATION_SUFFIXES").getValue())
        .isEqualTo(".pgsql,POSTGRESQL.sql");
    assertThat(container.getEnv())
        .extracting(EnvVar::getName)
        .doesNotContain("UNDO_SQL_MIGRATION_PREFIX", "BASELINE_MIGRATION_PREFIX");
  }

  @Test
  void unsetMigratorSettingsLeaveTheMigratorsDefaults() {
    Container container =
        build(Fixtures.schemaVersion(), bundled)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);

    assertThat(container.getEnv())
        .extracting(EnvVar::getName)
        .doesNotContain(
            "HISTORY_TABLE",
            "OUT_OF_ORDER",
            "PLACEHOLDER_REPLACEMENT",
            "PLACEHOLDERS",
            "PLACEHOLDER_PREFIX",
            "PLACEHOLDER_SUFFIX",
            "SQL_MIGRATION_PREFIX",
            "SQL_MIGRATION_SUFFIXES");
  }

  @Test
  void baselineAndDowngradePolicyReachTheMigrator() {
    Container container =
        build(
                Fixtures.schemaVersion(
                    """
                    targetVersion: "2"
                    baseline: {onUnversionedSchema: Baseline, version: "1"}
                    downgrade: {allowed: true}
                    job: {lockTimeout: 30s, lockWaitTimeout: 2m, connectTimeout: 15s}
                    """),
                bundled)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);

    assertThat(env(container, "TARGET_VERSION").getValue()).isEqualTo("2");
    assertThat(env(container, "ON_UNVERSIONED").getValue()).isEqualTo("Baseline");
    assertThat(env(container, "BASELINE_VERSION").getValue()).isEqualTo("1");
    assertThat(container.getEnv())
        .as("verified by default: the migrator's default")
        .noneMatch(variable -> variable.getName().equals("VERIFY_BASELINE"));
    assertThat(env(container, "ALLOW_DOWNGRADE").getValue()).isEqualTo("true");
    assertThat(env(container, "LOCK_TIMEOUT").getValue()).isEqualTo("30s");
    assertThat(env(container, "LOCK_WAIT_TIMEOUT").getValue()).isEqualTo("2m");
    assertThat(env(container, "CONNECT_TIMEOUT").getValue()).isEqualTo("15s");
  }

  @Test
  void theJobClaimsTheSchemaForItsResourceAndMayTakeItOver() {
    SchemaVersion resource = Fixtures.schemaVersion();
    Container plain =
        build(resource, bundled).getSpec().getTemplate().getSpec().getContainers().get(0);
    resource.getSpec().getDatabase().setTakeOverFrom("legacy/workflow");
    Container takingOver =
        build(resource, bundled).getSpec().getTemplate().getSpec().getContainers().get(0);

    assertThat(env(plain, "SCHEMA_OWNER").getValue()).isEqualTo("apps/workflow");
    assertThat(env(plain, "SCHEMA_OWNER_UID").getValue())
        .isEqualTo(resource.getMetadata().getUid());
    assertThat(plain.getEnv()).noneMatch(e -> e.getName().equals("TAKE_OVER_FROM"));
    assertThat(env(takingOver, "TAKE_OVER_FROM").getValue()).isEqualTo("legacy/workflow");
  }

  @Test
  void podLabelsAndAnnotationsReachThePodAndTheOperatorsLabelsWin() {
    SchemaVersion resource =
        Fixtures.schemaVersion(
            """
            job:
              podAnnotations: {sidecar.istio.io/inject: "false"}
              podLabels: {team: payments, app.kubernetes.io/component: not-migration}
            """);

    Job job = build(resource, bundled);

    var metadata = job.getSpec().getTemplate().getMetadata();
    assertThat(metadata.getAnnotations()).containsEntry("sidecar.istio.io/inject", "false");
    assertThat(metadata.getLabels())
        .containsEntry("team", "payments")
        .containsEntry(Labels.COMPONENT, Labels.MIGRATION_COMPONENT)
        .containsEntry(Labels.SCHEMA_VERSION, "workflow");
  }

  @Test
  void theJobCarriesTheNameAndSpecHashItWasGiven() {
    SchemaVersion resource = Fixtures.schemaVersion();
    String hash = JobIdentity.specHash(resource, bundled, factory.image(resource));

    Job job = build(resource, bundled);

    assertThat(job.getMetadata().getName()).isEqualTo("workflow-" + hash);
    assertThat(job.getMetadata().getLabels()).containsEntry(Labels.SPEC_HASH, hash);
  }

  @Test
  void theShadowIsANativeSidecarFirstThatMeetsTheRestrictedStandard() {
    PodSpec pod = build(Fixtures.schemaVersion(), bundled).getSpec().getTemplate().getSpec();

    assertThat(pod.getInitContainers()).hasSize(1);
    Container shadow = pod.getInitContainers().get(0);
    assertThat(shadow.getName()).isEqualTo("shadow");
    assertThat(shadow.getRestartPolicy()).isEqualTo("Always");
    assertThat(shadow.getImage()).isEqualTo("docker.io/library/postgres:17");
    assertThat(shadow.getCommand()).as("the image's entrypoint runs initdb first").isEmpty();
    assertThat(shadow.getArgs())
        .containsExactly(
            "postgres",
            "-c",
            "listen_addresses=",
            "-c",
            "unix_socket_directories=/var/run/postgresql",
            "-c",
            "shared_buffers=16MB",
            "-c",
            "max_connections=10",
            "-c",
            "fsync=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "synchronous_commit=off");
    assertThat(shadow.getPorts()).as("the socket only: two Jobs never collide").isEmpty();
    assertThat(shadow.getEnv())
        .extracting(EnvVar::getName, EnvVar::getValue)
        .containsExactly(
            tuple("POSTGRES_HOST_AUTH_METHOD", "trust"),
            tuple("POSTGRES_INITDB_ARGS", "--no-sync"),
            tuple("PGDATA", "/var/lib/postgresql/data/pgdata"));
    assertThat(shadow.getVolumeMounts())
        .extracting(VolumeMount::getName, VolumeMount::getMountPath)
        .containsExactly(
            tuple("shadow-data", "/var/lib/postgresql/data"),
            tuple("shadow-socket", "/var/run/postgresql"));
    SecurityContext security = shadow.getSecurityContext();
    assertThat(security.getRunAsNonRoot()).isTrue();
    assertThat(security.getRunAsUser()).isEqualTo(999L);
    assertThat(security.getRunAsGroup()).isEqualTo(999L);
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(shadow.getStartupProbe().getExec().getCommand())
        .containsExactly("pg_isready", "-q", "-h", "/var/run/postgresql");
    assertThat(shadow.getStartupProbe().getPeriodSeconds()).isEqualTo(1);
    assertThat(shadow.getStartupProbe().getFailureThreshold()).isEqualTo(120);
    assertThat(shadow.getResources().getRequests())
        .containsEntry("cpu", new Quantity("50m"))
        .containsEntry("memory", new Quantity("64Mi"));
    assertThat(shadow.getResources().getLimits())
        .containsOnlyKeys("memory")
        .containsEntry("memory", new Quantity("256Mi"));

    assertThat(pod.getVolumes())
        .filteredOn(volume -> volume.getName().startsWith("shadow-"))
        .extracting(
            Volume::getName,
            volume -> volume.getEmptyDir().getMedium(),
            volume -> volume.getEmptyDir().getSizeLimit())
        .containsExactly(
            tuple("shadow-data", null, new Quantity("1Gi")),
            tuple("shadow-socket", "Memory", new Quantity("1Mi")));
    Container migrator = pod.getContainers().get(0);
    assertThat(migrator.getVolumeMounts())
        .filteredOn(mount -> mount.getName().equals("shadow-socket"))
        .extracting(VolumeMount::getMountPath)
        .containsExactly("/var/run/postgresql");
    assertThat(env(migrator, "SHADOW_SOCKET_DIR").getValue()).isEqualTo("/var/run/postgresql");
    assertThat(env(migrator, "SHADOW_DB_USER").getValue()).isEqualTo("postgres");
    assertThat(migrator.getEnv())
        .noneMatch(variable -> variable.getName().startsWith("SHADOW_DB_PASSWORD"));
  }

  @Test
  void theShadowImageAndResourcesComeFromTheSpecElseTheOperatorsSetting() {
    MigrationJobFactory mirrored =
        new MigrationJobFactory(
            "registry.test/schema-operator:1.0", "mirror.internal/library/postgres:17");
    SchemaVersion resource = Fixtures.schemaVersion();

    Container fromSetting =
        mirrored
            .build(resource, bundled, "workflow-1", "1")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getInitContainers()
            .get(0);
    assertThat(fromSetting.getImage()).isEqualTo("mirror.internal/library/postgres:17");

    SchemaVersion named =
        Fixtures.schemaVersion(
            """
            shadow:
              image: registry.test/postgres:16.4
              resources: {requests: {cpu: 200m}, limits: {memory: 1Gi}}
            """);
    Container fromSpec =
        mirrored
            .build(named, bundled, "workflow-1", "1")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getInitContainers()
            .get(0);
    assertThat(fromSpec.getImage()).isEqualTo("registry.test/postgres:16.4");
    assertThat(fromSpec.getResources().getRequests()).containsOnlyKeys("cpu");
    assertThat(fromSpec.getResources().getLimits())
        .containsOnlyKeys("memory")
        .containsEntry("memory", new Quantity("1Gi"));
    assertThat(mirrored.shadowImage(named)).isEqualTo("registry.test/postgres:16.4");
  }

  @Test
  void withTheShadowDisabledNothingOfItIsAdded() {
    SchemaVersion resource =
        Fixtures.schemaVersion(
            """
            shadow: {enabled: false}
            baseline: {onUnversionedSchema: Baseline, version: "1", verify: false}
            """);

    PodSpec pod =
        build(resource, new MigrationSource.FromImage("registry.test/sql:7", "/sql"))
            .getSpec()
            .getTemplate()
            .getSpec();

    assertThat(pod.getInitContainers())
        .extracting(Container::getName)
        .containsExactly("copy-migrations");
    assertThat(pod.getVolumes()).noneMatch(volume -> volume.getName().startsWith("shadow-"));
    Container migrator = pod.getContainers().get(0);
    assertThat(migrator.getVolumeMounts())
        .noneMatch(mount -> mount.getName().startsWith("shadow-"));
    assertThat(migrator.getEnv()).noneMatch(variable -> variable.getName().startsWith("SHADOW_"));
    assertThat(env(migrator, "VERIFY_BASELINE").getValue()).isEqualTo("false");
  }

  @Test
  void baselineAutoReachesTheMigratorInItsSpelling() {
    Container migrator =
        build(
                Fixtures.schemaVersion("baseline: {onUnversionedSchema: Baseline, version: Auto}"),
                bundled)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);

    assertThat(env(migrator, "ON_UNVERSIONED").getValue()).isEqualTo("Baseline");
    assertThat(env(migrator, "BASELINE_VERSION").getValue()).isEqualTo("auto");
    assertThat(env(migrator, "SHADOW_SOCKET_DIR").getValue()).isEqualTo("/var/run/postgresql");
  }

  @Test
  void thePermanentFailureRuleIsTheMigratorsNotTheShadows() {
    Job job = build(Fixtures.schemaVersion(), bundled);

    assertThat(job.getSpec().getPodFailurePolicy().getRules())
        .filteredOn(rule -> rule.getOnExitCodes() != null)
        .singleElement()
        .satisfies(
            rule -> assertThat(rule.getOnExitCodes().getContainerName()).isEqualTo("migrate"));
  }

  private static EnvVar env(Container container, String name) {
    return container.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }
}
