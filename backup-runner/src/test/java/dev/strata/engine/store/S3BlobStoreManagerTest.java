package dev.strata.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.strata.testing.S3ProxyExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** S3BlobStoreManager against a real S3 server (S3Proxy in this JVM). */
class S3BlobStoreManagerTest {

  @RegisterExtension static final S3ProxyExtension s3 = new S3ProxyExtension();

  private static final Metadata META = Metadata.of("test-source", "payload");

  static S3BlobStoreManager store;

  @BeforeAll
  static void open() {
    store = new S3BlobStoreManager(s3.config("tenant/app/"));
  }

  @AfterAll
  static void close() {
    store.close();
  }

  @Test
  void locationNamesBucketPrefixAndEndpointOnly() {
    assertThat(store.location()).isEqualTo("s3://strata-test/tenant/app at " + s3.endpoint());
    assertThat(store.toString()).doesNotContain(S3ProxyExtension.SECRET_KEY);
    assertThat(store.config().toString())
        .doesNotContain(S3ProxyExtension.SECRET_KEY)
        .contains("stra…");
  }

  @Test
  void checkAccessPassesWithGoodCredentials() {
    store.checkAccess();
  }

  @Test
  void putGetStatListDeleteRoundTrip() {
    byte[] a = random(1, 300_000);
    byte[] b = random(2, 1);
    byte[] empty = new byte[0];
    Instant before = Instant.now().minusSeconds(2);
    store.put("rt/a", a, a.length, sha256(a, a.length), META);
    store.put(
        "rt/b",
        withTail(b),
        b.length,
        sha256(b, b.length),
        META); // only the first length bytes count
    store.put("rt/empty", empty, 0, null, META); // no digest given: the store computes one

    assertThat(store.get("rt/a", META)).isEqualTo(a);
    assertThat(store.get("rt/b", META)).isEqualTo(b);
    assertThat(store.get("rt/empty", META)).isEmpty();

    ObjectInfo info = store.stat("rt/a", META).orElseThrow();
    assertThat(info.key()).isEqualTo("rt/a");
    assertThat(info.size()).isEqualTo(a.length);
    assertThat(info.lastModified()).isBetween(before, Instant.now().plusSeconds(2));

    List<ObjectInfo> listed = list("rt/");
    assertThat(listed).extracting(ObjectInfo::key).containsExactly("rt/a", "rt/b", "rt/empty");
    assertThat(listed)
        .extracting(ObjectInfo::size)
        .containsExactly((long) a.length, (long) b.length, 0L);

    store.delete("rt/a", META);
    assertThat(store.stat("rt/a", META)).isEmpty();
    assertThat(list("rt/")).extracting(ObjectInfo::key).containsExactly("rt/b", "rt/empty");
    store.delete("rt/a", META); // deleting a missing object is fine
  }

  @Test
  void keysWithSpacesAndUnicodeRoundTrip() {
    String key = "odd/dir with space/ünï+côde=1&x.bin";
    byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
    store.put(key, data, data.length, sha256(data, data.length), META);
    assertThat(store.get(key, META)).isEqualTo(data);
    assertThat(list("odd/")).extracting(ObjectInfo::key).containsExactly(key);
  }

  @Test
  void listReturnsKeysRelativeToTheRootInKeyOrderAndStaysInsideTheRoot() throws Exception {
    try (S3BlobStoreManager sibling = new S3BlobStoreManager(s3.config("tenant/apple"))) {
      // "tenant/apple/..." shares the string prefix "tenant/app" but is outside this store's root.
      sibling.put("ls/outside", new byte[] {1}, 1, null, META);
    }
    for (String key : List.of("ls/y/1", "ls/x/2", "ls/x/10", "ls/x/1", "lsx")) {
      store.put(key, new byte[] {7}, 1, null, META);
    }
    assertThat(list("ls/x/"))
        .extracting(ObjectInfo::key)
        .containsExactly("ls/x/1", "ls/x/10", "ls/x/2");
    assertThat(list("ls/"))
        .extracting(ObjectInfo::key)
        .containsExactly("ls/x/1", "ls/x/10", "ls/x/2", "ls/y/1");
    assertThat(list("ls"))
        .extracting(ObjectInfo::key)
        .containsExactly("ls/x/1", "ls/x/10", "ls/x/2", "ls/y/1", "lsx");
    assertThat(list(""))
        .extracting(ObjectInfo::key)
        .noneMatch(k -> k.contains("outside") || k.startsWith("/"));
    assertThat(list("nothing-here/")).isEmpty();
  }

  @Test
  void listPagesThroughMoreThanOneThousandKeys() {
    for (int i = 0; i < 1100; i++) {
      store.put(String.format("many/%05d", i), new byte[0], 0, null, META);
    }
    List<ObjectInfo> listed = list("many/");
    assertThat(listed).hasSize(1100);
    assertThat(listed.get(0).key()).isEqualTo("many/00000");
    assertThat(listed.get(1099).key()).isEqualTo("many/01099");
  }

  @Test
  void getOfAMissingKeyIsNotFound() {
    StoreException e =
        catchThrowableOfType(() -> store.get("missing/key", META), StoreException.class);
    assertThat(e.kind()).isEqualTo(StoreException.Kind.NOT_FOUND);
    assertThat(e.getMessage())
        .contains("get 'missing/key'")
        .contains("s3://strata-test/tenant/app");
    assertThat(store.stat("missing/key", META)).isEmpty();
  }

  @Test
  void removeTtlRestartsLastModifiedAndKeepsTheBytes() throws IOException {
    byte[] data = random(3, 10_000);
    store.put("ttl/blob", data, data.length, sha256(data, data.length), META);
    // Age the object by an hour on S3Proxy's disk rather than sleeping: Last-Modified has
    // one-second resolution.
    Path file = s3.dataDir().resolve(s3.bucket()).resolve("tenant/app/ttl/blob");
    assertThat(file).exists();
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
    Instant aged = store.stat("ttl/blob", META).orElseThrow().lastModified();
    assertThat(aged).isBefore(Instant.now().minus(Duration.ofMinutes(59)));

    store.removeTTL("ttl/blob", META);

    Instant touched = store.stat("ttl/blob", META).orElseThrow().lastModified();
    assertThat(touched).isAfter(aged.plus(Duration.ofMinutes(59)));
    assertThat(touched).isAfter(Instant.now().minusSeconds(30));
    assertThat(store.get("ttl/blob", META)).isEqualTo(data);
  }

  @Test
  void removeTtlOfAMissingKeyIsNotFound() {
    StoreException e =
        catchThrowableOfType(() -> store.removeTTL("ttl/gone", META), StoreException.class);
    assertThat(e.kind()).isEqualTo(StoreException.Kind.NOT_FOUND);
  }

  @Test
  void getIntoFillsTheCallersBufferAndRefusesAnObjectLargerThanIt() {
    byte[] data = random(6, 70_000);
    store.put("into/blob", data, data.length, sha256(data, data.length), META);
    byte[] buf = new byte[100_000];
    assertThat(store.getInto("into/blob", buf, META)).isEqualTo(data.length);
    assertThat(java.util.Arrays.copyOf(buf, data.length)).isEqualTo(data);
    assertThat(store.getInto("into/blob", new byte[data.length], META)).isEqualTo(data.length);
    assertThat(store.getInto("into/blob", new byte[data.length - 1], META))
        .as("larger than the buffer")
        .isEqualTo(-1);
    StoreException e =
        catchThrowableOfType(() -> store.getInto("into/missing", buf, META), StoreException.class);
    assertThat(e.kind()).isEqualTo(StoreException.Kind.NOT_FOUND);
  }

  @Test
  void aWrongDigestIsRefusedByTheServerAndNothingIsStored() {
    byte[] data = random(4, 50_000);
    byte[] wrong = sha256(random(5, 10), 10);
    StoreException e =
        catchThrowableOfType(
            () -> store.put("bad/digest", data, data.length, wrong, META), StoreException.class);
    assertThat(e.kind()).isEqualTo(StoreException.Kind.INTEGRITY);
    assertThat(e.getMessage()).contains("put 'bad/digest'").contains("checksum");
    assertThat(store.stat("bad/digest", META)).isEmpty();
  }

  @Test
  void wrongSecretFailsCheckAccessPermanentlyWithAClearMessageAndPutsFailFast() {
    S3StoreConfig bad =
        s3.config("tenant/app").withCredentials(S3ProxyExtension.ACCESS_KEY, "not-the-secret-9876");
    try (BlobStoreManager wrong =
        new RetryingBlobStoreManager(new S3BlobStoreManager(bad), RetryPolicy.defaults())) {
      StoreException e = catchThrowableOfType(wrong::checkAccess, StoreException.class);
      assertThat(e.kind()).isEqualTo(StoreException.Kind.PERMANENT);
      assertThat(e.reason())
          .as("not AccessDenied: the listing's error names the signature")
          .isEqualTo(StoreException.Reason.INVALID_CREDENTIALS);
      assertThat(e.getMessage())
          .contains("check the credentials Secret")
          .contains("stra…")
          .doesNotContain("not-the-secret-9876")
          .doesNotContain(S3ProxyExtension.ACCESS_KEY);

      long start = System.nanoTime();
      StoreException put =
          catchThrowableOfType(
              () -> wrong.put("x", new byte[] {1}, 1, null, META), StoreException.class);
      assertThat(put.kind()).isEqualTo(StoreException.Kind.PERMANENT);
      assertThat(put.getMessage()).contains("put 'x'").contains("check the credentials Secret");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }
  }

  @Test
  void unknownAccessKeyIsPermanent() {
    S3StoreConfig bad = s3.config("p").withCredentials("AKIAEXAMPLEUNKNOWN", "whatever-secret");
    try (S3BlobStoreManager wrong = new S3BlobStoreManager(bad)) {
      StoreException e = catchThrowableOfType(wrong::checkAccess, StoreException.class);
      assertThat(e.kind()).isEqualTo(StoreException.Kind.PERMANENT);
      assertThat(e.reason()).isEqualTo(StoreException.Reason.INVALID_CREDENTIALS);
      assertThat(e.getMessage())
          .contains("AKIA…")
          .contains("check the credentials Secret")
          .doesNotContain("AKIAEXAMPLEUNKNOWN")
          .doesNotContain("whatever-secret");
    }
  }

  @Test
  void missingBucketIsPermanentAndNamesTheBucket() {
    try (S3BlobStoreManager missing =
        new S3BlobStoreManager(s3.config("p").withBucket("no-such-bucket"))) {
      StoreException e = catchThrowableOfType(missing::checkAccess, StoreException.class);
      assertThat(e.kind()).isEqualTo(StoreException.Kind.PERMANENT);
      assertThat(e.reason()).isEqualTo(StoreException.Reason.BUCKET_MISSING);
      assertThat(e.getMessage())
          .contains("bucket 'no-such-bucket' does not exist at " + s3.endpoint())
          .contains("create it or fix spec.bucket");
      StoreException put =
          catchThrowableOfType(
              () -> missing.put("k", new byte[] {1}, 1, null, META), StoreException.class);
      assertThat(put.kind()).isEqualTo(StoreException.Kind.PERMANENT);
      assertThat(put.getMessage()).contains("no-such-bucket");
    }
  }

  @Test
  void unreachableEndpointFailsCheckAccessWithAHint() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String endpoint = "http://127.0.0.1:" + closedPort;
    try (S3BlobStoreManager nowhere =
        new S3BlobStoreManager(s3.config("p").withEndpoint(endpoint))) {
      StoreException e = catchThrowableOfType(nowhere::checkAccess, StoreException.class);
      // A refused connection may be a restarting server: retried (within the caller's deadline),
      // with a hint.
      assertThat(e.kind()).isEqualTo(StoreException.Kind.TRANSIENT);
      assertThat(e.reason()).isEqualTo(StoreException.Reason.UNREACHABLE);
      assertThat(e.getMessage())
          .contains("could not reach " + endpoint)
          .contains("connection refused")
          .contains("check spec.endpoint");
      StoreException put =
          catchThrowableOfType(
              () -> nowhere.put("k", new byte[] {1}, 1, null, META), StoreException.class);
      assertThat(put.kind()).isEqualTo(StoreException.Kind.TRANSIENT);
    }
  }

  @Test
  void objectsOverTheSinglePutLimitAreRejectedBeforeAnyRequest() {
    byte[] big = new byte[S3BlobStoreManager.MAX_PUT_BYTES + 1];
    assertThatThrownBy(() -> store.put("big", big, big.length, null, META))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("split it into chunks")
        .extracting(t -> ((StoreException) t).kind())
        .isEqualTo(StoreException.Kind.PERMANENT);
    assertThat(store.stat("big", META)).isEqualTo(Optional.empty());
  }

  @Test
  void keysMustBeRelative() {
    assertThatThrownBy(() -> store.get("/abs", META)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.get("", META)).isInstanceOf(IllegalArgumentException.class);
  }

  static List<ObjectInfo> list(String prefix) {
    List<ObjectInfo> out = new ArrayList<>();
    store.list(prefix, out::add, META);
    return out;
  }

  static byte[] random(long seed, int size) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  static byte[] withTail(byte[] data) {
    byte[] longer = new byte[data.length + 100];
    System.arraycopy(data, 0, longer, 0, data.length);
    longer[data.length] = 99;
    return longer;
  }

  static byte[] sha256(byte[] data, int length) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(data, 0, length);
      return digest.digest();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
