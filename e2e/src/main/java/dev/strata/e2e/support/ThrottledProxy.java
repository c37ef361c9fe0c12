package dev.strata.e2e.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP proxy on loopback in front of a server (MinIO), that forwards what clients send at most
 * {@code bytesPerSecond}: an upload then takes long enough to be watched while it runs, whatever
 * the machine's speed. Answers are not slowed.
 */
public final class ThrottledProxy implements AutoCloseable {

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final long bytesPerSecond;
  private final ExecutorService pumps =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "throttled-proxy");
            t.setDaemon(true);
            return t;
          });

  private ThrottledProxy(ServerSocket server, InetSocketAddress target, long bytesPerSecond) {
    this.server = server;
    this.target = target;
    this.bytesPerSecond = bytesPerSecond;
  }

  /**
   * @param endpoint the server's URL, e.g. http://127.0.0.1:9000
   */
  public static ThrottledProxy start(String endpoint, long bytesPerSecond) {
    URI uri = URI.create(endpoint);
    try {
      ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      ThrottledProxy proxy =
          new ThrottledProxy(
              server, new InetSocketAddress(uri.getHost(), uri.getPort()), bytesPerSecond);
      proxy.pumps.submit(proxy::accept);
      return proxy;
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen on loopback: " + e.getMessage(), e);
    }
  }

  /** The proxy's URL, to use as the store's endpoint. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(target.getAddress(), target.getPort());
        pumps.submit(() -> pump(client, upstream, bytesPerSecond));
        pumps.submit(() -> pump(upstream, client, 0));
      } catch (IOException e) {
        // closed, or the server refused: the client sees its connection end
      }
    }
  }

  private static void pump(Socket from, Socket to, long limit) {
    byte[] buf = new byte[8192];
    long start = System.nanoTime();
    long sent = 0;
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        out.flush();
        sent += n;
        if (limit > 0) {
          long due = start + sent * 1_000_000_000L / limit;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
        }
      }
    } catch (IOException | InterruptedException e) {
      // one side closed
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // nothing to do
    }
    pumps.shutdownNow();
  }
}
