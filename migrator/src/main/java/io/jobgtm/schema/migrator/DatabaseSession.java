package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.DatabaseState;
import io.jobgtm.schema.contract.Durations;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.Version;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The engine's own connection: it waits for the database, holds the migration lock, inspects the
 * schema and runs undo scripts. It stays idle outside a transaction while Flyway works, so it never
 * holds back a {@code CREATE INDEX CONCURRENTLY}.
 */
final class DatabaseSession implements AutoCloseable {

  private static final String UNIX_SOCKET_FACTORY =
      "org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg";

  private static final Duration MAX_ATTEMPT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration MAX_POLL_INTERVAL = Duration.ofSeconds(2);

  private final Connection connection;
  private final ConnectionSettings settings;
  private final String historyTableName;

  private DatabaseSession(
      Connection connection, ConnectionSettings settings, String historyTableName) {
    this.connection = connection;
    this.settings = settings;
    this.historyTableName = historyTableName;
  }

  /**
   * The session's connection, in auto-commit, for the read-only catalog queries of a baseline's
   * verification ({@link BaselineVerification}).
   */
  Connection connection() {
    return connection;
  }

  /** A data source for the settings; Flyway opens its connections from it too. */
  static DataSource dataSource(
      ConnectionSettings settings, Duration connectTimeout, Timeouts timeouts) {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setServerNames(new String[] {settings.driverHost()});
    dataSource.setPortNumbers(new int[] {settings.port()});
    dataSource.setDatabaseName(settings.database());
    dataSource.setUser(settings.user());
    dataSource.setPassword(settings.password());
    dataSource.setSslmode(settings.sslMode());
    settings.sslRootCert().ifPresent(file -> dataSource.setSslRootCert(file.toString()));
    settings
        .unixSocket()
        .ifPresent(
            socket -> {
              // junixsocket's factory connects to the file named by its argument, whatever host and
              // port the driver passes it.
              dataSource.setSocketFactory(UNIX_SOCKET_FACTORY);
              dataSource.setSocketFactoryArg(socket.toString());
            });
    dataSource.setApplicationName("schema-operator-migrator");
    dataSource.setTcpKeepAlive(true);
    dataSource.setOptions(timeouts.connectionOptions());
    int seconds = (int) Math.max(1, Math.min(connectTimeout.toSeconds(), Integer.MAX_VALUE));
    dataSource.setConnectTimeout(seconds);
    dataSource.setLoginTimeout(seconds);
    return dataSource;
  }

  /**
   * Connects, retrying while the server is not reachable or still starting, for at most {@code
   * timeout} (the entrypoint's pg_isready step). Wrong credentials and a missing database fail at
   * once: waiting will not fix them. {@code historyTableName} is the table, in the schema, that
   * holds the migration history.
   */
  static DatabaseSession open(
      ConnectionSettings settings,
      String historyTableName,
      Duration timeout,
      Timeouts timeouts,
      ProgressListener progress) {
    settings.checkRootCertificates();
    long deadline = System.nanoTime() + timeout.toNanos();
    Duration interval = Duration.ofMillis(200);
    boolean announced = false;
    while (true) {
      Duration remaining = Duration.ofNanos(deadline - System.nanoTime());
      Duration attempt =
          remaining.compareTo(MAX_ATTEMPT_TIMEOUT) < 0 ? remaining : MAX_ATTEMPT_TIMEOUT;
      try {
        Connection connection =
            dataSource(settings, attempt.isNegative() ? Duration.ofSeconds(1) : attempt, timeouts)
                .getConnection();
        return new DatabaseSession(connection, settings, historyTableName);
      } catch (SQLException e) {
        MigrationException failure = SqlFailures.connectionFailure(e, settings);
        if (failure.reason() != FailureReason.DatabaseUnreachable) {
          throw failure;
        }
        if (System.nanoTime() + interval.toNanos() >= deadline) {
          throw new MigrationException(
              FailureReason.DatabaseUnreachable,
              null,
              "database "
                  + settings.server()
                  + " did not accept connections within "
                  + Durations.format(timeout)
                  + ": "
                  + failure.getMessage(),
              e);
        }
        if (!announced) {
          progress.progress(
              "waiting for the database at "
                  + settings.server()
                  + " (up to "
                  + Durations.format(timeout)
                  + "): "
                  + failure.getMessage());
          announced = true;
        }
        sleep(interval);
        interval = interval.multipliedBy(2);
        if (interval.compareTo(MAX_POLL_INTERVAL) > 0) {
          interval = MAX_POLL_INTERVAL;
        }
      }
    }
  }

  /**
   * Takes the engine's session-level advisory lock for this database and schema, polling so that no
   * transaction stays open while waiting. Two migrators on one database run one after the other.
   */
  void lock(Duration timeout, ProgressListener progress) {
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean announced = false;
    try (PreparedStatement statement =
        connection.prepareStatement("SELECT pg_try_advisory_lock(?, hashtext(?))")) {
      statement.setInt(1, MigrationLock.KEY_CLASS);
      statement.setString(2, settings.schema());
      while (true) {
        try (ResultSet result = statement.executeQuery()) {
          result.next();
          if (result.getBoolean(1)) {
            return;
          }
        }
        if (System.nanoTime() >= deadline) {
          throw new MigrationException(
              FailureReason.LockTimeout,
              "another migrator held the migration lock on schema "
                  + settings.schema()
                  + " for more than "
                  + Durations.format(timeout));
        }
        if (!announced) {
          progress.progress(
              "waiting for another migrator to finish on schema " + settings.schema());
          announced = true;
        }
        sleep(Duration.ofMillis(250));
      }
    } catch (SQLException e) {
      throw SqlFailures.sessionFailure(e, "taking the migration lock");
    }
  }

  /**
   * What the target schema holds now: its objects, by the one rule of {@link SchemaObjects}, and
   * whether a migration history exists.
   */
  Inspection inspect() {
    try {
      List<String> objects = new ArrayList<>();
      try (PreparedStatement statement = connection.prepareStatement(SchemaObjects.QUERY)) {
        SchemaObjects.bind(statement, settings.schema(), historyTableName);
        try (ResultSet result = statement.executeQuery()) {
          while (result.next()) {
            objects.add(result.getString(1) + " " + result.getString(2));
          }
        }
      }
      boolean historyExists = historyTableExists();
      int historyRows = historyExists ? countHistoryRows() : 0;
      return new Inspection(objects, historyTableName, historyExists, historyRows);
    } catch (SQLException e) {
      throw SqlFailures.sessionFailure(e, "inspecting schema " + settings.schema());
    }
  }

  /**
   * The session's user and database, which Flyway's {@code ${flyway:user}} and {@code
   * ${flyway:database}} placeholders give: {@code current_user} and {@code current_database()}.
   */
  List<String> userAndDatabase() {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT current_user, current_database()")) {
      result.next();
      return List.of(result.getString(1), result.getString(2));
    } catch (SQLException e) {
      throw SqlFailures.sessionFailure(e, "reading the session's user and database");
    }
  }

  /** Every row of the migration history, in installation order; empty when there is no table. */
  History history() {
    try {
      if (!historyTableExists()) {
        return new History(List.of());
      }
      List<History.Row> rows = new ArrayList<>();
      try (Statement statement = connection.createStatement();
          ResultSet result =
              statement.executeQuery(
                  "SELECT installed_rank, version, description, type, success, execution_time FROM "
                      + historyTable()
                      + " ORDER BY installed_rank")) {
        while (result.next()) {
          String version = result.getString(2);
          rows.add(
              new History.Row(
                  result.getInt(1),
                  version == null || !Version.isValid(version) ? null : Version.parse(version),
                  result.getString(3),
                  result.getString(4),
                  result.getBoolean(5),
                  result.getLong(6)));
        }
      }
      return new History(rows);
    } catch (SQLException e) {
      throw SqlFailures.sessionFailure(e, "reading the migration history");
    }
  }

  /**
   * Drops the history table when it records no migration: nothing but a baseline or the creation of
   * the schema. Used so that an unversioned schema can be baselined (Flyway refuses to baseline
   * into an existing empty table, which carries no information), and so that a first run that
   * failed, or a baseline whose migrations failed in the same run, leaves the database as it was
   * found. A table with any other entry is kept: it is the record of what happened. The check and
   * the drop are one transaction.
   *
   * @return whether the table was dropped
   */
  boolean dropHistoryRecordingNoMigration() {
    try {
      if (!historyTableExists()) {
        return false;
      }
      return inTransaction(
          statement -> {
            statement.execute("LOCK TABLE " + historyTable() + " IN ACCESS EXCLUSIVE MODE");
            try (ResultSet result =
                statement.executeQuery(
                    "SELECT count(*) FROM "
                        + historyTable()
                        + " WHERE type NOT IN ('SCHEMA', 'BASELINE') OR NOT success")) {
              result.next();
              if (result.getInt(1) > 0) {
                return false;
              }
            }
            statement.execute("DROP TABLE " + historyTable());
            return true;
          });
    } catch (SQLException e) {
      throw SqlFailures.sessionFailure(e, "removing a migration history that records no migration");
    }
  }

  /**
   * The indexes of the database left INVALID, e.g. by a {@code CREATE INDEX CONCURRENTLY} that
   * failed, as {@code schema.index}.
   */
  List<String> invalidIndexes() {
    List<String> names = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT n.nspname || '.' || c.relname FROM pg_index i"
                    + " JOIN pg_class c ON c.oid = i.indexrelid"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE NOT i.indisvalid"
                    + " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                    + " ORDER BY 1")) {
      while (result.next()) {
        names.add(result.getString(1));
      }
    } catch (SQLException e) {
      throw SqlFailures.sessionFailure(e, "looking for invalid indexes");
    }
    return names;
  }

  /**
   * The comment on the history table, where {@link SchemaOwner} records who migrates the schema;
   * empty when there is no history table or no comment.
   */
  Optional<String> historyComment() {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT obj_description(c.oid, 'pg_class') FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relname = ?")) {
      statement.setString(1, settings.schema());
      statement.setString(2, historyTableName);
      try (ResultSet result = statement.executeQuery()) {
        return result.next() ? Optional.ofNullable(result.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw SqlFailures.sessionFailure(e, "reading the owner of the schema");
    }
  }

  /** What {@link #commentHistory} did. */
  enum Commented {
    YES,
    NO_HISTORY_TABLE,
    /** The history table belongs to a role this user may not act as. */
    NOT_PERMITTED
  }

  /** Sets the comment on the history table, if there is one and this user may. */
  Commented commentHistory(String comment) {
    try {
      if (!historyTableExists()) {
        return Commented.NO_HISTORY_TABLE;
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute(
            "COMMENT ON TABLE " + historyTable() + " IS '" + comment.replace("'", "''") + "'");
      }
      return Commented.YES;
    } catch (SQLException e) {
      if ("42501".equals(e.getSQLState())) {
        return Commented.NOT_PERMITTED;
      }
      throw SqlFailures.sessionFailure(e, "recording the owner of the schema");
    }
  }

  private boolean historyTableExists() throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? AND c.relname = ?")) {
      statement.setString(1, settings.schema());
      statement.setString(2, historyTableName);
      try (ResultSet result = statement.executeQuery()) {
        return result.next();
      }
    }
  }

  private int countHistoryRows() throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT count(*) FROM "
                    + historyTable()
                    + " WHERE type NOT IN ('SCHEMA', 'DELETE')")) {
      result.next();
      return result.getInt(1);
    }
  }

  /**
   * The applied history rows above a version, highest version first; versions that repair marked
   * deleted are not applied.
   */
  List<HistoryRow> appliedAbove(Version target) {
    java.util.Set<Version> applied = history().applied();
    List<HistoryRow> rows = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT installed_rank, version, description, type, script FROM "
                    + historyTable()
                    + " WHERE success AND version IS NOT NULL AND type NOT IN ('SCHEMA', 'DELETE')")) {
      while (result.next()) {
        Version version = Version.parse(result.getString(2));
        if (version.isAbove(target) && applied.contains(version)) {
          rows.add(
              new HistoryRow(
                  result.getInt(1),
                  version,
                  result.getString(3),
                  result.getString(4),
                  result.getString(5)));
        }
      }
    } catch (SQLException e) {
      throw SqlFailures.sessionFailure(e, "reading the migration history");
    }
    rows.sort((left, right) -> right.version().compareTo(left.version()));
    return rows;
  }

  /**
   * Runs an undo script ({@code sql}, its text with placeholders replaced where that is on) and
   * removes its history entry in one transaction, so a failed undo leaves both the schema and the
   * history as they were. The script starts with the {@link SessionDefaults} (the target schema
   * first on {@code search_path}), and the history entry is removed with them restored, whatever
   * the script set.
   */
  void undo(HistoryRow row, MigrationScript script, String sql, SessionDefaults defaults) {
    try {
      inTransaction(
          statement -> {
            defaults.restore(connection);
            TransactionGuard.arm(connection);
            statement.execute(sql);
            TransactionGuard.disarm(connection);
            defaults.restore(connection);
            try (PreparedStatement delete =
                connection.prepareStatement(
                    "DELETE FROM " + historyTable() + " WHERE installed_rank = ?")) {
              delete.setInt(1, row.installedRank());
              delete.executeUpdate();
            }
            return null;
          });
    } catch (SQLException e) {
      throw SqlFailures.scriptFailure(
          e, FailureReason.UndoFailed, row.version(), script.fileName());
    }
  }

  /** Runs statements in one transaction: committed when the work returns, else rolled back. */
  private <T> T inTransaction(TransactionWork<T> work) throws SQLException {
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      T result = work.run(statement);
      connection.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  @FunctionalInterface
  private interface TransactionWork<T> {
    T run(Statement statement) throws SQLException;
  }

  private String historyTable() {
    return quote(settings.schema()) + "." + quote(historyTableName);
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MigrationException(FailureReason.MigrationInterrupted, "interrupted while waiting");
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      // Closing also releases the session lock; a failure here changes nothing already done.
    }
  }

  /**
   * A row of the migration history.
   *
   * @param type Flyway's entry type: SQL, SQL_BASELINE (a baseline migration), BASELINE (a stamp)
   * @param script the file name Flyway recorded
   */
  record HistoryRow(
      int installedRank, Version version, String description, String type, String script) {}

  /** The objects of the target schema and the state of its history table. */
  record Inspection(
      List<String> objects, String historyTableName, boolean historyTableExists, int historyRows) {

    DatabaseState state() {
      if (historyRows > 0) {
        return DatabaseState.Versioned;
      }
      return objects.isEmpty() ? DatabaseState.Fresh : DatabaseState.Unversioned;
    }

    /** A readable account of what was found, e.g. for the progress line. */
    String describe(String schema) {
      return switch (state()) {
        case Fresh -> "no objects in schema " + schema;
        case Versioned -> historyRows + " entries in the migration history";
        case Unversioned ->
            objects.size()
                + " objects in schema "
                + schema
                + " ("
                + String.join(", ", objects.subList(0, Math.min(5, objects.size())))
                + (objects.size() > 5 ? ", ..." : "")
                + ") and "
                + (historyTableExists
                    ? "an empty migration history table " + historyTableName
                    : "no migration history");
      };
    }
  }
}
