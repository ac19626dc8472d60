package io.jobgtm.schema.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The immutable result of one command, and the JSON document the migration Job leaves in its
 * termination message for the operator to read. The document is versioned by {@link #apiVersion()}
 * and never exceeds {@link #MAX_DOCUMENT_BYTES}: long messages and lists are cut, never the JSON.
 *
 * @param apiVersion the document format, {@value #API_VERSION}
 * @param command the command that ran: migrate, undo, baseline, info, validate, repair or plan
 * @param outcome what the command did
 * @param databaseState the state found before acting, null when the database was not reached
 * @param versionBefore the schema version before the command, null when there was none
 * @param versionAfter the schema version after the command, null when there is none
 * @param targetVersion the version asked for ({@code latest} or a version)
 * @param baselineVersion the version an unversioned database was stamped with, if it was
 * @param applied the migrations applied, in order (the oldest are cut first when too long)
 * @param appliedCount how many migrations were applied, even when {@code applied} was cut
 * @param undone the migrations undone, highest version first
 * @param pending the versions still pending after the command, lowest first (the lowest are cut
 *     first when too long, so the last one stays the highest)
 * @param pendingCount how many versions are pending, even when {@code pending} was cut
 * @param failed versions whose latest history entry records a failed attempt ({@code success =
 *     false}), lowest first; omitted when none
 * @param outOfOrder versions of the set below the current version that were never applied, lowest
 *     first; {@code migrate} refuses them; omitted when none
 * @param owner who migrates this schema, as recorded in the database ({@code namespace/name} of a
 *     SchemaVersion): after the run, or the other owner that made it refuse; null when none is
 *     recorded or the run was given no owner
 * @param failure why the command failed, null on success
 * @param durationMs how long the command took
 * @param truncated whether something was cut to fit the size limit
 * @param appliedRepeatables the repeatable migrations ({@code R__<description>.sql}) applied, in
 *     order, each with a null {@code version}; for {@code info}, those whose latest application
 *     matches their file; omitted when none (a document of a writer before this field reads as
 *     none)
 * @param pendingRepeatables the descriptions of the repeatable migrations new or changed since
 *     their latest application, which the next {@code migrate} applies; omitted when none
 * @param currentRepeatables the descriptions of the repeatable migrations the database holds in
 *     their current form after the command (their latest application matches their file, or their
 *     file is gone from the set), in installation order: the whole state, for {@code migrate} too,
 *     where {@code appliedRepeatables} names only those the run applied; omitted when none, when
 *     the set has no repeatable migration, and in a document of a writer before this field
 * @param serverVersion the migrated database's PostgreSQL version as the server reports it ({@code
 *     server_version}, e.g. {@code 17.6}); null when the database was not reached
 * @param verification the comparison of the live schema with a replay of the set at its version
 *     (after {@code migrate} and for {@code verify}); null when none was attempted (no shadow
 *     database, or a failure before it)
 * @param previousTool the other migration tool whose history table an unversioned schema holds, in
 *     a phrase such as {@code Alembic's alembic_version at revision 002}; null when none was found
 *     or the schema was not unversioned
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "apiVersion",
  "command",
  "outcome",
  "databaseState",
  "versionBefore",
  "versionAfter",
  "targetVersion",
  "baselineVersion",
  "appliedCount",
  "applied",
  "appliedRepeatables",
  "undone",
  "pendingCount",
  "pending",
  "pendingRepeatables",
  "currentRepeatables",
  "failed",
  "outOfOrder",
  "owner",
  "failure",
  "durationMs",
  "truncated",
  "serverVersion",
  "verification",
  "previousTool"
})
public record MigrationResult(
    String apiVersion,
    String command,
    Outcome outcome,
    DatabaseState databaseState,
    String versionBefore,
    String versionAfter,
    String targetVersion,
    String baselineVersion,
    List<AppliedMigration> applied,
    int appliedCount,
    List<AppliedMigration> undone,
    List<String> pending,
    int pendingCount,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> failed,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> outOfOrder,
    String owner,
    Failure failure,
    long durationMs,
    boolean truncated,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<AppliedMigration> appliedRepeatables,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> pendingRepeatables,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> currentRepeatables,
    String serverVersion,
    SchemaVerification verification,
    String previousTool) {

  /** The version of the result document format. */
  public static final String API_VERSION = "migrator.schema.jobgtm.io/v1";

  /** The size limit of a Kubernetes termination message. */
  public static final int MAX_DOCUMENT_BYTES = 4096;

  private static final int MESSAGE_LIMIT = 1024;
  private static final int SHORT_MESSAGE_LIMIT = 160;
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Reads leniently, as a reader of a newer writer must: unknown fields are skipped, and an
   * outcome, state or failure reason this version does not know reads as null.
   */
  private static final ObjectMapper READER =
      new ObjectMapper()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .configure(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL, true);

  public MigrationResult {
    applied = applied == null ? List.of() : List.copyOf(applied);
    undone = undone == null ? List.of() : List.copyOf(undone);
    pending = pending == null ? List.of() : List.copyOf(pending);
    failed = failed == null ? List.of() : List.copyOf(failed);
    outOfOrder = outOfOrder == null ? List.of() : List.copyOf(outOfOrder);
    appliedRepeatables = appliedRepeatables == null ? List.of() : List.copyOf(appliedRepeatables);
    pendingRepeatables = pendingRepeatables == null ? List.of() : List.copyOf(pendingRepeatables);
    currentRepeatables = currentRepeatables == null ? List.of() : List.copyOf(currentRepeatables);
  }

  /** A result without repeatable migrations, as written before they were reported. */
  public MigrationResult(
      String apiVersion,
      String command,
      Outcome outcome,
      DatabaseState databaseState,
      String versionBefore,
      String versionAfter,
      String targetVersion,
      String baselineVersion,
      List<AppliedMigration> applied,
      int appliedCount,
      List<AppliedMigration> undone,
      List<String> pending,
      int pendingCount,
      List<String> failed,
      List<String> outOfOrder,
      String owner,
      Failure failure,
      long durationMs,
      boolean truncated) {
    this(
        apiVersion,
        command,
        outcome,
        databaseState,
        versionBefore,
        versionAfter,
        targetVersion,
        baselineVersion,
        applied,
        appliedCount,
        undone,
        pending,
        pendingCount,
        failed,
        outOfOrder,
        owner,
        failure,
        durationMs,
        truncated,
        List.of(),
        List.of(),
        List.of(),
        null,
        null,
        null);
  }

  /**
   * Reads a result document, such as a migration Job's termination message. Empty when the text is
   * not a document of format {@value #API_VERSION} with a known outcome (a container killed before
   * writing it, or a foreign image), so that the reader falls back to the exit code.
   */
  public static Optional<MigrationResult> fromJson(String document) {
    if (document == null || document.isBlank()) {
      return Optional.empty();
    }
    try {
      MigrationResult result = READER.readValue(document, MigrationResult.class);
      if (!API_VERSION.equals(result.apiVersion()) || result.outcome() == null) {
        return Optional.empty();
      }
      return Optional.of(result);
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  /** The same result with the server's version. */
  public MigrationResult withServerVersion(String version) {
    return withFindings(version, verification, previousTool);
  }

  /** The same result with a verification of the live schema. */
  public MigrationResult withVerification(SchemaVerification found) {
    return withFindings(serverVersion, found, previousTool);
  }

  /** The same result naming the tool that shaped the schema before. */
  public MigrationResult withPreviousTool(String tool) {
    return withFindings(serverVersion, verification, tool);
  }

  private MigrationResult withFindings(
      String serverVersion, SchemaVerification verification, String previousTool) {
    return new MigrationResult(
        apiVersion,
        command,
        outcome,
        databaseState,
        versionBefore,
        versionAfter,
        targetVersion,
        baselineVersion,
        applied,
        appliedCount,
        undone,
        pending,
        pendingCount,
        failed,
        outOfOrder,
        owner,
        failure,
        durationMs,
        truncated,
        appliedRepeatables,
        pendingRepeatables,
        currentRepeatables,
        serverVersion,
        verification,
        previousTool);
  }

  public boolean succeeded() {
    return failure == null && outcome != Outcome.Failed;
  }

  /** The process exit code: 0 on success, else the failure reason's. */
  public int exitCode() {
    if (failure == null) {
      return 0;
    }
    return failure.reason() == null ? FailureReason.EXIT_PERMANENT : failure.reason().exitCode();
  }

  /** The result document, at most {@link #MAX_DOCUMENT_BYTES} bytes of UTF-8. */
  public String toJson() {
    MigrationResult result = this;
    String json = write(result);
    if (fits(json)) {
      return json;
    }
    result = result.withMessageCut(MESSAGE_LIMIT);
    json = write(result);
    while (!fits(json)
        && result.verification != null
        && result.verification.differences().size() > 5) {
      result =
          result.withVerificationCut(
              result.verification.withDifferencesCut(result.verification.differences().size() / 2));
      json = write(result);
    }
    while (!fits(json) && result.applied.size() > 1) {
      result =
          result.withApplied(
              result.applied.subList(result.applied.size() / 2, result.applied.size()));
      json = write(result);
    }
    while (!fits(json) && result.undone.size() > 1) {
      result = result.withUndone(result.undone.subList(0, result.undone.size() / 2));
      json = write(result);
    }
    while (!fits(json) && result.pending.size() > 1) {
      // The highest pending versions are kept: the last one is the version the run aims at.
      result =
          result.withPending(
              result.pending.subList(result.pending.size() / 2, result.pending.size()));
      json = write(result);
    }
    if (!fits(json)) {
      result =
          result.withMessageCut(SHORT_MESSAGE_LIMIT).withApplied(List.of()).withUndone(List.of());
      result = result.withPending(List.of()).withoutRepeatables();
      if (result.verification != null) {
        result = result.withVerificationCut(result.verification.withDifferencesCut(1));
      }
      json = write(result);
    }
    return json;
  }

  private static boolean fits(String json) {
    return json.getBytes(StandardCharsets.UTF_8).length <= MAX_DOCUMENT_BYTES;
  }

  private static String write(MigrationResult result) {
    try {
      return JSON.writeValueAsString(result);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the result document is plain data", e);
    }
  }

  private MigrationResult withMessageCut(int limit) {
    if (failure == null || failure.message() == null) {
      return this;
    }
    String message = failure.message();
    if (message.codePointCount(0, message.length()) <= limit) {
      return this;
    }
    String cut = message.substring(0, message.offsetByCodePoints(0, limit)) + "…";
    return copy(applied, undone, pending, new Failure(failure.reason(), failure.version(), cut));
  }

  private MigrationResult withApplied(List<AppliedMigration> kept) {
    return copy(new ArrayList<>(kept), undone, pending, failure);
  }

  private MigrationResult withUndone(List<AppliedMigration> kept) {
    return copy(applied, new ArrayList<>(kept), pending, failure);
  }

  private MigrationResult withPending(List<String> kept) {
    return copy(applied, undone, new ArrayList<>(kept), failure);
  }

  private MigrationResult withVerificationCut(SchemaVerification cut) {
    return withVerification(cut).copy(applied, undone, pending, failure);
  }

  private MigrationResult withoutRepeatables() {
    return copy(applied, undone, pending, failure, List.of(), List.of(), List.of());
  }

  private MigrationResult copy(
      List<AppliedMigration> applied,
      List<AppliedMigration> undone,
      List<String> pending,
      Failure failure) {
    return copy(
        applied,
        undone,
        pending,
        failure,
        appliedRepeatables,
        pendingRepeatables,
        currentRepeatables);
  }

  private MigrationResult copy(
      List<AppliedMigration> applied,
      List<AppliedMigration> undone,
      List<String> pending,
      Failure failure,
      List<AppliedMigration> appliedRepeatables,
      List<String> pendingRepeatables,
      List<String> currentRepeatables) {
    return new MigrationResult(
        apiVersion,
        command,
        outcome,
        databaseState,
        versionBefore,
        versionAfter,
        targetVersion,
        baselineVersion,
        applied,
        appliedCount,
        undone,
        pending,
        pendingCount,
        failed,
        outOfOrder,
        owner,
        failure,
        durationMs,
        true,
        appliedRepeatables,
        pendingRepeatables,
        currentRepeatables,
        serverVersion,
        verification,
        previousTool);
  }
}
