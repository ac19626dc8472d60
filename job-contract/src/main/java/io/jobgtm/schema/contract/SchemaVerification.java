package io.jobgtm.schema.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The comparison of the live schema with a replay of the migration set at the schema's version in a
 * shadow database: the drift check a migrator makes after {@code migrate}, and the whole work of
 * {@code verify}. Part of the result document ({@link MigrationResult#verification()}).
 *
 * <p>Each difference is one line naming one object, e.g. {@code missing column
 * app.job_listings.is_remote} or {@code changed index app.job_listings_title_idx: ...}; at most
 * {@link #MAX_DIFFERENCES} lines of at most {@link #MAX_LINE} characters are kept, and {@link
 * #differenceCount()} counts them all. The lines name objects and their definitions from the
 * catalog, never data or query text.
 *
 * @param version the schema version compared at, null when the schema has none
 * @param drift the finding
 * @param fingerprint the live schema's fingerprint, {@code sha256:<64 hex>} of its canonical model
 *     (stable across equivalent DDL); null when the live schema was not read
 * @param expectedFingerprint the replay's fingerprint at {@code version}; null when unknown
 * @param differences the first differences, one object each; empty unless {@code Drifted}
 * @param differenceCount how many differences there are, even when {@code differences} was cut
 * @param reason why the drift is {@code Unknown}, in a sentence of at most {@link #MAX_REASON}
 *     characters; null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "version",
  "drift",
  "fingerprint",
  "expectedFingerprint",
  "differenceCount",
  "differences",
  "reason"
})
public record SchemaVerification(
    String version,
    Drift drift,
    String fingerprint,
    String expectedFingerprint,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> differences,
    int differenceCount,
    String reason) {

  /** At most this many difference lines are kept. */
  public static final int MAX_DIFFERENCES = 20;

  /** A difference line is cut to this many characters. */
  public static final int MAX_LINE = 200;

  /** The reason is cut to this many characters. */
  public static final int MAX_REASON = 1024;

  public SchemaVerification {
    differences =
        differences == null
            ? List.of()
            : differences.stream().limit(MAX_DIFFERENCES).map(line -> cut(line, MAX_LINE)).toList();
    reason = cut(reason, MAX_REASON);
  }

  /** The live schema equals the replay at {@code version}. */
  public static SchemaVerification matches(String version, String fingerprint) {
    return new SchemaVerification(
        version, Drift.None, fingerprint, fingerprint, List.of(), 0, null);
  }

  /** The live schema differs from the replay at {@code version}. */
  public static SchemaVerification drifted(
      String version, String fingerprint, String expectedFingerprint, List<String> differences) {
    return new SchemaVerification(
        version,
        Drift.Drifted,
        fingerprint,
        expectedFingerprint,
        differences,
        differences.size(),
        null);
  }

  /** No comparison could be made, for {@code reason}. */
  public static SchemaVerification unknown(String version, String fingerprint, String reason) {
    return new SchemaVerification(version, Drift.Unknown, fingerprint, null, List.of(), 0, reason);
  }

  /** A reason cut for a document that must shrink. */
  private static final int SHORT_REASON = 160;

  /**
   * The same with at most {@code lines} difference lines and a short reason, for a document that
   * must shrink.
   */
  SchemaVerification withDifferencesCut(int lines) {
    return new SchemaVerification(
        version,
        drift,
        fingerprint,
        expectedFingerprint,
        differences.subList(0, Math.min(lines, differences.size())),
        differenceCount,
        cut(reason, SHORT_REASON));
  }

  private static String cut(String text, int limit) {
    if (text == null || text.codePointCount(0, text.length()) <= limit) {
      return text;
    }
    return text.substring(0, text.offsetByCodePoints(0, limit - 1)) + "…";
  }
}
