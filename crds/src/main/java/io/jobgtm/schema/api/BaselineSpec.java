package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import io.jobgtm.schema.contract.Version;
import java.util.Objects;

/**
 * The policy for an unversioned schema: one that has tables but no migration history. Baselining
 * stamps it with {@link #getVersion() version} without changing it; later migrations then apply on
 * top.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.onUnversionedSchema) || self.onUnversionedSchema != 'Baseline'"
            + " || has(self.version)",
    message =
        "baseline.version is required when baseline.onUnversionedSchema is Baseline: it is the"
            + " version the existing schema is stamped with",
    reason = "FieldValueRequired",
    fieldPath = ".version")
@ValidationRule(
    value = "!has(self.version) || self.version != 'Auto' || !has(self.verify) || self.verify",
    message =
        "baseline.verify false cannot go with baseline.version Auto, which is found by the"
            + " verification: give a version to stamp it unchecked",
    reason = "FieldValueInvalid",
    fieldPath = ".verify")
public class BaselineSpec {

  /**
   * The {@code version} that means "the version whose schema model equals the live schema", found
   * by replaying the migration set in the shadow database (the migrator's {@code --baseline-version
   * auto}).
   */
  public static final String AUTO = "Auto";

  /** {@link #AUTO} or a version matching {@link SchemaVersionSpec#VERSION_PATTERN}. */
  public static final String VERSION_PATTERN = "^(" + AUTO + "|" + Version.SYNTAX_REGEX + ")$";

  @JsonPropertyDescription(
      "Baseline stamps a schema that has tables but no migration history with baseline.version;"
          + " Fail stops with a Stalled condition instead.")
  @Default("Fail")
  private UnversionedSchemaPolicy onUnversionedSchema = UnversionedSchemaPolicy.FAIL;

  @JsonPropertyDescription(
      "Version an unversioned schema is stamped with, such as 1 or 1.2, or Auto: the version whose"
          + " schema the live one matches, found by replaying the migration set in the shadow"
          + " database (needs spec.shadow enabled; no match is Stalled SchemaMismatch, nothing"
          + " written). Required with Baseline.")
  @Pattern(VERSION_PATTERN)
  private String version;

  @JsonPropertyDescription(
      "Check an explicit version against the shadow database's replay before stamping it"
          + " (default true): a schema that does not match it is refused as SchemaMismatch,"
          + " nothing written. false stamps it unchecked; required when spec.shadow.enabled is"
          + " false, not allowed with Auto.")
  @Default("true")
  private Boolean verify = true;

  public UnversionedSchemaPolicy getOnUnversionedSchema() {
    return onUnversionedSchema;
  }

  public void setOnUnversionedSchema(UnversionedSchemaPolicy onUnversionedSchema) {
    this.onUnversionedSchema = onUnversionedSchema;
  }

  /** Whether {@code version} is {@link #AUTO}. */
  public boolean automatic() {
    return AUTO.equals(version);
  }

  public Boolean getVerify() {
    return verify;
  }

  public void setVerify(Boolean verify) {
    this.verify = verify;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BaselineSpec that
        && onUnversionedSchema == that.onUnversionedSchema
        && Objects.equals(version, that.version)
        && Objects.equals(verify, that.verify);
  }

  @Override
  public int hashCode() {
    return Objects.hash(onUnversionedSchema, version, verify);
  }

  @Override
  public String toString() {
    return "BaselineSpec{onUnversionedSchema="
        + onUnversionedSchema
        + ", version="
        + version
        + ", verify="
        + verify
        + '}';
  }
}
