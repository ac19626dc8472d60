package io.jobgtm.schema.migrator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A PostgreSQL server's version as it reports it: {@code server_version} (text, such as {@code
 * 17.6} or {@code 16.10 (Debian 16.10-1)}), the one the result document shows, and {@code
 * server_version_num} (such as {@code 170006}), whose ten-thousands are the major version. Read
 * with one read-only query.
 *
 * @param text {@code server_version}
 * @param number {@code server_version_num}
 */
record ServerVersion(String text, int number) {

  /** The version of the server the connection reaches. */
  static ServerVersion of(Connection connection) throws SQLException {
    try (PreparedStatement statement =
            connection.prepareStatement(
                "SELECT pg_catalog.current_setting('server_version'),"
                    + " pg_catalog.current_setting('server_version_num')::int");
        ResultSet row = statement.executeQuery()) {
      row.next();
      return new ServerVersion(row.getString(1), row.getInt(2));
    }
  }

  /** The version of the server of the migrator's own session. */
  static ServerVersion of(DatabaseSession session) {
    try {
      return of(session.connection());
    } catch (SQLException e) {
      throw SqlFailures.sessionFailure(e, "reading the server's version");
    }
  }

  /** The major version: {@code server_version_num / 10000}, e.g. 17. */
  int major() {
    return number / 10000;
  }
}
