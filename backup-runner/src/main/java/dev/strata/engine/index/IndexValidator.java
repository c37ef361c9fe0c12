package dev.strata.engine.index;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one check of an index's structure and numbers, run whenever an index is read ({@link
 * IndexCodec#decode}: restore, verify, a backup's base, garbage collection) and again before a
 * restore writes anything. It refuses names that are empty, "." or "..", longer than 255 bytes, or
 * contain '/' or NUL (so no entry can point outside its directory); two entries of one name in a
 * directory (so no path can pass through a symlink the restore itself creates); a chunk size
 * outside what backups write (64 KiB to 64 MiB); blobs that do not tile the file exactly at that
 * chunk size, or malformed blob ids; negative sizes or counts; modes beyond 07777; hard links to
 * anything but a regular file of the same snapshot; extended attributes outside user.* and the
 * POSIX ACLs, or not in base64.
 */
public final class IndexValidator {

  public static final Pattern BLOB_ID = Pattern.compile("[0-9a-f]{64}");

  private IndexValidator() {}

  public static final int MIN_CHUNK_SIZE = 64 * 1024;
  public static final int MAX_CHUNK_SIZE = 64 * 1024 * 1024;

  public static void validate(SnapshotIndex index) {
    if (index.chunkSize() < MIN_CHUNK_SIZE || index.chunkSize() > MAX_CHUNK_SIZE) {
      throw reject(
          index,
          "",
          "chunkSize "
              + index.chunkSize()
              + " is outside "
              + MIN_CHUNK_SIZE
              + " to "
              + MAX_CHUNK_SIZE);
    }
    SnapshotStats st = index.stats();
    if (st != null
        && (st.files() < 0
            || st.directories() < 0
            || st.symlinks() < 0
            || st.totalBytes() < 0
            || st.uploadedBytes() < 0
            || st.reusedBytes() < 0)) {
      throw reject(index, "", "its stats hold a negative number");
    }
    DirIndex root = index.root();
    if (root == null || root.name() == null || !root.name().isEmpty()) {
      throw reject(index, "", "the root directory has a name instead of none");
    }
    java.util.Map<String, FileIndex> regular = new java.util.HashMap<>();
    java.util.List<String[]> links = new java.util.ArrayList<>();
    validateDir(index, root, "", regular, links);
    for (String[] l : links) {
      FileIndex target = regular.get(l[1]);
      FileIndex link = regular.get(l[0]);
      if (target == null
          || target.hardLink() != null
          || link == null
          || !target.blobs().equals(link.blobs())) {
        throw reject(
            index,
            l[0],
            "it is a hard link to '"
                + l[1]
                + "', which is not a regular file of this snapshot with the same content");
      }
    }
  }

  private static void validateDir(
      SnapshotIndex index,
      DirIndex dir,
      String path,
      java.util.Map<String, FileIndex> regular,
      java.util.List<String[]> links) {
    requireMetadata(index, dir.metadata(), path.isEmpty() ? "." : path);
    requireXattrs(index, dir.xattrs(), path.isEmpty() ? "." : path);
    Set<String> names = new HashSet<>();
    for (FileIndex f : dir.filesPresent()) {
      String child = join(path, checkName(index, f.name(), path));
      if (!names.add(f.name())) {
        throw reject(index, child, "the name appears twice in its directory");
      }
      validateFile(index, f, child);
      if (!f.isSymlink()) {
        regular.put(child, f);
        if (f.hardLink() != null) {
          links.add(new String[] {child, f.hardLink()});
        }
      }
    }
    for (DirIndex d : dir.subDirsPresent()) {
      String child = join(path, checkName(index, d.name(), path));
      if (!names.add(d.name())) {
        throw reject(index, child, "the name appears twice in its directory");
      }
      validateDir(index, d, child, regular, links);
    }
  }

  private static void validateFile(SnapshotIndex index, FileIndex f, String path) {
    if (f.kind() == null) {
      throw reject(index, path, "the entry has no kind");
    }
    requireMetadata(index, f.metadata(), path);
    requireXattrs(index, f.xattrs(), path);
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
      boolean last = b == f.blobs().get(f.blobs().size() - 1);
      if (b.offset() != expected
          || b.size() <= 0
          || b.size() > index.chunkSize()
          || (!last && b.size() != index.chunkSize())) {
        throw reject(
            index,
            path,
            "its blobs do not cover the file exactly (blob at offset " + b.offset() + ")");
      }
      expected += b.size();
    }
    if (expected != f.metadata().size()) {
      throw reject(
          index,
          path,
          "its blobs hold " + expected + " bytes but the file has " + f.metadata().size());
    }
  }

  private static void requireXattrs(
      SnapshotIndex index, java.util.Map<String, String> xattrs, String path) {
    requireXattrs(index.snapshotId(), xattrs, path);
  }

  /**
   * Extended attributes a snapshot may hold: user.* and the POSIX ACLs, base64, at most 64 KiB
   * each.
   */
  public static void requireXattrs(
      String snapshotId, java.util.Map<String, String> xattrs, String path) {
    if (xattrs == null) {
      return;
    }
    for (java.util.Map.Entry<String, String> e : xattrs.entrySet()) {
      if (e.getKey() == null
          || !dev.strata.engine.fs.Xattrs.kept(e.getKey())
          || e.getValue() == null) {
        throw reject(
            snapshotId,
            path,
            "it has the extended attribute '" + e.getKey() + "', which a snapshot does not hold");
      }
      try {
        if (java.util.Base64.getDecoder().decode(e.getValue()).length > 65536) {
          throw reject(
              snapshotId, path, "its extended attribute " + e.getKey() + " is larger than 64 KiB");
        }
      } catch (IllegalArgumentException notBase64) {
        throw reject(snapshotId, path, "its extended attribute " + e.getKey() + " is not base64");
      }
    }
  }

  private static void requireMetadata(SnapshotIndex index, FileMetadata m, String path) {
    requireMetadata(index.snapshotId(), m, path);
  }

  public static void requireMetadata(String snapshotId, FileMetadata m, String path) {
    if (m == null || m.size() < 0 || m.mode() < 0 || m.mode() > 07777) {
      throw reject(snapshotId, path, "its metadata is missing or out of range");
    }
  }

  private static String checkName(SnapshotIndex index, String name, String parent) {
    return checkName(index.snapshotId(), name, parent);
  }

  /**
   * A name that is safe in a directory: not empty, '.' or '..', no '/' or NUL, at most 255 bytes.
   */
  public static String checkName(String snapshotId, String name, String parent) {
    if (name == null
        || name.isEmpty()
        || name.equals(".")
        || name.equals("..")
        || name.indexOf('/') >= 0
        || name.indexOf('\0') >= 0
        || name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
      throw reject(
          snapshotId,
          parent.isEmpty() ? "." : parent,
          "it holds the unsafe entry name '"
              + dev.strata.engine.Names.safe(name)
              + "' (names must not be empty, '.', '..', longer than 255 bytes or contain '/')");
    }
    return name;
  }

  private static String join(String parent, String name) {
    return parent.isEmpty() ? name : parent + "/" + name;
  }

  private static IndexFormatException reject(SnapshotIndex index, String path, String why) {
    return reject(index.snapshotId(), path, why);
  }

  public static IndexFormatException reject(String snapshotId, String path, String why) {
    return new IndexFormatException(
        "refusing snapshot "
            + snapshotId
            + ": its index is unsafe at '"
            + dev.strata.engine.Names.safe(path)
            + "': "
            + why);
  }
}
