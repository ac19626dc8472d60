package io.jobgtm.schema.migrator.testing;

import io.jobgtm.schema.migrator.ConnectionSettings;
import io.jobgtm.schema.testing.PostgresServer;

/** The migrator's connection settings for databases of a {@link PostgresServer}. */
public final class TestDatabases {

  private TestDatabases() {}

  /** Creates an empty database with a unique name; settings to reach it as the superuser. */
  public static ConnectionSettings create(PostgresServer server) {
    return settings(server, server.createDatabase());
  }

  /** Creates an empty database; settings to reach a schema of it as the superuser. */
  public static ConnectionSettings create(PostgresServer server, String schema) {
    return inSchema(server, create(server), schema);
  }

  /** The same settings for another schema of the same database, as the superuser. */
  public static ConnectionSettings inSchema(
      PostgresServer server, ConnectionSettings settings, String schema) {
    return ConnectionSettings.builder()
        .host(settings.host())
        .port(settings.port())
        .database(settings.database())
        .schema(schema)
        .user(settings.user())
        .password(server.password())
        .sslMode(settings.sslMode())
        .build();
  }

  /** Connection settings for a database of the server, as the superuser. */
  public static ConnectionSettings settings(PostgresServer server, String database) {
    return ConnectionSettings.builder()
        .host("127.0.0.1")
        .port(server.port())
        .database(database)
        .user(PostgresServer.SUPERUSER)
        .password(server.password())
        .sslMode("disable")
        .build();
  }
}
