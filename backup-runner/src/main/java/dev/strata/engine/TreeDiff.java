package dev.strata.engine;

import dev.strata.engine.index.DirIndex;
import dev.strata.engine.index.FileIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a backup of a local tree would change against a snapshot, using the same DirDiff rules as the backup itself:
 * paths added, changed (present on both sides but not retained), and removed. Directories end in '/'.
 */
public record TreeDiff(List<String> added, List<String> changed, List<String> removed, long unchanged) {

  public static TreeDiff compute(Path localRoot, DirIndex remoteRoot, boolean fullCheck) {
    List<String> added = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    long[] unchanged = {0};
    walk(localRoot, "", remoteRoot, fullCheck, added, changed, removed, unchanged);
    return new TreeDiff(added, changed, removed, unchanged[0]);
  }

  private static void walk(
      Path dir, String rel, DirIndex remote, boolean fullCheck,
      List<String> added, List<String> changed, List<String> removed, long[] unchanged) {
    DirDiff diff;
    try {
      diff = DirDiff.compute(LocalEntry.list(dir), remote, fullCheck);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir + ": " + e.getMessage(), e);
    }
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
      walk(dir.resolve(d.name()), join(rel, d.name()), null, fullCheck, added, changed, removed, unchanged);
    }
    for (DirDiff.RetainedDir d : diff.subDirsRetained()) {
      walk(dir.resolve(d.local().name()), join(rel, d.local().name()), d.remote(), fullCheck, added, changed, removed, unchanged);
    }
  }

  private static String join(String parent, String name) {
    return parent.isEmpty() ? name : parent + "/" + name;
  }
}
