package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where the migration scripts come from, and how the migrator reads them. At most one source:
 * {@link #getConfigMapRef() configMapRef}, {@link #getConfigMapRefs() configMapRefs} or {@link
 * #getImage() image}; none means the set bundled in the operator image. The other fields are
 * Flyway's settings of the same names (the migrator's {@code OUT_OF_ORDER}, {@code
 * PLACEHOLDER_REPLACEMENT}, {@code PLACEHOLDERS}, {@code PLACEHOLDER_PREFIX} and {@code
 * PLACEHOLDER_SUFFIX}, docs/migrator.md); unset, none reaches the Job's spec hash, so adding them
 * did not change the Job of an existing resource.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.configMapRef) && has(self.image))",
    message =
        "set either migrations.configMapRef or migrations.image, not both; omit both to use the"
            + " migrations bundled in the operator image")
@ValidationRule(
    value = "!(has(self.configMapRefs) && (has(self.configMapRef) || has(self.image)))",
    message =
        "set migrations.configMapRefs alone: it lists every ConfigMap of the set, so it replaces"
            + " migrations.configMapRef and cannot be combined with migrations.image")
public class MigrationsSpec {

  /**
   * At most this many ConfigMaps in {@code configMapRefs}. The chart's admission policy asks the
   * API server's authorizer whether the author may get each one, and the API server allows one
   * admission request about 28 such checks: 4 go to the policy's other checks and {@link
   * GateSpec#MAX_DEPLOYMENTS} to the gated Deployments, which leaves 4, the one of {@code
   * configMapRef} included (the two are exclusive); see
   * helm/schema-operator/templates/admission-policy.yaml.
   */
  public static final int MAX_CONFIG_MAPS = 4;

  /**
   * At most this many entries in {@code placeholders}: a bound the API server needs to estimate the
   * cost of the rule that refuses two names differing only in case.
   */
  public static final int MAX_PLACEHOLDERS = 64;

  @JsonPropertyDescription(
      "ConfigMap in the same namespace whose keys are migration scripts (V<n>__<desc>.sql, undo"
          + " U<n>__<desc>.sql, R__<desc>.sql, B<n>__<desc>.sql, callbacks such as"
          + " afterMigrate.sql).")
  private ConfigMapRef configMapRef;

  @JsonPropertyDescription(
      "Several ConfigMaps in the same namespace read as one migration set, in the order given"
          + " (Flyway's locations): each is mounted at a directory of its own, a version or a"
          + " repeatable migration found in two of them is refused. For a set larger than one"
          + " ConfigMap holds (1 MiB). At most 4, each named once; exclusive with configMapRef"
          + " and image.")
  @Size(min = 1, max = MAX_CONFIG_MAPS)
  @ValidationRule(
      value = "self.all(r, self.exists_one(s, s.name == r.name))",
      message = "migrations.configMapRefs names a ConfigMap twice",
      reason = "FieldValueInvalid")
  private List<ConfigMapRef> configMapRefs;

  @JsonPropertyDescription("Image that carries the migration scripts in a directory.")
  private MigrationImage image;

  @JsonPropertyDescription(
      "Apply a version below the current one that was never applied (Flyway's outOfOrder)."
          + " Default false: such a version is refused with ValidationFailed.")
  private Boolean outOfOrder;

  @JsonPropertyDescription(
      "Replace placeholders (${name}) in every script with the values of placeholders and"
          + " Flyway's built-ins (${flyway:defaultSchema}, ...); a placeholder without a value is"
          + " refused before anything runs (Flyway's placeholderReplacement). Default false, unlike"
          + " Flyway: SQL runs as written, except in a script whose own settings turn replacement"
          + " on.")
  private Boolean placeholderReplacement;

  @JsonPropertyDescription(
      "Values of the placeholders, by name (Flyway's placeholders; names matched without regard"
          + " to case, so two names differing only in case are refused). Plain text, visible in"
          + " the migration Job's spec: never a secret. At most 64.")
  @Size(max = MAX_PLACEHOLDERS)
  @ValidationRule(
      value = "self.all(k, self.all(j, j == k || j.lowerAscii() != k.lowerAscii()))",
      message =
          "migrations.placeholders names one placeholder twice in different case; Flyway matches"
              + " names without regard to case, so give it once",
      reason = "FieldValueInvalid")
  private Map<String, String> placeholders;

  @JsonPropertyDescription(
      "What starts a placeholder (Flyway's placeholderPrefix); default \"${\".")
  @Size(min = 1)
  private String placeholderPrefix;

  @JsonPropertyDescription("What ends a placeholder (Flyway's placeholderSuffix); default \"}\".")
  @Size(min = 1)
  private String placeholderSuffix;

  @JsonPropertyDescription(
      "How the files are named, when not as Flyway names them by default (V<version>__<desc>.sql):"
          + " Flyway's prefixes, separator and suffixes.")
  private MigrationNamingSpec naming;

  public ConfigMapRef getConfigMapRef() {
    return configMapRef;
  }

  public void setConfigMapRef(ConfigMapRef configMapRef) {
    this.configMapRef = configMapRef;
  }

  public List<ConfigMapRef> getConfigMapRefs() {
    return configMapRefs;
  }

  public void setConfigMapRefs(List<ConfigMapRef> configMapRefs) {
    this.configMapRefs = configMapRefs;
  }

  public MigrationImage getImage() {
    return image;
  }

  public void setImage(MigrationImage image) {
    this.image = image;
  }

  public Boolean getOutOfOrder() {
    return outOfOrder;
  }

  public void setOutOfOrder(Boolean outOfOrder) {
    this.outOfOrder = outOfOrder;
  }

  public Boolean getPlaceholderReplacement() {
    return placeholderReplacement;
  }

  public void setPlaceholderReplacement(Boolean placeholderReplacement) {
    this.placeholderReplacement = placeholderReplacement;
  }

  public Map<String, String> getPlaceholders() {
    return placeholders;
  }

  public void setPlaceholders(Map<String, String> placeholders) {
    this.placeholders = placeholders;
  }

  public String getPlaceholderPrefix() {
    return placeholderPrefix;
  }

  public void setPlaceholderPrefix(String placeholderPrefix) {
    this.placeholderPrefix = placeholderPrefix;
  }

  public String getPlaceholderSuffix() {
    return placeholderSuffix;
  }

  public void setPlaceholderSuffix(String placeholderSuffix) {
    this.placeholderSuffix = placeholderSuffix;
  }

  public MigrationNamingSpec getNaming() {
    return naming;
  }

  public void setNaming(MigrationNamingSpec naming) {
    this.naming = naming;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MigrationsSpec that
        && Objects.equals(configMapRef, that.configMapRef)
        && Objects.equals(configMapRefs, that.configMapRefs)
        && Objects.equals(image, that.image)
        && Objects.equals(outOfOrder, that.outOfOrder)
        && Objects.equals(placeholderReplacement, that.placeholderReplacement)
        && Objects.equals(placeholders, that.placeholders)
        && Objects.equals(placeholderPrefix, that.placeholderPrefix)
        && Objects.equals(placeholderSuffix, that.placeholderSuffix)
        && Objects.equals(naming, that.naming);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        configMapRef,
        configMapRefs,
        image,
        outOfOrder,
        placeholderReplacement,
        placeholders,
        placeholderPrefix,
        placeholderSuffix,
        naming);
  }

  @Override
  public String toString() {
    return "MigrationsSpec{configMapRef="
        + configMapRef
        + ", configMapRefs="
        + configMapRefs
        + ", image="
        + image
        + ", outOfOrder="
        + outOfOrder
        + ", placeholderReplacement="
        + placeholderReplacement
        + ", placeholders="
        + placeholders
        + ", placeholderPrefix="
        + placeholderPrefix
        + ", placeholderSuffix="
        + placeholderSuffix
        + ", naming="
        + naming
        + '}';
  }
}
