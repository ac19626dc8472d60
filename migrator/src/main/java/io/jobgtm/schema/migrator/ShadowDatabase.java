package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.FailureReason;

/**
 * A shadow database: an empty PostgreSQL that is not the migrated one, where the migration set is
 * replayed to learn what the schema looks like at each version ({@link ShadowReplay}).
 *
 * <p>It is given as a JDBC URL, {@code jdbc:postgresql://host[:port]/database}, optionally with
 * {@code ?sslmode=MODE}; the port defaults to 5432, an IPv6 host is written in brackets. The user
 * and password come apart from the URL ({@code SHADOW_DB_USER}, {@code SHADOW_DB_PASSWORD}): any
 * other URL parameter, {@code user} and {@code password} included, is refused with {@link
 * FailureReason#InvalidConfiguration}. The host, port and sslmode are checked as {@link
 * ConnectionSettings} checks the migrated database's. No message repeats the URL: {@link
 * #describe()} names the database without user, password or parameters.
 */
public final class ShadowDatabase {

  private static final String PREFIX = "jdbc:postgresql://";

  private final String host;
  private final int port;
  private final String database;
  private final String user;
  private final String password;
  private final String sslMode;

  private ShadowDatabase(
      String host, int port, String database, String user, String password, String sslMode) {
    this.host = host;
    this.port = port;
    this.database = database;
    this.user = user;
    this.password = password == null ? "" : password;
    this.sslMode = sslMode;
    // Checks host, port, sslmode and user the way the migrated database's settings are checked.
    settings("public");
  }

  /**
   * Reads a shadow database's JDBC URL.
   *
   * @throws MigrationException {@link FailureReason#InvalidConfiguration} naming the problem, never
   *     the URL
   */
  public static ShadowDatabase fromUrl(String url, String user, String password) {
    if (url == null || !url.startsWith(PREFIX)) {
      throw invalid("must start with " + PREFIX);
    }
    String rest = url.substring(PREFIX.length());
    String sslMode = "prefer";
    int query = rest.indexOf('?');
    if (query >= 0) {
      for (String parameter : rest.substring(query + 1).split("&", -1)) {
        if (parameter.startsWith("sslmode=")) {
          sslMode = parameter.substring("sslmode=".length());
        } else {
          int equals = parameter.indexOf('=');
          throw invalid(
              "may hold no parameter but sslmode, not "
                  + (equals < 0 ? "an empty one" : parameter.substring(0, equals))
                  + " (the user and password come from SHADOW_DB_USER and SHADOW_DB_PASSWORD)");
        }
      }
      rest = rest.substring(0, query);
    }
    int slash = rest.indexOf('/');
    if (slash < 0 || slash == rest.length() - 1) {
      throw invalid("names no database: jdbc:postgresql://host:port/database");
    }
    String authority = rest.substring(0, slash);
    String database =
        java.net.URLDecoder.decode(
            rest.substring(slash + 1), java.nio.charset.StandardCharsets.UTF_8);
    String host;
    String portText = null;
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close < 0) {
        throw invalid("has an IPv6 host without its closing bracket");
      }
      host = authority.substring(1, close);
      if (close + 1 < authority.length()) {
        if (authority.charAt(close + 1) != ':') {
          throw invalid("has something other than :port after the IPv6 host");
        }
        portText = authority.substring(close + 2);
      }
    } else {
      int colon = authority.indexOf(':');
      host = colon < 0 ? authority : authority.substring(0, colon);
      portText = colon < 0 ? null : authority.substring(colon + 1);
    }
    if (host.contains("@")) {
      throw invalid("holds a user: give it in SHADOW_DB_USER");
    }
    int port = 5432;
    if (portText != null) {
      try {
        port = Integer.parseInt(portText);
      } catch (NumberFormatException e) {
        throw invalid("has a port that is not a number");
      }
    }
    if (user == null || user.isBlank()) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "the shadow database needs a user (SHADOW_DB_USER or --shadow-user)");
    }
    try {
      return new ShadowDatabase(host, port, database, user, password, sslMode);
    } catch (MigrationException e) {
      throw new MigrationException(
          e.reason(), "the shadow URL (--shadow-url, SHADOW_URL): " + e.getMessage());
    }
  }

  private static MigrationException invalid(String problem) {
    return new MigrationException(
        FailureReason.InvalidConfiguration, "the shadow URL (--shadow-url, SHADOW_URL) " + problem);
  }

  /** Connection settings for a schema of the shadow database. */
  ConnectionSettings settings(String schema) {
    return ConnectionSettings.builder()
        .host(host)
        .port(port)
        .database(database)
        .schema(schema)
        .user(user)
        .password(password)
        .sslMode(sslMode)
        .build();
  }

  /** The password, for connecting and for removing it from messages only. */
  String password() {
    return password;
  }

  /** A description safe to print: {@code shadow database scratch at db:5432}. */
  public String describe() {
    return "shadow database "
        + database
        + " at "
        + (host.contains(":") ? "[" + host + "]" : host)
        + ":"
        + port;
  }

  @Override
  public String toString() {
    return "ShadowDatabase[" + describe() + "]";
  }
}
