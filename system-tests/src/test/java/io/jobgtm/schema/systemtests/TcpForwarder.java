package io.jobgtm.schema.systemtests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Listens on a loopback port and forwards each connection to another: a database that comes back at
 * an address where nothing answered before. Closing it stops listening and cuts every connection.
 */
final class TcpForwarder implements AutoCloseable {

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool();

  private TcpForwarder(ServerSocket server, int target) {
    this.server = server;
    threads.submit(
        () -> {
          while (!server.isClosed()) {
            try {
              Socket client = server.accept();
              Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
              threads.submit(() -> pump(client, upstream));
              threads.submit(() -> pump(upstream, client));
            } catch (IOException e) {
              if (!server.isClosed()) {
                throw new UncheckedIOException(e);
              }
            }
          }
          return null;
        });
  }

  /** Forwards connections to {@code port} of the loopback address to {@code target}. */
  static TcpForwarder start(int port, int target) throws IOException {
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    return new TcpForwarder(server, target);
  }

  private static Void pump(Socket from, Socket to) {
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      // one side closed: the other follows
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
    return null;
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
  }
}
