package io.jobgtm.schema.operator;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Optional;

/**
 * The result document the migrator writes into the migration Job's termination message (format
 * {@value #API_VERSION}, documented in docs/migrator.md). The operator reads only this document; it
 * never connects to the database itself.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MigrationJobResult(
    String apiVersion,
    String command,
    String outcome,
    String databaseState,
    String versionBefore,
    String versionAfter,
    String targetVersion,
    String baselineVersion,
    List<Applied> applied,
    int appliedCount,
    List<Applied> undone,
    List<String> pending,
    List<String> failed,
    List<String> outOfOrder,
    Failure failure,
    long durationMs,
    boolean truncated) {

  /** The only document format this operator reads. */
  public static final String API_VERSION = "migrator.schema.jobgtm.io/v1";

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public MigrationJobResult {
    applied = applied == null ? List.of() : List.copyOf(applied);
    undone = undone == null ? List.of() : List.copyOf(undone);
    pending = pending == null ? List.of() : List.copyOf(pending);
    failed = failed == null ? List.of() : List.copyOf(failed);
    outOfOrder = outOfOrder == null ? List.of() : List.copyOf(outOfOrder);
  }

  /** A migration the Job applied or undid. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Applied(String version, String description, long durationMs) {}

  /** Why the Job failed. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Failure(String reason, String version, String message) {}

  /**
   * Reads a termination message. Empty when the text is not a result document of this format (a
   * container killed before writing it, or a foreign image), so the caller falls back to the pod's
   * exit code.
   */
  public static Optional<MigrationJobResult> parse(String terminationMessage) {
    if (terminationMessage == null || terminationMessage.isBlank()) {
      return Optional.empty();
    }
    try {
      MigrationJobResult result = JSON.readValue(terminationMessage, MigrationJobResult.class);
      if (!API_VERSION.equals(result.apiVersion()) || result.outcome() == null) {
        return Optional.empty();
      }
      return Optional.of(result);
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  public boolean succeeded() {
    return failure == null && !"Failed".equals(outcome);
  }
}
