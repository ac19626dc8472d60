package io.jobgtm.schema.migrator;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The settings every migration and undo script starts with, whatever the script before it changed:
 * the connecting user as role and session user, every setting at its session default ({@code RESET
 * ALL}: {@code idle_in_transaction_session_timeout}, {@code transaction_timeout}, {@code
 * check_function_bodies}, {@code row_security}, {@code default_tablespace}, {@code
 * session_replication_role}, ...), the configured {@code lock_timeout} and {@code
 * statement_timeout}, and the target schema first on {@code search_path}, then the session's own
 * path, as Flyway sets it for versioned scripts (so unqualified names land in the target schema and
 * functions in {@code public} still resolve).
 *
 * <p>pg_dump writes {@code SET statement_timeout = 0}, {@code SET lock_timeout = 0} and an empty
 * {@code search_path} at the top of every file; without this, a dumped baseline would run every
 * later migration without timeouts and outside the target schema.
 */
final class SessionDefaults {

  private final String sql;

  SessionDefaults(String schema, Timeouts timeouts) {
    this.sql =
        "SET SESSION AUTHORIZATION DEFAULT; RESET ALL; "
            + "SELECT set_config('lock_timeout', '"
            + timeouts.lockTimeout().toMillis()
            + "', false), set_config('statement_timeout', '"
            + timeouts.statementTimeout().toMillis()
            + "', false), set_config('search_path', quote_ident("
            + literal(schema)
            + ") || coalesce(', ' || nullif(current_setting('search_path'), ''), ''), false)";
  }

  /** Restores the defaults on a connection, inside its current transaction if one is open. */
  void restore(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
