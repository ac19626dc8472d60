package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
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
public class BaselineSpec {

  @JsonPropertyDescription(
      "Baseline stamps a schema that has tables but no migration history with baseline.version;"
          + " Fail stops with a Stalled condition instead.")
  @Default("Fail")
  private UnversionedSchemaPolicy onUnversionedSchema = UnversionedSchemaPolicy.FAIL;

  @JsonPropertyDescription(
      "Version an unversioned schema is stamped with, such as 1 or 1.2; required with Baseline.")
  @Pattern(SchemaVersionSpec.VERSION_PATTERN)
  private String version;

  public UnversionedSchemaPolicy getOnUnversionedSchema() {
    return onUnversionedSchema;
  }

  public void setOnUnversionedSchema(UnversionedSchemaPolicy onUnversionedSchema) {
    this.onUnversionedSchema = onUnversionedSchema;
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
        && Objects.equals(version, that.version);
  }

  @Override
  public int hashCode() {
    return Objects.hash(onUnversionedSchema, version);
  }

  @Override
  public String toString() {
    return "BaselineSpec{onUnversionedSchema=" + onUnversionedSchema + ", version=" + version + '}';
  }
}
