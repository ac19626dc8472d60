package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** PostgreSQL's {@code sslmode} connection parameter, spelled as PostgreSQL spells it. */
public enum SslMode {
  @JsonProperty("disable")
  DISABLE("disable"),
  @JsonProperty("allow")
  ALLOW("allow"),
  @JsonProperty("prefer")
  PREFER("prefer"),
  @JsonProperty("require")
  REQUIRE("require"),
  @JsonProperty("verify-ca")
  VERIFY_CA("verify-ca"),
  @JsonProperty("verify-full")
  VERIFY_FULL("verify-full");

  private final String value;

  SslMode(String value) {
    this.value = value;
  }

  /** The value of the {@code sslmode} parameter, e.g. {@code verify-full}. */
  public String value() {
    return value;
  }
}
