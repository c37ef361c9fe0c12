package dev.strata.e2e.rocks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.rocksdb.Checkpoint;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * The workload of the checkpoint-hook recipe (docs/hooks.md), run in a container on the real node:
 * a live RocksDB that writes keys in order without pause, flushes small memtables and rewrites all
 * its SST files about every second, so SST files are created and deleted while a backup runs. It
 * makes a checkpoint when asked, as a stream processor's admin endpoint would: the pre hook creates
 * {@code checkpoint.request}; the app writes {@code checkpoint/} (hard links of the SSTs, a copied
 * MANIFEST), then {@code checkpoint.done} holding how many keys were written before it. Only the
 * process that has a database open can checkpoint it (RocksDB locks the directory), which is why
 * the request goes to the app.
 *
 * <p>{@code java -cp <this class and rocksdbjni> dev.strata.e2e.rocks.CheckpointingApp <volume>}
 */
public final class CheckpointingApp {

  private CheckpointingApp() {}

  public static String key(long i) {
    return String.format("key-%010d", i);
  }

  /** A value that says which key it belongs to, long enough that memtables fill and flush often. */
  public static String value(long i) {
    return ("value-" + i + "-").repeat(12);
  }

  public static void main(String[] args)
      throws RocksDBException, IOException, InterruptedException {
    Path volume = Path.of(args[0]);
    Path request = volume.resolve("checkpoint.request");
    Path done = volume.resolve("checkpoint.done");
    RocksDB.loadLibrary();
    try (Options options =
            new Options()
                .setCreateIfMissing(true)
                .setWriteBufferSize(64 << 10)
                .setLevel0FileNumCompactionTrigger(2)
                .setTargetFileSizeBase(256 << 10)
                .setMaxBytesForLevelBase(1 << 20);
        WriteOptions write = new WriteOptions();
        RocksDB db = RocksDB.open(options, volume.resolve("db").toString());
        // Keys arrive in order, so RocksDB would only move SST files down the levels, never rewrite
        // them: force it.
        CompactRangeOptions rewrite =
            new CompactRangeOptions()
                .setBottommostLevelCompaction(
                    CompactRangeOptions.BottommostLevelCompaction.kForce)) {
      long i = 0;
      System.out.println("writing to " + volume.resolve("db"));
      while (true) {
        db.put(
            write,
            key(i).getBytes(StandardCharsets.UTF_8),
            value(i).getBytes(StandardCharsets.UTF_8));
        i++;
        if (i % 1000 == 0) {
          // rewrites every SST (new files, the old ones deleted): the live directory never holds
          // still
          db.compactRange(db.getDefaultColumnFamily(), null, null, rewrite);
        }
        if (i % 100 == 0 && Files.exists(request)) {
          Path target = volume.resolve("checkpoint");
          try (Checkpoint checkpoint = Checkpoint.create(db)) {
            checkpoint.createCheckpoint(target.toString());
          }
          Files.delete(request);
          Path tmp = volume.resolve("checkpoint.done.tmp");
          Files.writeString(tmp, Long.toString(i));
          Files.move(tmp, done, StandardCopyOption.ATOMIC_MOVE);
          System.out.println("checkpoint of " + i + " keys in " + target);
        }
        if (i % 2 == 0) {
          Thread.sleep(
              1); // a steady writer (some 100 KiB/s), not a benchmark: leave the node's two cores
          // to the backup
        }
      }
    }
  }
}
