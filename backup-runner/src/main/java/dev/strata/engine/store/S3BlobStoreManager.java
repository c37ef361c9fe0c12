package dev.strata.engine.store;

import io.minio.CopyObjectArgs;
import io.minio.CopySource;
import io.minio.Directive;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MinioAsyncClient;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.messages.Item;
import java.io.EOFException;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BlobStoreManager} on an S3 bucket (AWS, MinIO, or anything that speaks S3), through
 * minio-java.
 *
 * <p>Every call blocks; the engine brings the parallelism from its own bounded pools, and this
 * store's one OkHttpClient lets up to {@code maxConcurrentRequests} requests run at once over
 * pooled keep-alive connections. Objects are whole blobs of at most a few MiB (the engine chunks
 * files itself), so a put is one PUT request and a get one GET. This class does not retry: wrap it
 * in a {@link RetryingBlobStoreManager}.
 */
public final class S3BlobStoreManager implements BlobStoreManager {

  private static final Logger log = LoggerFactory.getLogger(S3BlobStoreManager.class);

  /** The largest object put in one request; the engine's chunks are far smaller. */
  public static final int MAX_PUT_BYTES = 64 << 20;

  /**
   * Requests in flight at once, by default: the engine runs 8-16; this leaves room for listing and
   * GC alongside.
   */
  public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 64;

  /**
   * User metadata removeTTL writes; copying an object onto itself needs some change, and the time
   * is useful.
   */
  static final String TOUCHED_METADATA = "strata-touched";

  private static final Pattern IP_OR_LOCALHOST =
      Pattern.compile("localhost|\\d+\\.\\d+\\.\\d+\\.\\d+|\\[.*]");

  private final S3StoreConfig config;
  private final OkHttpClient httpClient;
  private final PrecomputedHashMinioClient client;
  private final S3ErrorClassifier errors;
  private final String rootSlash;

  public S3BlobStoreManager(S3StoreConfig config) {
    this(config, DEFAULT_MAX_CONCURRENT_REQUESTS);
  }

  public S3BlobStoreManager(S3StoreConfig config, int maxConcurrentRequests) {
    this(config, maxConcurrentRequests, S3HttpClients.READ_WRITE_TIMEOUT);
  }

  /**
   * @param readWriteTimeout how long one request may wait for the server's next bytes (or to send
   *     its own) before it fails as a timeout, which retries count as transient: 2 minutes unless
   *     given, less for a caller that must answer sooner than a server that hangs would let it
   */
  public S3BlobStoreManager(
      S3StoreConfig config, int maxConcurrentRequests, Duration readWriteTimeout) {
    this.config = Objects.requireNonNull(config, "config");
    if (maxConcurrentRequests < 1) {
      throw new IllegalArgumentException(
          "maxConcurrentRequests must be at least 1, not " + maxConcurrentRequests);
    }
    this.httpClient = S3HttpClients.create(config, maxConcurrentRequests, readWriteTimeout);
    MinioAsyncClient.Builder builder =
        MinioAsyncClient.builder().endpoint(config.endpoint()).httpClient(httpClient);
    if (config.region() != null) {
      builder.region(config.region());
    }
    io.minio.credentials.Provider credentials =
        S3CredentialProviders.create(config.credentials(), httpClient, java.time.Clock.systemUTC());
    if (credentials != null) {
      builder.credentialsProvider(credentials);
    }
    this.client = new PrecomputedHashMinioClient(builder.build());
    // A bucket cannot be a sub-domain of an IP address or localhost, whatever the spec says.
    String host = HttpUrl.get(config.endpoint()).host();
    if (config.pathStyle() || IP_OR_LOCALHOST.matcher(host).matches() || host.contains(":")) {
      client.disableVirtualStyleEndpoint();
    } else {
      client.enableVirtualStyleEndpoint();
    }
    this.errors = new S3ErrorClassifier(config);
    this.rootSlash = config.prefix().isEmpty() ? "" : config.prefix() + "/";
  }

  public S3StoreConfig config() {
    return config;
  }

  @Override
  public String location() {
    return config.location();
  }

  @Override
  public void checkAccess() {
    String op = S3ErrorClassifier.CHECK_ACCESS;
    // One listing of at most one key under the prefix: the cheapest call that needs the read
    // permissions a backup and
    // restore use. Not a HEAD on the bucket first: a HEAD's error has no body, so a wrong secret
    // key, an unknown key and
    // a policy that denies all read as the same bare 403, while a listing's error names its code
    // (SignatureDoesNotMatch,
    // InvalidAccessKeyId, AccessDenied, NoSuchBucket).
    try {
      Iterator<Result<Item>> it =
          client
              .listObjects(
                  ListObjectsArgs.builder()
                      .bucket(config.bucket())
                      .prefix(rootSlash)
                      .maxKeys(1)
                      .recursive(false)
                      .build())
              .iterator();
      if (it.hasNext()) {
        it.next().get();
      }
    } catch (Exception e) {
      throw errors.classify(op, null, e);
    }
    log.debug("store {} is reachable with {}", location(), config.credentials().who());
  }

  @Override
  public void put(String key, byte[] data, int length, byte[] sha256, Metadata metadata) {
    String object = objectName(key);
    Objects.requireNonNull(data, "data");
    if (length < 0 || length > data.length) {
      throw new IllegalArgumentException(
          "length " + length + " is outside the array of " + data.length + " bytes");
    }
    if (length > MAX_PUT_BYTES) {
      throw new StoreException(
          StoreException.Kind.PERMANENT,
          "put '"
              + key
              + "' on "
              + location()
              + ": "
              + length
              + " bytes is more than this store's single-request limit of "
              + MAX_PUT_BYTES
              + " bytes; split it into chunks");
    }
    byte[] digest = sha256 != null ? sha256 : sha256(data, length);
    if (digest.length != 32) {
      throw new IllegalArgumentException("sha256 must be 32 bytes, not " + digest.length);
    }
    try {
      client.putPrecomputed(config.bucket(), object, data, length, digest).get();
    } catch (Exception e) {
      throw errors.classify("put", key, e);
    }
  }

  @Override
  public void putWithCrc32c(String key, byte[] data, int length, int crc32c, Metadata metadata) {
    String object = objectName(key);
    if (length < 0 || length > data.length || length > MAX_PUT_BYTES) {
      throw new IllegalArgumentException(
          "length "
              + length
              + " is outside the array of "
              + data.length
              + " bytes or the put limit");
    }
    try {
      client.putCrc32c(config.bucket(), object, data, length, crc32c).get();
    } catch (Exception e) {
      throw errors.classify("put", key, e);
    }
  }

  @Override
  public void putWithCrc32c(String key, java.nio.ByteBuffer data, int crc32c, Metadata metadata) {
    String object = objectName(key);
    if (data.remaining() > MAX_PUT_BYTES) {
      throw new IllegalArgumentException(data.remaining() + " bytes are more than the put limit");
    }
    try {
      client.putCrc32c(config.bucket(), object, data, crc32c).get();
    } catch (Exception e) {
      throw errors.classify("put", key, e);
    }
  }

  @Override
  public java.io.InputStream openRange(String key, long offset, long length, Metadata metadata) {
    String object = objectName(key);
    if (length == 0) {
      return java.io.InputStream.nullInputStream();
    }
    GetObjectResponse response;
    try {
      response =
          client
              .getObject(
                  GetObjectArgs.builder()
                      .bucket(config.bucket())
                      .object(object)
                      .offset(offset)
                      .length(length)
                      .build())
              .get();
    } catch (Exception e) {
      throw errors.classify("get", key, e);
    }
    return response;
  }

  @Override
  public byte[] get(String key, Metadata metadata) {
    return fetch(
        key,
        (response, length) -> {
          if (length > Integer.MAX_VALUE - 16) {
            throw new StoreException(
                StoreException.Kind.PERMANENT,
                "get '"
                    + key
                    + "' on "
                    + location()
                    + ": the object is "
                    + length
                    + " bytes, too large to read whole");
          }
          if (length < 0) {
            return response.readAllBytes();
          }
          // Read straight into an array of the announced size: no growing buffers, no second copy.
          byte[] data = new byte[(int) length];
          readFully(response, data, (int) length);
          return data;
        });
  }

  @Override
  public int getInto(String key, byte[] buf, Metadata metadata) {
    return fetch(
        key,
        (response, length) -> {
          if (length > buf.length) {
            return -1; // closing the response drops the connection's rest: cheaper than reading
            // bytes nobody wants
          }
          if (length >= 0) {
            readFully(response, buf, (int) length);
            return (int) length;
          }
          int read = response.readNBytes(buf, 0, buf.length);
          return read == buf.length && response.read() != -1 ? -1 : read;
        });
  }

  /** How a GET's body is read, given its Content-Length (-1 when the server sent none). */
  private interface Body<T> {
    T read(GetObjectResponse response, long length) throws Exception;
  }

  private <T> T fetch(String key, Body<T> body) {
    String object =
        objectName(
            key); // a bad key is the caller's bug: IllegalArgumentException, not a store failure
    try (GetObjectResponse response =
        client
            .getObject(GetObjectArgs.builder().bucket(config.bucket()).object(object).build())
            .get()) {
      String header = response.headers().get("Content-Length");
      return body.read(response, header == null ? -1 : Long.parseLong(header));
    } catch (Exception e) {
      throw errors.classify("get", key, e);
    }
  }

  private static void readFully(GetObjectResponse response, byte[] buf, int length)
      throws IOException {
    int read = response.readNBytes(buf, 0, length);
    if (read < length) {
      throw new EOFException("the object ended after " + read + " of " + length + " bytes");
    }
  }

  @Override
  public Optional<ObjectInfo> stat(String key, Metadata metadata) {
    String object = objectName(key);
    try {
      StatObjectResponse stat =
          client
              .statObject(StatObjectArgs.builder().bucket(config.bucket()).object(object).build())
              .get();
      return Optional.of(new ObjectInfo(key, stat.size(), stat.lastModified().toInstant()));
    } catch (Exception e) {
      StoreException se = errors.classify("stat", key, e);
      if (se.kind() == StoreException.Kind.NOT_FOUND) {
        return Optional.empty();
      }
      throw se;
    }
  }

  @Override
  public void delete(String key, Metadata metadata) {
    String object = objectName(key);
    try {
      client
          .removeObject(RemoveObjectArgs.builder().bucket(config.bucket()).object(object).build())
          .get();
    } catch (Exception e) {
      StoreException se = errors.classify("delete", key, e);
      if (se.kind() != StoreException.Kind.NOT_FOUND) {
        throw se;
      }
    }
  }

  @Override
  public void removeTTL(String key, Metadata metadata) {
    String object = objectName(key);
    // Copying an object onto itself with new metadata rewrites it server-side (no bytes travel) and
    // restarts
    // LastModified, which is the age garbage collection and bucket lifecycle rules go by.
    CopyObjectArgs args =
        CopyObjectArgs.builder()
            .bucket(config.bucket())
            .object(object)
            .source(CopySource.builder().bucket(config.bucket()).object(object).build())
            .metadataDirective(Directive.REPLACE)
            .headers(Map.of("Content-Type", PrecomputedHashMinioClient.CONTENT_TYPE))
            .userMetadata(Map.of(TOUCHED_METADATA, Instant.now().toString()))
            .build();
    try {
      client.copyObject(args).get();
    } catch (Exception e) {
      throw errors.classify("removeTTL", key, e);
    }
  }

  @Override
  public void list(String prefix, Consumer<ObjectInfo> consumer, Metadata metadata) {
    Objects.requireNonNull(prefix, "prefix");
    if (prefix.startsWith("/")) {
      throw new IllegalArgumentException(
          "prefix '" + prefix + "' must be relative to the store root (no leading '/')");
    }
    Iterator<Result<Item>> it;
    try {
      it =
          client
              .listObjects(
                  ListObjectsArgs.builder()
                      .bucket(config.bucket())
                      .prefix(rootSlash + prefix)
                      .recursive(true)
                      .build())
              .iterator();
    } catch (Exception e) {
      throw errors.classify("list", prefix, e);
    }
    while (true) {
      Item item;
      try {
        if (!it.hasNext()) {
          return;
        }
        item = it.next().get();
      } catch (Exception e) {
        throw errors.classify("list", prefix, e);
      }
      if (item.isDir() || item.isDeleteMarker()) {
        continue;
      }
      // Outside this method's try: a consumer's own exception is the caller's, not a store failure.
      consumer.accept(
          new ObjectInfo(
              relativeKey(item.objectName()), item.size(), item.lastModified().toInstant()));
    }
  }

  @Override
  public void close() {
    httpClient.dispatcher().executorService().shutdown();
    httpClient.connectionPool().evictAll();
  }

  @Override
  public String toString() {
    return "S3BlobStoreManager[" + location() + "]";
  }

  String objectName(String key) {
    if (key == null || key.isEmpty() || key.startsWith("/")) {
      throw new IllegalArgumentException(
          "key '" + key + "' must be a non-empty path relative to the store root");
    }
    return rootSlash + key;
  }

  String relativeKey(String objectName) {
    return objectName.startsWith(rootSlash) ? objectName.substring(rootSlash.length()) : objectName;
  }

  private static byte[] sha256(byte[] data, int length) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(data, 0, length);
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
