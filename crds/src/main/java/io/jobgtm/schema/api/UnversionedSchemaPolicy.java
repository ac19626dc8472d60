package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What to do with a schema that has tables but no migration history. */
public enum UnversionedSchemaPolicy {
  /** Stamp the schema with {@code spec.baseline.version}, without changing it. */
  @JsonProperty("Baseline")
  BASELINE,
  /** Touch nothing and report the resource as Stalled. */
  @JsonProperty("Fail")
  FAIL
}
