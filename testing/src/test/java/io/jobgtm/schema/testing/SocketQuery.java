package io.jobgtm.schema.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tests' PostgreSQL client in a pod ({@link AgentTestImages#CLIENT_IMAGE}): {@code query
 * SOCKET_DIR SQL OUTPUT_FILE} runs one statement as {@code postgres} over the Unix socket in {@code
 * SOCKET_DIR} and writes the first column of its first row to {@code OUTPUT_FILE}; exit 1 with the
 * server's message when the connection or the statement fails.
 */
public final class SocketQuery {

  private SocketQuery() {}

  public static void main(String[] args) throws IOException {
    try (PostgresWire wire = PostgresWire.connect(args[0], 5432)) {
      String value = wire.query("postgres", "postgres", args[1]);
      Files.writeString(Path.of(args[2]), value);
      System.out.println(value);
    } catch (IOException e) {
      System.err.println("query failed: " + e.getMessage());
      System.exit(1);
    }
  }
}
