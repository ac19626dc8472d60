package io.jobgtm.schema.contract;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Why a command failed: the reason, the version concerned (if any) and a one-line message. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Failure(FailureReason reason, String version, String message) {

  /** The failure as one line: {@code MigrationFailed (version 3): message}. */
  public String describe() {
    return reason + (version == null ? "" : " (version " + version + ")") + ": " + message;
  }
}
