package dev.strata.operator.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS endpoint the API server posts AdmissionReviews to: the JDK's own HttpsServer (no web
 * framework for one POST route), with a key manager whose certificate can be swapped at rotation
 * without a restart.
 */
public final class AdmissionServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AdmissionServer.class);

  /** An AdmissionReview of a pod is far smaller; anything larger is not one. */
  static final int MAX_BODY_BYTES = 8 << 20;

  /** An HTTP answer: status and JSON body. */
  public record Answer(int status, byte[] body) {}

  private final HttpsServer server;
  private final ExecutorService executor;

  public AdmissionServer(
      int port, ReloadableKeyManager keys, String path, Function<byte[], Answer> handler) {
    try {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(new KeyManager[] {keys}, null, null);
      server = HttpsServer.create(new InetSocketAddress(port), 64);
      server.setHttpsConfigurator(
          new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
              params.setSSLParameters(tls.getDefaultSSLParameters());
            }
          });
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(
          "cannot listen for the admission webhook on port " + port + ": " + e.getMessage(), e);
    }
    AtomicInteger threads = new AtomicInteger();
    executor =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "strata-webhook-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext(path, exchange -> serve(exchange, handler));
  }

  private static void serve(HttpExchange exchange, Function<byte[], Answer> handler)
      throws IOException {
    try (exchange) {
      Answer answer;
      if (!"POST".equals(exchange.getRequestMethod())) {
        answer = new Answer(405, "{\"error\":\"POST an AdmissionReview\"}".getBytes());
      } else {
        byte[] body = readBounded(exchange.getRequestBody());
        answer =
            body == null
                ? new Answer(413, "{\"error\":\"body too large\"}".getBytes())
                : handler.apply(body);
      }
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(answer.status(), answer.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer.body());
      }
    } catch (RuntimeException e) {
      LOG.warn("admission request failed: {}", e.toString());
    }
  }

  private static byte[] readBounded(InputStream in) throws IOException {
    byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
    return body.length > MAX_BODY_BYTES ? null : body;
  }

  public void start() {
    server.start();
    LOG.info("admission webhook listening on port {}", port());
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(1);
    executor.shutdownNow();
  }
}
