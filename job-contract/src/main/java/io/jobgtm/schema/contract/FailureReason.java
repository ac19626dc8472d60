package io.jobgtm.schema.contract;

/**
 * Why a command failed, one reason per step that can fail. Transient reasons may succeed when
 * retried (exit code 1); permanent ones will not until the input changes (exit code 2).
 */
public enum FailureReason {
  DatabaseUnreachable(true),
  AuthenticationFailed(false),
  DatabaseNotFound(false),
  ConnectionRejected(false),
  /**
   * The connection could not be secured as the sslmode demands: the server offers no TLS, its
   * certificate does not chain to a CA of the configured root certificates, or it does not name the
   * host (verify-full). Permanent: the server's certificate or the settings must change.
   */
  TlsVerificationFailed(false),
  LockTimeout(true),
  InvalidMigrationSet(false),
  UnknownTargetVersion(false),
  ValidationFailed(false),
  UnversionedSchema(false),
  SchemaOwnedByAnother(false),
  BaselineNotAllowed(false),
  /**
   * An unversioned schema matches no version of the migration set (baseline version {@code auto}),
   * or not the version given to stamp it with, as a replay of the set in a shadow database shows.
   * The message names the closest version and the differences. Nothing was written. Permanent: the
   * schema, the migration set or the baseline version must change.
   */
  SchemaMismatch(false),
  /**
   * A baseline was to be verified, but the migration set could not be replayed in the shadow
   * database (a script failed there for a reason other than a missing role, such as an extension
   * the shadow lacks). The message names the version and the file. Nothing was written to the
   * migrated database. Permanent: the shadow or the set must change, or verification be turned off.
   */
  ShadowReplayFailed(false),
  /**
   * The live schema differs from what the migration set makes at its version (drift), and drift
   * blocks migrations ({@code ON_DRIFT=Block}): nothing was written. The message names the first
   * differences. Permanent: the drift must be fixed, or accepted by its fingerprint.
   */
  SchemaDrifted(false),
  MigrationFailed(false),
  MigrationInterrupted(true),
  DowngradeNotAllowed(false),
  UndoScriptMissing(false),
  UndoFailed(false),
  InvalidConfiguration(false),
  InternalError(false);

  /** Process exit code for a transient failure: retrying may succeed. */
  public static final int EXIT_TRANSIENT = 1;

  /** Process exit code for a permanent failure: retrying will not help. */
  public static final int EXIT_PERMANENT = 2;

  private final boolean isTransient;

  FailureReason(boolean isTransient) {
    this.isTransient = isTransient;
  }

  public boolean isTransient() {
    return isTransient;
  }

  public int exitCode() {
    return isTransient ? EXIT_TRANSIENT : EXIT_PERMANENT;
  }
}
