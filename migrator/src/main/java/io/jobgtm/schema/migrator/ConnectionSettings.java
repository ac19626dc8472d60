package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.DatabaseHost;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.JobEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the database is and who connects. The password is held here only to open connections: it is
 * left out of {@link #toString()}, and {@link #describe()} names the database without it.
 *
 * <p>Every value that reaches the JDBC driver is checked here, because the driver puts the host
 * into its connection URL unencoded: the host must follow {@link DatabaseHost}, the port be a port,
 * the schema a PostgreSQL name of at most 63 bytes, the sslmode one of {@link
 * JobEnvironment#SSL_MODES}. Anything else is {@link FailureReason#InvalidConfiguration} with a
 * message that names the setting and the problem without repeating a rejected host or sslmode. The
 * database name, user and password need no grammar: the driver URL-encodes the name and passes the
 * user and password as properties, outside the URL.
 *
 * <p>TLS: sslmode {@code verify-ca} and {@code verify-full} need {@link #sslRootCert()}, a file of
 * PEM CA certificates, and the other modes refuse one (they would ignore it), so the driver never
 * falls back to {@code ~/.postgresql/root.crt} and no setting is silently ignored.
 */
public final class ConnectionSettings {

  /** The longest PostgreSQL name, in bytes (NAMEDATALEN - 1); longer ones are cut. */
  static final int MAX_NAME_BYTES = 63;

  private static final byte[] UTF8_BYTE_ORDER_MARK = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private final String host;
  private final int port;
  private final String database;
  private final String schema;
  private final String user;
  private final String password;
  private final String sslMode;
  private final Path sslRootCert;
  private final Path unixSocket;

  private ConnectionSettings(Builder builder) {
    this.host = require(builder.host, "host");
    this.port = builder.port;
    this.database = require(builder.database, "database name");
    this.schema = require(builder.schema, "schema");
    this.user = require(builder.user, "user");
    this.password = builder.password == null ? "" : builder.password;
    this.sslMode = require(builder.sslMode, "sslmode");
    DatabaseHost.problem(host)
        .ifPresent(
            problem -> {
              throw new MigrationException(
                  FailureReason.InvalidConfiguration,
                  "host (DB_HOST) is not " + DatabaseHost.DESCRIPTION + ": " + problem);
            });
    int schemaBytes = schema.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (schemaBytes > MAX_NAME_BYTES) {
      // PostgreSQL would cut the name: Flyway creates the cut schema, then looks for the full name.
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "schema (DB_SCHEMA) has "
              + schemaBytes
              + " bytes in UTF-8; PostgreSQL names have at most "
              + MAX_NAME_BYTES);
    }
    if (!JobEnvironment.SSL_MODES.contains(sslMode)) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "sslmode (DB_SSLMODE) must be one of " + String.join(", ", JobEnvironment.SSL_MODES));
    }
    this.sslRootCert = builder.sslRootCert;
    this.unixSocket = builder.unixSocket;
    if (unixSocket != null && !sslMode.equals("disable")) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "a connection through a Unix-domain socket takes sslmode disable: the socket never"
              + " leaves the machine (or pod)");
    }
    boolean verifying = JobEnvironment.VERIFYING_SSL_MODES.contains(sslMode);
    if (verifying && sslRootCert == null) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "sslmode "
              + sslMode
              + " needs sslrootcert (DB_SSLROOTCERT): a file of PEM CA certificates the server's"
              + " certificate must chain to");
    }
    if (!verifying && sslRootCert != null) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "sslrootcert (DB_SSLROOTCERT) is used only with sslmode verify-ca or verify-full; sslmode "
              + sslMode
              + " does not check the server's certificate");
    }
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

  /** The file of PEM CA certificates for verify-ca and verify-full; empty with other modes. */
  public Optional<Path> sslRootCert() {
    return Optional.ofNullable(sslRootCert);
  }

  /**
   * The Unix-domain socket file to connect through instead of TCP ({@code <dir>/.s.PGSQL.5432});
   * the host and port are then unused. Empty for TCP.
   */
  public Optional<Path> unixSocket() {
    return Optional.ofNullable(unixSocket);
  }

  /** Whether the sslmode refuses a connection without TLS: require, verify-ca or verify-full. */
  boolean requiresTls() {
    return sslMode.equals("require") || JobEnvironment.VERIFYING_SSL_MODES.contains(sslMode);
  }

  /**
   * Checks that {@link #sslRootCert()}, if any, can be read, does not start with a UTF-8 byte order
   * mark and holds at least one certificate, so that a wrong file is named as such instead of
   * failing inside the driver.
   */
  void checkRootCertificates() {
    if (sslRootCert == null) {
      return;
    }
    byte[] content;
    try {
      content = Files.readAllBytes(sslRootCert);
    } catch (IOException e) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "sslrootcert (DB_SSLROOTCERT) " + sslRootCert + " cannot be read");
    }
    if (content.length >= UTF8_BYTE_ORDER_MARK.length
        && java.util.Arrays.equals(
            content, 0, UTF8_BYTE_ORDER_MARK.length, UTF8_BYTE_ORDER_MARK, 0, 3)) {
      // Java's parser, which the driver uses too, then reads no certificate at all (OpenSSL would
      // skip only the first): name the cause rather than "no certificate".
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "sslrootcert (DB_SSLROOTCERT) "
              + sslRootCert
              + " starts with a byte order mark (U+FEFF), after which Java reads no certificate:"
              + " save it as UTF-8 without one");
    }
    try (InputStream in = new java.io.ByteArrayInputStream(content)) {
      if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
        throw new CertificateException("no certificate");
      }
    } catch (IOException | CertificateException e) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "sslrootcert (DB_SSLROOTCERT) " + sslRootCert + " holds no PEM certificate");
    }
  }

  /**
   * The host as the JDBC driver takes it: a name or IPv4 address as it is, an IPv6 address in
   * brackets and in the uncompressed form in which Java writes the IP addresses of a certificate
   * (the driver's {@code verify-full} compares the two as text).
   */
  String driverHost() {
    if (!DatabaseHost.isIpv6(host)) {
      return host;
    }
    try {
      // A literal: no name lookup happens. An IPv4-mapped address comes back as IPv4.
      java.net.InetAddress address = java.net.InetAddress.getByName(host);
      return address instanceof java.net.Inet6Address
          ? "[" + address.getHostAddress() + "]"
          : address.getHostAddress();
    } catch (java.net.UnknownHostException e) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration, "host (DB_HOST) is not a usable IPv6 address");
    }
  }

  /** Where the server is: {@code host:port}, or {@code unix:<socket file>}. */
  String server() {
    return unixSocket == null ? host + ":" + port : "unix:" + unixSocket;
  }

  /**
   * A description safe to print: {@code user@host:port/database (schema public)}, or {@code
   * user@unix:/run/postgresql/.s.PGSQL.5432/database (schema public)} through a socket.
   */
  public String describe() {
    return user + "@" + server() + "/" + database + " (schema " + schema + ")";
  }

  @Override
  public String toString() {
    return "ConnectionSettings["
        + describe()
        + ", sslmode "
        + sslMode
        + (sslRootCert == null ? "" : ", sslrootcert " + sslRootCert)
        + "]";
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
    private Path sslRootCert;
    private Path unixSocket;

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

    /** The file of PEM CA certificates for verify-ca and verify-full; null for none. */
    public Builder sslRootCert(Path sslRootCert) {
      this.sslRootCert = sslRootCert;
      return this;
    }

    /**
     * The Unix-domain socket file to connect through (sslmode must be {@code disable}); null for
     * TCP.
     */
    public Builder unixSocket(Path unixSocket) {
      this.unixSocket = unixSocket;
      return this;
    }

    public ConnectionSettings build() {
      return new ConnectionSettings(this);
    }
  }
}
