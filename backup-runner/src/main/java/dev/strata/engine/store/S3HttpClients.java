package dev.strata.engine.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.ConnectionPool;
import okhttp3.ConnectionSpec;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;

/** Builds the one OkHttpClient an S3 store shares across all its requests. */
final class S3HttpClients {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration READ_WRITE_TIMEOUT = Duration.ofMinutes(2);

  private S3HttpClients() {}

  /**
   * @param maxRequests how many requests may be in flight at once. minio-java runs every request
   *     through OkHttp's dispatcher, whose default of 5 per host would silently cap the engine's
   *     parallelism.
   */
  static OkHttpClient create(S3StoreConfig config, int maxRequests) {
    return create(config, maxRequests, READ_WRITE_TIMEOUT);
  }

  /**
   * @param readWriteTimeout how long a request may wait for the server's next bytes, or to send its
   *     own, before it fails as a timeout
   */
  static OkHttpClient create(S3StoreConfig config, int maxRequests, Duration readWriteTimeout) {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(maxRequests);
    dispatcher.setMaxRequestsPerHost(maxRequests);
    OkHttpClient.Builder builder =
        new OkHttpClient.Builder()
            .dispatcher(dispatcher)
            // Keep as many idle connections as requests can be in flight, so bursts reuse them
            // instead of reconnecting.
            .connectionPool(new ConnectionPool(maxRequests, 5, TimeUnit.MINUTES))
            .connectTimeout(CONNECT_TIMEOUT)
            .readTimeout(readWriteTimeout)
            .writeTimeout(readWriteTimeout)
            // HTTP/2 would multiplex every request over one connection (one TCP window); S3 servers
            // scale per connection.
            .protocols(List.of(Protocol.HTTP_1_1))
            // Small requests must not wait on Nagle's algorithm for the server's delayed ACK (about
            // 40 ms each).
            .socketFactory(new NoDelaySocketFactory());
    if (config.caBundlePath() == null
        && config.endpoint().regionMatches(true, 0, "http://", 0, 7)) {
      // A plain-HTTP endpoint never needs TLS: without a TLS connection spec OkHttp skips loading
      // the JVM's trust store
      // and SSL context at build time (about a fifth of a CLI run's start-up CPU).
      builder.connectionSpecs(List.of(ConnectionSpec.CLEARTEXT));
    } else if (config.caBundlePath() != null) {
      X509TrustManager trustManager = trustManager(config.caBundlePath());
      try {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trustManager}, null);
        builder.sslSocketFactory(context.getSocketFactory(), trustManager);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(
            "cannot set up TLS with the CA bundle " + config.caBundlePath(), e);
      }
    }
    return builder.build();
  }

  /**
   * Trusts the JVM's default CAs and the PEM certificates in {@code caBundle}, so one setting
   * serves MinIO and AWS.
   */
  static X509TrustManager trustManager(Path caBundle) {
    Collection<? extends Certificate> extra;
    try (InputStream in = Files.newInputStream(caBundle)) {
      extra = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the CA bundle " + caBundle + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "the CA bundle " + caBundle + " is not PEM-encoded X.509 certificates: " + e.getMessage(),
          e);
    }
    if (extra.isEmpty()) {
      throw new IllegalArgumentException("the CA bundle " + caBundle + " holds no certificates");
    }
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (X509Certificate ca : defaultTrustManager().getAcceptedIssuers()) {
        store.setCertificateEntry("default-" + i++, ca);
      }
      for (Certificate ca : extra) {
        store.setCertificateEntry("bundle-" + i++, ca);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return firstX509(factory.getTrustManagers());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a trust store from " + caBundle, e);
    }
  }

  private static X509TrustManager defaultTrustManager() throws GeneralSecurityException {
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    return firstX509(factory.getTrustManagers());
  }

  private static X509TrustManager firstX509(TrustManager[] managers) {
    for (TrustManager m : managers) {
      if (m instanceof X509TrustManager x) {
        return x;
      }
    }
    throw new IllegalStateException("the JVM offers no X.509 trust manager");
  }

  /** Plain sockets with TCP_NODELAY set; TLS sockets are layered on them, so they inherit it. */
  static final class NoDelaySocketFactory extends javax.net.SocketFactory {
    private final javax.net.SocketFactory plain = javax.net.SocketFactory.getDefault();

    @Override
    public java.net.Socket createSocket() throws IOException {
      java.net.Socket s = plain.createSocket();
      s.setTcpNoDelay(true);
      return s;
    }

    @Override
    public java.net.Socket createSocket(String host, int port) throws IOException {
      java.net.Socket s = plain.createSocket(host, port);
      s.setTcpNoDelay(true);
      return s;
    }

    @Override
    public java.net.Socket createSocket(
        String host, int port, java.net.InetAddress localHost, int localPort) throws IOException {
      java.net.Socket s = plain.createSocket(host, port, localHost, localPort);
      s.setTcpNoDelay(true);
      return s;
    }

    @Override
    public java.net.Socket createSocket(java.net.InetAddress host, int port) throws IOException {
      java.net.Socket s = plain.createSocket(host, port);
      s.setTcpNoDelay(true);
      return s;
    }

    @Override
    public java.net.Socket createSocket(
        java.net.InetAddress address, int port, java.net.InetAddress localAddress, int localPort)
        throws IOException {
      java.net.Socket s = plain.createSocket(address, port, localAddress, localPort);
      s.setTcpNoDelay(true);
      return s;
    }
  }
}
