package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One migration a Job applied (or undid), as reported by the migrator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AppliedMigration {

  @JsonPropertyDescription("Version of the migration, such as 2 or 2.1.")
  private String version;

  @JsonPropertyDescription("Description of the migration, from its file name.")
  private String description;

  @JsonPropertyDescription("When the migration finished, RFC 3339.")
  private String appliedAt;

  @JsonPropertyDescription("How long the migration took, in milliseconds.")
  private Long durationMs;

  public AppliedMigration() {}

  public AppliedMigration(String version, String description, String appliedAt, Long durationMs) {
    this.version = version;
    this.description = description;
    this.appliedAt = appliedAt;
    this.durationMs = durationMs;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public String getDescription() {
    return description;
  }

  public void setDescription(String description) {
    this.description = description;
  }

  public String getAppliedAt() {
    return appliedAt;
  }

  public void setAppliedAt(String appliedAt) {
    this.appliedAt = appliedAt;
  }

  public Long getDurationMs() {
    return durationMs;
  }

  public void setDurationMs(Long durationMs) {
    this.durationMs = durationMs;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AppliedMigration that
        && Objects.equals(version, that.version)
        && Objects.equals(description, that.description)
        && Objects.equals(appliedAt, that.appliedAt)
        && Objects.equals(durationMs, that.durationMs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(version, description, appliedAt, durationMs);
  }

  @Override
  public String toString() {
    return "AppliedMigration{version="
        + version
        + ", description="
        + description
        + ", appliedAt="
        + appliedAt
        + ", durationMs="
        + durationMs
        + '}';
  }
}
