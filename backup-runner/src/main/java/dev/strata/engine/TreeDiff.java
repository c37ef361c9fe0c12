package dev.strata.engine;

import dev.strata.engine.fs.DirHandle;
import dev.strata.engine.fs.PosixException;
import dev.strata.engine.fs.Stat;
import dev.strata.engine.index.DirIndex;
import dev.strata.engine.index.FileIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a backup of a local tree would change against a snapshot, using the same DirDiff rules as
 * the backup itself: paths added, changed (present on both sides but not retained), and removed.
 * Directories end in '/'. The tree is read through directory handles, as a backup reads it: no
 * symlink is followed.
 */
public record TreeDiff(
    List<String> added, List<String> changed, List<String> removed, long unchanged) {

  public static TreeDiff compute(Path localRoot, DirIndex remoteRoot, boolean fullCheck) {
    List<String> added = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    long[] unchanged = {0};
    try (DirHandle root = DirHandle.open(localRoot)) {
      walk(root, "", remoteRoot, fullCheck, added, changed, removed, unchanged);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + localRoot + ": " + e.getMessage(), e);
    }
    return new TreeDiff(added, changed, removed, unchanged[0]);
  }

  static List<LocalEntry> list(DirHandle dir) throws IOException {
    List<LocalEntry> out = new ArrayList<>();
    for (String n : dir.list()) {
      Stat st = dir.statAtOrNull(n);
      if (st != null) {
        try {
          out.add(LocalEntry.of(n, st, st.isSymlink() ? dir.readLink(n) : null));
        } catch (NoSuchFileException gone) {
          // removed while listed
        }
      }
    }
    out.sort((a, b) -> a.name().compareTo(b.name()));
    return out;
  }

  private static void walk(
      DirHandle dir,
      String rel,
      DirIndex remote,
      boolean fullCheck,
      List<String> added,
      List<String> changed,
      List<String> removed,
      long[] unchanged)
      throws IOException {
    DirDiff diff = DirDiff.compute(list(dir), remote, fullCheck);
    unchanged[0] += diff.filesRetained().size();
    for (LocalEntry e : diff.filesAdded()) {
      FileIndex before = remote == null ? null : remote.file(e.name());
      (before == null ? added : changed).add(join(rel, e.name()));
    }
    for (String name : diff.filesRemoved()) {
      boolean replaced = diff.filesAdded().stream().anyMatch(e -> e.name().equals(name));
      if (!replaced) {
        removed.add(join(rel, name));
      }
    }
    for (String name : diff.subDirsRemoved()) {
      removed.add(join(rel, name) + "/");
    }
    for (LocalEntry d : diff.subDirsAdded()) {
      added.add(join(rel, d.name()) + "/");
      descend(
          dir, d.name(), join(rel, d.name()), null, fullCheck, added, changed, removed, unchanged);
    }
    for (DirDiff.RetainedDir d : diff.subDirsRetained()) {
      descend(
          dir,
          d.local().name(),
          join(rel, d.local().name()),
          d.remote(),
          fullCheck,
          added,
          changed,
          removed,
          unchanged);
    }
  }

  private static void descend(
      DirHandle dir,
      String name,
      String rel,
      DirIndex remote,
      boolean fullCheck,
      List<String> added,
      List<String> changed,
      List<String> removed,
      long[] unchanged)
      throws IOException {
    try (DirHandle sub = dir.openDir(name)) {
      walk(sub, rel, remote, fullCheck, added, changed, removed, unchanged);
    } catch (NoSuchFileException | PosixException gone) {
      // vanished or replaced since it was listed: never entered
    }
  }

  private static String join(String parent, String name) {
    return parent.isEmpty() ? name : parent + "/" + name;
  }
}
