package dev.strata.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file:// store is listed while a backup writes to it and a collector deletes from it: files
 * written under a temporary name and renamed away, files deleted, whole folders gone between the
 * listing of their parent and their own. None of that fails a listing, and a listing never shows a
 * temporary file.
 */
class LocalStoreListingTest {

  @TempDir Path tmp;

  @Test
  void aListingToleratesFilesAndFoldersVanishingWhileItWalks() throws Exception {
    LocalBlobStoreManager store = new LocalBlobStoreManager(tmp.resolve("store"));
    store.initialize();
    Metadata meta = Metadata.of(null, "index/");
    byte[] bytes = new byte[64];
    // Something to list from the start: a listing of an empty folder proves nothing.
    for (int i = 0; i < 50; i++) {
      store.put(
          "index/" + String.format("%02x", i % 16) + "/seed-" + i, bytes, bytes.length, null, meta);
    }
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger written = new AtomicInteger();
    List<Throwable> writerFailures = new ArrayList<>();
    Thread writer =
        new Thread(
            () -> {
              try {
                for (int i = 0; !stop.get(); i++) {
                  String folder = "index/" + String.format("%02x", i % 16) + "/";
                  store.put(
                      folder + "f-" + i,
                      bytes,
                      bytes.length,
                      null,
                      meta); // a temporary file, then a rename
                  if (i >= 8) {
                    store.delete(
                        "index/" + String.format("%02x", (i - 8) % 16) + "/f-" + (i - 8), meta);
                  }
                  if (i % 50 == 49) {
                    deleteTree(
                        tmp.resolve(
                            "store/index/"
                                + String.format("%02x", (i / 50) % 16))); // a folder goes whole
                  }
                  written.incrementAndGet();
                }
              } catch (Throwable t) {
                writerFailures.add(t);
              }
            },
            "concurrent-writer");
    writer.start();
    int listings = 0;
    try {
      long until = System.nanoTime() + 1_500_000_000L;
      while (System.nanoTime() < until || listings < 200) {
        List<String> keys = new ArrayList<>();
        store.list(listings % 2 == 0 ? "index/" : "", o -> keys.add(o.key()), meta);
        assertThat(keys)
            .noneMatch(k -> k.contains(".tmp-"))
            .allMatch(k -> k.startsWith("index/") || k.equals("config"));
        assertThat(keys).as("in key order, as S3 lists").isSorted();
        listings++;
      }
    } finally {
      stop.set(true);
      writer.join(10_000);
    }
    assertThat(writerFailures).isEmpty();
    assertThat(written.get()).as("the writer wrote while the listings ran").isGreaterThan(100);
    // Once all is still, a listing shows exactly the files there are.
    List<String> listed = new ArrayList<>();
    store.list("index/", o -> listed.add(o.key()), meta);
    try (Stream<Path> files = Files.walk(tmp.resolve("store/index"))) {
      assertThat(listed)
          .containsExactlyElementsOf(
              files
                  .filter(Files::isRegularFile)
                  .map(p -> "index/" + tmp.resolve("store/index").relativize(p).toString())
                  .sorted()
                  .toList());
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (java.nio.file.NoSuchFileException | java.nio.file.DirectoryNotEmptyException e) {
      // a put just created it again: the folder stays, which is as good a test
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
