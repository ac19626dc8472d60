package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The state a migration Job found the database schema in. */
public enum DatabaseState {
  /** No tables and no migration history: every migration applies. */
  @JsonProperty("Fresh")
  FRESH,
  /** Tables but no migration history: baselined or refused, per {@code spec.baseline}. */
  @JsonProperty("Unversioned")
  UNVERSIONED,
  /** A migration history: only the pending migrations apply. */
  @JsonProperty("Versioned")
  VERSIONED
}
