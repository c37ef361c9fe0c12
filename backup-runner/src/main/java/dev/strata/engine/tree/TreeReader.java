package dev.strata.engine.tree;

import dev.strata.engine.index.DirIndex;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.index.IndexFormatException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link TreeSource} with one record of look-ahead, and the moves a merge with another tree
 * needs.
 */
public final class TreeReader implements TreeSource {

  private final TreeSource source;
  private TreeEntry peeked;
  private boolean hasPeeked;

  public TreeReader(TreeSource source) {
    this.source = source;
  }

  public TreeEntry peek() {
    if (!hasPeeked) {
      peeked = source.next();
      hasPeeked = true;
    }
    return peeked;
  }

  @Override
  public TreeEntry next() {
    TreeEntry e = peek();
    hasPeeked = false;
    return e;
  }

  /** The root directory's record; the stream must start with it. */
  public TreeEntry.Dir root() {
    TreeEntry e = next();
    if (!(e instanceof TreeEntry.Dir d) || !d.name().isEmpty()) {
      throw new IndexFormatException("a snapshot's tree does not start with its root directory");
    }
    return d;
  }

  /**
   * After a directory's record: its files and symlinks, up to its first sub-directory or its end.
   */
  public List<TreeEntry.File> files() {
    List<TreeEntry.File> out = new ArrayList<>();
    while (peek() instanceof TreeEntry.File f) {
      next();
      out.add(f);
    }
    return out;
  }

  /**
   * After a directory's record (and maybe some of its content): skips the rest of it, its end
   * included.
   */
  public void skipRest() {
    int depth = 1;
    while (depth > 0) {
      TreeEntry e = next();
      if (e == null) {
        throw new IndexFormatException("a snapshot's tree ends inside a directory");
      }
      if (e instanceof TreeEntry.Dir) {
        depth++;
      } else if (e instanceof TreeEntry.End) {
        depth--;
      }
    }
  }

  /**
   * Reads the whole rest of a directory into memory (for `show`, `diff` and tests; engines stream
   * instead).
   */
  public DirIndex readDir(TreeEntry.Dir self) {
    List<FileIndex> files = new ArrayList<>();
    for (TreeEntry.File f : files()) {
      files.add(f.file());
    }
    List<DirIndex> dirs = new ArrayList<>();
    TreeEntry.End end;
    while (true) {
      TreeEntry e = next();
      if (e == null) {
        throw new IndexFormatException(
            "a snapshot's tree ends inside directory '" + self.name() + "'");
      }
      if (e instanceof TreeEntry.End en) {
        end = en;
        break;
      }
      if (e instanceof TreeEntry.Dir d) {
        dirs.add(readDir(d));
      } else {
        throw new IndexFormatException(
            "a snapshot's tree lists a file after the sub-directories of '" + self.name() + "'");
      }
    }
    return new DirIndex(
        self.name(),
        self.metadata(),
        files,
        end.filesRemoved(),
        dirs,
        end.subDirsRemoved(),
        self.xattrs());
  }

  /** The whole tree in memory. */
  public DirIndex readAll() {
    return readDir(root());
  }

  @Override
  public void close() {
    source.close();
  }
}
