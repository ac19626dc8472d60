package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.Version;
import org.flywaydb.core.api.CoreErrorCode;
import org.flywaydb.core.api.ErrorCode;
import org.flywaydb.core.api.output.ValidateOutput;

/**
 * Says, for one way the migration history can disagree with the migration set, what happened and
 * what to do about it with this migrator's own commands (Flyway's messages name Flyway's flags).
 */
final class HistoryMismatch {

  private HistoryMismatch() {}

  static String describe(ValidateOutput mismatch, Version current) {
    String version = mismatch.version;
    // Flyway gives a repeatable migration an empty version; it is known by its description.
    String which =
        version == null || version.isEmpty()
            ? "repeatable migration " + mismatch.description
            : "version "
                + version
                + (mismatch.description == null ? "" : " (" + mismatch.description + ")");
    ErrorCode code = mismatch.errorDetails == null ? null : mismatch.errorDetails.errorCode;
    if (code == CoreErrorCode.FAILED_REPEATABLE_MIGRATION) {
      return which
          + " failed in an earlier run and is recorded as failed: it ran outside a transaction, so"
          + " it may have left changes behind. Remove what it left, fix the script, run repair (it"
          + " removes the failed entry), then migrate again";
    }
    if (code == CoreErrorCode.FAILED_VERSIONED_MIGRATION) {
      return which
          + " failed in an earlier run and is recorded as failed: it ran outside a transaction, so"
          + " it may have left changes behind. Remove what it left (e.g. an invalid index), fix"
          + " the script, run repair (it removes the failed entry), then migrate again";
    }
    if (code == CoreErrorCode.RESOLVED_VERSIONED_MIGRATION_NOT_APPLIED) {
      return which
          + " is not applied (out of order): it is below the current version "
          + (current == null ? "" : current)
          + " and the migrator applies versions in order unless told otherwise. Allow out-of-order"
          + " migrations (--out-of-order, or OUT_OF_ORDER=true) to apply it as it is, give it a"
          + " version above the current one (rename the file), or undo to below "
          + version
          + " first";
    }
    if (code == CoreErrorCode.APPLIED_VERSIONED_MIGRATION_NOT_RESOLVED) {
      return which
          + " was applied but its file is missing from the migration set: restore the file (an"
          + " applied migration stays in the set), or, if the version was removed on purpose, run"
          + " repair to record its removal";
    }
    if (code == CoreErrorCode.CHECKSUM_MISMATCH) {
      return which
          + " was changed after it was applied (its checksum differs from the history): restore"
          + " the file as it was applied and put the change in a new version; if the change is"
          + " only cosmetic, run repair to record the new checksum";
    }
    if (code == CoreErrorCode.DESCRIPTION_MISMATCH || code == CoreErrorCode.TYPE_MISMATCH) {
      return which
          + " does not match its history entry ("
          + (code == CoreErrorCode.TYPE_MISMATCH ? "type" : "description")
          + " differs): restore the file name it was applied with, or run repair to record the"
          + " new one";
    }
    return which
        + " does not match the migration set"
        + (mismatch.errorDetails == null
            ? ""
            : ": " + FlywayMessages.clean(mismatch.errorDetails.errorMessage));
  }
}
