package dev.strata.engine;

import dev.strata.engine.fs.DirHandle;
import dev.strata.engine.fs.PosixException;
import dev.strata.engine.fs.Stat;
import dev.strata.engine.index.DirIndex;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.index.FileMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a backup of a local tree would change against a snapshot, using the same DirDiff rules as
 * the backup itself: paths added, changed (present on both sides but not retained: read again),
 * metadata-only changes (content retained, but the mode, owner, group or extended attributes the
 * backup records differ; for a symlink also its modification time, for a directory its modification
 * time when none of its entries differs, which would explain it), and removed. Directories end in
 * '/', the root is "./". The tree is read through directory handles, as a backup reads it: no
 * symlink is followed.
 */
public record TreeDiff(
    List<String> added,
    List<String> changed,
    List<String> metadataChanged,
    List<String> removed,
    long unchanged) {

  public static TreeDiff compute(Path localRoot, DirIndex remoteRoot, boolean fullCheck) {
    Walk w = new Walk(fullCheck);
    try (DirHandle root = DirHandle.open(localRoot)) {
      boolean entriesChanged = w.walk(root, "", remoteRoot);
      if (remoteRoot != null
          && dirMetadataChanged(
              root.stat().metadata(), root.xattrs(), remoteRoot, entriesChanged)) {
        w.metadataChanged.add(0, "./");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + localRoot + ": " + e.getMessage(), e);
    }
    return new TreeDiff(w.added, w.changed, w.metadataChanged, w.removed, w.unchanged);
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

  private static final class Walk {
    final boolean fullCheck;
    final List<String> added = new ArrayList<>();
    final List<String> changed = new ArrayList<>();
    final List<String> metadataChanged = new ArrayList<>();
    final List<String> removed = new ArrayList<>();
    long unchanged;

    Walk(boolean fullCheck) {
      this.fullCheck = fullCheck;
    }

    /** Diffs one directory; true when an entry of it differs (which explains a new mtime). */
    boolean walk(DirHandle dir, String rel, DirIndex remote) throws IOException {
      List<LocalEntry> local = list(dir);
      DirDiff diff = DirDiff.compute(local, remote, fullCheck);
      // An entry added, removed or written anew (often by a rename over it) moves the mtime.
      boolean entriesChanged =
          !diff.filesAdded().isEmpty()
              || !diff.filesRemoved().isEmpty()
              || !diff.subDirsAdded().isEmpty()
              || !diff.subDirsRemoved().isEmpty();
      Map<String, FileIndex> recorded = new java.util.HashMap<>();
      if (remote != null) {
        remote.filesPresent().forEach(f -> recorded.put(f.name(), f));
      }
      for (FileIndex kept : diff.filesRetained()) {
        FileIndex before = recorded.get(kept.name());
        if (fileMetadataChanged(dir, kept, before)) {
          metadataChanged.add(join(rel, kept.name()));
        } else {
          unchanged++;
        }
      }
      for (LocalEntry e : diff.filesAdded()) {
        if (!recorded.containsKey(e.name())) {
          added.add(join(rel, e.name()));
        } else {
          changed.add(join(rel, e.name()));
        }
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
        descend(dir, d, join(rel, d.name()), null);
      }
      for (DirDiff.RetainedDir d : diff.subDirsRetained()) {
        descend(dir, d.local(), join(rel, d.local().name()), d.remote());
      }
      return entriesChanged;
    }

    private void descend(DirHandle dir, LocalEntry local, String rel, DirIndex remote)
        throws IOException {
      try (DirHandle sub = dir.openDir(local.name())) {
        int at = metadataChanged.size();
        boolean entriesChanged = walk(sub, rel, remote);
        if (remote != null
            && dirMetadataChanged(local.metadata(), sub.xattrs(), remote, entriesChanged)) {
          metadataChanged.add(at, rel + "/");
        }
      } catch (NoSuchFileException | PosixException gone) {
        // vanished or replaced since it was listed: never entered
      }
    }

    /**
     * Whether a file whose content the backup keeps has other metadata than the snapshot recorded:
     * mode, owner, group, extended attributes (not on symlinks, which carry none), and for a
     * symlink its modification time (a regular file's is compared already: it decides the content).
     */
    private static boolean fileMetadataChanged(DirHandle dir, FileIndex kept, FileIndex before)
        throws IOException {
      FileMetadata now = kept.metadata();
      FileMetadata was = before.metadata();
      if (now.mode() != was.mode() || now.uid() != was.uid() || now.gid() != was.gid()) {
        return true;
      }
      if (before.isSymlink()) {
        return now.mtimeNanos() != was.mtimeNanos();
      }
      try {
        return !sameXattrs(dir.xattrsAt(kept.name()), before.xattrs());
      } catch (NoSuchFileException gone) {
        return false;
      }
    }
  }

  private static boolean dirMetadataChanged(
      FileMetadata now, Map<String, String> xattrs, DirIndex before, boolean entriesChanged) {
    FileMetadata was = before.metadata();
    return was != null
        && (now.mode() != was.mode()
            || now.uid() != was.uid()
            || now.gid() != was.gid()
            || (!entriesChanged && now.mtimeNanos() != was.mtimeNanos())
            || !sameXattrs(xattrs, before.xattrs()));
  }

  private static boolean sameXattrs(Map<String, String> a, Map<String, String> b) {
    return Objects.equals(a == null || a.isEmpty() ? null : a, b == null || b.isEmpty() ? null : b);
  }

  private static String join(String parent, String name) {
    return parent.isEmpty() ? name : parent + "/" + name;
  }
}
