package dev.strata.engine.store;

import com.google.common.collect.HashMultimap;
import com.google.common.collect.Multimap;
import io.minio.MinioAsyncClient;
import io.minio.ObjectWriteResponse;
import io.minio.credentials.Credentials;
import io.minio.errors.InsufficientDataException;
import io.minio.errors.InternalException;
import io.minio.errors.XmlParserException;
import io.minio.http.Method;
import java.io.IOException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * minio-java 8.5.17's client with one change: a PUT of a byte array can carry the payload's SHA-256
 * that the caller already computed, and then the client does not hash the payload again.
 *
 * <p>Why: for a byte-array body, {@code S3Base.createRequest} computes an MD5 for Content-MD5
 * (about 0.56 GB/s per core) and, over plain HTTP, a SHA-256 for the SigV4 {@code
 * x-amz-content-sha256} header (about 1.2 GB/s); its public {@code putObject(InputStream)} copies
 * the stream into buffers and computes a SHA-256 of it even over HTTPS. The engine has already
 * hashed every blob, so all of that is waste on a two-core runner. Here the caller's digest becomes
 * {@code x-amz-checksum-sha256}: the server verifies every byte against it on arrival (refusing the
 * PUT with BadDigest) and stores it with the object. The signature covers that header, and the
 * payload is declared {@code UNSIGNED-PAYLOAD}: signing the same SHA-256 as {@code
 * x-amz-content-sha256} too made MinIO hash every byte twice (about 1 server CPU-second per 2 GB,
 * docs/benchmarks.md) and checked nothing more. Restores verify each blob's SHA-256 again, since it
 * is the blob's name.
 *
 * <p>This relies on the protected {@code createRequest} and {@code putObjectAsync} of minio-java
 * 8.5.x; the integration test that sends a wrong digest and expects the server to refuse it fails
 * if the override stops taking effect after an upgrade.
 */
class PrecomputedHashMinioClient extends MinioAsyncClient {

  static final String CONTENT_SHA256 = "x-amz-content-sha256";
  static final String CHECKSUM_SHA256 = "x-amz-checksum-sha256";
  static final String CHECKSUM_CRC32C = "x-amz-checksum-crc32c";
  static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
  static final String CONTENT_TYPE = "application/octet-stream";

  private static final byte[] EMPTY = new byte[0];

  PrecomputedHashMinioClient(MinioAsyncClient client) {
    super(client);
  }

  /**
   * PUTs {@code data[0..length)} as one object, checked by the server against the given SHA-256;
   * hashes nothing.
   */
  CompletableFuture<ObjectWriteResponse> putPrecomputed(
      String bucket, String object, byte[] data, int length, byte[] sha256)
      throws InsufficientDataException,
          InternalException,
          InvalidKeyException,
          IOException,
          NoSuchAlgorithmException,
          XmlParserException {
    Multimap<String, String> headers = HashMultimap.create();
    headers.put("Content-Type", CONTENT_TYPE);
    headers.put(CONTENT_SHA256, UNSIGNED_PAYLOAD);
    headers.put(CHECKSUM_SHA256, Base64.getEncoder().encodeToString(sha256));
    return putObjectAsync(bucket, null, object, data, length, headers, null);
  }

  /**
   * PUTs {@code data[0..length)} as one object, checked by the server against the given CRC32C;
   * hashes nothing.
   */
  CompletableFuture<ObjectWriteResponse> putCrc32c(
      String bucket, String object, byte[] data, int length, int crc32c)
      throws InsufficientDataException,
          InternalException,
          InvalidKeyException,
          IOException,
          NoSuchAlgorithmException,
          XmlParserException {
    return putObjectAsync(bucket, null, object, data, length, crc32cHeaders(crc32c), null);
  }

  /**
   * PUTs the bytes from {@code data}'s position to its limit (a pack outside the heap) like {@link
   * #putCrc32c(String, String, byte[], int, int)}. minio-java sends only arrays (any other body it
   * would marshal as XML), so the request carries an empty array that stands for the buffer until
   * {@link #createRequest} swaps the buffer in.
   */
  CompletableFuture<ObjectWriteResponse> putCrc32c(
      String bucket, String object, java.nio.ByteBuffer data, int crc32c)
      throws InsufficientDataException,
          InternalException,
          InvalidKeyException,
          IOException,
          NoSuchAlgorithmException,
          XmlParserException {
    Multimap<String, String> headers = crc32cHeaders(crc32c);
    byte[] stand = new byte[0];
    buffers.put(stand, data.duplicate());
    try {
      CompletableFuture<ObjectWriteResponse> f =
          putObjectAsync(bucket, null, object, stand, data.remaining(), headers, null);
      return f.whenComplete((r, e) -> buffers.remove(stand));
    } catch (IOException
        | RuntimeException
        | InsufficientDataException
        | InternalException
        | InvalidKeyException
        | NoSuchAlgorithmException
        | XmlParserException e) {
      buffers.remove(stand);
      throw e;
    }
  }

  private static Multimap<String, String> crc32cHeaders(int crc32c) {
    Multimap<String, String> headers = HashMultimap.create();
    headers.put("Content-Type", CONTENT_TYPE);
    headers.put(CONTENT_SHA256, UNSIGNED_PAYLOAD);
    headers.put(
        CHECKSUM_CRC32C,
        Base64.getEncoder().encodeToString(java.nio.ByteBuffer.allocate(4).putInt(crc32c).array()));
    return headers;
  }

  /**
   * The buffers of {@link #putCrc32c(String, String, java.nio.ByteBuffer, int)} by the array
   * standing for each.
   */
  private final java.util.Map<byte[], java.nio.ByteBuffer> buffers =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * How much of a buffer's body is handed to okio at a time: four of its segments (its pool keeps
   * 64 KiB per thread).
   */
  static final int BODY_SLICE = 32 * 1024;

  /**
   * A request body of a buffer's bytes; it can be written again (OkHttp retries a request on a
   * stale connection).
   */
  static RequestBody body(java.nio.ByteBuffer data, MediaType mediaType) {
    return new RequestBody() {
      @Override
      public MediaType contentType() {
        return mediaType;
      }

      @Override
      public long contentLength() {
        return data.remaining();
      }

      /**
       * In slices: okio copies all that one write hands it into new 8 KiB segments before it sends
       * any, so a whole pack in one write cost 16 MiB of heap per upload in flight (and 2 GB of
       * garbage per 2 GB backed up). A slice's segments are sent at once and go back to okio's pool
       * for the next slice.
       */
      @Override
      public void writeTo(okio.BufferedSink sink) throws IOException {
        java.nio.ByteBuffer d = data.duplicate();
        int end = d.limit();
        while (d.position() < end) {
          d.limit(Math.min(end, d.position() + BODY_SLICE));
          while (d.hasRemaining()) {
            sink.write(d);
          }
        }
      }
    };
  }

  @Override
  protected Request createRequest(
      HttpUrl url, Method method, Headers headers, Object body, int length, Credentials creds)
      throws InsufficientDataException, InternalException, IOException, NoSuchAlgorithmException {
    String payloadSha256 = headers == null ? null : headers.get(CONTENT_SHA256);
    if (payloadSha256 == null || !(body instanceof byte[] bytes)) {
      return super.createRequest(url, method, headers, body, length, creds);
    }
    // Let minio-java build the request around an empty body (hashing zero bytes costs nothing),
    // then put back the real
    // body and the caller's digest. executeAsync signs what x-amz-content-sha256 says after this
    // returns.
    Request skeleton = super.createRequest(url, method, headers, EMPTY, 0, creds);
    String contentType = headers.get("Content-Type");
    MediaType mediaType = contentType == null ? null : MediaType.parse(contentType);
    java.nio.ByteBuffer buffer = bytes.length == 0 ? buffers.get(bytes) : null;
    return skeleton
        .newBuilder()
        .removeHeader("Content-MD5")
        .header(CONTENT_SHA256, payloadSha256)
        .method(
            method.toString(),
            buffer != null
                ? body(buffer, mediaType)
                : RequestBody.create(bytes, mediaType, 0, length))
        .build();
  }
}
