package dev.strata.engine.tree;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

/**
 * A snapshot's tree with only the files and symlinks a predicate selects, the directories that lead
 * to them, and the directories it selects itself (even empty). Streams like its source: a
 * directory's record is held back until something in it is kept, so memory grows with the tree's
 * depth only.
 *
 * <p>A selected hard link whose first name is not selected becomes a file of its own (its entry
 * lists the same blobs), and further selected names of that inode link to it: nothing outside the
 * selection is written for them.
 */
public final class SelectedTreeSource implements TreeSource {

  private final TreeSource source;
  private final Predicate<String> selected;

  /** The path of each directory open in the source, and whether its record has been passed on. */
  private final Deque<Open> open = new ArrayDeque<>();

  private final List<TreeEntry> out = new ArrayList<>();

  /**
   * An unselected first name of a hard-linked inode, to the selected name that stands in for it.
   */
  private final java.util.Map<String, String> standIns = new java.util.HashMap<>();

  private int taken;

  private static final class Open {
    final TreeEntry.Dir dir;
    final String path;
    boolean emitted;

    Open(TreeEntry.Dir dir, String path) {
      this.dir = dir;
      this.path = path;
    }
  }

  public SelectedTreeSource(TreeSource source, Predicate<String> selected) {
    this.source = source;
    this.selected = selected;
  }

  @Override
  public TreeEntry next() {
    while (taken >= out.size()) {
      out.clear();
      taken = 0;
      TreeEntry e = source.next();
      if (e == null) {
        return null;
      }
      pass(e);
    }
    return out.get(taken++);
  }

  private void pass(TreeEntry e) {
    if (e instanceof TreeEntry.Dir d) {
      Open parent = open.peek();
      Open o = new Open(d, parent == null ? "" : join(parent.path, d.name()));
      open.push(o);
      if (parent == null || selected.test(o.path)) {
        emitOpen(); // the root always; a selected directory even when empty
      }
    } else if (e instanceof TreeEntry.File f) {
      String path = join(open.peek().path, f.file().name());
      if (selected.test(path)) {
        emitOpen();
        out.add(relink(f, path));
      }
    } else {
      Open o = open.pop();
      if (o.emitted) {
        out.add(e);
      }
    }
  }

  private TreeEntry.File relink(TreeEntry.File f, String path) {
    String first = f.file().hardLink();
    if (first == null || selected.test(first)) {
      return f;
    }
    String standIn = standIns.get(first);
    if (standIn != null) {
      return new TreeEntry.File(
          f.file().withHardLink(standIn, f.file().blobs(), f.file().checksum()),
          false,
          f.ctimeNanos());
    }
    standIns.put(first, path);
    return new TreeEntry.File(
        f.file().withHardLink(null, f.file().blobs(), f.file().checksum()), true, f.ctimeNanos());
  }

  /** Passes on the records of the open directories not passed on yet, outermost first. */
  private void emitOpen() {
    List<Open> pending = new ArrayList<>();
    for (Open o : open) { // innermost first
      if (o.emitted) {
        break;
      }
      pending.add(o);
    }
    for (int i = pending.size() - 1; i >= 0; i--) {
      pending.get(i).emitted = true;
      out.add(pending.get(i).dir);
    }
  }

  private static String join(String parent, String name) {
    return parent.isEmpty() ? name : parent + "/" + name;
  }

  @Override
  public void close() {
    source.close();
  }
}
