package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.engine.fs.DirHandle;
import dev.strata.engine.fs.FileHandle;
import dev.strata.engine.fs.Stat;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.LocalBlobStoreManager;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Findings 12 and 13 of issue 12: extended attributes, POSIX ACLs, hard links and holes survive a
 * backup and restore (or the restore refuses loudly where the target cannot hold them), and a blob
 * that occurs many times is fetched once.
 */
class MetadataTest {

  @TempDir Path tmp;
  Path source;
  LocalBlobStoreManager store;

  @BeforeEach
  void setUp() throws IOException {
    source = Files.createDirectories(tmp.resolve("source"));
    store = new LocalBlobStoreManager(tmp.resolve("store"));
  }

  Snapshot backup() {
    return new BackupEngine(store, BackupOptions.defaults(), new Progress())
        .backup(source, "ns/pvc/")
        .index();
  }

  Path restore(Snapshot s, BlobStoreManager from) {
    Path target = tmp.resolve("target-" + System.nanoTime());
    new RestoreEngine(from, RestoreOptions.of(RestoreMode.EMPTY), new Progress())
        .restore(s, target);
    return target;
  }

  static Map<String, String> xattrs(Path file) throws IOException {
    try (DirHandle d = DirHandle.open(file.getParent())) {
      Map<String, String> x = d.xattrsAt(file.getFileName().toString());
      return x == null ? Map.of() : x;
    }
  }

  static void setXattrs(Path file, Map<String, String> x) throws IOException {
    try (DirHandle d = DirHandle.open(file.getParent());
        FileHandle h = d.openRead(file.getFileName().toString())) {
      h.setXattrs(x);
    }
  }

  static Stat stat(Path p) throws IOException {
    try (DirHandle d = DirHandle.open(p.getParent())) {
      return d.statAt(p.getFileName().toString());
    }
  }

  static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  /** An access ACL as the kernel stores it: owner rw, user 4242 r, group r, mask r, other none. */
  static String acl() {
    ByteBuffer b = ByteBuffer.allocate(4 + 5 * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(2);
    b.putShort((short) 0x01).putShort((short) 6).putInt(-1);
    b.putShort((short) 0x02).putShort((short) 4).putInt(4242);
    b.putShort((short) 0x04).putShort((short) 4).putInt(-1);
    b.putShort((short) 0x10).putShort((short) 4).putInt(-1);
    b.putShort((short) 0x20).putShort((short) 0).putInt(-1);
    return b64(b.array());
  }

  @Test
  void userExtendedAttributesAndPosixAclsAreKept() throws IOException {
    Path f = Trees.write(source.resolve("dir/f.sst"), "data".getBytes());
    Trees.setMode(f, 0640);
    setXattrs(f, Map.of("user.checksum", b64("abc".getBytes()), "system.posix_acl_access", acl()));
    Path dir = source.resolve("dir");
    try (DirHandle d = DirHandle.open(dir)) {
      d.setXattrs(
          Map.of("user.owner-team", b64("storage".getBytes()), "system.posix_acl_default", acl()));
    }
    Map<String, String> fileX = xattrs(f);
    Map<String, String> dirX = xattrs(dir);
    assertThat(fileX).containsKeys("user.checksum", "system.posix_acl_access");

    Path target = restore(backup(), store);

    assertThat(xattrs(target.resolve("dir/f.sst"))).isEqualTo(fileX);
    assertThat(xattrs(target.resolve("dir"))).isEqualTo(dirX);
    assertThat(xattrs(target)).isEmpty();
  }

  @Test
  void aTargetFileSystemWithoutExtendedAttributesIsRefusedLoudly() throws Exception {
    assumeTrue(
        dev.strata.engine.fs.Capabilities.canChown(),
        "needs root to mount a ramfs, a file system without user xattrs");
    Path f = Trees.write(source.resolve("f"), "data".getBytes());
    setXattrs(f, Map.of("user.checksum", b64("abc".getBytes())));
    Snapshot s = backup();
    Path mnt = Files.createDirectories(tmp.resolve("ramfs"));
    assumeTrue(
        new ProcessBuilder("mount", "-t", "ramfs", "ramfs", mnt.toString())
                .inheritIO()
                .start()
                .waitFor()
            == 0,
        "mount -t ramfs failed");
    try {
      assertThatThrownBy(
              () ->
                  new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY), new Progress())
                      .restore(s, mnt.resolve("t")))
          .hasMessageContaining("user.checksum")
          .hasMessageContaining("does not support it");
    } finally {
      new ProcessBuilder("umount", mnt.toString()).inheritIO().start().waitFor();
    }
  }

  @Test
  void hardLinksWithinASnapshotStayHardLinks() throws IOException {
    Path a = Trees.write(source.resolve("a/000042.sst"), Trees.random(1, 10_000));
    Files.createDirectories(source.resolve("checkpoint"));
    Files.createLink(source.resolve("checkpoint/000042.sst"), a);
    Files.createLink(source.resolve("a/also.sst"), a);
    Snapshot s = backup();
    assertThat(s.stats().files()).isEqualTo(3);

    Path target = restore(s, store);

    Stat first = stat(target.resolve("a/000042.sst"));
    assertThat(first.nlink()).isEqualTo(3);
    assertThat(stat(target.resolve("checkpoint/000042.sst")).sameFile(first)).isTrue();
    assertThat(stat(target.resolve("a/also.sst")).sameFile(first)).isTrue();
    Trees.assertSameTree(source, target);
    // An unchanged second backup keeps them linked.
    Snapshot again = backup();
    assertThat(stat(restore(again, store).resolve("a/also.sst")).nlink()).isEqualTo(3);
  }

  @Test
  void holesOfAllZeroChunksStayHoles() throws IOException {
    Path sparse = source.resolve("sparse.db");
    try (FileChannel ch =
        FileChannel.open(sparse, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(Trees.random(7, 4096)), 50L << 20);
    }
    assertThat(stat(sparse).blocks() * 512).isLessThan(1 << 20);

    Path target = restore(backup(), store);

    Stat restored = stat(target.resolve("sparse.db"));
    assertThat(restored.size()).isEqualTo((50L << 20) + 4096);
    assertThat(restored.blocks() * 512).as("bytes on disk").isLessThan(5L << 20);
    Trees.assertSameTree(source, target);
  }

  @Test
  void aBlobThatOccursManyTimesIsFetchedOnce() throws IOException {
    byte[] same = Trees.random(9, 70_000);
    for (int i = 0; i < 6; i++) {
      Trees.write(source.resolve("copy-" + i), same);
    }
    Snapshot s = backup();
    Path target = tmp.resolve("fetched-once");
    RestoreResult r =
        new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY), new Progress())
            .restore(s, target);

    // Random bytes are stored as they are: what was fetched is the content once, not six times.
    assertThat(r.downloadedBytes()).isEqualTo(70_000);
    Trees.assertSameTree(source, target);
  }
}
