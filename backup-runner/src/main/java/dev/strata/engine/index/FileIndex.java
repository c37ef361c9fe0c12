package dev.strata.engine.index;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One file of a snapshot: its base name, kind, metadata, blobs and checksum. A symlink has no blobs and keeps its
 * target as written (it is never followed). The checksum is the SHA-256 over the concatenated blob digests, so two
 * files with equal checksums have equal content.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FileIndex(
    String name, Kind kind, FileMetadata metadata, List<FileBlob> blobs, String checksum, String linkTarget) {

  public enum Kind {
    FILE,
    SYMLINK
  }

  public FileIndex {
    blobs = blobs == null ? List.of() : List.copyOf(blobs);
  }

  public static FileIndex file(String name, FileMetadata metadata, List<FileBlob> blobs, String checksum) {
    return new FileIndex(name, Kind.FILE, metadata, blobs, checksum, null);
  }

  public static FileIndex symlink(String name, FileMetadata metadata, String target) {
    return new FileIndex(name, Kind.SYMLINK, metadata, List.of(), null, target);
  }

  public boolean isSymlink() {
    return kind == Kind.SYMLINK;
  }

  public FileIndex withMetadata(FileMetadata newMetadata) {
    return new FileIndex(name, kind, newMetadata, blobs, checksum, linkTarget);
  }
}
