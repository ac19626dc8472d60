package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import java.util.Objects;

/**
 * The last migration Job of a {@link SchemaVersion}, kept after the Job itself is deleted: its
 * name, attempt, outcome, and the reason and message its outcome was reported with, so that the
 * operator never reads them back from the conditions.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MigrationJobStatus {

  /** {@code outcome} while the Job runs. */
  public static final String RUNNING = "Running";

  @JsonPropertyDescription("Name of the Job, in the namespace of this SchemaVersion.")
  private String name;

  @JsonPropertyDescription(
      "Which run of an unchanged spec this Job is: 0 the first. A new attempt runs the same spec"
          + " again under a new Job name (the Job name hashes the spec and the attempt).")
  @Min(0)
  private Integer attempt;

  @JsonPropertyDescription(
      "Outcome reported by the migrator: Migrated, Baselined, UpToDate, Downgraded or Failed; "
          + RUNNING
          + " while the Job runs.")
  private String outcome;

  @JsonPropertyDescription(
      "The reason the Job's outcome was reported with: the migrator's outcome or failure reason,"
          + " or the operator's (such as JobFailed); empty while the Job runs.")
  private String reason;

  @JsonPropertyDescription("The message the Job's outcome was reported with; empty while it runs.")
  private String message;

  @JsonPropertyDescription("When the Job started, RFC 3339.")
  private String startedAt;

  @JsonPropertyDescription("When the Job finished, RFC 3339; empty while it runs.")
  private String finishedAt;

  public MigrationJobStatus() {}

  public MigrationJobStatus(String name, String outcome, String startedAt, String finishedAt) {
    this.name = name;
    this.outcome = outcome;
    this.startedAt = startedAt;
    this.finishedAt = finishedAt;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Integer getAttempt() {
    return attempt;
  }

  public void setAttempt(Integer attempt) {
    this.attempt = attempt;
  }

  public String getOutcome() {
    return outcome;
  }

  public void setOutcome(String outcome) {
    this.outcome = outcome;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public String getFinishedAt() {
    return finishedAt;
  }

  public void setFinishedAt(String finishedAt) {
    this.finishedAt = finishedAt;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MigrationJobStatus that
        && Objects.equals(name, that.name)
        && Objects.equals(attempt, that.attempt)
        && Objects.equals(outcome, that.outcome)
        && Objects.equals(reason, that.reason)
        && Objects.equals(message, that.message)
        && Objects.equals(startedAt, that.startedAt)
        && Objects.equals(finishedAt, that.finishedAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, attempt, outcome, reason, message, startedAt, finishedAt);
  }

  @Override
  public String toString() {
    return "MigrationJobStatus{name="
        + name
        + ", attempt="
        + attempt
        + ", outcome="
        + outcome
        + ", reason="
        + reason
        + ", message="
        + message
        + ", startedAt="
        + startedAt
        + ", finishedAt="
        + finishedAt
        + '}';
  }
}
