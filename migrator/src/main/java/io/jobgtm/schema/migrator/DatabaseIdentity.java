package io.jobgtm.schema.migrator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Which database of which PostgreSQL server a connection reaches, told by read-only catalog queries
 * alone, so that a shadow database that is in fact the migrated one is refused before anything is
 * created in it. Host names and ports are no help: one server answers under many names, addresses
 * and forwarded ports.
 *
 * <p>The server is known by its system identifier ({@code pg_control_system()}, unique per {@code
 * initdb}) when the user may read it, and by the start time of its postmaster ({@code
 * pg_postmaster_start_time()}, to the microsecond, readable by anyone); the database by its OID and
 * name. Two connections reach the same database when the databases' OIDs and names are equal and so
 * are the servers' start times and, where both could be read, their system identifiers. A physical
 * replica shares its primary's system identifier but not its start time, so a replica of production
 * is not taken for production (and cannot serve as a shadow, being read-only).
 *
 * @param systemIdentifier the server's system identifier, null when the user may not read it
 * @param postmasterStart the server's start time as PostgreSQL writes it
 * @param databaseOid the database's OID
 * @param databaseName the database's name
 */
record DatabaseIdentity(
    String systemIdentifier, String postmasterStart, long databaseOid, String databaseName) {

  private static final String QUERY =
      "SELECT pg_catalog.pg_postmaster_start_time()::text, d.oid::bigint, d.datname,"
          + " pg_catalog.has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE')"
          + " FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()";

  private static final String SYSTEM_IDENTIFIER =
      "SELECT system_identifier::text FROM pg_catalog.pg_control_system()";

  /** The identity of the database the connection reaches; runs read-only queries. */
  static DatabaseIdentity of(Connection connection) throws SQLException {
    String started;
    long oid;
    String name;
    boolean mayReadIdentifier;
    try (PreparedStatement statement = connection.prepareStatement(QUERY);
        ResultSet row = statement.executeQuery()) {
      row.next();
      started = row.getString(1);
      oid = row.getLong(2);
      name = row.getString(3);
      mayReadIdentifier = row.getBoolean(4);
    }
    String identifier = null;
    if (mayReadIdentifier) {
      try (PreparedStatement statement = connection.prepareStatement(SYSTEM_IDENTIFIER);
          ResultSet row = statement.executeQuery()) {
        identifier = row.next() ? row.getString(1) : null;
      }
    }
    return new DatabaseIdentity(identifier, started, oid, name);
  }

  /**
   * Whether both identities name databases of one server (start times equal and, where both could
   * be read, system identifiers).
   */
  boolean sameServerAs(DatabaseIdentity other) {
    boolean identifiersAgree =
        systemIdentifier == null
            || other.systemIdentifier == null
            || systemIdentifier.equals(other.systemIdentifier);
    return identifiersAgree && postmasterStart.equals(other.postmasterStart);
  }

  /** Whether both identities name one database of one server. */
  boolean sameDatabaseAs(DatabaseIdentity other) {
    return sameServerAs(other)
        && databaseOid == other.databaseOid
        && databaseName.equals(other.databaseName);
  }
}
