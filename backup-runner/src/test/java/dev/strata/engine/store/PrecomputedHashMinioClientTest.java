package dev.strata.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.common.collect.HashMultimap;
import com.google.common.collect.Multimap;
import dev.strata.testing.S3ProxyExtension;
import io.minio.MinioAsyncClient;
import io.minio.errors.ErrorResponseException;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the server does with each of the two digests the client sends. Both checks matter:
 * x-amz-content-sha256 is what the SigV4 signature covers, x-amz-checksum-sha256 is what the server
 * stores with the object. S3Proxy 4.1.0 verifies both, as AWS S3 and MinIO do; if the client ever
 * stopped sending the caller's digest (an upgrade of minio-java that bypasses the override), the
 * wrong-digest cases here would be accepted and fail.
 */
class PrecomputedHashMinioClientTest {

  @RegisterExtension static final S3ProxyExtension s3 = new S3ProxyExtension();

  static Probe client;
  static final byte[] DATA = S3BlobStoreManagerTest.random(1, 5000);
  static final byte[] GOOD = S3BlobStoreManagerTest.sha256(DATA, DATA.length);
  static final byte[] BAD = S3BlobStoreManagerTest.sha256(new byte[3], 3);

  /** Sends whatever digest headers a case asks for. */
  static final class Probe extends PrecomputedHashMinioClient {
    Probe(MinioAsyncClient client) {
      super(client);
    }

    void put(String object, String contentSha256, String checksumSha256) throws Exception {
      Multimap<String, String> headers = HashMultimap.create();
      headers.put("Content-Type", CONTENT_TYPE);
      headers.put(CONTENT_SHA256, contentSha256);
      if (checksumSha256 != null) {
        headers.put(CHECKSUM_SHA256, checksumSha256);
      }
      putObjectAsync(s3.bucket(), null, object, DATA, DATA.length, headers, null).get();
    }
  }

  @BeforeAll
  static void open() {
    client =
        new Probe(
            MinioAsyncClient.builder()
                .endpoint(s3.endpoint())
                .credentials(s3.accessKey(), s3.secretKey())
                .build());
  }

  @AfterAll
  static void close() throws Exception {
    client.close();
  }

  @Test
  void bothCorrectDigestsAreAccepted() throws Exception {
    client.put("both-good", hex(GOOD), b64(GOOD));
  }

  @Test
  void aWrongSignedPayloadDigestIsRefused() {
    assertThat(code(() -> client.put("bad-content", hex(BAD), b64(GOOD))))
        .isEqualTo("XAmzContentSHA256Mismatch");
    assertThat(code(() -> client.put("bad-content-only", hex(BAD), null)))
        .isEqualTo("XAmzContentSHA256Mismatch");
  }

  @Test
  void aWrongChecksumHeaderIsRefusedEvenWhenThePayloadDigestIsRight() {
    assertThat(code(() -> client.put("bad-checksum", hex(GOOD), b64(BAD)))).isEqualTo("BadDigest");
    assertThat(code(() -> client.put("bad-checksum-unsigned", "UNSIGNED-PAYLOAD", b64(BAD))))
        .isEqualTo("BadDigest");
  }

  @Test
  void aPackBufferOutsideTheHeapIsSentFromItsPositionToItsLimit() throws Exception {
    java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(DATA.length + 10);
    direct.put(new byte[3]).put(DATA).flip().position(3);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(DATA);
    client.putCrc32c(s3.bucket(), "from-direct", direct, (int) crc.getValue()).get();
    assertThat(direct.position())
        .isEqualTo(3); // the caller's buffer as it was: a retry sends it again
    try (var in =
        client
            .getObject(
                io.minio.GetObjectArgs.builder().bucket(s3.bucket()).object("from-direct").build())
            .get()) {
      assertThat(in.readAllBytes()).isEqualTo(DATA);
    }
    assertThat(
            code(
                () ->
                    client
                        .putCrc32c(s3.bucket(), "bad-crc", direct, (int) crc.getValue() ^ 1)
                        .get()))
        .isEqualTo("BadDigest");
  }

  @Test
  void theClassifierCallsBothRefusalsIntegrityFailures() {
    S3ErrorClassifier classifier = new S3ErrorClassifier(s3.config(""));
    for (String[] headers : new String[][] {{hex(BAD), b64(GOOD)}, {hex(GOOD), b64(BAD)}}) {
      Throwable t = catchThrowable(() -> client.put("x", headers[0], headers[1]));
      assertThat(classifier.classify("put", "x", t).kind())
          .isEqualTo(StoreException.Kind.INTEGRITY);
    }
  }

  private static String code(ThrowingRunnable call) {
    Throwable t = S3ErrorClassifier.unwrap(catchThrowable(call::run));
    assertThat(t).isInstanceOf(ErrorResponseException.class);
    return ((ErrorResponseException) t).errorResponse().code();
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }

  private static String b64(byte[] digest) {
    return Base64.getEncoder().encodeToString(digest);
  }

  /**
   * A pack's body reaches the connection a slice at a time: handed to okio whole, it was copied
   * into new segments all at once before any was sent (16 MiB of heap per upload in flight). Fails
   * with one write of the whole body.
   */
  @Test
  void aBufferBodyIsWrittenInSlicesWithItsExactBytes() throws Exception {
    byte[] content = S3BlobStoreManagerTest.random(9, 1 << 20);
    java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(content.length + 100);
    direct.position(100);
    direct.put(content);
    direct.position(100);
    okio.Buffer received = new okio.Buffer();
    long[] largest = {0};
    okio.Sink counting =
        new okio.ForwardingSink(received) {
          @Override
          public void write(okio.Buffer source, long byteCount) throws java.io.IOException {
            largest[0] = Math.max(largest[0], byteCount);
            super.write(source, byteCount);
          }
        };
    okhttp3.RequestBody body =
        PrecomputedHashMinioClient.body(direct, okhttp3.MediaType.get("application/octet-stream"));
    for (int round = 0;
        round < 2;
        round++) { // written again when OkHttp retries on a stale connection
      okio.BufferedSink sink = okio.Okio.buffer(counting);
      body.writeTo(sink);
      sink.flush();
      assertThat(received.readByteArray()).isEqualTo(content);
    }
    assertThat(largest[0]).isLessThanOrEqualTo(PrecomputedHashMinioClient.BODY_SLICE);
    assertThat(direct.position()).as("the caller's buffer is left as it was").isEqualTo(100);
  }
}
