package dev.strata.engine;

import dev.strata.engine.format.Repository;
import dev.strata.engine.index.FileBlob;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.StoreException;
import dev.strata.engine.store.StoreLayout;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Reads one regular file of a snapshot, blob by blob in order, each checked against its id before
 * it is passed on.
 */
public final class SnapshotFiles {

  private final Repository repo;
  private final BlobSource blobs;

  public SnapshotFiles(Repository repo) {
    this.repo = repo;
    this.blobs = new BlobSource(repo, null);
  }

  /**
   * Writes a file's content; memory holds one blob at a time.
   *
   * @param relPath the file's path in the snapshot, for messages
   * @throws IntegrityException when a blob is missing or does not match its id (what was written
   *     before stays written)
   */
  public long copy(Snapshot snapshot, FileIndex file, String relPath, OutputStream out) {
    if (file.isSymlink() || file.hardLink() != null) {
      throw new IllegalArgumentException(relPath + " is not a file with content of its own");
    }
    long written = 0;
    for (FileBlob b : file.blobs()) {
      if (b.offset() != written) {
        throw new IntegrityException(
            "file "
                + Names.safe(relPath)
                + " of snapshot "
                + snapshot.snapshotId()
                + " has a gap at offset "
                + written);
      }
      byte[] data = read(snapshot, b, relPath);
      try {
        out.write(data);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot write " + Names.safe(relPath) + ": " + e.getMessage(), e);
      }
      written += data.length;
    }
    if (written != file.metadata().size()) {
      throw new IntegrityException(
          "file "
              + Names.safe(relPath)
              + " of snapshot "
              + snapshot.snapshotId()
              + " has "
              + written
              + " bytes in its blobs but "
              + file.metadata().size()
              + " in its index");
    }
    return written;
  }

  private byte[] read(Snapshot snapshot, FileBlob b, String relPath) {
    Metadata md = new Metadata(snapshot.metadata().sourceId(), relPath, b.size());
    byte[] id = Hashing.unhex(b.id());
    byte[] data;
    if (snapshot.formatVersion() == 1) {
      try {
        data = repo.store().get(StoreLayout.blobKey(b.id()), md);
      } catch (StoreException e) {
        if (e.kind() == StoreException.Kind.NOT_FOUND) {
          throw missing(snapshot, b, relPath);
        }
        throw e;
      }
      if (!Arrays.equals(Hashing.sha256(data), id)) {
        throw new IntegrityException(
            "file "
                + Names.safe(relPath)
                + " of snapshot "
                + snapshot.snapshotId()
                + ": blob "
                + b.id()
                + " does not match its checksum (the store object is corrupt)");
      }
    } else {
      try {
        data = blobs.read(id, md);
      } catch (StoreException e) {
        if (e.kind() == StoreException.Kind.NOT_FOUND) {
          throw missing(snapshot, b, relPath);
        }
        throw e;
      } catch (IntegrityException e) {
        // Name the file, as a restore does: the blob's id alone does not tell a person what is
        // lost.
        throw new IntegrityException(
            "file "
                + Names.safe(relPath)
                + " of snapshot "
                + snapshot.snapshotId()
                + " at offset "
                + b.offset()
                + ": "
                + e.getMessage());
      }
    }
    if (data.length != b.size()) {
      throw new IntegrityException(
          "file "
              + Names.safe(relPath)
              + " of snapshot "
              + snapshot.snapshotId()
              + ": blob "
              + b.id()
              + " is "
              + data.length
              + " bytes, its index says "
              + b.size());
    }
    return data;
  }

  private static IntegrityException missing(Snapshot snapshot, FileBlob b, String relPath) {
    return new IntegrityException(
        "file "
            + Names.safe(relPath)
            + " of snapshot "
            + snapshot.snapshotId()
            + ": blob "
            + b.id()
            + " at offset "
            + b.offset()
            + " is missing from the store (see `strata verify`)");
  }
}
