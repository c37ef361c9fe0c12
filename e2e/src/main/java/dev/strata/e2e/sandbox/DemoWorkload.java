package dev.strata.e2e.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * RocksDB-like state that changes over time, as a stream processor's would: immutable SST files
 * appear (flushes) and old ones go (compactions), the MANIFEST grows, CURRENT is rewritten, the LOG
 * grows. Deterministic from its seed.
 */
public final class DemoWorkload {

  static final int SST_BYTES = 16 << 20;
  static final int MAX_SSTS = 10;

  private final Path db;
  private final Random random;
  private int nextSst = 1;

  public DemoWorkload(Path db, long seed) {
    this.db = db;
    this.random = new Random(seed);
  }

  /** The initial state: a few SST files, a MANIFEST, CURRENT, OPTIONS, IDENTITY and a LOG. */
  public void seed() {
    try {
      Files.createDirectories(db);
      for (int i = 0; i < 6; i++) {
        flush();
      }
      write(db.resolve("MANIFEST-000005"), bytes(1 << 20));
      Files.writeString(db.resolve("CURRENT"), "MANIFEST-000005\n");
      Files.writeString(db.resolve("IDENTITY"), "5f2d1c9e-strata-demo\n");
      Files.writeString(db.resolve("OPTIONS-000007"), "[DBOptions]\n  max_open_files=-1\n");
      write(db.resolve("LOG"), bytes(64 << 10));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * One step of life: a flush, a MANIFEST append, a LOG append, and a compaction when there are too
   * many SSTs.
   */
  public void step() {
    try {
      flush();
      Files.write(db.resolve("MANIFEST-000005"), bytes(4096), StandardOpenOption.APPEND);
      Files.writeString(db.resolve("CURRENT"), "MANIFEST-000005\n");
      Files.write(db.resolve("LOG"), bytes(8192), StandardOpenOption.APPEND);
      List<Path> ssts;
      try (Stream<Path> s = Files.list(db)) {
        ssts =
            s.filter(p -> p.getFileName().toString().endsWith(".sst"))
                .sorted(Comparator.comparing(Path::toString))
                .toList();
      }
      for (int i = 0; i < ssts.size() - MAX_SSTS; i++) {
        Files.deleteIfExists(ssts.get(i));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void flush() throws IOException {
    write(
        db.resolve(String.format("%06d.sst", nextSst++)),
        bytes(SST_BYTES / 2 + random.nextInt(SST_BYTES / 2)));
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static void write(Path p, byte[] data) throws IOException {
    Files.write(p, data);
  }
}
