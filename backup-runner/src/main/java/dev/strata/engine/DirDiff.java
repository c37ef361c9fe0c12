package dev.strata.engine;

import dev.strata.engine.index.DirIndex;
import dev.strata.engine.index.FileIndex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The difference between a local directory and the same directory in the previous snapshot's index,
 * matched by name. A regular file is retained without being read when its size and modification
 * time (in nanoseconds) equal the index's; a symlink is retained when its target is unchanged.
 * Everything else local is added, and what only the index has is removed. Sub-directories on both
 * sides are retained and diffed in turn.
 *
 * @param filesAdded local regular files and symlinks to record anew (regular files are read and
 *     hashed)
 * @param filesRetained index entries kept as they are, with metadata refreshed from the local stat
 * @param filesRemoved names of index files gone locally (or now of another type)
 * @param subDirsAdded local directories the index lacks
 * @param subDirsRetained local directories the index also has, each with its index entry
 * @param subDirsRemoved names of index directories gone locally
 * @param skipped sockets, FIFOs and devices, which a snapshot cannot hold
 */
public record DirDiff(
    List<LocalEntry> filesAdded,
    List<FileIndex> filesRetained,
    List<String> filesRemoved,
    List<LocalEntry> subDirsAdded,
    List<RetainedDir> subDirsRetained,
    List<String> subDirsRemoved,
    List<LocalEntry> skipped) {

  /** A directory present on both sides. */
  public record RetainedDir(LocalEntry local, DirIndex remote) {}

  public static DirDiff compute(List<LocalEntry> local, DirIndex remote, boolean fullCheck) {
    Map<String, FileIndex> remoteFiles = new HashMap<>();
    Map<String, DirIndex> remoteDirs = new HashMap<>();
    if (remote != null) {
      remote.filesPresent().forEach(f -> remoteFiles.put(f.name(), f));
      remote.subDirsPresent().forEach(d -> remoteDirs.put(d.name(), d));
    }
    List<LocalEntry> filesAdded = new ArrayList<>();
    List<FileIndex> filesRetained = new ArrayList<>();
    List<LocalEntry> subDirsAdded = new ArrayList<>();
    List<RetainedDir> subDirsRetained = new ArrayList<>();
    List<LocalEntry> skipped = new ArrayList<>();
    Set<String> keptFiles = new HashSet<>();
    Set<String> keptDirs = new HashSet<>();

    for (LocalEntry e : local) {
      switch (e.type()) {
        case FILE, SYMLINK -> {
          FileIndex before = remoteFiles.get(e.name());
          if (before != null && !fullCheck && unchanged(e, before)) {
            filesRetained.add(before.withMetadata(e.metadata()));
            keptFiles.add(e.name());
          } else {
            filesAdded.add(e);
          }
        }
        case DIRECTORY -> {
          DirIndex before = remoteDirs.get(e.name());
          if (before != null) {
            subDirsRetained.add(new RetainedDir(e, before));
            keptDirs.add(e.name());
          } else {
            subDirsAdded.add(e);
          }
        }
        case OTHER -> skipped.add(e);
      }
    }
    List<String> filesRemoved = new ArrayList<>();
    for (String name : remoteFiles.keySet()) {
      if (!keptFiles.contains(name)) {
        filesRemoved.add(name);
      }
    }
    List<String> subDirsRemoved = new ArrayList<>();
    for (String name : remoteDirs.keySet()) {
      if (!keptDirs.contains(name)) {
        subDirsRemoved.add(name);
      }
    }
    filesRemoved.sort(null);
    subDirsRemoved.sort(null);
    return new DirDiff(
        filesAdded,
        filesRetained,
        filesRemoved,
        subDirsAdded,
        subDirsRetained,
        subDirsRemoved,
        skipped);
  }

  private static boolean unchanged(LocalEntry local, FileIndex before) {
    if (local.type() == LocalEntry.Type.SYMLINK) {
      return before.isSymlink() && local.linkTarget().equals(before.linkTarget());
    }
    return !before.isSymlink()
        && before.metadata().size() == local.metadata().size()
        && before.metadata().mtimeNanos() == local.metadata().mtimeNanos();
  }
}
