package dev.strata.engine.index;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Refuses an index that a restore must not trust: names that are empty, "." or "..", or contain '/' or NUL (so no entry
 * can point outside its directory), two entries of one name in a directory (so no path can pass through a symlink the
 * restore itself creates), blobs that do not tile the file exactly, and malformed blob ids. Run before anything is
 * written.
 */
public final class IndexValidator {

  private static final Pattern BLOB_ID = Pattern.compile("[0-9a-f]{64}");

  private IndexValidator() {}

  public static void validate(SnapshotIndex index) {
    if (index.chunkSize() <= 0) {
      throw reject(index, "", "chunkSize " + index.chunkSize() + " is not positive");
    }
    DirIndex root = index.root();
    if (!root.name().isEmpty()) {
      throw reject(index, "", "the root directory has the name '" + root.name() + "' instead of none");
    }
    validateDir(index, root, "");
  }

  private static void validateDir(SnapshotIndex index, DirIndex dir, String path) {
    requireMetadata(index, dir.metadata(), path.isEmpty() ? "." : path);
    Set<String> names = new HashSet<>();
    for (FileIndex f : dir.filesPresent()) {
      String child = join(path, checkName(index, f.name(), path));
      if (!names.add(f.name())) {
        throw reject(index, child, "the name appears twice in its directory");
      }
      validateFile(index, f, child);
    }
    for (DirIndex d : dir.subDirsPresent()) {
      String child = join(path, checkName(index, d.name(), path));
      if (!names.add(d.name())) {
        throw reject(index, child, "the name appears twice in its directory");
      }
      validateDir(index, d, child);
    }
  }

  private static void validateFile(SnapshotIndex index, FileIndex f, String path) {
    if (f.kind() == null) {
      throw reject(index, path, "the entry has no kind");
    }
    requireMetadata(index, f.metadata(), path);
    if (f.isSymlink()) {
      if (f.linkTarget() == null || f.linkTarget().isEmpty() || f.linkTarget().indexOf('\0') >= 0) {
        throw reject(index, path, "the symlink has no valid target");
      }
      if (!f.blobs().isEmpty()) {
        throw reject(index, path, "a symlink cannot have blobs");
      }
      return;
    }
    long expected = 0;
    for (FileBlob b : f.blobs()) {
      if (b.id() == null || !BLOB_ID.matcher(b.id()).matches()) {
        throw reject(index, path, "blob id '" + b.id() + "' is not a SHA-256 in hex");
      }
      if (b.offset() != expected || b.size() <= 0 || b.size() > index.chunkSize()) {
        throw reject(index, path, "its blobs do not cover the file exactly (blob at offset " + b.offset() + ")");
      }
      expected += b.size();
    }
    if (expected != f.metadata().size()) {
      throw reject(index, path, "its blobs hold " + expected + " bytes but the file has " + f.metadata().size());
    }
  }

  private static void requireMetadata(SnapshotIndex index, FileMetadata m, String path) {
    if (m == null || m.size() < 0 || m.mode() < 0 || m.mode() > 07777) {
      throw reject(index, path, "its metadata is missing or out of range");
    }
  }

  private static String checkName(SnapshotIndex index, String name, String parent) {
    if (name == null
        || name.isEmpty()
        || name.equals(".")
        || name.equals("..")
        || name.indexOf('/') >= 0
        || name.indexOf('\0') >= 0) {
      throw reject(
          index,
          parent.isEmpty() ? "." : parent,
          "it holds the unsafe entry name '" + name + "' (names must not be empty, '.', '..' or contain '/')");
    }
    return name;
  }

  private static String join(String parent, String name) {
    return parent.isEmpty() ? name : parent + "/" + name;
  }

  private static IndexFormatException reject(SnapshotIndex index, String path, String why) {
    return new IndexFormatException(
        "refusing snapshot " + index.snapshotId() + ": its index is unsafe at '" + path + "': " + why);
  }
}
