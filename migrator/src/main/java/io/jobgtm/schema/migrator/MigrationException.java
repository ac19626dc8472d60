package io.jobgtm.schema.migrator;

/**
 * The one exception the engine throws: a reason, the version concerned (if any) and a one-line
 * message that is safe to show (it never contains the password).
 */
public final class MigrationException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final FailureReason reason;
  private final String version;

  public MigrationException(FailureReason reason, String message) {
    this(reason, null, message, null);
  }

  public MigrationException(FailureReason reason, String version, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.version = version;
  }

  public FailureReason reason() {
    return reason;
  }

  /** The migration version the failure concerns, or null. */
  public String version() {
    return version;
  }
}
