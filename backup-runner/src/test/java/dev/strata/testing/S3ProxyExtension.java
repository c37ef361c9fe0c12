package dev.strata.testing;

import dev.strata.engine.store.S3StoreConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real S3 server in the test JVM: S3Proxy on a free loopback port, backed by a temporary
 * directory, with one bucket and SigV4 credentials. Started once per test class:
 *
 * <pre>{@code
 * @RegisterExtension static final S3ProxyExtension s3 = new S3ProxyExtension();
 * ... new S3BlobStoreManager(s3.config("my-prefix")) ...
 * }</pre>
 */
public final class S3ProxyExtension implements BeforeAllCallback, AfterAllCallback {

  public static final String ACCESS_KEY = "strata-test-access";
  public static final String SECRET_KEY = "strata-test-secret-0123456789";

  private final String bucket;
  private final boolean inMemory;
  private Path dataDir;
  private BlobStore blobStore;
  private S3Proxy proxy;

  public S3ProxyExtension() {
    this("strata-test");
  }

  public S3ProxyExtension(String bucket) {
    this(bucket, false);
  }

  /**
   * @param inMemory keep objects in memory (S3Proxy's transient store) rather than in a temporary
   *     directory: for benchmarks that should measure the client, not the disk; {@link #dataDir()}
   *     is then null
   */
  public S3ProxyExtension(String bucket, boolean inMemory) {
    this.bucket = bucket;
    this.inMemory = inMemory;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    stop();
  }

  /** Starts the server; for use outside JUnit (benchmarks). */
  public synchronized void start() throws Exception {
    if (proxy != null) {
      return;
    }
    if (inMemory) {
      blobStore = new TransientNio2BlobStore();
    } else {
      dataDir = Files.createTempDirectory("s3proxy-");
      blobStore = new FilesystemNio2BlobStore(dataDir.toString());
    }
    blobStore.createContainer(bucket);
    proxy =
        S3Proxy.builder()
            .blobStore(blobStore)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .build();
    proxy.start();
    long until = System.nanoTime() + 30_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > until) {
        throw new IllegalStateException("S3Proxy did not start within 30 s: " + proxy.getState());
      }
      Thread.sleep(5);
    }
  }

  public synchronized void stop() throws Exception {
    if (proxy == null) {
      return;
    }
    try {
      proxy.stop();
    } finally {
      proxy = null;
      deleteTree(dataDir);
    }
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return proxy.getPort();
  }

  /** {@code http://127.0.0.1:<port>} */
  public String endpoint() {
    return "http://" + host() + ":" + port();
  }

  public String bucket() {
    return bucket;
  }

  public String accessKey() {
    return ACCESS_KEY;
  }

  public String secretKey() {
    return SECRET_KEY;
  }

  /**
   * The directory S3Proxy keeps the buckets in: one sub-directory per bucket, one file per object.
   */
  public Path dataDir() {
    return dataDir;
  }

  /** Creates another bucket. */
  public void createBucket(String name) {
    blobStore.createContainer(name);
  }

  /** A path-style config for this server's bucket under {@code prefix}. */
  public S3StoreConfig config(String prefix) {
    return new S3StoreConfig(endpoint(), bucket, prefix, null, true, ACCESS_KEY, SECRET_KEY, null);
  }

  /**
   * The same, reached through another endpoint (e.g. a {@link FaultyProxy} in front of this
   * server).
   */
  public S3StoreConfig config(String prefix, String endpoint) {
    return config(prefix).withEndpoint(endpoint);
  }

  private static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc)
                throws IOException {
              Files.delete(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete S3Proxy's data directory " + root, e);
    }
  }
}
