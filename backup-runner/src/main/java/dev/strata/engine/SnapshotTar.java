package dev.strata.engine;

import dev.strata.engine.format.Repository;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.index.FileMetadata;
import dev.strata.engine.tree.TreeEntry;
import java.util.HashMap;
import java.util.Map;

/**
 * A part of a snapshot as a tar stream ({@link TarWriter}): the entries of a snapshot's validated
 * tree, in tree order, named by their path in the snapshot. What the engine promises of a restore
 * holds here too: only the blobs the index lists are read, each checked against its id before its
 * bytes are written; names come from a validated tree (no empty, "." or ".." component, no '/' or
 * NUL in a name, no name twice in a directory), so no entry of the archive reaches outside the
 * directory it is extracted into, nor passes through a symlink of the archive; symlinks are stored,
 * never followed. A hard link whose first name is in the archive is a tar hard link to it; one
 * whose first name is not (outside the dumped directory) gets its content, and later names of it
 * link to that one.
 */
public final class SnapshotTar {

  private final Snapshot snapshot;
  private final SnapshotFiles files;
  private final TarWriter tar;

  /** Hard-linked files: their path in the snapshot to the name they have in the archive. */
  private final Map<String, String> linked = new HashMap<>();

  private long entries;
  private long bytes;

  public SnapshotTar(Repository repo, Snapshot snapshot, java.io.OutputStream out) {
    this.snapshot = snapshot;
    this.files = new SnapshotFiles(repo);
    this.tar = new TarWriter(out);
  }

  /**
   * Adds one entry of the snapshot's tree, {@code path} its path from the root (never the root
   * itself).
   */
  public void add(String path, TreeEntry entry) {
    if (path.isEmpty()) {
      throw new IllegalArgumentException("the snapshot's root has no name in an archive");
    }
    entries++;
    if (entry instanceof TreeEntry.Dir d) {
      tar.directory(path, meta(d.metadata()));
      return;
    }
    TreeEntry.File fe = (TreeEntry.File) entry;
    FileIndex f = fe.file();
    TarWriter.Meta meta = meta(f.metadata());
    if (f.isSymlink()) {
      tar.symlink(path, f.linkTarget(), meta);
      return;
    }
    if (f.hardLink() != null) {
      String first = linked.get(f.hardLink());
      if (first != null) {
        tar.hardLink(path, first, meta);
        return;
      }
      // Its first name is outside what is dumped: this name carries the content, later names link
      // to it.
      linked.put(f.hardLink(), path);
      f =
          new FileIndex(
              f.name(),
              f.kind(),
              f.metadata(),
              f.blobs(),
              f.checksum(),
              null,
              f.xattrs(),
              null,
              f.changed());
    } else if (fe.hardLinked()) {
      linked.put(path, path);
    }
    tar.beginFile(path, f.metadata().size(), meta);
    bytes += files.copy(snapshot, f, path, tar.content());
    tar.endFile();
  }

  /** Ends the archive. */
  public void finish() {
    tar.finish();
  }

  /** Entries written so far. */
  public long entries() {
    return entries;
  }

  /** Content bytes written so far. */
  public long bytes() {
    return bytes;
  }

  private static TarWriter.Meta meta(FileMetadata m) {
    return new TarWriter.Meta(
        m.mode() & 07777,
        m.mtimeNanos(),
        Integer.toUnsignedLong(m.uid()),
        Integer.toUnsignedLong(m.gid()));
  }
}
