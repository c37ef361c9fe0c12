package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.cli.StrataCli;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.RetryPolicy;
import dev.strata.engine.store.RetryingBlobStoreManager;
import dev.strata.engine.store.S3BlobStoreManager;
import dev.strata.engine.store.StoreException;
import dev.strata.testing.FaultyProxy;
import dev.strata.testing.S3ProxyExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine through a real S3 protocol server (S3Proxy in the JVM), with and without injected
 * faults.
 */
class EngineOverS3Test {

  @RegisterExtension static final S3ProxyExtension s3 = new S3ProxyExtension();

  @TempDir Path tmp;

  static final int CHUNK = 64 * 1024;

  BlobStoreManager store(String prefix, String endpoint) {
    return new RetryingBlobStoreManager(
        new S3BlobStoreManager(s3.config(prefix, endpoint)), RetryPolicy.defaults());
  }

  @Test
  void richTreeRoundTripsAndIncrementalsUploadOnlyTheChange() throws IOException {
    Path source = Files.createDirectories(tmp.resolve("src"));
    Trees.makeRichTree(source);
    try (BlobStoreManager store = store("roundtrip", s3.endpoint())) {
      BackupOptions options = BackupOptions.defaults().withChunkSize(CHUNK);
      BackupResult first =
          new BackupEngine(store, options, new Progress()).backup(source, "ns/pvc/");
      Path target = tmp.resolve("restored");
      new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY), new Progress())
          .restore(first.index(), target);
      Trees.assertSameTree(source, target);

      Trees.write(source.resolve("a/new.sst"), Trees.random(11, 100_000));
      BackupResult second =
          new BackupEngine(store, options, new Progress()).backup(source, "ns/pvc/");
      assertThat(second.index().stats().uploadedBytes()).isEqualTo(100_000);

      RestoreResult sync =
          new RestoreEngine(store, RestoreOptions.of(RestoreMode.SYNC), new Progress())
              .restore(second.index(), target);
      assertThat(sync.downloadedBytes()).isEqualTo(100_000);
      Trees.assertSameTree(source, target);
    }
  }

  @Test
  void backupAndRestoreSucceedThroughAFaultyConnection() throws IOException {
    Path source = Files.createDirectories(tmp.resolve("src"));
    for (int i = 0; i < 20; i++) {
      Trees.write(
          source.resolve("d" + (i % 3) + "/f" + i + ".sst"),
          Trees.random(200 + i, 50_000 + i * 7_000));
    }
    Trees.makeRichTree(source.resolve("rich"));
    try (FaultyProxy proxy = FaultyProxy.start(s3.host(), s3.port(), 0.3, 42);
        BlobStoreManager store =
            new RetryingBlobStoreManager(
                new S3BlobStoreManager(s3.config("faulty", proxy.endpoint())),
                RetryPolicy.defaults().withDeadline(Duration.ofMinutes(2)))) {
      BackupResult b =
          new BackupEngine(store, BackupOptions.defaults().withChunkSize(CHUNK), new Progress())
              .backup(source, "ns/faulty/");
      Path restored = tmp.resolve("restored");
      new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY), new Progress())
          .restore(b.index(), restored);
      Trees.assertSameTree(source, restored);
      assertThat(proxy.faultsInjected()).as("faults were really injected").isGreaterThan(10);
    }
  }

  @Test
  void aWrongSecretKeyFailsFastWithAClearMessage() throws IOException {
    Path source = Files.createDirectories(tmp.resolve("src"));
    Trees.write(source.resolve("f"), "x".getBytes());
    long start = System.nanoTime();
    try (BlobStoreManager store =
        new RetryingBlobStoreManager(
            new S3BlobStoreManager(
                s3.config("badkey", s3.endpoint()).withCredentials(s3.accessKey(), "wrong-secret")),
            RetryPolicy.defaults())) {
      assertThatThrownBy(
              () ->
                  new BackupEngine(store, BackupOptions.defaults(), new Progress())
                      .backup(source, "s"))
          .isInstanceOf(StoreException.class)
          .satisfies(
              e -> assertThat(((StoreException) e).kind()).isEqualTo(StoreException.Kind.PERMANENT))
          .hasMessageNotContaining("wrong-secret");
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void cliBacksUpAndRestoresThroughS3WithCredentialsFromTheEnvironmentOnly() throws IOException {
    // The CLI reads credentials from the real environment; run it as a child process with them set.
    Path source = Files.createDirectories(tmp.resolve("src"));
    Trees.makeRichTree(source);
    String store = "s3://" + s3.bucket() + "/cli";
    ProcessResult backup =
        runCli(
            true,
            "backup",
            "--store",
            store,
            "--endpoint",
            s3.endpoint(),
            "--path-style",
            "--source",
            source.toString(),
            "--source-id",
            "cli/src",
            "--json");
    assertThat(backup.code()).as(backup.err()).isZero();
    assertThat(backup.out()).contains("\"uploadedBytes\"");
    ProcessResult restore =
        runCli(
            true,
            "restore",
            "--store",
            store,
            "--endpoint",
            s3.endpoint(),
            "--path-style",
            "--latest",
            "--source-id",
            "cli/src",
            "--target",
            tmp.resolve("out").toString());
    assertThat(restore.code()).as(restore.err()).isZero();
    Trees.assertSameTree(source, tmp.resolve("out"));

    ProcessResult noCreds =
        runCli(false, "snapshots", "--store", store, "--endpoint", s3.endpoint(), "--path-style");
    assertThat(noCreds.code()).isEqualTo(StrataCli.USAGE);
    assertThat(noCreds.err()).contains("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  }

  @Test
  void blobsAreStoredInSelfDescribingPacksUnderTheirContentHash() throws IOException {
    Path source = Files.createDirectories(tmp.resolve("src"));
    byte[] content = Trees.random(77, 1000);
    Trees.write(source.resolve("f"), content);
    try (BlobStoreManager store = store("layout", s3.endpoint())) {
      new BackupEngine(store, BackupOptions.defaults(), new Progress()).backup(source, "s");
      byte[] id = Hashing.sha256(content);
      var index = Trees.index(store);
      var at = index.location(index.find(id));
      String key = dev.strata.engine.pack.PackFile.key(at.packId());
      try (var in = store.openRange(key, at.offset(), at.storedLength(), null)) {
        assertThat(in.readAllBytes())
            .as("random bytes are stored as they are, at the offset the index gives")
            .isEqualTo(content);
      }
      // The pack says the same about itself, without the index.
      byte[] pack = store.get(key, null);
      int headerLength =
          dev.strata.engine.pack.PackFile.headerLength(
              java.util.Arrays.copyOfRange(
                  pack, pack.length - dev.strata.engine.pack.PackFile.TRAILER, pack.length),
              key);
      byte[] header =
          java.util.Arrays.copyOfRange(
              pack,
              pack.length - dev.strata.engine.pack.PackFile.TRAILER - headerLength,
              pack.length - dev.strata.engine.pack.PackFile.TRAILER);
      var entries =
          dev.strata.engine.pack.PackFile.readHeader(
              dev.strata.engine.format.Sealer.NONE, at.packId(), header, key);
      assertThat(entries).hasSize(1);
      assertThat(entries.get(0).id()).isEqualTo(id);
      assertThat(entries.get(0).offset()).isEqualTo(at.offset());
      assertThat(entries.get(0).rawLength()).isEqualTo(1000);
    }
  }

  record ProcessResult(int code, String out, String err) {}

  static ProcessResult runCli(boolean withCredentials, String... args) throws IOException {
    java.util.List<String> cmd =
        new java.util.ArrayList<>(
            java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.strata.cli.StrataCli"));
    cmd.addAll(java.util.List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("AWS_ACCESS_KEY_ID");
    pb.environment().remove("AWS_SECRET_ACCESS_KEY");
    if (withCredentials) {
      pb.environment().put("AWS_ACCESS_KEY_ID", s3.accessKey());
      pb.environment().put("AWS_SECRET_ACCESS_KEY", s3.secretKey());
    }
    Process p = pb.start();
    try {
      String out = new String(p.getInputStream().readAllBytes());
      String err = new String(p.getErrorStream().readAllBytes());
      return new ProcessResult(p.waitFor(), out, err);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
