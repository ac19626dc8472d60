package io.jobgtm.schema.operator.act;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRuleBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jobgtm.schema.api.BaselineSpec;
import io.jobgtm.schema.api.CredentialsSecretRef;
import io.jobgtm.schema.api.DatabaseSpec;
import io.jobgtm.schema.api.DriftAction;
import io.jobgtm.schema.api.MigrationJobSpec;
import io.jobgtm.schema.api.MigrationNamingSpec;
import io.jobgtm.schema.api.MigrationsSpec;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionSpec;
import io.jobgtm.schema.api.ShadowSpec;
import io.jobgtm.schema.api.SslRootCertSpec;
import io.jobgtm.schema.api.UnversionedSchemaPolicy;
import io.jobgtm.schema.api.VerifySpec;
import io.jobgtm.schema.contract.JobEnvironment;
import io.jobgtm.schema.operator.observe.MigrationSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the migration Job of a SchemaVersion: a deterministic name, pod security that meets the
 * "restricted" Pod Security Standard, credentials only through {@code secretKeyRef}, a failure
 * policy that fails at once on permanent errors of the migrator (exit code 2) and ignores
 * disruptions, and, unless {@code spec.shadow.enabled} is false, the shadow database as a native
 * sidecar that the migrator reaches through a Unix socket on a shared {@code emptyDir}.
 */
public final class MigrationJobFactory {

  /** The container that runs the migrator; the pod failure policy refers to it by name. */
  public static final String CONTAINER = "migrate";

  /** The migrator command inside the operator image (see the Dockerfile). */
  public static final String MIGRATE_COMMAND = "/opt/schema-operator/bin/migrate";

  /** Where the container writes its result document; read back from the pod status. */
  public static final String TERMINATION_MESSAGE_PATH = "/dev/termination-log";

  static final String MIGRATIONS_DIR = "/migrations";

  /**
   * Where the CA certificates of {@code spec.database.sslRootCert} are mounted (read-only, the one
   * key as one file), passed to the migrator as {@code DB_SSLROOTCERT}.
   */
  public static final String SSL_ROOT_CERT_DIR = "/etc/schema-operator/tls";

  /** The file of {@link #SSL_ROOT_CERT_DIR} that holds the referenced key. */
  public static final String SSL_ROOT_CERT_FILE = SSL_ROOT_CERT_DIR + "/root.crt";

  private static final String SSL_ROOT_CERT_VOLUME = "ssl-root-cert";

  /** The shadow database's native sidecar: {@code initContainers[0]} of the migration pod. */
  public static final String SHADOW_CONTAINER = "shadow";

  /**
   * Where the shadow listens (its Unix socket, no TCP port) in both containers: the official
   * image's own socket directory, a memory-backed {@code emptyDir} they share.
   */
  public static final String SHADOW_SOCKET_DIR = "/var/run/postgresql";

  /** The shadow's data directory's volume, mounted at the official image's data directory. */
  static final String SHADOW_DATA_DIR = "/var/lib/postgresql/data";

  /** The superuser of the official image, whom {@code trust} lets in over the socket. */
  static final String SHADOW_DB_USER = "postgres";

  /** The {@code postgres} user and group of the official Debian and Alpine images. */
  static final long SHADOW_UID = 999;

  static final String SHADOW_DATA_VOLUME = "shadow-data";
  static final String SHADOW_SOCKET_VOLUME = "shadow-socket";

  /**
   * The server's arguments after the image's entrypoint (docker-entrypoint.sh, which runs initdb on
   * the empty data directory first): the socket only, a small server for a replay, durability off
   * as the data is thrown away with the pod.
   */
  static final List<String> SHADOW_ARGS =
      List.of(
          "postgres",
          "-c",
          "listen_addresses=",
          "-c",
          "unix_socket_directories=" + SHADOW_SOCKET_DIR,
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

  private final String defaultImage;
  private final String defaultShadowImage;

  /** A factory whose shadow image, unless a spec names one, is {@link ShadowSpec#DEFAULT_IMAGE}. */
  public MigrationJobFactory(String defaultImage) {
    this(defaultImage, ShadowSpec.DEFAULT_IMAGE);
  }

  /**
   * @param defaultImage the migrator image unless {@code spec.job.image} names one
   * @param defaultShadowImage the shadow image unless {@code spec.shadow.image} names one
   */
  public MigrationJobFactory(String defaultImage, String defaultShadowImage) {
    this.defaultImage = defaultImage;
    this.defaultShadowImage = defaultShadowImage;
  }

  /** The image the Job runs: {@code spec.job.image}, else the operator's own. */
  public String image(SchemaVersion resource) {
    MigrationJobSpec job = resource.getSpec().getJob();
    return job != null && job.getImage() != null && !job.getImage().isBlank()
        ? job.getImage()
        : defaultImage;
  }

  /** The shadow image the Job runs: {@code spec.shadow.image}, else the operator's. */
  public String shadowImage(SchemaVersion resource) {
    ShadowSpec shadow = resource.getSpec().getShadow();
    return shadow != null && shadow.getImage() != null && !shadow.getImage().isBlank()
        ? shadow.getImage()
        : defaultShadowImage;
  }

  /** Whether the Job gets the shadow sidecar: unless {@code spec.shadow.enabled} is false. */
  static boolean shadowed(SchemaVersionSpec spec) {
    return spec.getShadow() == null || spec.getShadow().runs();
  }

  /**
   * The migration Job for the resource as it is now.
   *
   * @param name the Job's name, by the one identity rule ({@code JobIdentity})
   * @param hash the spec hash the Job carries as a label
   */
  public Job build(SchemaVersion resource, MigrationSource source, String name, String hash) {
    SchemaVersionSpec spec = resource.getSpec();
    MigrationJobSpec job = spec.getJob() == null ? new MigrationJobSpec() : spec.getJob();
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.MANAGED_BY, Labels.OPERATOR_NAME);
    labels.put(Labels.COMPONENT, Labels.MIGRATION_COMPONENT);
    labels.put(Labels.SCHEMA_VERSION, resource.getMetadata().getName());
    labels.put(Labels.SPEC_HASH, hash);

    List<Volume> volumes = new ArrayList<>();
    List<VolumeMount> mounts = new ArrayList<>();
    volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
    mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
    SslRootCertSpec rootCert = spec.getDatabase().getSslRootCert();
    if (rootCert != null) {
      volumes.add(sslRootCertVolume(rootCert));
      mounts.add(
          new VolumeMountBuilder()
              .withName(SSL_ROOT_CERT_VOLUME)
              .withMountPath(SSL_ROOT_CERT_DIR)
              .withReadOnly(true)
              .build());
    }
    List<Container> initContainers = new ArrayList<>();
    if (shadowed(spec)) {
      volumes.add(
          new VolumeBuilder()
              .withName(SHADOW_DATA_VOLUME)
              .withNewEmptyDir()
              .withSizeLimit(new Quantity("1Gi"))
              .endEmptyDir()
              .build());
      volumes.add(
          new VolumeBuilder()
              .withName(SHADOW_SOCKET_VOLUME)
              .withNewEmptyDir()
              .withMedium("Memory")
              .withSizeLimit(new Quantity("1Mi"))
              .endEmptyDir()
              .build());
      mounts.add(
          new VolumeMountBuilder()
              .withName(SHADOW_SOCKET_VOLUME)
              .withMountPath(SHADOW_SOCKET_DIR)
              .build());
      // First, so that it runs before the other init containers and the migrator.
      initContainers.add(shadowContainer(resource));
    }
    if (source instanceof MigrationSource.FromConfigMap fromConfigMap) {
      volumes.add(
          new VolumeBuilder()
              .withName("migrations")
              .withNewConfigMap()
              .withName(fromConfigMap.name())
              .endConfigMap()
              .build());
      mounts.add(migrationsMount(true));
    } else if (source instanceof MigrationSource.FromConfigMaps fromConfigMaps) {
      List<MigrationSource.FromConfigMap> configMaps = fromConfigMaps.configMaps();
      for (int i = 0; i < configMaps.size(); i++) {
        String volume = "migrations-" + i;
        volumes.add(
            new VolumeBuilder()
                .withName(volume)
                .withNewConfigMap()
                .withName(configMaps.get(i).name())
                .endConfigMap()
                .build());
        mounts.add(
            new VolumeMountBuilder()
                .withName(volume)
                .withMountPath(locationOf(configMaps.get(i)))
                .withReadOnly(true)
                .build());
      }
    } else if (source instanceof MigrationSource.FromImage fromImage) {
      volumes.add(
          new VolumeBuilder().withName("migrations").withNewEmptyDir().endEmptyDir().build());
      mounts.add(migrationsMount(true));
      initContainers.add(
          new ContainerBuilder()
              .withName("copy-migrations")
              .withImage(fromImage.reference())
              .withCommand("cp", "-R", fromImage.path() + "/.", MIGRATIONS_DIR + "/")
              .withVolumeMounts(migrationsMount(false))
              .withSecurityContext(containerSecurity())
              .withResources(resources(null))
              .build());
    }

    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(resource.getMetadata().getNamespace())
        .withLabels(labels)
        .addToAnnotations(Labels.GENERATION, String.valueOf(resource.getMetadata().getGeneration()))
        .withOwnerReferences(
            new OwnerReferenceBuilder()
                .withApiVersion(resource.getApiVersion())
                .withKind(resource.getKind())
                .withName(resource.getMetadata().getName())
                .withUid(resource.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build())
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(job.getBackoffLimit())
        .withActiveDeadlineSeconds(job.getActiveDeadlineSeconds())
        .withTtlSecondsAfterFinished(job.getTtlSecondsAfterFinished())
        .withNewPodFailurePolicy()
        .withRules(
            new PodFailurePolicyRuleBuilder()
                .withAction("FailJob")
                .withNewOnExitCodes()
                .withContainerName(CONTAINER)
                .withOperator("In")
                .withValues(2)
                .endOnExitCodes()
                .build(),
            new PodFailurePolicyRuleBuilder()
                .withAction("Ignore")
                .addNewOnPodCondition()
                .withType("DisruptionTarget")
                .withStatus("True")
                .endOnPodCondition()
                .build())
        .endPodFailurePolicy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(podLabels(job, labels))
        .withAnnotations(
            job.getPodAnnotations() == null ? null : new TreeMap<>(job.getPodAnnotations()))
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withServiceAccountName(job.getServiceAccountName())
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withSecurityContext(
            new PodSecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build())
        .withInitContainers(initContainers)
        .addNewContainer()
        .withName(CONTAINER)
        .withImage(image(resource))
        .withCommand(MIGRATE_COMMAND)
        .withArgs("migrate")
        .withEnv(environment(resource, source))
        .withResources(resources(job.getResources()))
        .withSecurityContext(containerSecurity())
        .withVolumeMounts(mounts)
        .withTerminationMessagePath(TERMINATION_MESSAGE_PATH)
        .withTerminationMessagePolicy("File")
        .endContainer()
        .withVolumes(volumes)
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  /** The migrator's command of a verify Job (docs/migrator.md). */
  public static final String VERIFY_COMMAND = "verify";

  /**
   * The verify Job of the resource: the migration Job as {@link #build} makes it (image, database
   * environment, credentials, migration set, shadow) that runs the migrator's read-only {@value
   * #VERIFY_COMMAND} instead of {@code migrate}, labelled {@link Labels#JOB_KIND} {@value
   * Labels#VERIFY_KIND}.
   */
  public Job buildVerify(SchemaVersion resource, MigrationSource source, String name, String hash) {
    Job job = build(resource, source, name, hash);
    job.getMetadata().getLabels().put(Labels.JOB_KIND, Labels.VERIFY_KIND);
    job.getSpec().getTemplate().getMetadata().getLabels().put(Labels.JOB_KIND, Labels.VERIFY_KIND);
    job.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(container -> CONTAINER.equals(container.getName()))
        .forEach(container -> container.setArgs(new ArrayList<>(List.of(VERIFY_COMMAND))));
    return job;
  }

  /**
   * {@code spec.verify} for the migrator: {@code ON_DRIFT}, and {@code ACCEPTED_FINGERPRINT} and
   * {@code VERIFY_IGNORE_TABLES} when set; nothing without {@code spec.verify}.
   */
  private static List<EnvVar> verifySettings(VerifySpec verify) {
    List<EnvVar> env = new ArrayList<>();
    if (verify == null) {
      return env;
    }
    DriftAction onDrift = verify.getOnDrift() == null ? DriftAction.REPORT : verify.getOnDrift();
    env.add(literal(JobEnvironment.ON_DRIFT, onDrift.value()));
    if (verify.getAcceptedFingerprint() != null) {
      env.add(literal(JobEnvironment.ACCEPTED_FINGERPRINT, verify.getAcceptedFingerprint()));
    }
    if (verify.getIgnoreTables() != null && !verify.getIgnoreTables().isEmpty()) {
      env.add(
          literal(JobEnvironment.VERIFY_IGNORE_TABLES, String.join(",", verify.getIgnoreTables())));
    }
    return env;
  }

  /**
   * The shadow database as a native sidecar (an init container with {@code restartPolicy: Always},
   * Kubernetes 1.29 and newer): it starts before the migrator, counts as started once {@code
   * pg_isready} answers on the socket, and is stopped by Kubernetes when the migrator has ended, so
   * it never keeps the Job from completing. Pod Security "restricted": a numeric non-root user, no
   * privilege escalation, no capabilities, the runtime's seccomp profile. The root file system
   * stays writable: the image's entrypoint and initdb expect it.
   */
  private Container shadowContainer(SchemaVersion resource) {
    ShadowSpec shadow = resource.getSpec().getShadow();
    return new ContainerBuilder()
        .withName(SHADOW_CONTAINER)
        .withImage(shadowImage(resource))
        .withRestartPolicy("Always")
        .withArgs(SHADOW_ARGS)
        .withEnv(
            literal("POSTGRES_HOST_AUTH_METHOD", "trust"),
            // initdb without syncing the new cluster to disk: the data dies with the pod.
            literal("POSTGRES_INITDB_ARGS", "--no-sync"),
            literal("PGDATA", SHADOW_DATA_DIR + "/pgdata"))
        .withVolumeMounts(
            new VolumeMountBuilder()
                .withName(SHADOW_DATA_VOLUME)
                .withMountPath(SHADOW_DATA_DIR)
                .build(),
            new VolumeMountBuilder()
                .withName(SHADOW_SOCKET_VOLUME)
                .withMountPath(SHADOW_SOCKET_DIR)
                .build())
        .withSecurityContext(
            new SecurityContextBuilder()
                .withRunAsNonRoot(true)
                .withRunAsUser(SHADOW_UID)
                .withRunAsGroup(SHADOW_UID)
                .withAllowPrivilegeEscalation(false)
                .withCapabilities(new Capabilities(null, List.of("ALL")))
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build())
        .withNewStartupProbe()
        .withNewExec()
        .withCommand("pg_isready", "-q", "-h", SHADOW_SOCKET_DIR)
        .endExec()
        .withPeriodSeconds(1)
        .withFailureThreshold(120)
        .endStartupProbe()
        .withResources(shadowResources(shadow == null ? null : shadow.getResources()))
        .build();
  }

  private static ResourceRequirements shadowResources(ResourceRequirements requested) {
    if (requested != null
        && ((requested.getRequests() != null && !requested.getRequests().isEmpty())
            || (requested.getLimits() != null && !requested.getLimits().isEmpty()))) {
      return requested;
    }
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("50m"))
        .addToRequests("memory", new Quantity("64Mi"))
        .addToLimits("memory", new Quantity("256Mi"))
        .build();
  }

  /** The one key of the referenced Secret or ConfigMap, as the file root.crt. */
  private static Volume sslRootCertVolume(SslRootCertSpec rootCert) {
    String file = SSL_ROOT_CERT_FILE.substring(SSL_ROOT_CERT_DIR.length() + 1);
    if (rootCert.getSecretKeyRef() != null) {
      return new VolumeBuilder()
          .withName(SSL_ROOT_CERT_VOLUME)
          .withNewSecret()
          .withSecretName(rootCert.getSecretKeyRef().getName())
          .addNewItem()
          .withKey(rootCert.getSecretKeyRef().getKey())
          .withPath(file)
          .endItem()
          .endSecret()
          .build();
    }
    return new VolumeBuilder()
        .withName(SSL_ROOT_CERT_VOLUME)
        .withNewConfigMap()
        .withName(rootCert.getConfigMapKeyRef().getName())
        .addNewItem()
        .withKey(rootCert.getConfigMapKeyRef().getKey())
        .withPath(file)
        .endItem()
        .endConfigMap()
        .build();
  }

  private static VolumeMount migrationsMount(boolean readOnly) {
    return new VolumeMountBuilder()
        .withName("migrations")
        .withMountPath(MIGRATIONS_DIR)
        .withReadOnly(readOnly)
        .build();
  }

  private static List<EnvVar> environment(SchemaVersion resource, MigrationSource source) {
    SchemaVersionSpec spec = resource.getSpec();
    DatabaseSpec database = spec.getDatabase();
    CredentialsSecretRef credentials = database.getCredentialsSecretRef();
    List<EnvVar> env = new ArrayList<>();
    env.add(literal(JobEnvironment.DB_HOST, database.getHost()));
    env.add(literal(JobEnvironment.DB_PORT, String.valueOf(database.getPort())));
    env.add(literal(JobEnvironment.DB_NAME, database.getName()));
    env.add(literal(JobEnvironment.DB_SCHEMA, database.getSchema()));
    if (database.getHistoryTable() != null) {
      env.add(literal(JobEnvironment.HISTORY_TABLE, database.getHistoryTable()));
    }
    env.add(literal(JobEnvironment.DB_SSLMODE, database.getSslMode().value()));
    if (database.getSslRootCert() != null) {
      env.add(literal(JobEnvironment.DB_SSLROOTCERT, SSL_ROOT_CERT_FILE));
    }
    env.add(secret(JobEnvironment.DB_USER, credentials.getName(), credentials.getUsernameKey()));
    env.add(
        secret(JobEnvironment.DB_PASSWORD, credentials.getName(), credentials.getPasswordKey()));
    env.add(literal(JobEnvironment.TARGET_VERSION, spec.getTargetVersion()));
    BaselineSpec baseline = spec.getBaseline();
    if (baseline != null && baseline.getOnUnversionedSchema() == UnversionedSchemaPolicy.BASELINE) {
      env.add(literal(JobEnvironment.ON_UNVERSIONED, "Baseline"));
      // The CLI's spelling of Auto.
      env.add(
          literal(
              JobEnvironment.BASELINE_VERSION,
              baseline.automatic() ? "auto" : baseline.getVersion()));
      if (Boolean.FALSE.equals(baseline.getVerify())) {
        env.add(literal(JobEnvironment.VERIFY_BASELINE, "false"));
      }
    } else {
      env.add(literal(JobEnvironment.ON_UNVERSIONED, "Fail"));
    }
    if (shadowed(spec)) {
      env.add(literal(JobEnvironment.SHADOW_SOCKET_DIR, SHADOW_SOCKET_DIR));
      env.add(literal(JobEnvironment.SHADOW_DB_USER, SHADOW_DB_USER));
    }
    boolean downgrade = spec.getDowngrade() != null && spec.getDowngrade().isAllowed();
    env.add(literal(JobEnvironment.ALLOW_DOWNGRADE, String.valueOf(downgrade)));
    MigrationJobSpec job = spec.getJob();
    if (job != null && job.getLockTimeout() != null) {
      env.add(literal(JobEnvironment.LOCK_TIMEOUT, job.getLockTimeout()));
    }
    if (job != null && job.getConnectTimeout() != null) {
      env.add(literal(JobEnvironment.CONNECT_TIMEOUT, job.getConnectTimeout()));
    }
    env.add(
        literal(
            JobEnvironment.LOCK_WAIT_TIMEOUT,
            job != null && job.getLockWaitTimeout() != null
                ? job.getLockWaitTimeout()
                : lockWaitWithinDeadline(job == null ? new MigrationJobSpec() : job)));
    if (job != null && job.getStatementTimeout() != null) {
      env.add(literal(JobEnvironment.STATEMENT_TIMEOUT, job.getStatementTimeout()));
    }
    if (source instanceof MigrationSource.FromConfigMaps fromConfigMaps) {
      env.add(
          literal(
              JobEnvironment.MIGRATIONS_DIR,
              String.join(
                  JobEnvironment.LOCATION_SEPARATOR,
                  fromConfigMaps.configMaps().stream()
                      .map(MigrationJobFactory::locationOf)
                      .toList())));
    } else if (!(source instanceof MigrationSource.Bundled)) {
      env.add(literal(JobEnvironment.MIGRATIONS_DIR, MIGRATIONS_DIR));
    }
    env.addAll(migrationSettings(spec.getMigrations()));
    env.addAll(verifySettings(spec.getVerify()));
    env.add(
        literal(
            JobEnvironment.SCHEMA_OWNER,
            resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName()));
    env.add(literal(JobEnvironment.SCHEMA_OWNER_UID, resource.getMetadata().getUid()));
    if (database.getTakeOverFrom() != null) {
      env.add(literal(JobEnvironment.TAKE_OVER_FROM, database.getTakeOverFrom()));
    }
    env.add(literal(JobEnvironment.RESULT_FILE, TERMINATION_MESSAGE_PATH));
    return env;
  }

  /**
   * Where a ConfigMap of {@code spec.migrations.configMapRefs} is mounted: a directory named after
   * it, so that the migrator's messages (a version found in two ConfigMaps) name the ConfigMap. A
   * ConfigMap's name never holds the separator of {@code MIGRATIONS_DIR}, a comma.
   */
  static String locationOf(MigrationSource.FromConfigMap configMap) {
    return MIGRATIONS_DIR + "/" + configMap.name();
  }

  /**
   * The migrator's settings from {@code spec.migrations} and {@code spec.database.historyTable}
   * that the spec sets; unset, the migrator's defaults apply (the same as the CRD documents).
   */
  private static List<EnvVar> migrationSettings(MigrationsSpec migrations) {
    List<EnvVar> env = new ArrayList<>();
    if (migrations == null) {
      return env;
    }
    if (migrations.getOutOfOrder() != null) {
      env.add(literal(JobEnvironment.OUT_OF_ORDER, String.valueOf(migrations.getOutOfOrder())));
    }
    if (migrations.getPlaceholderReplacement() != null) {
      env.add(
          literal(
              JobEnvironment.PLACEHOLDER_REPLACEMENT,
              String.valueOf(migrations.getPlaceholderReplacement())));
    }
    if (migrations.getPlaceholders() != null && !migrations.getPlaceholders().isEmpty()) {
      env.add(
          literal(
              JobEnvironment.PLACEHOLDERS,
              Serialization.asJson(new TreeMap<>(migrations.getPlaceholders()))));
    }
    if (migrations.getPlaceholderPrefix() != null) {
      env.add(literal(JobEnvironment.PLACEHOLDER_PREFIX, migrations.getPlaceholderPrefix()));
    }
    if (migrations.getPlaceholderSuffix() != null) {
      env.add(literal(JobEnvironment.PLACEHOLDER_SUFFIX, migrations.getPlaceholderSuffix()));
    }
    MigrationNamingSpec naming = migrations.getNaming();
    if (naming != null) {
      optional(env, JobEnvironment.SQL_MIGRATION_PREFIX, naming.getSqlMigrationPrefix());
      optional(env, JobEnvironment.UNDO_SQL_MIGRATION_PREFIX, naming.getUndoSqlMigrationPrefix());
      optional(
          env,
          JobEnvironment.REPEATABLE_SQL_MIGRATION_PREFIX,
          naming.getRepeatableSqlMigrationPrefix());
      optional(env, JobEnvironment.BASELINE_MIGRATION_PREFIX, naming.getBaselineMigrationPrefix());
      optional(env, JobEnvironment.SQL_MIGRATION_SEPARATOR, naming.getSqlMigrationSeparator());
      if (naming.getSqlMigrationSuffixes() != null) {
        env.add(
            literal(
                JobEnvironment.SQL_MIGRATION_SUFFIXES,
                String.join(",", naming.getSqlMigrationSuffixes())));
      }
    }
    return env;
  }

  private static void optional(List<EnvVar> env, String name, String value) {
    if (value != null) {
      env.add(literal(name, value));
    }
  }

  /**
   * The lock wait of a Job whose spec sets none: half of each pod's share of the Job's deadline
   * (after the Job controller's pod back-off, 10 s doubling), at most the migrator's default of 5
   * minutes. So a Job whose every pod waits for another migrator's lock ends as {@code
   * LockTimeout}, which the operator retries, not as {@code DeadlineExceeded}: with the defaults
   * (900 s, 3 pods) it is 145 s.
   */
  static String lockWaitWithinDeadline(MigrationJobSpec job) {
    long deadline = job.getActiveDeadlineSeconds() == null ? 900 : job.getActiveDeadlineSeconds();
    int retries = job.getBackoffLimit() == null ? 2 : job.getBackoffLimit();
    long podBackOff = 0;
    for (int i = 0; i < retries; i++) {
      podBackOff += Math.min(360, 10L << i);
    }
    long perPod = Math.max(0, deadline - podBackOff) / (retries + 1);
    return Math.max(1, Math.min(300, perPod / 2)) + "s";
  }

  /** The user's pod labels, then the operator's, which win: its pods are found by them. */
  private static Map<String, String> podLabels(MigrationJobSpec job, Map<String, String> own) {
    Map<String, String> labels = new TreeMap<>();
    if (job.getPodLabels() != null) {
      labels.putAll(job.getPodLabels());
    }
    labels.putAll(own);
    return labels;
  }

  private static EnvVar literal(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static EnvVar secret(String name, String secretName, String key) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName(secretName)
        .withKey(key)
        .endSecretKeyRef()
        .endValueFrom()
        .build();
  }

  private static SecurityContext containerSecurity() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withRunAsNonRoot(true)
        .withCapabilities(new Capabilities(null, List.of("ALL")))
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  private static ResourceRequirements resources(ResourceRequirements requested) {
    if (requested != null
        && ((requested.getRequests() != null && !requested.getRequests().isEmpty())
            || (requested.getLimits() != null && !requested.getLimits().isEmpty()))) {
      return requested;
    }
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("100m"))
        .addToRequests("memory", new Quantity("192Mi"))
        .addToLimits("memory", new Quantity("384Mi"))
        .build();
  }
}
