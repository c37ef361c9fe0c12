package dev.strata.cli;

import dev.strata.engine.index.FileIndex;
import dev.strata.engine.index.FileMetadata;
import dev.strata.engine.tree.TreeEntry;
import dev.strata.engine.tree.TreeSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A snapshot's tree walked in order, each entry with its path from the root ("" for the root
 * itself).
 */
final class TreeWalk {

  private TreeWalk() {}

  interface Visitor {
    /** Returns false to stop the walk. */
    boolean visit(String path, TreeEntry entry);
  }

  /**
   * Walks the whole tree (closing it) and calls the visitor for every directory, file and symlink.
   */
  static void walk(TreeSource tree, Visitor v) {
    try (tree) {
      List<String> dirs = new ArrayList<>();
      for (TreeEntry e = tree.next(); e != null; e = tree.next()) {
        if (e instanceof TreeEntry.Dir d) {
          String path = dirs.isEmpty() ? "" : join(dirs.get(dirs.size() - 1), d.name());
          dirs.add(path);
          if (!v.visit(path, d)) {
            return;
          }
        } else if (e instanceof TreeEntry.End) {
          dirs.remove(dirs.size() - 1);
        } else if (!v.visit(
            join(dirs.get(dirs.size() - 1), ((TreeEntry.File) e).file().name()), e)) {
          return;
        }
      }
    }
  }

  static String join(String parent, String name) {
    return parent.isEmpty() ? name : parent + "/" + name;
  }

  /** A path as users type it: no leading or trailing slashes, "" for the root. */
  static String normalize(String path) {
    if (path == null) {
      return "";
    }
    String p = path.strip().replaceAll("/+", "/").replaceAll("^/|/$", "");
    return p.equals(".") ? "" : p.startsWith("./") ? p.substring(2) : p;
  }

  /** One entry of a snapshot as `ls --json` and `find --json` print it. */
  public record Node(
      String path,
      String type,
      long size,
      String mode,
      Instant mtime,
      String linkTarget,
      String hardLinkTo) {

    static Node of(String path, TreeEntry e) {
      if (e instanceof TreeEntry.Dir d) {
        return new Node(path, "dir", 0, mode(d.metadata()), mtime(d.metadata()), null, null);
      }
      FileIndex f = ((TreeEntry.File) e).file();
      return new Node(
          path,
          f.isSymlink() ? "symlink" : "file",
          f.isSymlink() ? 0 : f.metadata().size(),
          mode(f.metadata()),
          mtime(f.metadata()),
          f.isSymlink() ? f.linkTarget() : null,
          f.hardLink());
    }

    private static String mode(FileMetadata m) {
      return String.format("%04o", m.mode() & 07777);
    }

    private static Instant mtime(FileMetadata m) {
      return Instant.EPOCH.plusNanos(m.mtimeNanos());
    }

    /** The line `ls --long` prints. */
    String longLine() {
      String kind = type.equals("dir") ? "d" : type.equals("symlink") ? "l" : "-";
      String name =
          dev.strata.engine.Names.safe(path.isEmpty() ? "/" : path)
              + (type.equals("dir") && !path.isEmpty() ? "/" : "");
      String extra =
          linkTarget != null
              ? " -> " + dev.strata.engine.Names.safe(linkTarget)
              : hardLinkTo != null
                  ? "  (hard link to " + dev.strata.engine.Names.safe(hardLinkTo) + ")"
                  : "";
      return String.format(
          "%s%s  %12d  %s  %s%s", kind, mode, size, Output.time(mtime), name, extra);
    }

    /** The line plain `ls` prints. */
    String shortLine() {
      return dev.strata.engine.Names.safe(path.isEmpty() ? "/" : path)
          + (type.equals("dir") && !path.isEmpty() ? "/" : "");
    }
  }
}
