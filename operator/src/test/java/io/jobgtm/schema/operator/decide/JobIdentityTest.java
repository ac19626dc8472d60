package io.jobgtm.schema.operator.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.jobgtm.schema.api.MigrationJobStatus;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.operator.Fixtures;
import io.jobgtm.schema.operator.observe.MigrationSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobIdentityTest {

  private static final String IMAGE = "registry.test/schema-operator:1.0";
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

  private String hash(SchemaVersion resource) {
    return JobIdentity.specHash(resource, bundled, IMAGE);
  }

  @Test
  void nameIsTheResourceNameAndAHashWithinSixtyThreeCharacters() {
    String hash = hash(Fixtures.schemaVersion());

    assertThat(JobIdentity.name("workflow", hash, 0)).isEqualTo("workflow-" + hash);
    assertThat(hash).hasSize(10).matches("[0-9a-f]+");
    assertThat(JobIdentity.name("x".repeat(80), hash, 0)).hasSize(63).endsWith("-" + hash);
    assertThat(JobIdentity.name("x".repeat(80), hash, 3)).hasSize(63);
  }

  @Test
  void aNameCutAtADotOrDashStillEndsInALetterOrDigit() {
    String hash = "0123456789";
    // 51 letters then '.', '-': the cut at 52 characters would leave "….-" before the hash.
    String name = "a".repeat(50) + "b.-c" + "d".repeat(8);

    String job = JobIdentity.name(name, hash, 0);

    assertThat(job).isEqualTo("a".repeat(50) + "b-" + hash);
    assertThat(job).matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  }

  @Test
  void hashFollowsWhatDecidesTheOutcomeAndNothingElse() {
    SchemaVersion resource = Fixtures.schemaVersion();
    String base = hash(resource);

    assertThat(hash(Fixtures.schemaVersion())).isEqualTo(base);
    assertThat(hash(Fixtures.schemaVersion("targetVersion: \"2\""))).isNotEqualTo(base);
    assertThat(hash(Fixtures.schemaVersion("downgrade: {allowed: true}"))).isNotEqualTo(base);
    assertThat(hash(Fixtures.schemaVersion("job: {image: other:2}"))).isNotEqualTo(base);
    assertThat(JobIdentity.specHash(resource, configMap("SELECT 1;"), IMAGE))
        .isNotEqualTo(base)
        .isNotEqualTo(JobIdentity.specHash(resource, configMap("SELECT 2;"), IMAGE));
    assertThat(JobIdentity.specHash(resource, bundled, "registry.test/schema-operator:1.1"))
        .isNotEqualTo(base);
    assertThat(hash(Fixtures.schemaVersion("gate: {deployments: [workflow-svc]}"))).isEqualTo(base);
  }

  @Test
  void theHashOfSeveralConfigMapsChangesWhenAnyOfThemDoes() {
    SchemaVersion resource =
        Fixtures.schemaVersion("migrations: {configMapRefs: [{name: schema}, {name: data}]}");
    String base =
        JobIdentity.specHash(
            resource, configMaps(named("schema", "V1__a.sql"), named("data", "V2__b.sql")), IMAGE);

    assertThat(
            JobIdentity.specHash(
                resource,
                configMaps(named("schema", "V1__a.sql"), named("data", "V2__b.sql")),
                IMAGE))
        .isEqualTo(base);
    assertThat(
            JobIdentity.specHash(
                resource,
                configMaps(named("schema", "V1__a.sql"), named("data", "V2__changed.sql")),
                IMAGE))
        .isNotEqualTo(base);
    assertThat(
            JobIdentity.specHash(
                resource,
                configMaps(named("schema", "V1__changed.sql"), named("data", "V2__b.sql")),
                IMAGE))
        .isNotEqualTo(base);
    // The same scripts under the other ConfigMap: another set, another Job.
    assertThat(
            JobIdentity.specHash(
                resource,
                configMaps(named("schema", "V1__a.sql", "V2__b.sql"), named("data")),
                IMAGE))
        .isNotEqualTo(base);
  }

  @Test
  void theMigratorSettingsOfTheSpecChangeTheHash() {
    String base = hash(Fixtures.schemaVersion());
    SchemaVersion otherHistory = Fixtures.schemaVersion();
    otherHistory.getSpec().getDatabase().setHistoryTable("schema_version");

    assertThat(hash(otherHistory)).isNotEqualTo(base);
    assertThat(hash(Fixtures.schemaVersion("migrations: {outOfOrder: true}"))).isNotEqualTo(base);
    assertThat(hash(Fixtures.schemaVersion("migrations: {placeholders: {owner: app}}")))
        .isNotEqualTo(hash(Fixtures.schemaVersion("migrations: {placeholders: {owner: ops}}")));
  }

  private static MigrationSource.FromConfigMaps configMaps(
      MigrationSource.FromConfigMap... configMaps) {
    return new MigrationSource.FromConfigMaps(java.util.List.of(configMaps));
  }

  private static MigrationSource.FromConfigMap named(String name, String... files) {
    Map<String, String> data = new java.util.TreeMap<>();
    for (String file : files) {
      data.put(file, "SELECT 1;");
    }
    return new MigrationSource.FromConfigMap(
        name,
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName(name)
            .endMetadata()
            .withData(data)
            .build());
  }

  @Test
  void aNewAttemptRunsAnUnchangedSpecAgainUnderANewName() {
    String hash = hash(Fixtures.schemaVersion());

    assertThat(JobIdentity.name("workflow", hash, 1))
        .startsWith("workflow-")
        .isNotEqualTo(JobIdentity.name("workflow", hash, 0))
        .isNotEqualTo(JobIdentity.name("workflow", hash, 2))
        .isEqualTo(JobIdentity.name("workflow", hash, 1));
  }

  @Test
  void theAttemptComesFromTheStatusOnlyWhileItNamesThisSpec() {
    SchemaVersion resource = Fixtures.schemaVersion();
    String hash = hash(resource);
    assertThat(JobIdentity.attempt(resource, hash)).isZero();
    assertThat(JobIdentity.current(resource, hash)).isEqualTo("workflow-" + hash);

    // After a restart the desired name is derived from the recorded attempt: the running Job is
    // found again under it and adopted.
    MigrationJobStatus last =
        new MigrationJobStatus(
            JobIdentity.name("workflow", hash, 2), MigrationJobStatus.RUNNING, null, null);
    last.setAttempt(2);
    resource.setStatus(new SchemaVersionStatus());
    resource.getStatus().setLastJob(last);
    assertThat(JobIdentity.attempt(resource, hash)).isEqualTo(2);
    assertThat(JobIdentity.current(resource, hash)).isEqualTo(last.getName());

    // A changed spec starts again at attempt 0.
    String changed = hash(Fixtures.schemaVersion("targetVersion: \"2\""));
    assertThat(JobIdentity.attempt(resource, changed)).isZero();
  }
}
