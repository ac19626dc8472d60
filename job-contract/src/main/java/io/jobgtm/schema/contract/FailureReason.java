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
