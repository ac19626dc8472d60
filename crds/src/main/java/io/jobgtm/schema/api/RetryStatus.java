package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import java.util.Objects;

/**
 * The operator's own retries of a migration Job that failed with a transient reason (the database
 * was unreachable, another migrator held the lock, the Job failed without a result). Each retry is
 * a new Job (a new attempt of the same spec), started after an exponential back-off with jitter;
 * after the operator's retry limit the resource is Stalled ({@code RetriesExhausted}) until the
 * spec, the migrations or the {@value SchemaVersion#RETRY_ANNOTATION} annotation changes. A success
 * or a changed spec starts the count again.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RetryStatus {

  @JsonPropertyDescription(
      "How many retries of the current spec the operator has scheduled since its last success or"
          + " change.")
  @Min(0)
  private Integer count;

  @JsonPropertyDescription(
      "When the next retry starts, RFC 3339; empty while no retry is scheduled.")
  private String nextAttemptAt;

  @JsonPropertyDescription("The failure reason of the Job that made the last retry necessary.")
  private String lastReason;

  @JsonPropertyDescription(
      "The value of the "
          + SchemaVersion.RETRY_ANNOTATION
          + " annotation the operator last acted on. Setting the annotation to any other value runs"
          + " a failed spec again now and starts the count again.")
  private String request;

  public RetryStatus() {}

  public RetryStatus(Integer count, String nextAttemptAt, String lastReason, String request) {
    this.count = count;
    this.nextAttemptAt = nextAttemptAt;
    this.lastReason = lastReason;
    this.request = request;
  }

  public Integer getCount() {
    return count;
  }

  public void setCount(Integer count) {
    this.count = count;
  }

  public String getNextAttemptAt() {
    return nextAttemptAt;
  }

  public void setNextAttemptAt(String nextAttemptAt) {
    this.nextAttemptAt = nextAttemptAt;
  }

  public String getLastReason() {
    return lastReason;
  }

  public void setLastReason(String lastReason) {
    this.lastReason = lastReason;
  }

  public String getRequest() {
    return request;
  }

  public void setRequest(String request) {
    this.request = request;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RetryStatus that
        && Objects.equals(count, that.count)
        && Objects.equals(nextAttemptAt, that.nextAttemptAt)
        && Objects.equals(lastReason, that.lastReason)
        && Objects.equals(request, that.request);
  }

  @Override
  public int hashCode() {
    return Objects.hash(count, nextAttemptAt, lastReason, request);
  }

  @Override
  public String toString() {
    return "RetryStatus{count="
        + count
        + ", nextAttemptAt="
        + nextAttemptAt
        + ", lastReason="
        + lastReason
        + ", request="
        + request
        + '}';
  }
}
