package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Builds test trees and compares two trees entry by entry: type, content, mode, mtime, symlink
 * target, owner.
 */
public final class Trees {

  private Trees() {}

  public static Path write(Path file, byte[] content) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, content);
    return file;
  }

  public static byte[] random(long seed, int size) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  public static void setMode(Path p, int mode) throws IOException {
    Files.setAttribute(p, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
  }

  public static void setMtime(Path p, long epochSecond, int nanos) throws IOException {
    Files.setLastModifiedTime(p, FileTime.from(Instant.ofEpochSecond(epochSecond, nanos)));
  }

  /**
   * A tree with what a volume may hold: nested and empty directories, symlinks (relative, absolute,
   * dangling, to a directory), unicode names, odd modes, a zero-byte file and a file several chunks
   * long (with chunkSize 64 KiB).
   */
  public static void makeRichTree(Path root) throws IOException {
    write(root.resolve("a/b/c/deep.txt"), "deep".getBytes());
    Files.createDirectories(root.resolve("empty/nested-empty"));
    write(root.resolve("zero.bin"), new byte[0]);
    write(root.resolve("big/large.sst"), random(1, 300_000)); // 5 chunks of 64 KiB
    write(root.resolve("ünïcødé/数据 файл.txt"), "unicode".getBytes("UTF-8"));
    write(root.resolve("modes/setuid"), "x".getBytes());
    setMode(root.resolve("modes/setuid"), 04751);
    write(root.resolve("modes/readonly"), "r".getBytes());
    setMode(root.resolve("modes/readonly"), 0400);
    write(root.resolve("modes/sticky-dir/f"), "s".getBytes());
    setMode(root.resolve("modes/sticky-dir"), 01777);
    Files.createSymbolicLink(root.resolve("link-rel"), Path.of("a/b/c/deep.txt"));
    Files.createSymbolicLink(root.resolve("link-abs"), Path.of("/etc/hostname"));
    Files.createSymbolicLink(root.resolve("link-dangling"), Path.of("does/not/exist"));
    Files.createSymbolicLink(root.resolve("link-dir"), Path.of("a"));
    setMtime(root.resolve("big/large.sst"), 1_000_000_000L, 123_456_789);
    setMtime(root.resolve("a/b/c/deep.txt"), 1_500_000_000L, 1);
  }

  /**
   * A snapshot's whole tree, read through the store (tests look into it; the engine streams it).
   */
  public static dev.strata.engine.index.DirIndex tree(
      dev.strata.engine.store.BlobStoreManager store, Snapshot s) {
    return tree(dev.strata.engine.format.Repository.open(store, null), s);
  }

  public static dev.strata.engine.index.DirIndex tree(
      dev.strata.engine.format.Repository repo, Snapshot s) {
    try (var r = new dev.strata.engine.tree.TreeReader(new BlobSource(repo, null).tree(s))) {
      return r.readAll();
    }
  }

  /** The store's pack objects. */
  public static java.util.List<dev.strata.engine.store.ObjectInfo> packs(
      dev.strata.engine.store.BlobStoreManager store) {
    java.util.List<dev.strata.engine.store.ObjectInfo> out = new java.util.ArrayList<>();
    store.list(dev.strata.engine.store.StoreLayout.PACKS, out::add, null);
    return out;
  }

  /** The store's index, as a backup would load it (no key: stores without encryption). */
  public static dev.strata.engine.pack.BlobIndex index(
      dev.strata.engine.store.BlobStoreManager store) {
    return dev.strata.engine.pack.BlobIndex.load(
        dev.strata.engine.format.Repository.open(store, null));
  }

  /** The key of the pack holding a blob's newest copy. */
  public static String packKeyOf(dev.strata.engine.store.BlobStoreManager store, String blobId) {
    var ix = index(store);
    int e = ix.find(Hashing.unhex(blobId));
    assertThat(e).as("blob %s in the index", blobId).isNotNegative();
    return dev.strata.engine.pack.PackFile.key(ix.packId(e));
  }

  /** Flips one byte inside a blob's stored bytes in its pack, in a local store. */
  public static void corruptBlob(dev.strata.engine.store.LocalBlobStoreManager store, String blobId)
      throws IOException {
    var ix = index(store);
    int e = ix.find(Hashing.unhex(blobId));
    assertThat(e).isNotNegative();
    Path pack = store.root().resolve(dev.strata.engine.pack.PackFile.key(ix.packId(e)));
    byte[] bytes = Files.readAllBytes(pack);
    bytes[ix.offset(e) + ix.storedLength(e) / 2] ^= 1;
    Files.write(pack, bytes);
  }

  /** Asserts that {@code actual} holds exactly what {@code expected} holds, entry by entry. */
  public static void assertSameTree(Path expected, Path actual) {
    TreeMap<String, String> e = describe(expected);
    TreeMap<String, String> a = describe(actual);
    assertThat(a).as("restored tree %s vs %s", actual, expected).containsExactlyEntriesOf(e);
  }

  public static TreeMap<String, String> describe(Path root) {
    TreeMap<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      all.forEach(
          p -> {
            try {
              LocalEntry entry = LocalEntry.stat(p);
              String rel = root.relativize(p).toString();
              String content =
                  switch (entry.type()) {
                    case FILE -> Hashing.hex(Hashing.sha256(Files.readAllBytes(p)));
                    case SYMLINK -> "-> " + entry.linkTarget();
                    default -> "";
                  };
              // A symlink's own mtime can only be set to the microsecond (lutimes).
              long nanos = entry.metadata().mtimeNanos();
              String mtime =
                  " mtime="
                      + (entry.type() == LocalEntry.Type.SYMLINK ? nanos / 1000 * 1000 : nanos);
              String mode =
                  entry.type() == LocalEntry.Type.SYMLINK
                      ? ""
                      : String.format(" mode=%04o", entry.metadata().mode());
              out.put(
                  rel.isEmpty() ? "." : rel,
                  entry.type() + mode + mtime + " uid=" + entry.metadata().uid() + " " + content);
            } catch (IOException ex) {
              throw new UncheckedIOException(ex);
            }
          });
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out;
  }
}
