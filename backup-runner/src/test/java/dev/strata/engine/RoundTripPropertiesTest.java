package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.format.Compression;
import dev.strata.engine.format.Repository;
import dev.strata.engine.format.UserKey;
import dev.strata.engine.store.LocalBlobStoreManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Round-trip properties over random trees and random edits: after any sequence of edits
 * (insertions, deletions and in-place changes inside files, truncations, appends, new, deleted and
 * renamed files and directories, symlinks), every snapshot restores byte-identical to the tree it
 * was taken of, into an empty directory and by a sync over a stale copy, and verifies with
 * read-data; with and without compression and encryption. The seed is logged.
 */
class RoundTripPropertiesTest {

  private static final Logger LOG = LoggerFactory.getLogger(RoundTripPropertiesTest.class);
  static final int CHUNK = 16 * 1024;
  static final int ROUNDS = 8;

  @TempDir Path tmp;

  @ParameterizedTest
  @CsvSource({"none, auto", "aes-256-gcm, auto", "aes-256-gcm, off", "none, max"})
  void everySnapshotRestoresExactlyWhatItWasTakenOf(String encryption, String compression)
      throws IOException {
    long seed = System.nanoTime();
    LOG.info(
        "round-trip properties, seed {}, encryption {}, compression {}",
        seed,
        encryption,
        compression);
    Random rnd = new Random(seed);
    Path source = Files.createDirectories(tmp.resolve("source"));
    LocalBlobStoreManager store = new LocalBlobStoreManager(tmp.resolve("store"));
    UserKey key = encryption.equals("none") ? null : UserKey.of("k-" + seed, "test");
    BackupOptions options =
        BackupOptions.defaults()
            .withChunkSize(CHUNK)
            .withParallelism(3)
            .withCompression(Compression.parse(compression))
            .withKey(key)
            .withInit(BackupOptions.defaults().withChunkSize(CHUNK).init().withPackSize(64 * 1024));
    RestoreOptions restore = RestoreOptions.of(RestoreMode.EMPTY).withKey(key).withFsync(false);
    for (int i = 0; i < 12; i++) {
      write(source.resolve(name(rnd, 2)), rnd);
    }
    List<Snapshot> snapshots = new ArrayList<>();
    List<TreeMap<String, String>> trees = new ArrayList<>();
    Path stale = tmp.resolve("stale");
    for (int round = 0; round < ROUNDS; round++) {
      if (round > 0) {
        edit(source, rnd);
      }
      Snapshot s =
          new BackupEngine(store, options, new Progress()).backup(source, "ns/pvc/").index();
      snapshots.add(s);
      trees.add(Trees.describe(source));
      Path fresh = tmp.resolve("restored-" + round);
      new RestoreEngine(store, restore, new Progress()).restore(s, fresh);
      assertThat(Trees.describe(fresh))
          .as("round %d (seed %d)", round, seed)
          .isEqualTo(trees.get(round));
      // A sync over the copy restored from an earlier snapshot makes it this one.
      new RestoreEngine(
              store,
              new RestoreOptions(
                  RestoreMode.SYNC, 3, false, false, key, RestoreOptions.DEFAULT_RANGE_GAP),
              new Progress())
          .restore(s, stale);
      assertThat(Trees.describe(stale))
          .as("sync in round %d (seed %d)", round, seed)
          .isEqualTo(trees.get(round));
    }
    SnapshotVerifier verifier = new SnapshotVerifier(Repository.open(store, key), 3);
    for (int i = 0; i < snapshots.size(); i++) {
      assertThat(verifier.verify(snapshots.get(i), true).problems())
          .as("snapshot of round %d (seed %d)", i, seed)
          .isEmpty();
      Path again = tmp.resolve("again-" + i);
      new RestoreEngine(store, restore, new Progress()).restore(snapshots.get(i), again);
      assertThat(Trees.describe(again))
          .as("old snapshot of round %d (seed %d)", i, seed)
          .isEqualTo(trees.get(i));
    }
  }

  static String name(Random rnd, int depth) {
    StringBuilder b = new StringBuilder();
    int levels = rnd.nextInt(depth + 1);
    for (int i = 0; i < levels; i++) {
      b.append("d").append(rnd.nextInt(4)).append('/');
    }
    return b.append("f")
        .append(rnd.nextInt(1000))
        .append(rnd.nextBoolean() ? ".sst" : ".log")
        .toString();
  }

  private static long mtime = 1_700_000_000L;

  static void write(Path f, Random rnd) throws IOException {
    Files.createDirectories(f.getParent());
    byte[] data = content(rnd, rnd.nextInt(5) == 0 ? 0 : rnd.nextInt(200_000));
    Files.write(f, data);
    touch(f);
  }

  /** Half text (compressible), half random. */
  static byte[] content(Random rnd, int size) {
    byte[] b = new byte[size];
    if (rnd.nextBoolean()) {
      rnd.nextBytes(b);
    } else {
      for (int i = 0; i < size; i++) {
        b[i] = (byte) ("abcdefgh \n".charAt(rnd.nextInt(10)));
      }
    }
    return b;
  }

  static void touch(Path f) throws IOException {
    Files.setLastModifiedTime(f, FileTime.from(Instant.ofEpochSecond(++mtime)));
  }

  static void edit(Path root, Random rnd) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    int edits = 1 + rnd.nextInt(5);
    for (int i = 0; i < edits; i++) {
      Path f = files.isEmpty() ? null : files.get(rnd.nextInt(files.size()));
      int op = rnd.nextInt(9);
      if (f == null || op == 0) {
        write(root.resolve(name(rnd, 2)), rnd);
        continue;
      }
      if (!Files.exists(f)) {
        continue;
      }
      byte[] b = Files.readAllBytes(f);
      switch (op) {
        case 1 -> { // insertion
          int at = b.length == 0 ? 0 : rnd.nextInt(b.length);
          byte[] ins = content(rnd, 1 + rnd.nextInt(5000));
          byte[] out = new byte[b.length + ins.length];
          System.arraycopy(b, 0, out, 0, at);
          System.arraycopy(ins, 0, out, at, ins.length);
          System.arraycopy(b, at, out, at + ins.length, b.length - at);
          Files.write(f, out);
        }
        case 2 -> { // deletion of a range
          if (b.length > 10) {
            int at = rnd.nextInt(b.length - 5);
            int n = 1 + rnd.nextInt(Math.min(5000, b.length - at));
            byte[] out = new byte[b.length - n];
            System.arraycopy(b, 0, out, 0, at);
            System.arraycopy(b, at + n, out, at, b.length - at - n);
            Files.write(f, out);
          }
        }
        case 3 ->
            Files.write(
                f,
                java.util.Arrays.copyOf(
                    b, b.length == 0 ? 0 : rnd.nextInt(b.length))); // truncation
        case 4 ->
            Files.write(
                f, content(rnd, 1 + rnd.nextInt(30_000)), StandardOpenOption.APPEND); // append
        case 5 -> { // in place
          if (b.length > 0) {
            int at = rnd.nextInt(b.length);
            for (int j = at; j < Math.min(b.length, at + 4096); j++) {
              b[j] ^= 0x33;
            }
            Files.write(f, b);
          }
        }
        case 6 -> Files.delete(f);
        case 7 -> { // rename, maybe into another directory
          Path to = root.resolve(name(rnd, 2));
          if (!Files.exists(to)) {
            Files.createDirectories(to.getParent());
            Files.move(f, to);
          }
        }
        default -> {
          Path link = root.resolve(name(rnd, 1) + ".lnk");
          if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, root.relativize(f));
          }
        }
      }
      if (Files.exists(f)) {
        touch(f);
      }
    }
  }
}
