package io.jobgtm.schema.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.jobgtm.schema.contract.DatabaseHost;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The spec fields that become parts of the migration Job carry the checks the API server (or the
 * kubelet) would make when the operator creates the Job, so the CRD refuses a bad value at apply
 * time. The patterns are checked here with {@link Pattern}, whose syntax agrees with Go's RE2 for
 * them; {@code SchemaVersionCrdIT} applies them on a real API server.
 */
class JobFieldsCrdTest {

  private static final String HEX64 = "0123456789abcdef".repeat(4);

  private static JSONSchemaProps root;
  private static JSONSchemaProps spec;

  @BeforeAll
  static void loadGeneratedCrd() throws IOException {
    try (InputStream in = Files.newInputStream(CrdFiles.generated())) {
      root =
          new KubernetesSerialization()
              .unmarshal(in, CustomResourceDefinition.class)
              .getSpec()
              .getVersions()
              .get(0)
              .getSchema()
              .getOpenAPIV3Schema();
    }
    spec = root.getProperties().get("spec");
  }

  @Test
  void namesOfReferencedObjectsAreDns1123Subdomains() {
    List<JSONSchemaProps> names =
        List.of(
            property("database", "credentialsSecretRef", "name"),
            property("database", "sslRootCert", "secretKeyRef", "name"),
            property("database", "sslRootCert", "configMapKeyRef", "name"),
            property("migrations", "configMapRef", "name"),
            property("job", "serviceAccountName"),
            property("gate", "deployments").getItems().getSchema());
    assertThat(names)
        .extracting(JSONSchemaProps::getPattern, JSONSchemaProps::getMaxLength)
        .containsOnly(tuple(KubernetesNames.DNS1123_SUBDOMAIN_PATTERN, 253L));

    Pattern name = Pattern.compile(KubernetesNames.DNS1123_SUBDOMAIN_PATTERN);
    assertThat(List.of("db", "workflow-db", "db.secret-1", "0abc"))
        .allMatch(v -> name.matcher(v).matches());
    assertThat(List.of("", "DbSecret", "db_secret", "db secret", "-db", "db-", "db..x", ".db"))
        .noneMatch(v -> name.matcher(v).matches());
  }

  @Test
  void theDatabaseHostIsTheContractsOneGrammar() {
    JSONSchemaProps host = property("database", "host");
    assertThat(host.getPattern()).isEqualTo(DatabaseHost.PATTERN);
    assertThat(host.getMaxLength()).isEqualTo((long) DatabaseHost.MAX_LENGTH);
    assertThat(host.getMinLength()).isEqualTo(1L);
    assertThat(host.getXKubernetesValidations())
        .extracting(ValidationRule::getRule)
        .containsExactly(DatabaseHost.NUMERIC_RULE);

    // The pattern runs on the API server (Go's RE2); here with Java's engine, which agrees on it.
    Pattern pattern = Pattern.compile(host.getPattern());
    assertThat(List.of("postgres", "postgres.db.svc.cluster.local", "10.0.0.7", "::1", "fd00::7"))
        .allMatch(v -> pattern.matcher(v).matches());
    assertThat(
            List.of(
                "evil.example/x?sslmode=disable&sslfactory=foo&",
                "db:5433",
                "db,other",
                "[::1]",
                "db.",
                "db x"))
        .noneMatch(v -> pattern.matcher(v).matches());
  }

  @Test
  void secretKeysFollowTheKubernetesKeyGrammar() {
    for (JSONSchemaProps property :
        List.of(
            property("database", "credentialsSecretRef", "usernameKey"),
            property("database", "credentialsSecretRef", "passwordKey"),
            property("database", "sslRootCert", "secretKeyRef", "key"),
            property("database", "sslRootCert", "configMapKeyRef", "key"))) {
      assertThat(property.getPattern()).isEqualTo(KubernetesNames.SECRET_KEY_PATTERN);
      assertThat(property.getMaxLength()).isEqualTo(253L);
    }
    // IsConfigMapKey: [-._a-zA-Z0-9]+, but not "." or "..", nor starting with "..".
    Pattern key = Pattern.compile(KubernetesNames.SECRET_KEY_PATTERN);
    assertThat(List.of("password", "DB_PASSWORD", "user-name.v2", ".pw", "a..b", "-", "_"))
        .allMatch(v -> key.matcher(v).matches());
    assertThat(List.of("", ".", "..", "..pw", "...", "user name", "db/pw", "pw:1", "pässword"))
        .noneMatch(v -> key.matcher(v).matches());
  }

  @Test
  void imagesAreReferencesOfTheDistributionGrammar() {
    for (JSONSchemaProps image :
        List.of(
            property("job", "image"),
            property("migrations", "image", "reference"),
            property("shadow", "image"))) {
      assertThat(image.getPattern()).isEqualTo(MigrationImage.REFERENCE_PATTERN);
      assertThat(image.getMaxLength()).isEqualTo(520L);
    }
    Pattern reference = Pattern.compile(MigrationImage.REFERENCE_PATTERN);
    assertThat(
            List.of(
                "ghcr.io/acme/migrations:1.2.3",
                "localhost:5000/x/y@sha256:" + HEX64,
                "schema-operator:dev",
                "schema-operator",
                "registry.example.com:443/a/b/c:v1",
                "docker.io/library/postgres:17.2@sha256:" + HEX64,
                "a/b@sha512:" + HEX64 + HEX64,
                "Registry.Example.com/x:1",
                "[fd00::1]:5000/team_a/db__tools/mig--rator.v2:V1_2-rc.3",
                "1.2.3.4:80/x",
                "a/b:_tag",
                "a/b:" + "t".repeat(128)))
        .allMatch(v -> reference.matcher(v).matches());
    assertThat(
            List.of(
                "",
                "ghcr.io/Acme/migrations:1",
                "schema-operator: dev",
                " schema-operator:dev",
                "r/m:1 ",
                "r/m:1:2",
                "r/m@sha256:abc",
                "a/b@sha256:" + HEX64.toUpperCase(),
                "a/b@md5:" + HEX64.substring(0, 32),
                "https://ghcr.io/acme/m:1",
                "a___b/c",
                "a-_b/c",
                "a..b/c",
                ".a/b",
                "a/b:-tag",
                "a/b:" + "t".repeat(129),
                "host:5000/",
                "-host/x",
                "a:b/c"))
        .noneMatch(v -> reference.matcher(v).matches());
  }

  @Test
  void resourcesAreAtMostThreeQuantitiesOfStandardNamesWithRequestsWithinLimits() {
    for (String container : List.of("job", "shadow")) {
      resourcesOf(container);
    }
  }

  private static void resourcesOf(String container) {
    JSONSchemaProps resources = property(container, "resources");
    for (String map : List.of("limits", "requests")) {
      JSONSchemaProps quantities = property(container, "resources", map);
      assertThat(quantities.getMaxProperties()).isEqualTo(3L);
      assertThat(quantities.getXKubernetesValidations())
          .extracting(ValidationRule::getRule, ValidationRule::getMessage)
          .containsExactly(
              tuple(JobResourcesSchema.NAMES_RULE, JobResourcesSchema.NAMES_MESSAGE),
              tuple(JobResourcesSchema.QUANTITIES_RULE, JobResourcesSchema.QUANTITIES_MESSAGE));
    }
    assertThat(resources.getXKubernetesValidations())
        .singleElement()
        .satisfies(
            rule -> {
              assertThat(rule.getFieldPath()).isEqualTo(".requests");
              assertThat(rule.getRule()).contains("isGreaterThan");
            });
  }

  @Test
  void theTtlFitsTheJavaIntegerTheOperatorReadsItInto() {
    assertThat(property("job", "ttlSecondsAfterFinished").getMaximum())
        .isEqualTo((double) Integer.MAX_VALUE);
  }

  @Test
  void theNameFitsALabelValueAndTheNameOfASchedulingGate() {
    assertThat(root.getXKubernetesValidations())
        .extracting(ValidationRule::getRule)
        .containsExactly("self.metadata.name.size() <= 63");
  }

  private static JSONSchemaProps property(String... path) {
    JSONSchemaProps current = spec;
    for (String name : path) {
      assertThat(current.getProperties()).as("properties of %s", name).containsKey(name);
      current = current.getProperties().get(name);
    }
    return current;
  }
}
