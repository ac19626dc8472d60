package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a migration does with a schema that differs from what the migration set makes at its version
 * ({@code spec.verify.onDrift}; the migrator's {@code ON_DRIFT}).
 */
public enum DriftAction {
  /** Migrate anyway; the drift is reported in the {@code Drifted} condition. */
  @JsonProperty("Report")
  REPORT,
  /**
   * Refuse to migrate a drifted schema, or one that cannot be compared (Stalled {@code
   * SchemaDrifted}, nothing written), unless its fingerprint is {@code acceptedFingerprint}.
   */
  @JsonProperty("Block")
  BLOCK;

  /** The value as the CRD and the migrator's {@code ON_DRIFT} spell it. */
  public String value() {
    return this == REPORT ? "Report" : "Block";
  }
}
