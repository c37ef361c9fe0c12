package dev.strata.engine.tree;

import dev.strata.engine.index.FileBlob;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.index.IndexValidator;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a tree as it streams past, with the same rules as {@link IndexValidator} and whoever reads
 * it (restore, verify, a backup's base, garbage collection): one root, balanced directories, at
 * most {@link #MAX_DEPTH} deep; safe names, no name twice in a directory, files before
 * sub-directories, each in name order; metadata and attributes in range; a file's blobs with
 * well-formed ids and sizes that add up to the file's; hard links only to an earlier regular file
 * flagged as linked, with the same blobs. Memory: one directory's names per level, and the paths
 * and blob-list hashes of linked files.
 */
public final class ValidatingTreeSource implements TreeSource {

  public static final int MAX_DEPTH = 2048;

  /**
   * No blob of either format is larger (format 1's largest chunk size; format 2's chunks are at
   * most 16 MiB).
   */
  public static final long MAX_BLOB = 64L << 20;

  private final TreeSource source;
  private final String snapshotId;
  private final Deque<Level> stack = new ArrayDeque<>();
  private final Map<String, Long> linked = new HashMap<>();
  private boolean ended;
  private boolean started;
  private final boolean strict;

  private static final class Level {
    final String path;
    final Set<String> fileNames = new HashSet<>();
    String lastFile;
    String lastDir;
    boolean inDirs;

    Level(String path) {
      this.path = path;
    }
  }

  /**
   * @param strict format 2's rules too: names in order, and hard links only to earlier entries
   *     flagged as linked. A format-1 index was checked whole by {@link IndexValidator} as it was
   *     read; its order and links follow older rules.
   */
  public ValidatingTreeSource(TreeSource source, String snapshotId, boolean strict) {
    this.source = source;
    this.snapshotId = snapshotId;
    this.strict = strict;
  }

  @Override
  public TreeEntry next() {
    TreeEntry e = source.next();
    if (e == null) {
      if (!ended) {
        throw IndexValidator.reject(
            snapshotId,
            stack.isEmpty() ? "." : stack.peek().path,
            "the tree ends before its root directory closes");
      }
      return null;
    }
    if (ended) {
      throw IndexValidator.reject(
          snapshotId, ".", "the tree goes on after its root directory closes");
    }
    if (!started) {
      started = true;
      if (!(e instanceof TreeEntry.Dir d) || !"".equals(d.name())) {
        throw IndexValidator.reject(
            snapshotId, "", "the root directory has a name instead of none");
      }
      IndexValidator.requireMetadata(snapshotId, d.metadata(), ".");
      IndexValidator.requireXattrs(snapshotId, d.xattrs(), ".");
      stack.push(new Level(""));
      return e;
    }
    Level here = stack.peek();
    if (e instanceof TreeEntry.End) {
      stack.pop();
      if (stack.isEmpty()) {
        ended = true;
      }
      return e;
    }
    if (e instanceof TreeEntry.Dir d) {
      String name = IndexValidator.checkName(snapshotId, d.name(), here.path);
      String path = join(here.path, name);
      if (here.fileNames.contains(name)
          || (here.lastDir != null
              && (strict ? here.lastDir.compareTo(name) >= 0 : here.lastDir.equals(name)))) {
        throw IndexValidator.reject(
            snapshotId, path, "the name appears twice in its directory, or out of order");
      }
      here.inDirs = true;
      here.lastDir = name;
      IndexValidator.requireMetadata(snapshotId, d.metadata(), path);
      IndexValidator.requireXattrs(snapshotId, d.xattrs(), path);
      if (stack.size() >= MAX_DEPTH) {
        throw IndexValidator.reject(snapshotId, path, "directories nest deeper than " + MAX_DEPTH);
      }
      stack.push(new Level(path));
      return e;
    }
    TreeEntry.File fe = (TreeEntry.File) e;
    FileIndex f = fe.file();
    String name = IndexValidator.checkName(snapshotId, f.name(), here.path);
    String path = join(here.path, name);
    if (here.inDirs) {
      throw IndexValidator.reject(
          snapshotId, path, "a file is listed after its directory's sub-directories");
    }
    if (strict
        ? here.lastFile != null && here.lastFile.compareTo(name) >= 0
        : here.fileNames.contains(name)) {
      throw IndexValidator.reject(
          snapshotId, path, "the name appears twice in its directory, or out of order");
    }
    here.lastFile = name;
    here.fileNames.add(name);
    checkFile(snapshotId, path, fe);
    if (f.hardLink() != null && strict) {
      Long target = linked.get(f.hardLink());
      if (target == null || target != blobsHash(f.blobs()) || fe.hardLinked()) {
        throw IndexValidator.reject(
            snapshotId,
            path,
            "it is a hard link to '"
                + f.hardLink()
                + "', which is not an earlier regular file of this snapshot with the same content");
      }
    }
    if (fe.hardLinked()) {
      if (f.hardLink() != null) {
        throw IndexValidator.reject(snapshotId, path, "a hard link cannot itself be linked to");
      }
      linked.put(path, blobsHash(f.blobs()));
    }
    return e;
  }

  /**
   * The checks of one file or symlink record that need nothing around it: kind, metadata,
   * attributes, symlink target, blob ids and sizes adding up to the file's. Garbage collection,
   * which reads each distinct piece of tree once, checks every record with it.
   */
  public static void checkFile(String snapshotId, String path, TreeEntry.File fe) {
    FileIndex f = fe.file();
    if (f.kind() == null) {
      throw IndexValidator.reject(snapshotId, path, "the entry has no kind");
    }
    IndexValidator.requireMetadata(snapshotId, f.metadata(), path);
    IndexValidator.requireXattrs(snapshotId, f.xattrs(), path);
    if (f.isSymlink()) {
      if (f.linkTarget() == null || f.linkTarget().isEmpty() || f.linkTarget().indexOf('\0') >= 0) {
        throw IndexValidator.reject(snapshotId, path, "the symlink has no valid target");
      }
      if (!f.blobs().isEmpty() || f.hardLink() != null || fe.hardLinked()) {
        throw IndexValidator.reject(snapshotId, path, "a symlink cannot have blobs or hard links");
      }
      return;
    }
    long total = 0;
    for (FileBlob b : f.blobs()) {
      if (!isHexId(b.id())) {
        throw IndexValidator.reject(
            snapshotId, path, "blob id '" + b.id() + "' is not a 64-digit hex id");
      }
      if (b.size() <= 0 || b.size() > MAX_BLOB || b.offset() != total) {
        throw IndexValidator.reject(
            snapshotId,
            path,
            "its blobs do not cover the file exactly (blob at offset " + b.offset() + ")");
      }
      total += b.size();
    }
    if (total != f.metadata().size()) {
      throw IndexValidator.reject(
          snapshotId,
          path,
          "its blobs hold " + total + " bytes but the file has " + f.metadata().size());
    }
  }

  /**
   * 64 lower-case hex digits (checked by hand: a regular expression cost a tenth of an unchanged
   * backup).
   */
  static boolean isHexId(String id) {
    if (id == null || id.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = id.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /** The checks of one directory record that need nothing around it. */
  public static void checkDir(String snapshotId, String path, TreeEntry.Dir d) {
    IndexValidator.requireMetadata(snapshotId, d.metadata(), path);
    IndexValidator.requireXattrs(snapshotId, d.xattrs(), path);
  }

  static long blobsHash(List<FileBlob> blobs) {
    long h = 1125899906842597L;
    for (FileBlob b : blobs) {
      h = 31 * h + b.id().hashCode();
      h = 31 * h + b.size();
    }
    return h;
  }

  private static String join(String parent, String name) {
    return parent.isEmpty() ? name : parent + "/" + name;
  }

  @Override
  public void close() {
    source.close();
  }
}
