package io.jobgtm.schema.migrator;

import io.jobgtm.schema.migrator.model.SchemaModel;
import io.jobgtm.schema.migrator.model.SchemaReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Reads the {@link SchemaModel} of the schema a {@link ConnectionSettings} names, through a
 * connection of its own that runs nothing but {@link SchemaReader}'s read-only catalog queries in
 * one read-only transaction, and is closed afterwards. Unlike the migration commands it does not
 * wait for a database that is not up yet: one attempt, bounded by the connect timeout.
 *
 * <p>Failures are {@link MigrationException}s with the reasons and exit codes of the other
 * commands: {@code DatabaseUnreachable} (transient), {@code AuthenticationFailed}, {@code
 * DatabaseNotFound}, {@code ConnectionRejected}, {@code TlsVerificationFailed}, {@code
 * InvalidConfiguration} for an unreadable root certificate file; a failed catalog query is {@code
 * MigrationInterrupted} when PostgreSQL calls it transient, else {@code InternalError}. Messages
 * never hold the password.
 */
public final class SchemaCatalog {

  /** The lock and statement timeouts of the reading connection. */
  private static final Timeouts TIMEOUTS =
      new Timeouts(Duration.ofSeconds(10), Duration.ofMinutes(5));

  private SchemaCatalog() {}

  /**
   * The model of the settings' schema.
   *
   * @param historyTable the migration history table, left out of the model
   * @param ignoreTables further tables left out, by name
   * @param connectTimeout how long the one connection attempt may take
   */
  public static SchemaModel read(
      ConnectionSettings settings,
      String historyTable,
      Collection<String> ignoreTables,
      Duration connectTimeout) {
    Objects.requireNonNull(historyTable, "historyTable");
    settings.checkRootCertificates();
    Redactor redactor = new Redactor(settings.password());
    Connection connection;
    try {
      connection = DatabaseSession.dataSource(settings, connectTimeout, TIMEOUTS).getConnection();
    } catch (SQLException e) {
      MigrationException failure = SqlFailures.connectionFailure(e, settings);
      throw new MigrationException(
          failure.reason(), null, redactor.clean(failure.getMessage()), null);
    }
    try (connection) {
      return SchemaReader.read(
          connection, settings.schema(), historyTable, List.copyOf(ignoreTables));
    } catch (SQLException e) {
      MigrationException failure =
          SqlFailures.sessionFailure(e, "reading the catalog of schema " + settings.schema());
      throw new MigrationException(
          failure.reason(), null, redactor.clean(failure.getMessage()), null);
    }
  }
}
