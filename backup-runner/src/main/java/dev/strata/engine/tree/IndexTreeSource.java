package dev.strata.engine.tree;

import dev.strata.engine.index.DirIndex;
import dev.strata.engine.index.FileIndex;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

/**
 * A tree held whole in memory (a format-1 index, or a tree a test built) as a stream of records, so
 * that restore, verify and garbage collection read both formats the same way. Files that other
 * entries link to are flagged {@code hardLinked}, as format 2 records them.
 */
public final class IndexTreeSource implements TreeSource {

  private final Deque<Frame> stack = new ArrayDeque<>();
  private final Set<String> linkTargets = new HashSet<>();
  private boolean started;
  private final DirIndex root;

  private static final class Frame {
    final DirIndex dir;
    final String path;
    final Iterator<FileIndex> files;
    final Iterator<DirIndex> dirs;

    Frame(DirIndex dir, String path) {
      this.dir = dir;
      this.path = path;
      this.files = dir.filesPresent().iterator();
      this.dirs = dir.subDirsPresent().iterator();
    }
  }

  public IndexTreeSource(DirIndex root) {
    this.root = root;
    collectLinks(root);
  }

  private void collectLinks(DirIndex d) {
    for (FileIndex f : d.filesPresent()) {
      if (f.hardLink() != null) {
        linkTargets.add(f.hardLink());
      }
    }
    d.subDirsPresent().forEach(this::collectLinks);
  }

  @Override
  public TreeEntry next() {
    if (!started) {
      started = true;
      stack.push(new Frame(root, ""));
      return open(root);
    }
    if (stack.isEmpty()) {
      return null;
    }
    Frame f = stack.peek();
    if (f.files.hasNext()) {
      FileIndex file = f.files.next();
      String path = f.path.isEmpty() ? file.name() : f.path + "/" + file.name();
      return new TreeEntry.File(file, !file.isSymlink() && linkTargets.contains(path));
    }
    if (f.dirs.hasNext()) {
      DirIndex d = f.dirs.next();
      stack.push(new Frame(d, f.path.isEmpty() ? d.name() : f.path + "/" + d.name()));
      return open(d);
    }
    stack.pop();
    return new TreeEntry.End(f.dir.filesRemoved(), f.dir.subDirsRemoved());
  }

  private static TreeEntry open(DirIndex d) {
    return new TreeEntry.Dir(d.name(), d.metadata(), d.xattrs());
  }
}
