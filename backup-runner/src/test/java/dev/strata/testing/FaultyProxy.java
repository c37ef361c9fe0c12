package dev.strata.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP proxy on loopback that sits in front of an S3 server and breaks a share of the requests:
 * answers them with {@code 503 Slow Down} or {@code 500 Internal Error} (S3 XML bodies), with a
 * {@code 503} HTML page as a load balancer would, or resets the connection part-way through the
 * request or the response.
 *
 * <p>Each client connection carries one request (the proxy asks the server for {@code Connection:
 * close}), so the proxy needs to understand only request heads and Content-Length bodies, which is
 * all an S3 client sends. Which requests fail comes from a seeded {@link Random}: the sequence of
 * decisions is fixed, though under concurrency which request gets which decision depends on arrival
 * order.
 *
 * <pre>{@code
 * try (FaultyProxy proxy = FaultyProxy.start("127.0.0.1", s3.port(), 0.3, 42)) {
 *   store = new RetryingBlobStoreManager(new S3BlobStoreManager(s3.config("p", proxy.endpoint())), policy);
 *   ...
 * }
 * }</pre>
 */
public final class FaultyProxy implements AutoCloseable {

  /** The ways a request can be broken. */
  public enum Fault {
    SLOW_DOWN_503,
    INTERNAL_ERROR_500,
    /** A 503 with an HTML body, as a load balancer in front of the store would send. */
    UNAVAILABLE_HTML_503,
    /** The connection is reset after the request head and part of its body have arrived. */
    RESET_DURING_REQUEST,
    /**
     * The request reaches the server (which acts on it); the connection is reset part-way through
     * the response.
     */
    RESET_DURING_RESPONSE
  }

  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final Random random;
  private final ExecutorService workers;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong requests = new AtomicLong();
  private final Map<Fault, AtomicLong> injected = new EnumMap<>(Fault.class);
  private volatile double faultRate;
  private volatile List<Fault> faults = List.of(Fault.values());
  private volatile boolean closed;

  private FaultyProxy(String targetHost, int targetPort, double faultRate, long seed)
      throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.random = new Random(seed);
    setFaultRate(faultRate);
    for (Fault f : Fault.values()) {
      injected.put(f, new AtomicLong());
    }
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
    this.workers =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "faulty-proxy");
              t.setDaemon(true);
              return t;
            });
    Thread acceptor = new Thread(this::acceptLoop, "faulty-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts a proxy on a free loopback port that forwards to {@code targetHost:targetPort}. */
  public static FaultyProxy start(String targetHost, int targetPort, double faultRate, long seed) {
    try {
      return new FaultyProxy(targetHost, targetPort, faultRate, seed);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the faulty proxy", e);
    }
  }

  public int port() {
    return server.getLocalPort();
  }

  /** {@code http://127.0.0.1:<port>} */
  public String endpoint() {
    return "http://127.0.0.1:" + port();
  }

  /** The share of requests to break, from 0 (none) to 1 (all). */
  public void setFaultRate(double faultRate) {
    if (!(faultRate >= 0 && faultRate <= 1)) {
      throw new IllegalArgumentException("fault rate must be between 0 and 1, not " + faultRate);
    }
    this.faultRate = faultRate;
  }

  /** Which faults to choose from (equally likely); all by default. */
  public void setFaults(Set<Fault> faults) {
    if (faults.isEmpty()) {
      throw new IllegalArgumentException("give at least one fault; use setFaultRate(0) for none");
    }
    this.faults = List.copyOf(EnumSet.copyOf(faults));
  }

  /** Requests seen so far. */
  public long requests() {
    return requests.get();
  }

  /** Requests broken so far. */
  public long faultsInjected() {
    return injected.values().stream().mapToLong(AtomicLong::get).sum();
  }

  public long faultsInjected(Fault fault) {
    return injected.get(fault).get();
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Socket s : new ArrayList<>(open)) {
      closeQuietly(s);
    }
    workers.shutdownNow();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        open.add(client);
        workers.execute(
            () -> {
              try {
                handle(client);
              } catch (IOException | RuntimeException e) {
                // the client or the server went away: nothing to report, the client sees a broken
                // connection
              } finally {
                closeQuietly(client);
                open.remove(client);
              }
            });
      } catch (IOException e) {
        if (!closed) {
          // accept failed transiently (e.g. out of file descriptors): pause, then keep serving
          try {
            Thread.sleep(10);
          } catch (InterruptedException interrupted) {
            return;
          }
        }
      }
    }
  }

  private void handle(Socket client) throws IOException {
    client.setSoTimeout(60_000);
    InputStream in = new BufferedInputStream(client.getInputStream(), 64 * 1024);
    OutputStream out = client.getOutputStream();
    byte[] head = readHead(in);
    if (head == null) {
      return;
    }
    Request request = Request.parse(head);
    requests.incrementAndGet();
    Fault fault;
    int cut;
    synchronized (random) {
      fault = random.nextDouble() < faultRate ? faults.get(random.nextInt(faults.size())) : null;
      cut = random.nextInt(1 << 20);
    }
    if (fault != null) {
      injected.get(fault).incrementAndGet();
    }
    if (fault == null || fault == Fault.RESET_DURING_RESPONSE) {
      forward(request, in, out, client, fault == null ? -1 : cut);
      return;
    }
    switch (fault) {
      case RESET_DURING_REQUEST -> {
        skip(in, request.contentLength == 0 ? 0 : cut % request.contentLength);
        reset(client);
      }
      case SLOW_DOWN_503 ->
          answer(
              in,
              out,
              request,
              503,
              "Slow Down",
              "application/xml",
              s3Error("SlowDown", "Please reduce your request rate."));
      case INTERNAL_ERROR_500 ->
          answer(
              in,
              out,
              request,
              500,
              "Internal Server Error",
              "application/xml",
              s3Error("InternalError", "We encountered an internal error. Please try again."));
      case UNAVAILABLE_HTML_503 ->
          answer(
              in,
              out,
              request,
              503,
              "Service Unavailable",
              "text/html",
              "<html><body><h1>503 Service Unavailable</h1>No server is available to handle this request.</body></html>");
      default -> throw new IllegalStateException("unhandled fault " + fault);
    }
  }

  /**
   * Sends the request to the server and its answer back. With {@code cutAt >= 0}, resets the
   * client's connection after {@code cutAt % (answer length)} bytes of the answer, so the answer is
   * always cut short.
   */
  private void forward(Request request, InputStream in, OutputStream out, Socket client, int cutAt)
      throws IOException {
    try (Socket upstream = new Socket(targetHost, targetPort)) {
      open.add(upstream);
      try {
        upstream.setSoTimeout(60_000);
        OutputStream up = upstream.getOutputStream();
        up.write(request.headWithConnectionClose());
        copy(in, up, request.contentLength);
        up.flush();
        InputStream answer = upstream.getInputStream();
        if (cutAt < 0) {
          answer.transferTo(out);
          out.flush();
          return;
        }
        byte[] whole = answer.readAllBytes();
        out.write(whole, 0, whole.length == 0 ? 0 : cutAt % whole.length);
        out.flush();
        reset(client);
      } finally {
        open.remove(upstream);
      }
    }
  }

  private static void answer(
      InputStream in,
      OutputStream out,
      Request request,
      int status,
      String reason,
      String contentType,
      String body)
      throws IOException {
    skip(
        in,
        request
            .contentLength); // read the whole request first, so the client sees the answer, not a
    // broken pipe
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "HTTP/1.1 "
            + status
            + " "
            + reason
            + "\r\n"
            + "Content-Type: "
            + contentType
            + "\r\n"
            + "Content-Length: "
            + bytes.length
            + "\r\n"
            + "x-amz-request-id: faulty-proxy\r\n"
            + "Connection: close\r\n\r\n";
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    if (!request.method.equals("HEAD")) {
      out.write(bytes);
    }
    out.flush();
  }

  private static String s3Error(String code, String message) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
        + code
        + "</Code><Message>"
        + message
        + "</Message><RequestId>faulty-proxy</RequestId><HostId>faulty-proxy</HostId></Error>";
  }

  /**
   * The bytes up to and including the blank line, or null if the client closed before sending
   * anything.
   */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream(1024);
    int matched = 0;
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (head.size() == 0) {
          return null;
        }
        throw new IOException("connection closed inside a request head");
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
      if (matched == 4) {
        return head.toByteArray();
      }
      if (head.size() > 64 * 1024) {
        throw new IOException("request head over 64 KiB");
      }
    }
  }

  private static void copy(InputStream in, OutputStream out, long length) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long left = length;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw new IOException("client closed with " + left + " body bytes unsent");
      }
      out.write(buffer, 0, n);
      left -= n;
    }
  }

  private static void skip(InputStream in, long length) throws IOException {
    copy(in, OutputStream.nullOutputStream(), length);
  }

  /** Closes with an RST instead of a FIN, as a crashed peer or a middlebox would. */
  private static void reset(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (SocketException ignored) {
      // closed already
    }
    closeQuietly(socket);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }

  /** A request head: its method, Content-Length, and its lines for forwarding. */
  private record Request(String method, long contentLength, List<String> lines) {

    static Request parse(byte[] head) throws IOException {
      String text = new String(head, StandardCharsets.ISO_8859_1);
      List<String> lines = new ArrayList<>(List.of(text.split("\r\n")));
      if (lines.isEmpty() || lines.get(0).split(" ").length != 3) {
        throw new IOException("not an HTTP request line: " + (lines.isEmpty() ? "" : lines.get(0)));
      }
      String method = lines.get(0).split(" ")[0];
      long length = 0;
      for (String line : lines.subList(1, lines.size())) {
        int colon = line.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = line.substring(colon + 1).trim();
        if (name.equals("content-length")) {
          length = Long.parseLong(value);
        } else if (name.equals("transfer-encoding")) {
          throw new IOException("chunked request bodies are not supported by this proxy");
        }
      }
      return new Request(method, length, lines);
    }

    byte[] headWithConnectionClose() {
      StringBuilder sb = new StringBuilder(lines.get(0)).append("\r\n");
      for (String line : lines.subList(1, lines.size())) {
        String name =
            line.contains(":")
                ? line.substring(0, line.indexOf(':')).trim().toLowerCase(Locale.ROOT)
                : "";
        if (!line.isEmpty() && !name.equals("connection") && !name.equals("keep-alive")) {
          sb.append(line).append("\r\n");
        }
      }
      sb.append("Connection: close\r\n\r\n");
      return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
  }
}
