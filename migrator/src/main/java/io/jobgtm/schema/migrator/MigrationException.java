package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.FailureReason;

/**
 * The one exception the engine throws: a reason, the version concerned (if any) and a one-line
 * message that is safe to show (it never contains the password).
 */
public class MigrationException extends RuntimeException {

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

  /**
   * Wraps a failure the engine did not foresee (a bug, or a broken installation such as a missing
   * Flyway module) as {@link FailureReason#InternalError}, with its type and first line only.
   */
  public static MigrationException unexpected(Throwable e) {
    if (e instanceof MigrationException known) {
      return known;
    }
    String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
    String hint =
        e instanceof LinkageError || e instanceof java.util.ServiceConfigurationError
            ? "the migrator's installation is incomplete (a class is missing: "
                + e.getClass().getSimpleName()
                + " "
                + message
                + "); use the project's image or shaded jar, which bundle Flyway's PostgreSQL support"
            : "unexpected "
                + e.getClass().getSimpleName()
                + (message.isEmpty() ? "" : ": " + message);
    return new MigrationException(FailureReason.InternalError, null, hint, e);
  }

  public FailureReason reason() {
    return reason;
  }

  /** The migration version the failure concerns, or null. */
  public String version() {
    return version;
  }
}
