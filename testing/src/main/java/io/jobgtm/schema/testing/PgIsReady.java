package io.jobgtm.schema.testing;

import java.io.IOException;
import java.util.Map;

/**
 * {@code pg_isready} of the emulated official PostgreSQL image ({@link ShadowImages}): the embedded
 * binaries carry no client programs, so this speaks the protocol's startup itself ({@link
 * PostgresWire}) and answers as {@code PQping} does.
 *
 * <p>Options: {@code -h HOST} (a socket directory when it starts with {@code /}; default {@code
 * PGHOST}, else {@code /var/run/postgresql} as in the image), {@code -p PORT} (default {@code
 * PGPORT}, else 5432), {@code -U USER}, {@code -d DBNAME}, {@code -q} (print nothing); {@code -t}
 * is accepted and ignored. Exit codes as pg_isready's: 0 accepting connections (any answer but
 * "cannot connect now", a refused login included), 1 rejecting (SQLSTATE 57P03: starting up or
 * shutting down), 2 no response, 3 no attempt (bad options).
 */
public final class PgIsReady {

  private PgIsReady() {}

  public static void main(String[] args) {
    Map<String, String> env = System.getenv();
    String host = env.getOrDefault("PGHOST", "/var/run/postgresql");
    String port = env.getOrDefault("PGPORT", "5432");
    String user = env.getOrDefault("PGUSER", "postgres");
    String database = env.getOrDefault("PGDATABASE", "postgres");
    boolean quiet = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if ("-q".equals(arg) || "--quiet".equals(arg)) {
        quiet = true;
        continue;
      }
      if (i + 1 >= args.length || !arg.startsWith("-")) {
        System.err.println("pg_isready: unsupported argument " + arg);
        System.exit(3);
      }
      String value = args[++i];
      switch (arg) {
        case "-h", "--host" -> host = value;
        case "-p", "--port" -> port = value;
        case "-U", "--username" -> user = value;
        case "-d", "--dbname" -> database = value;
        case "-t", "--timeout" -> {}
        default -> {
          System.err.println("pg_isready: unsupported option " + arg);
          System.exit(3);
        }
      }
    }
    int status;
    String where = host + ":" + port;
    try (PostgresWire wire = PostgresWire.connect(host, Integer.parseInt(port))) {
      PostgresWire.Message answer = wire.startup(user, database);
      status =
          answer.type() == 'E' && PostgresWire.CANNOT_CONNECT_NOW.equals(answer.fields().get('C'))
              ? 1
              : 0;
    } catch (IOException | NumberFormatException e) {
      status = 2;
    }
    if (!quiet) {
      System.out.println(
          where
              + " - "
              + switch (status) {
                case 0 -> "accepting connections";
                case 1 -> "rejecting connections";
                default -> "no response";
              });
    }
    System.exit(status);
  }
}
