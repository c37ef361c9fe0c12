package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.strata.e2e.support.DirectoryTree;
import dev.strata.e2e.support.MinioExtension;
import dev.strata.e2e.support.MinioServer;
import dev.strata.engine.BackupEngine;
import dev.strata.engine.BackupOptions;
import dev.strata.engine.BackupResult;
import dev.strata.engine.Hashing;
import dev.strata.engine.Progress;
import dev.strata.engine.RestoreEngine;
import dev.strata.engine.RestoreMode;
import dev.strata.engine.RestoreOptions;
import dev.strata.engine.RestoreResult;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.ObjectInfo;
import dev.strata.engine.store.RetryPolicy;
import dev.strata.engine.store.RetryingBlobStoreManager;
import dev.strata.engine.store.S3BlobStoreManager;
import dev.strata.engine.store.S3StoreConfig;
import dev.strata.engine.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 store against the server users run: MinIO verifies checksums, restarts grace clocks, and
 * round-trips trees.
 */
@ExtendWith(MinioExtension.class)
class MinioStoreTest {

  static final Metadata MD = Metadata.of("test", "payload");

  @TempDir Path tmp;

  static BlobStoreManager store(MinioServer minio, String bucket) {
    S3StoreConfig config =
        new S3StoreConfig(
            minio.endpoint(),
            bucket,
            "p",
            minio.region(),
            true,
            minio.accessKey(),
            minio.secretKey(),
            null);
    return new RetryingBlobStoreManager(new S3BlobStoreManager(config), RetryPolicy.defaults());
  }

  @Test
  void minioRefusesAPayloadThatDoesNotMatchItsChecksumAndStoresNothing(MinioServer minio) {
    try (BlobStoreManager store = store(minio, minio.freshBucket("checksum"))) {
      byte[] data = new byte[4096];
      new Random(1).nextBytes(data);
      byte[] wrong = Hashing.sha256("something else".getBytes());
      StoreException e =
          catchThrowableOfType(
              () -> store.put("blobs/x", data, data.length, wrong, MD), StoreException.class);
      assertThat(e).isNotNull();
      assertThat(e.kind()).isEqualTo(StoreException.Kind.INTEGRITY);
      assertThat(store.stat("blobs/x", MD)).isEmpty();

      store.put("blobs/y", data, data.length, Hashing.sha256(data), MD);
      assertThat(store.get("blobs/y", MD)).isEqualTo(data);
    }
  }

  @Test
  void removeTtlRestartsAnObjectsGraceClock(MinioServer minio) throws Exception {
    try (BlobStoreManager store = store(minio, minio.freshBucket("ttl"))) {
      store.put("blobs/old", new byte[] {1, 2, 3}, 3, null, MD);
      ObjectInfo before = store.stat("blobs/old", MD).orElseThrow();
      Thread.sleep(1100); // S3 times have second precision
      store.removeTTL("blobs/old", MD);
      ObjectInfo after = store.stat("blobs/old", MD).orElseThrow();
      assertThat(after.lastModified()).isAfter(before.lastModified());
      assertThat(store.get("blobs/old", MD)).containsExactly(1, 2, 3);
    }
  }

  @Test
  void engineRoundTripsATreeAndSyncFetchesOnlyTheDifference(MinioServer minio) throws Exception {
    Path source = Files.createDirectories(tmp.resolve("source"));
    DirectoryTree.seed(source, 7, 5);
    Files.write(source.resolve("big.sst"), new byte[9 << 20]);
    Map<String, DirectoryTree.Entry> seeded = DirectoryTree.describe(source);
    try (BlobStoreManager store = store(minio, minio.freshBucket("engine"))) {
      BackupResult first =
          new BackupEngine(store, BackupOptions.defaults(), new Progress())
              .backup(source, "ns/pvc/");
      Path target = tmp.resolve("target");
      new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY), new Progress())
          .restore(first.index(), target);
      assertThat(DirectoryTree.describe(target)).isEqualTo(seeded);

      Files.write(source.resolve("added.sst"), new byte[100_000]);
      BackupResult second =
          new BackupEngine(store, BackupOptions.defaults(), new Progress())
              .backup(source, "ns/pvc/");
      assertThat(second.index().stats().uploadedBytes()).isLessThanOrEqualTo(100_000);
      RestoreResult sync =
          new RestoreEngine(store, RestoreOptions.of(RestoreMode.SYNC), new Progress())
              .restore(second.index(), target);
      assertThat(sync.downloadedBytes()).isLessThanOrEqualTo(100_000);
      assertThat(DirectoryTree.describe(target)).isEqualTo(DirectoryTree.describe(source));
    }
  }
}
