package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Drift detection: whether the live schema is what the migration set makes at its version, found by
 * replaying the set in a shadow database and comparing schema models (docs/operations.md, "Drift").
 * Every migration with a shadow is followed by such a check; {@link #getInterval() interval} adds a
 * read-only verify Job at that period.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VerifySpec {

  /** A whole number of at most 6 digits with the unit s, m or h, such as 30m or 6h. */
  public static final String INTERVAL_PATTERN = "^[0-9]{1,6}(s|m|h)$";

  /** The shortest interval between two verify Jobs. */
  public static final Duration MIN_INTERVAL = Duration.ofMinutes(5);

  /** At most this many {@code ignoreTables}. */
  public static final int MAX_IGNORE_TABLES = 32;

  /** A schema fingerprint as the migrator writes it. */
  public static final String FINGERPRINT_PATTERN = "^sha256:[0-9a-f]{64}$";

  @JsonPropertyDescription(
      "How long after the last verification a verify Job compares the live schema again, read-only,"
          + " while the resource is Ready: a whole number with the unit s, m or h, such as 30m or"
          + " 6h, at least 5m. Unset: no verify Jobs (the check after each migration still runs).")
  @Pattern(INTERVAL_PATTERN)
  @ValidationRule(
      value = "duration(self) >= duration('5m')",
      message = "verify.interval must be at least 5m",
      reason = "FieldValueInvalid")
  private String interval;

  @JsonPropertyDescription(
      "Report (default) migrates a drifted schema and reports the drift in the Drifted condition;"
          + " Block refuses to migrate a schema that differs from what the migration set makes at"
          + " its version, or that cannot be compared (Stalled SchemaDrifted, nothing written),"
          + " until the drift is fixed or accepted through acceptedFingerprint.")
  @Default("Report")
  private DriftAction onDrift = DriftAction.REPORT;

  @JsonPropertyDescription(
      "Tables of the schema left out of every comparison, with their columns, constraints,"
          + " indexes and triggers: names as in the catalog, without schema, at most 32.")
  @Size(max = MAX_IGNORE_TABLES)
  private List<@Size(min = 1, max = 63) @Pattern("^[^,]+$") String> ignoreTables;

  @JsonPropertyDescription(
      "A live schema fingerprint (sha256: and 64 hex digits, as status.schemaFingerprint shows it)"
          + " accepted as drift: with onDrift Block, a schema of exactly this fingerprint is"
          + " migrated despite its differences. Changing it runs a migration refused for drift"
          + " again.")
  @Pattern(FINGERPRINT_PATTERN)
  private String acceptedFingerprint;

  public String getInterval() {
    return interval;
  }

  public void setInterval(String interval) {
    this.interval = interval;
  }

  /** {@link #getInterval()} as a duration, or null when unset. */
  @JsonIgnore
  public Duration intervalDuration() {
    if (interval == null || !interval.matches(INTERVAL_PATTERN)) {
      return null;
    }
    long amount = Long.parseLong(interval.substring(0, interval.length() - 1));
    return switch (interval.charAt(interval.length() - 1)) {
      case 's' -> Duration.ofSeconds(amount);
      case 'm' -> Duration.ofMinutes(amount);
      default -> Duration.ofHours(amount);
    };
  }

  public DriftAction getOnDrift() {
    return onDrift;
  }

  public void setOnDrift(DriftAction onDrift) {
    this.onDrift = onDrift;
  }

  public List<String> getIgnoreTables() {
    return ignoreTables;
  }

  public void setIgnoreTables(List<String> ignoreTables) {
    this.ignoreTables = ignoreTables;
  }

  public String getAcceptedFingerprint() {
    return acceptedFingerprint;
  }

  public void setAcceptedFingerprint(String acceptedFingerprint) {
    this.acceptedFingerprint = acceptedFingerprint;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VerifySpec that
        && Objects.equals(interval, that.interval)
        && onDrift == that.onDrift
        && Objects.equals(ignoreTables, that.ignoreTables)
        && Objects.equals(acceptedFingerprint, that.acceptedFingerprint);
  }

  @Override
  public int hashCode() {
    return Objects.hash(interval, onDrift, ignoreTables, acceptedFingerprint);
  }

  @Override
  public String toString() {
    return "VerifySpec{interval="
        + interval
        + ", onDrift="
        + onDrift
        + ", ignoreTables="
        + ignoreTables
        + ", acceptedFingerprint="
        + acceptedFingerprint
        + '}';
  }
}
