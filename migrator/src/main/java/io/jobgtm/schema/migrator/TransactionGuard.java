package io.jobgtm.schema.migrator;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Makes a script that ends its own transaction fail instead of committing half of itself. Before a
 * script runs in a transaction, the guard inserts a row into a temporary table whose foreign key is
 * checked only at commit ({@code DEFERRABLE INITIALLY DEFERRED}) and is violated until the guard is
 * disarmed; after the script, still in the same transaction, the guard removes the row. So a {@code
 * COMMIT} or {@code END} inside the script fails (PostgreSQL rolls the transaction back and the
 * script stops there), and a {@code ROLLBACK} or {@code ABORT} inside it is noticed because the row
 * is gone. This holds for every spelling PostgreSQL accepts, including those a parser can miss
 * (nested comments, CR-only line ends, backslash escapes with {@code standard_conforming_strings}
 * off): {@link ScriptParser} refuses the plain ones before anything runs, with file and line; this
 * guard is the net under it.
 *
 * <p>The tables are temporary: they live in the session's own {@code pg_temp} schema, never in the
 * user's schema. A script that runs {@code SET CONSTRAINTS ALL IMMEDIATE} trips the guard too; that
 * is said in the failure's message.
 */
final class TransactionGuard {

  /** The name the guard's error messages carry, so that a failure can be recognized. */
  static final String NAME = "schema_operator_transaction_guard";

  private static final String SETUP =
      "CREATE TEMP TABLE IF NOT EXISTS "
          + NAME
          + "_end (id int PRIMARY KEY); CREATE TEMP TABLE IF NOT EXISTS "
          + NAME
          + " (id int PRIMARY KEY, CONSTRAINT "
          + NAME
          + " FOREIGN KEY (id) REFERENCES pg_temp."
          + NAME
          + "_end (id) DEFERRABLE INITIALLY DEFERRED)";

  private TransactionGuard() {}

  /** Arms the guard in the connection's open transaction. */
  static void arm(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(SETUP + "; INSERT INTO pg_temp." + NAME + " VALUES (1)");
    }
  }

  /**
   * Disarms the guard, still in the transaction it was armed in.
   *
   * @throws SQLException when the guard is gone: the script rolled its transaction back itself
   */
  static void disarm(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      int removed = statement.executeUpdate("DELETE FROM pg_temp." + NAME + " WHERE id = 1");
      if (removed != 1) {
        throw new SQLException(
            "the script rolled back its own transaction (" + NAME + " gone)", "25000");
      }
    }
  }
}
