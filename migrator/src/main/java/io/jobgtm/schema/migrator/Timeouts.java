package io.jobgtm.schema.migrator;

import java.time.Duration;

/**
 * PostgreSQL's {@code lock_timeout} and {@code statement_timeout} for every migration connection.
 * The lock timeout keeps a migration from queueing behind a long transaction and blocking the
 * application's queries behind it; zero means no limit, as in PostgreSQL.
 */
record Timeouts(Duration lockTimeout, Duration statementTimeout, boolean readOnly) {

  Timeouts(Duration lockTimeout, Duration statementTimeout) {
    this(lockTimeout, statementTimeout, false);
  }

  /**
   * The same, for sessions that must not write: {@code default_transaction_read_only=on} at
   * connect, so every transaction of the session, Flyway's included, is read-only ({@code verify}).
   */
  Timeouts asReadOnly() {
    return new Timeouts(lockTimeout, statementTimeout, true);
  }

  /** The startup options that set both on every connection, Flyway's included. */
  String connectionOptions() {
    return "-c lock_timeout="
        + lockTimeout.toMillis()
        + " -c statement_timeout="
        + statementTimeout.toMillis()
        + (readOnly ? " -c default_transaction_read_only=on" : "");
  }
}
