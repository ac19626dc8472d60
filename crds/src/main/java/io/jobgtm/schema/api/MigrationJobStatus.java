package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** The last migration Job of a {@link SchemaVersion}, kept after the Job itself is deleted. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MigrationJobStatus {

  @JsonPropertyDescription("Name of the Job, in the namespace of this SchemaVersion.")
  private String name;

  /** {@code outcome} while the Job runs. */
  public static final String RUNNING = "Running";

  @JsonPropertyDescription(
      "Outcome reported by the migrator: Migrated, Baselined, UpToDate, Downgraded or Failed; "
          + RUNNING
          + " while the Job runs.")
  private String outcome;

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

  public String getOutcome() {
    return outcome;
  }

  public void setOutcome(String outcome) {
    this.outcome = outcome;
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
        && Objects.equals(outcome, that.outcome)
        && Objects.equals(startedAt, that.startedAt)
        && Objects.equals(finishedAt, that.finishedAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, outcome, startedAt, finishedAt);
  }

  @Override
  public String toString() {
    return "MigrationJobStatus{name="
        + name
        + ", outcome="
        + outcome
        + ", startedAt="
        + startedAt
        + ", finishedAt="
        + finishedAt
        + '}';
  }
}
