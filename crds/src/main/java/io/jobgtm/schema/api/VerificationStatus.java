package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import java.util.Objects;

/**
 * The latest comparison of the live schema with a replay of the migration set (after a migration,
 * or by a verify Job), and the verify Jobs the operator ran. The finding itself is the {@code
 * Drifted} condition and {@code status.schemaFingerprint}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VerificationStatus {

  @JsonPropertyDescription(
      "When the Job that made the latest verification finished, RFC 3339; the next verify Job"
          + " starts spec.verify.interval after it.")
  private String lastVerifiedAt;

  @JsonPropertyDescription("The schema version the latest verification compared at.")
  private String version;

  @JsonPropertyDescription(
      "How many differences the latest verification found (the Drifted condition names the"
          + " first).")
  @Min(0)
  private Integer differenceCount;

  @JsonPropertyDescription(
      "The verify Job the operator started last, <name>-verify-<n> where n is the Unix time"
          + " of the verification it follows (0 for none); it never counts as a migration.")
  private String lastJob;

  @JsonPropertyDescription(
      "The value of the schema.jobgtm.io/verify annotation the operator last started a verify Job"
          + " for; a new value starts another.")
  private String request;

  public String getLastVerifiedAt() {
    return lastVerifiedAt;
  }

  public void setLastVerifiedAt(String lastVerifiedAt) {
    this.lastVerifiedAt = lastVerifiedAt;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public Integer getDifferenceCount() {
    return differenceCount;
  }

  public void setDifferenceCount(Integer differenceCount) {
    this.differenceCount = differenceCount;
  }

  public String getLastJob() {
    return lastJob;
  }

  public void setLastJob(String lastJob) {
    this.lastJob = lastJob;
  }

  public String getRequest() {
    return request;
  }

  public void setRequest(String request) {
    this.request = request;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VerificationStatus that
        && Objects.equals(lastVerifiedAt, that.lastVerifiedAt)
        && Objects.equals(version, that.version)
        && Objects.equals(differenceCount, that.differenceCount)
        && Objects.equals(lastJob, that.lastJob)
        && Objects.equals(request, that.request);
  }

  @Override
  public int hashCode() {
    return Objects.hash(lastVerifiedAt, version, differenceCount, lastJob, request);
  }

  @Override
  public String toString() {
    return "VerificationStatus{lastVerifiedAt="
        + lastVerifiedAt
        + ", version="
        + version
        + ", differenceCount="
        + differenceCount
        + ", lastJob="
        + lastJob
        + ", request="
        + request
        + '}';
  }
}
