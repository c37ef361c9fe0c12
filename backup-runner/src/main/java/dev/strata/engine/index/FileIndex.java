package dev.strata.engine.index;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * One file of a snapshot: its base name, kind, metadata, blobs and checksum. A symlink has no blobs
 * and keeps its target as written (it is never followed). The checksum is the SHA-256 over the
 * concatenated blob digests, so two files with equal checksums have equal content.
 *
 * <p>Optional, absent in most entries (and ignored by readers that predate them, which then restore
 * plain copies): {@code xattrs}, the user extended attributes and POSIX ACLs, name to base64 value;
 * {@code hardLink}, the path (from the snapshot's root) of an earlier entry of this snapshot that
 * is the same inode, which a restore links this name to (the entry still lists the same blobs);
 * {@code changed}, true when the file kept changing while it was read and the backup recorded it
 * anyway (the file-change policy {@code record}): its bytes may mix moments.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FileIndex(
    String name,
    Kind kind,
    FileMetadata metadata,
    List<FileBlob> blobs,
    String checksum,
    String linkTarget,
    Map<String, String> xattrs,
    String hardLink,
    Boolean changed) {

  public enum Kind {
    FILE,
    SYMLINK
  }

  public FileIndex {
    blobs = blobs == null ? List.of() : List.copyOf(blobs);
    xattrs = xattrs == null || xattrs.isEmpty() ? null : Map.copyOf(xattrs);
    changed = Boolean.TRUE.equals(changed) ? Boolean.TRUE : null;
  }

  public FileIndex(
      String name,
      Kind kind,
      FileMetadata metadata,
      List<FileBlob> blobs,
      String checksum,
      String linkTarget) {
    this(name, kind, metadata, blobs, checksum, linkTarget, null, null, null);
  }

  public static FileIndex file(
      String name, FileMetadata metadata, List<FileBlob> blobs, String checksum) {
    return new FileIndex(name, Kind.FILE, metadata, blobs, checksum, null);
  }

  public static FileIndex symlink(String name, FileMetadata metadata, String target) {
    return new FileIndex(name, Kind.SYMLINK, metadata, List.of(), null, target);
  }

  public boolean isSymlink() {
    return kind == Kind.SYMLINK;
  }

  public boolean isChanged() {
    return Boolean.TRUE.equals(changed);
  }

  public FileIndex withMetadata(FileMetadata newMetadata) {
    return new FileIndex(
        name, kind, newMetadata, blobs, checksum, linkTarget, xattrs, hardLink, changed);
  }

  public FileIndex withXattrs(Map<String, String> x) {
    return new FileIndex(name, kind, metadata, blobs, checksum, linkTarget, x, hardLink, changed);
  }

  public FileIndex withHardLink(String path, List<FileBlob> sameBlobs, String sameChecksum) {
    return new FileIndex(
        name, kind, metadata, sameBlobs, sameChecksum, linkTarget, xattrs, path, changed);
  }

  public FileIndex withChanged(boolean c) {
    return new FileIndex(
        name,
        kind,
        metadata,
        blobs,
        checksum,
        linkTarget,
        xattrs,
        hardLink,
        c ? Boolean.TRUE : null);
  }
}
