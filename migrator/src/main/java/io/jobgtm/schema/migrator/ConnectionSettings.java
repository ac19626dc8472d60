package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.FailureReason;
import java.util.Objects;

/**
 * Where the database is and who connects. The password is held here only to open connections: it is
 * left out of {@link #toString()}, and {@link #describe()} names the database without it.
 */
public final class ConnectionSettings {

  private final String host;
  private final int port;
  private final String database;
  private final String schema;
  private final String user;
  private final String password;
  private final String sslMode;

  private ConnectionSettings(Builder builder) {
    this.host = require(builder.host, "host");
    this.port = builder.port;
    this.database = require(builder.database, "database name");
    this.schema = require(builder.schema, "schema");
    this.user = require(builder.user, "user");
    this.password = builder.password == null ? "" : builder.password;
    this.sslMode = require(builder.sslMode, "sslmode");
    if (port < 1 || port > 65535) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration, "port " + port + " is not between 1 and 65535");
    }
  }

  private static String require(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new MigrationException(FailureReason.InvalidConfiguration, "no " + name + " given");
    }
    return value;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String database() {
    return database;
  }

  public String schema() {
    return schema;
  }

  public String user() {
    return user;
  }

  /** The password, for opening connections only. Never log or print it. */
  String password() {
    return password;
  }

  public String sslMode() {
    return sslMode;
  }

  /** The JDBC URL, which never carries credentials. */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /** A description safe to print: {@code user@host:port/database (schema public)}. */
  public String describe() {
    return user + "@" + host + ":" + port + "/" + database + " (schema " + schema + ")";
  }

  @Override
  public String toString() {
    return "ConnectionSettings[" + describe() + ", sslmode " + sslMode + "]";
  }

  /** Builder with the defaults of the workflow service's entrypoint. */
  public static final class Builder {
    private String host = "localhost";
    private int port = 5432;
    private String database;
    private String schema = "public";
    private String user;
    private String password;
    private String sslMode = "prefer";

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder database(String database) {
      this.database = database;
      return this;
    }

    public Builder schema(String schema) {
      this.schema = schema;
      return this;
    }

    public Builder user(String user) {
      this.user = user;
      return this;
    }

    public Builder password(String password) {
      this.password = password;
      return this;
    }

    public Builder sslMode(String sslMode) {
      this.sslMode = Objects.requireNonNull(sslMode);
      return this;
    }

    public ConnectionSettings build() {
      return new ConnectionSettings(this);
    }
  }
}
