package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.Version;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.sql.SQLException;
import java.util.Set;
import javax.net.ssl.SSLException;
import org.postgresql.util.GT;
import org.postgresql.util.PSQLException;

/** Turns JDBC errors into typed failures: transient when retrying can help, else permanent. */
final class SqlFailures {

  /** SQLSTATEs after which the same work may succeed when retried. */
  private static final Set<String> TRANSIENT_STATES =
      Set.of("57P01", "57P02", "57P03", "40001", "40P01", "55P03", "53300", "53200", "53100");

  private SqlFailures() {}

  static boolean isTransient(String sqlState) {
    // 08P01 (protocol violation) is what the driver reports when a script breaks the session
    // itself, e.g. a client_encoding it cannot speak: retrying the same script cannot help.
    return sqlState != null
        && !"08P01".equals(sqlState)
        && (sqlState.startsWith("08") || TRANSIENT_STATES.contains(sqlState));
  }

  /** Classifies a failure to connect. */
  static MigrationException connectionFailure(SQLException e, ConnectionSettings settings) {
    String state = e.getSQLState();
    String detail = firstLine(e);
    if (settings.requiresTls()) {
      String tls = tlsFailure(e, settings);
      if (tls != null) {
        return new MigrationException(FailureReason.TlsVerificationFailed, null, tls, e);
      }
    }
    if ("28P01".equals(state) || "28000".equals(state)) {
      return new MigrationException(
          FailureReason.AuthenticationFailed,
          null,
          "the database rejected the credentials of user " + settings.user() + ": " + detail,
          e);
    }
    if ("3D000".equals(state)) {
      return new MigrationException(
          FailureReason.DatabaseNotFound,
          null,
          "database " + settings.database() + " does not exist on " + settings.server(),
          e);
    }
    if (state == null || isTransient(state)) {
      return new MigrationException(FailureReason.DatabaseUnreachable, null, detail, e);
    }
    return new MigrationException(
        FailureReason.ConnectionRejected, null, "connection rejected: " + detail, e);
  }

  /**
   * What kept the connection from being secured as the sslmode demands, or null when the failure is
   * not about TLS. The driver's own texts are compared in the driver's language ({@link GT}), so
   * the check holds in any locale.
   */
  private static String tlsFailure(SQLException e, ConnectionSettings settings) {
    String server = "the server at " + settings.host() + ":" + settings.port();
    SSLException handshake = find(e, SSLException.class);
    if (handshake != null) {
      // The JDK says which check failed: no path to a trusted CA (CertPathBuilderException), a
      // path that fails validation, such as by date (CertPathValidatorException), or a certificate
      // the checks refuse for other reasons, such as its key usage (a CertificateException).
      if (find(e, CertPathBuilderException.class) != null) {
        return "the certificate of "
            + server
            + " is not trusted: it does not chain to a CA certificate of sslrootcert"
            + " (DB_SSLROOTCERT)";
      }
      CertificateException dated = find(e, CertificateExpiredException.class);
      if (dated == null) {
        dated = find(e, CertificateNotYetValidException.class);
      }
      if (dated != null) {
        return "the certificate of "
            + server
            + " or of a CA it chains to is outside its validity period (expired, or not yet"
            + " valid): "
            + firstLine(dated);
      }
      CertPathValidatorException invalid = find(e, CertPathValidatorException.class);
      if (invalid != null) {
        return "the certificate of " + server + " is not trusted: " + firstLine(invalid);
      }
      CertificateException refused = find(e, CertificateException.class);
      if (refused != null) {
        return "the certificate of " + server + " is not accepted: " + firstLine(refused);
      }
      return "the TLS handshake with " + server + " failed: " + firstLine(handshake);
    }
    String message = String.valueOf(e.getMessage());
    if (message.equals(GT.tr("The server does not support SSL."))) {
      return server + " does not offer TLS, and sslmode " + settings.sslMode() + " requires it";
    }
    if (message.equals(
        GT.tr(
            "The hostname {0} could not be verified by hostnameverifier {1}.",
            settings.driverHost(), "PgjdbcHostnameVerifier"))) {
      return "the certificate of "
          + server
          + " does not name host "
          + settings.host()
          + " (sslmode verify-full checks the host against the certificate's subject alternative"
          + " names; verify-ca does not)";
    }
    return null;
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return type.cast(cause);
      }
    }
    return null;
  }

  /** Classifies a failure of the engine's own statements. */
  static MigrationException sessionFailure(SQLException e, String doing) {
    FailureReason reason =
        isTransient(e.getSQLState())
            ? FailureReason.MigrationInterrupted
            : FailureReason.InternalError;
    return new MigrationException(reason, null, doing + " failed: " + firstLine(e), e);
  }

  /** Classifies a failure of a migration or undo script. */
  static MigrationException scriptFailure(
      SQLException e, FailureReason permanentReason, Version version, String fileName) {
    if (String.valueOf(e.getMessage()).contains(TransactionGuard.NAME)) {
      return new MigrationException(
          permanentReason,
          version == null ? null : version.toString(),
          fileName
              + " ends or rolls back its own transaction (a COMMIT, END, ROLLBACK or ABORT, or SET"
              + " CONSTRAINTS ALL IMMEDIATE): the migrator stopped it there and PostgreSQL rolled"
              + " the whole script back; remove that statement (each script already runs in one"
              + " transaction)",
          e);
    }
    // The driver ends the session when a script sets client_encoding or DateStyle to something it
    // cannot read (08006); the connection was not lost, and the same script would do it again.
    boolean settingRefused = String.valueOf(e.getMessage()).contains("parameter was changed to");
    FailureReason reason =
        isTransient(e.getSQLState()) && !settingRefused
            ? FailureReason.MigrationInterrupted
            : permanentReason;
    return new MigrationException(
        reason,
        version == null ? null : version.toString(),
        fileName + " failed: " + describe(e),
        e);
  }

  /**
   * Where and how a script's statement failed: the line Flyway's parser gave the statement, the
   * SQLSTATE and the server's own message (never the statement's text, which may hold values).
   */
  static Migrator.ScriptError scriptError(Throwable failure, SQLException e, String fileName) {
    String message =
        e instanceof PSQLException server
                && server.getServerErrorMessage() != null
                && server.getServerErrorMessage().getMessage() != null
            ? server.getServerErrorMessage().getMessage()
            : firstLine(e);
    return new Migrator.ScriptError(
        fileName, ScriptParser.failedLine(failure), e.getSQLState(), message);
  }

  /** The server's message with its SQLSTATE, e.g. {@code ERROR: ... [42P01]}. */
  static String describe(SQLException e) {
    String state = e.getSQLState();
    return firstLine(e) + (state == null ? "" : " [SQLSTATE " + state + "]");
  }

  static String firstLine(Throwable e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e.getClass().getSimpleName();
    }
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).trim();
  }

  /** The first SQLException in a cause chain, or null. */
  static SQLException findSqlException(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql) {
        return sql;
      }
    }
    return null;
  }
}
