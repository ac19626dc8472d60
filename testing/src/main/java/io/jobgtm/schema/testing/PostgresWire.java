package io.jobgtm.schema.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The few messages of PostgreSQL's frontend/backend protocol (version 3.0) that {@link PgIsReady}
 * and the tests' socket client need, over a Unix socket ({@code <dir>/.s.PGSQL.<port>}) or TCP: the
 * startup message, the first answer, and a simple query under {@code trust}. The embedded binaries
 * ship no client programs, and the JDBC driver reaches no Unix socket without a native library.
 */
final class PostgresWire implements AutoCloseable {

  /** SQLSTATE cannot_connect_now: starting up, shutting down, in recovery. */
  static final String CANNOT_CONNECT_NOW = "57P03";

  private final SocketChannel channel;

  private PostgresWire(SocketChannel channel) {
    this.channel = channel;
  }

  /**
   * Connects to a server: {@code host} starting with {@code /} is the socket directory, anything
   * else a host name.
   */
  static PostgresWire connect(String host, int port) throws IOException {
    SocketAddress address;
    SocketChannel channel;
    if (host.startsWith("/")) {
      address = UnixDomainSocketAddress.of(Path.of(host, ".s.PGSQL." + port));
      channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    } else {
      address = new InetSocketAddress(host, port);
      channel = SocketChannel.open();
    }
    try {
      channel.connect(address);
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    return new PostgresWire(channel);
  }

  /** One backend message: its type byte and body. */
  record Message(char type, ByteBuffer body) {

    /** An ErrorResponse's fields by code ({@code C} the SQLSTATE, {@code M} the message). */
    Map<Character, String> fields() {
      Map<Character, String> fields = new LinkedHashMap<>();
      ByteBuffer buffer = body.duplicate();
      while (buffer.hasRemaining()) {
        char code = (char) buffer.get();
        if (code == 0) {
          break;
        }
        fields.put(code, string(buffer));
      }
      return fields;
    }
  }

  /** Sends the startup message and returns the server's first answer. */
  Message startup(String user, String database) throws IOException {
    ByteBuffer parameters = ByteBuffer.allocate(1024);
    parameters.putInt(196608); // protocol 3.0
    for (String part : new String[] {"user", user, "database", database}) {
      parameters.put(part.getBytes(StandardCharsets.UTF_8)).put((byte) 0);
    }
    parameters.put((byte) 0).flip();
    ByteBuffer message = ByteBuffer.allocate(4 + parameters.remaining());
    message.putInt(4 + parameters.remaining()).put(parameters).flip();
    write(message);
    return read();
  }

  /**
   * Runs one statement with the simple query protocol after a {@code trust} startup and returns the
   * first column of its first row.
   *
   * @throws IOException with the server's message when it refuses or the statement fails
   */
  String query(String user, String database, String sql) throws IOException {
    Message answer = startup(user, database);
    while (answer.type() != 'Z') {
      check(answer);
      if (answer.type() == 'R' && answer.body().getInt(0) != 0) {
        throw new IOException("the server asks for a password; only trust is supported here");
      }
      answer = read();
    }
    byte[] text = sql.getBytes(StandardCharsets.UTF_8);
    ByteBuffer query = ByteBuffer.allocate(1 + 4 + text.length + 1);
    query.put((byte) 'Q').putInt(4 + text.length + 1).put(text).put((byte) 0).flip();
    write(query);
    String value = null;
    for (Message reply = read(); reply.type() != 'Z'; reply = read()) {
      check(reply);
      if (reply.type() == 'D' && value == null) {
        ByteBuffer row = reply.body().duplicate();
        row.getShort();
        int length = row.getInt();
        byte[] bytes = new byte[Math.max(0, length)];
        row.get(bytes);
        value = length < 0 ? null : new String(bytes, StandardCharsets.UTF_8);
      }
    }
    return value;
  }

  private static void check(Message message) throws IOException {
    if (message.type() == 'E') {
      Map<Character, String> fields = message.fields();
      throw new IOException(
          fields.get('S') + ":  " + fields.get('M') + " (" + fields.get('C') + ")");
    }
  }

  private void write(ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  private Message read() throws IOException {
    ByteBuffer header = readFully(5);
    char type = (char) header.get();
    int length = header.getInt();
    return new Message(type, readFully(length - 4));
  }

  private ByteBuffer readFully(int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        throw new IOException("server closed the connection unexpectedly");
      }
    }
    return buffer.flip();
  }

  private static String string(ByteBuffer buffer) {
    int start = buffer.position();
    while (buffer.get() != 0) {
      // up to the terminating zero
    }
    byte[] bytes = new byte[buffer.position() - start - 1];
    buffer.get(start, bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
