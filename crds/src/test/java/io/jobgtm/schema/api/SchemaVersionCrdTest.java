package io.jobgtm.schema.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What `kubectl` and the API server get from the generated CRD. */
class SchemaVersionCrdTest {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** JSON equality where 900 (int) and 900 (long) are the same value. */
  private static final Comparator<JsonNode> SAME_VALUE =
      (a, b) ->
          a.equals(b)
                  || (a.isNumber()
                      && b.isNumber()
                      && a.decimalValue().compareTo(b.decimalValue()) == 0)
              ? 0
              : 1;

  private static CustomResourceDefinition crd;
  private static CustomResourceDefinitionVersion version;
  private static JSONSchemaProps spec;
  private static JSONSchemaProps status;

  @BeforeAll
  static void loadGeneratedCrd() throws IOException {
    try (InputStream in = Files.newInputStream(CrdFiles.generated())) {
      crd = SERIALIZATION.unmarshal(in, CustomResourceDefinition.class);
    }
    assertThat(crd.getSpec().getVersions()).hasSize(1);
    version = crd.getSpec().getVersions().get(0);
    JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
    spec = root.getProperties().get("spec");
    status = root.getProperties().get("status");
  }

  @Test
  void namesANamespacedResourceWithTheShortNameSv() {
    assertThat(crd.getMetadata().getName()).isEqualTo("schemaversions.schema.jobgtm.io");
    assertThat(crd.getSpec().getGroup()).isEqualTo("schema.jobgtm.io");
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(crd.getSpec().getNames().getKind()).isEqualTo("SchemaVersion");
    assertThat(crd.getSpec().getNames().getPlural()).isEqualTo("schemaversions");
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("sv");
    assertThat(version.getName()).isEqualTo("v1alpha1");
    assertThat(version.getServed()).isTrue();
    assertThat(version.getStorage()).isTrue();
    assertThat(SchemaVersion.CRD_NAME).isEqualTo(crd.getMetadata().getName());
  }

  @Test
  void statusIsASubresourceSoOnlyTheOperatorWritesIt() {
    assertThat(version.getSubresources().getStatus()).isNotNull();
    assertThat(version.getSchema().getOpenAPIV3Schema().getRequired()).containsExactly("spec");
  }

  @Test
  void kubectlGetShowsTargetCurrentReadyReasonAndAgeInThatOrder() {
    // As declared on SchemaVersion, Age last like every built-in kubectl table; the generator alone
    // would sort the columns by JSON path (crds/README.md).
    assertThat(version.getAdditionalPrinterColumns())
        .extracting(
            CustomResourceColumnDefinition::getName,
            CustomResourceColumnDefinition::getJsonPath,
            CustomResourceColumnDefinition::getType,
            CustomResourceColumnDefinition::getPriority)
        .containsExactly(
            tuple("Target", ".spec.targetVersion", "string", 0),
            tuple("Current", ".status.currentVersion", "string", 0),
            tuple("Ready", ".status.conditions[?(@.type==\"Ready\")].status", "string", 0),
            tuple("Reason", ".status.conditions[?(@.type==\"Ready\")].reason", "string", 0),
            tuple("Age", ".metadata.creationTimestamp", "date", 0));
  }

  @Test
  void kubectlExplainDocumentsEveryField() {
    assertThat(spec.getDescription()).isNotBlank();
    assertThat(status.getDescription()).isNotBlank();
    List<String> undocumented = new ArrayList<>();
    walk(
        "spec",
        spec,
        (path, property) -> {
          if (property.getDescription() == null || property.getDescription().isBlank()) {
            undocumented.add(path);
          }
        });
    walk(
        "status",
        status,
        (path, property) -> {
          if (property.getDescription() == null || property.getDescription().isBlank()) {
            undocumented.add(path);
          }
        });
    assertThat(undocumented).as("fields without a description").isEmpty();
  }

  @Test
  void unknownFieldsAreNotPreserved() {
    List<String> preserving = new ArrayList<>();
    walk(
        "spec",
        spec,
        (path, property) -> {
          if (Boolean.TRUE.equals(property.getXKubernetesPreserveUnknownFields())) {
            preserving.add(path);
          }
        });
    walk(
        "status",
        status,
        (path, property) -> {
          if (Boolean.TRUE.equals(property.getXKubernetesPreserveUnknownFields())) {
            preserving.add(path);
          }
        });
    assertThat(preserving).isEmpty();
    assertThat(spec.getXKubernetesPreserveUnknownFields()).isNull();
    assertThat(version.getSchema().getOpenAPIV3Schema().getXKubernetesPreserveUnknownFields())
        .isNull();
  }

  @Test
  void targetVersionIsLatestOrAVersionOfTheOneGrammar() {
    JSONSchemaProps targetVersion = property(spec, "targetVersion");
    assertThat(targetVersion.getDefault().asText()).isEqualTo("latest");
    Pattern pattern = Pattern.compile(targetVersion.getPattern());
    // 2_1 is 2.1, as in migration file names and Flyway: the migrator and the gate agree.
    assertThat(List.of("latest", "2", "2.1", "2_1", "10.0.3"))
        .allMatch(v -> pattern.matcher(v).matches());
    assertThat(List.of("", "v2", "2.", ".2", "2..1", "Latest", "2-1", "latest2", "2__1"))
        .noneMatch(v -> pattern.matcher(v).matches());
    List<String> versions = List.of("2", "2.1", "2_1", "10.0.3", "2.", "2-1", "v2", "2__1");
    for (String version : versions) {
      assertThat(pattern.matcher(version).matches())
          .as(version)
          .isEqualTo(io.jobgtm.schema.contract.Version.isValid(version));
    }

    Pattern baselineVersion = Pattern.compile(property(spec, "baseline", "version").getPattern());
    assertThat(baselineVersion.matcher("1.2").matches()).isTrue();
    assertThat(baselineVersion.matcher("1_2").matches()).isTrue();
    assertThat(baselineVersion.matcher("latest").matches()).isFalse();
  }

  @Test
  void unsetTimeoutsAreTheMigratorsDefaultsAndTheStatementTimeoutEndsBeforeTheJob() {
    JSONSchemaProps job = property(spec, "job");
    assertThat(property(job, "lockTimeout").getDescription())
        .contains("unset: the migrator's default, 10s");
    assertThat(property(job, "statementTimeout").getDescription())
        .contains("unset: the migrator's default, 10m");
    long statementSeconds =
        java.time.Duration.parse(
                "PT"
                    + io.jobgtm.schema.contract.JobEnvironment.DEFAULT_STATEMENT_TIMEOUT
                        .toUpperCase())
            .toSeconds();
    assertThat(statementSeconds)
        .isLessThan(property(job, "activeDeadlineSeconds").getDefault().asLong());
  }

  @Test
  void lastJobOutcomeIsDocumentedAsWrittenWhileTheJobRuns() {
    assertThat(property(status, "lastJob", "outcome").getDescription())
        .contains(MigrationJobStatus.RUNNING + " while the Job runs");
  }

  @Test
  void databaseHasDefaultsAndNeverAPassword() {
    JSONSchemaProps database = property(spec, "database");
    assertThat(spec.getRequired()).containsExactly("database");
    assertThat(database.getRequired())
        .containsExactlyInAnyOrder("host", "name", "credentialsSecretRef");
    assertThat(property(database, "port").getDefault().asInt()).isEqualTo(5432);
    assertThat(property(database, "port").getMinimum()).isEqualTo(1.0);
    assertThat(property(database, "port").getMaximum()).isEqualTo(65535.0);
    assertThat(property(database, "schema").getDefault().asText()).isEqualTo("public");
    assertThat(enumValues(property(database, "sslMode")))
        .containsExactlyInAnyOrderElementsOf(io.jobgtm.schema.contract.JobEnvironment.SSL_MODES);
    assertThat(property(database, "sslMode").getDefault().asText()).isEqualTo("prefer");

    JSONSchemaProps secretRef = property(database, "credentialsSecretRef");
    assertThat(secretRef.getRequired()).containsExactly("name");
    assertThat(secretRef.getProperties()).containsOnlyKeys("name", "usernameKey", "passwordKey");
    assertThat(property(secretRef, "usernameKey").getDefault().asText()).isEqualTo("username");
    assertThat(property(secretRef, "passwordKey").getDefault().asText()).isEqualTo("password");

    List<String> passwordFields = new ArrayList<>();
    walk(
        "spec",
        spec,
        (path, property) -> {
          if (path.toLowerCase().endsWith("password")) {
            passwordFields.add(path);
          }
        });
    assertThat(passwordFields).isEmpty();
  }

  @Test
  void rootCertificatesComeFromExactlyOneKeyAndOnlyWithAVerifyingSslMode() {
    JSONSchemaProps database = property(spec, "database");
    JSONSchemaProps rootCert = property(database, "sslRootCert");
    assertThat(rootCert.getProperties()).containsOnlyKeys("secretKeyRef", "configMapKeyRef");
    assertThat(property(rootCert, "secretKeyRef").getRequired())
        .containsExactlyInAnyOrder("name", "key");
    assertThat(property(rootCert, "configMapKeyRef").getRequired())
        .containsExactlyInAnyOrder("name", "key");
    assertThat(rootCert.getXKubernetesValidations())
        .extracting(ValidationRule::getRule, ValidationRule::getMessage)
        .containsExactly(
            tuple(
                "has(self.secretKeyRef) != has(self.configMapKeyRef)",
                "set exactly one of sslRootCert.secretKeyRef and sslRootCert.configMapKeyRef"));
    assertThat(database.getXKubernetesValidations())
        .extracting(
            ValidationRule::getRule,
            ValidationRule::getMessage,
            ValidationRule::getFieldPath,
            ValidationRule::getReason)
        .containsExactlyInAnyOrder(
            tuple(
                "!has(self.sslMode) || !(self.sslMode in ['verify-ca', 'verify-full'])"
                    + " || has(self.sslRootCert)",
                "database.sslRootCert is required when database.sslMode is verify-ca or"
                    + " verify-full: the CA certificates the server's certificate is verified"
                    + " against",
                ".sslRootCert",
                "FieldValueRequired"),
            tuple(
                "!has(self.sslRootCert) || (has(self.sslMode) && self.sslMode in ['verify-ca',"
                    + " 'verify-full'])",
                "database.sslRootCert is used only with database.sslMode verify-ca or"
                    + " verify-full; other modes do not verify the server's certificate",
                ".sslRootCert",
                "FieldValueInvalid"));
    assertThat(
            io.jobgtm.schema.contract.JobEnvironment.VERIFYING_SSL_MODES.stream()
                .map(mode -> "'" + mode + "'")
                .toList())
        .allSatisfy(
            mode ->
                assertThat(database.getXKubernetesValidations())
                    .allSatisfy(rule -> assertThat(rule.getRule()).contains(mode)));
  }

  @Test
  void migrationsComeFromAConfigMapOrAnImageNeverBoth() {
    JSONSchemaProps migrations = property(spec, "migrations");
    assertThat(migrations.getProperties())
        .containsOnlyKeys(
            "configMapRef",
            "configMapRefs",
            "image",
            "outOfOrder",
            "placeholderReplacement",
            "placeholders",
            "placeholderPrefix",
            "placeholderSuffix",
            "naming");
    assertThat(property(migrations, "configMapRef").getRequired()).containsExactly("name");
    assertThat(property(migrations, "image").getRequired()).containsExactly("reference");
    assertThat(property(migrations, "image", "path").getDefault().asText())
        .isEqualTo("/migrations");
    assertThat(migrations.getXKubernetesValidations())
        .extracting(ValidationRule::getRule, ValidationRule::getMessage)
        .containsExactly(
            tuple(
                "!(has(self.configMapRef) && has(self.image))",
                "set either migrations.configMapRef or migrations.image, not both; omit both to"
                    + " use the migrations bundled in the operator image"),
            tuple(
                "!(has(self.configMapRefs) && (has(self.configMapRef) || has(self.image)))",
                "set migrations.configMapRefs alone: it lists every ConfigMap of the set, so it"
                    + " replaces migrations.configMapRef and cannot be combined with"
                    + " migrations.image"));
  }

  @Test
  void severalConfigMapsAreAShortListOfDistinctNames() {
    JSONSchemaProps configMapRefs = property(spec, "migrations", "configMapRefs");
    assertThat(configMapRefs.getMinItems()).isEqualTo(1L);
    assertThat(configMapRefs.getMaxItems()).isEqualTo((long) MigrationsSpec.MAX_CONFIG_MAPS);
    assertThat(configMapRefs.getItems().getSchema().getRequired()).containsExactly("name");
    assertThat(configMapRefs.getXKubernetesValidations())
        .extracting(ValidationRule::getRule)
        .containsExactly("self.all(r, self.exists_one(s, s.name == r.name))");
  }

  @Test
  void theHistoryTableIsAPostgresqlNameWithoutADefaultInTheSchema() {
    JSONSchemaProps historyTable = property(spec, "database", "historyTable");
    // No schema default: a default would reach every stored resource and change its Job's hash.
    assertThat(historyTable.getDefault()).isNull();
    assertThat(historyTable.getDescription()).contains("Default flyway_schema_history");
    assertThat(historyTable.getMaxLength()).isEqualTo(63L);
    assertThat(historyTable.getXKubernetesValidations())
        .extracting(ValidationRule::getRule)
        .containsExactly("size(bytes(self)) <= 63");
  }

  @Test
  void baselineIsOptInAndNeedsAVersion() {
    JSONSchemaProps baseline = property(spec, "baseline");
    assertThat(enumValues(property(baseline, "onUnversionedSchema")))
        .containsExactlyInAnyOrder("Baseline", "Fail");
    assertThat(property(baseline, "onUnversionedSchema").getDefault().asText()).isEqualTo("Fail");
    assertThat(baseline.getXKubernetesValidations())
        .extracting(
            ValidationRule::getRule,
            ValidationRule::getMessage,
            ValidationRule::getFieldPath,
            ValidationRule::getReason)
        .containsExactly(
            tuple(
                "!has(self.onUnversionedSchema) || self.onUnversionedSchema != 'Baseline'"
                    + " || has(self.version)",
                "baseline.version is required when baseline.onUnversionedSchema is Baseline: it"
                    + " is the version the existing schema is stamped with",
                ".version",
                "FieldValueRequired"),
            tuple(
                "!has(self.version) || self.version != 'Auto' || !has(self.verify) || self.verify",
                "baseline.verify false cannot go with baseline.version Auto, which is found by the"
                    + " verification: give a version to stamp it unchecked",
                ".verify",
                "FieldValueInvalid"));
    assertThat(property(baseline, "version").getPattern())
        .isEqualTo("^(Auto|" + io.jobgtm.schema.contract.Version.SYNTAX_REGEX + ")$");
    assertThat(property(baseline, "verify").getDefault().asBoolean()).isTrue();
  }

  @Test
  void theShadowIsOnByDefaultAndTheBaselineRulesFollowIt() {
    JSONSchemaProps shadow = property(spec, "shadow");
    assertThat(spec.getProperties().get("shadow").getDefault()).isNotNull();
    assertThat(property(shadow, "enabled").getDefault().asBoolean()).isTrue();
    assertThat(property(shadow, "image").getDefault())
        .as("unset means the operator's shadow image, which the chart sets")
        .isNull();
    assertThat(spec.getXKubernetesValidations())
        .extracting(ValidationRule::getFieldPath)
        .contains(".baseline.version", ".baseline.verify");
  }

  @Test
  void downgradesAreRefusedUnlessAllowed() {
    assertThat(property(spec, "downgrade", "allowed").getType()).isEqualTo("boolean");
    assertThat(property(spec, "downgrade", "allowed").getDefault().asBoolean()).isFalse();
  }

  @Test
  void theJobHasBoundedRetriesAndPositiveDeadlines() {
    JSONSchemaProps job = property(spec, "job");
    assertThat(job.getProperties())
        .containsOnlyKeys(
            "image",
            "resources",
            "serviceAccountName",
            "backoffLimit",
            "activeDeadlineSeconds",
            "ttlSecondsAfterFinished",
            "lockTimeout",
            "lockWaitTimeout",
            "connectTimeout",
            "statementTimeout",
            "podAnnotations",
            "podLabels");
    assertThat(property(job, "backoffLimit").getDefault().asInt()).isEqualTo(2);
    assertThat(property(job, "backoffLimit").getMinimum()).isEqualTo(0.0);
    assertThat(property(job, "backoffLimit").getMaximum()).isEqualTo(10.0);
    assertThat(property(job, "activeDeadlineSeconds").getDefault().asInt()).isEqualTo(900);
    assertThat(property(job, "activeDeadlineSeconds").getMinimum()).isEqualTo(1.0);
    assertThat(property(job, "ttlSecondsAfterFinished").getDefault().asInt()).isEqualTo(3600);
    assertThat(property(job, "ttlSecondsAfterFinished").getMinimum()).isEqualTo(0.0);
    assertThat(property(job, "resources").getProperties()).containsOnlyKeys("limits", "requests");
    assertThat(property(job, "resources", "limits").getAdditionalProperties().getSchema())
        .extracting(JSONSchemaProps::getXKubernetesIntOrString)
        .isEqualTo(true);

    for (String timeout : List.of("lockTimeout", "statementTimeout")) {
      Pattern duration = Pattern.compile(property(job, timeout).getPattern());
      assertThat(List.of("10s", "5m", "500ms", "1h", "0s"))
          .allMatch(v -> duration.matcher(v).matches());
      assertThat(List.of("10", "1.5s", "10sec", "5 m", "1d", "-1s", "s", "1000000000000h"))
          .noneMatch(v -> duration.matcher(v).matches());
    }
    Pattern lockWait = Pattern.compile(property(job, "lockWaitTimeout").getPattern());
    assertThat(List.of("30s", "5m", "500ms", "1h", "010s"))
        .allMatch(v -> lockWait.matcher(v).matches());
    assertThat(List.of("0s", "00m", "0ms", "10", "-1s", "1.5s"))
        .noneMatch(v -> lockWait.matcher(v).matches());
  }

  @Test
  void gatedDeploymentsAreAShortListOfNames() {
    JSONSchemaProps deployments = property(spec, "gate", "deployments");
    assertThat(deployments.getMaxItems()).isEqualTo(20L);
    Pattern name = Pattern.compile(deployments.getItems().getSchema().getPattern());
    assertThat(List.of("workflow-api", "worker", "a.b-c")).allMatch(v -> name.matcher(v).matches());
    assertThat(List.of("", "Worker", "-api", "api-", "a_b"))
        .noneMatch(v -> name.matcher(v).matches());
  }

  @Test
  void statusReportsVersionsStateHistoryAndConditions() {
    assertThat(status.getProperties())
        .containsOnlyKeys(
            "observedGeneration",
            "desiredVersion",
            "currentVersion",
            "databaseState",
            "serverVersion",
            "pendingVersions",
            "pendingCount",
            "appliedMigrations",
            "appliedRepeatables",
            "pendingRepeatables",
            "lastJob",
            "retries",
            "gatedPods",
            "schemaFingerprint",
            "serverVersion",
            "verification",
            "conditions");
    assertThat(enumValues(property(status, "databaseState")))
        .containsExactlyInAnyOrder("Fresh", "Unversioned", "Versioned");
    JSONSchemaProps applied = property(status, "appliedMigrations");
    assertThat(applied.getMaxItems()).isEqualTo((long) SchemaVersionStatus.MAX_APPLIED_MIGRATIONS);
    assertThat(applied.getItems().getSchema().getProperties())
        .containsOnlyKeys("version", "description", "appliedAt", "durationMs");
    assertThat(property(status, "lastJob").getProperties())
        .containsOnlyKeys(
            "name", "attempt", "outcome", "reason", "message", "startedAt", "finishedAt");
    assertThat(property(status, "retries").getProperties())
        .containsOnlyKeys("count", "nextAttemptAt", "lastReason", "request");
    assertThat(property(status, "verification").getProperties())
        .containsOnlyKeys("lastVerifiedAt", "version", "differenceCount", "lastJob", "request");
    assertThat(property(status, "conditions").getItems().getSchema().getProperties())
        .containsOnlyKeys(
            "type", "status", "reason", "message", "lastTransitionTime", "observedGeneration");
  }

  @Test
  void theJavaModelStartsWithTheCrdDefaults() {
    SchemaVersionSpec everything = new SchemaVersionSpec();
    everything.setDatabase(new DatabaseSpec());
    everything.getDatabase().setCredentialsSecretRef(new CredentialsSecretRef());
    everything.setMigrations(new MigrationsSpec());
    everything.getMigrations().setConfigMapRef(new ConfigMapRef());
    everything.getMigrations().setImage(new MigrationImage());
    everything.setGate(new GateSpec());
    everything.setVerify(new VerifySpec());
    JsonNode java = SERIALIZATION.convertValue(everything, JsonNode.class);

    List<String> mismatches = new ArrayList<>();
    compareDefaults("spec", spec, java, mismatches);
    assertThat(mismatches).isEmpty();
  }

  /** Each CRD default equals the Java initial value, and each scalar initial value is a default. */
  private static void compareDefaults(
      String path, JSONSchemaProps schema, JsonNode java, List<String> mismatches) {
    if (schema.getProperties() == null) {
      return;
    }
    schema
        .getProperties()
        .forEach(
            (name, property) -> {
              JsonNode javaValue = java == null ? null : java.get(name);
              JsonNode crdDefault = property.getDefault();
              if (crdDefault != null
                  && (javaValue == null || !crdDefault.equals(SAME_VALUE, javaValue))) {
                mismatches.add(path + "." + name + ": CRD " + crdDefault + ", Java " + javaValue);
              }
              if (crdDefault == null && javaValue != null && javaValue.isValueNode()) {
                mismatches.add(path + "." + name + ": Java " + javaValue + ", no CRD default");
              }
              compareDefaults(path + "." + name, property, javaValue, mismatches);
            });
  }

  /** Visits every property under {@code schema}, also inside list items, with its path. */
  private static void walk(
      String path, JSONSchemaProps schema, BiConsumer<String, JSONSchemaProps> visitor) {
    if (schema.getProperties() != null) {
      for (Map.Entry<String, JSONSchemaProps> property : schema.getProperties().entrySet()) {
        String propertyPath = path + "." + property.getKey();
        visitor.accept(propertyPath, property.getValue());
        walk(propertyPath, property.getValue(), visitor);
      }
    }
    if (schema.getItems() != null && schema.getItems().getSchema() != null) {
      walk(path + "[]", schema.getItems().getSchema(), visitor);
    }
    if (schema.getAdditionalProperties() != null
        && schema.getAdditionalProperties().getSchema() != null) {
      walk(path + "{}", schema.getAdditionalProperties().getSchema(), visitor);
    }
  }

  private static JSONSchemaProps property(JSONSchemaProps schema, String... path) {
    JSONSchemaProps current = schema;
    for (String name : path) {
      assertThat(current.getProperties()).as("properties of %s", name).containsKey(name);
      current = current.getProperties().get(name);
    }
    return current;
  }

  private static List<String> enumValues(JSONSchemaProps property) {
    return property.getEnum().stream().map(JsonNode::asText).toList();
  }
}
