package dev.strata.engine.tree;

import dev.strata.engine.index.FileIndex;
import dev.strata.engine.index.FileMetadata;
import java.util.List;
import java.util.Map;

/**
 * One record of a snapshot's tree as a stream, depth first: a directory opens ({@link Dir}), its
 * files and symlinks follow by name ({@link File}), then its sub-directories, each opened and
 * closed in turn, by name, then it closes ({@link End}). The root is a directory with an empty
 * name. Streaming the tree this way keeps memory to one directory at a time, whatever the tree's
 * size.
 */
public sealed interface TreeEntry permits TreeEntry.Dir, TreeEntry.File, TreeEntry.End {

  /** A directory opens: its metadata and attributes. */
  record Dir(String name, FileMetadata metadata, Map<String, String> xattrs) implements TreeEntry {
    public Dir {
      xattrs = xattrs == null || xattrs.isEmpty() ? null : Map.copyOf(xattrs);
    }
  }

  /**
   * A regular file or a symlink. {@code hardLinked}: other names of this inode follow in the
   * snapshot, as entries whose {@code hardLink} is this one's path. {@code ctimeNanos}: the file's
   * change time when it was backed up (0: not recorded); a change of extended attributes moves it,
   * so the next backup reuses the recorded attributes of a file whose ctime has not moved instead
   * of reading them again.
   */
  record File(FileIndex file, boolean hardLinked, long ctimeNanos) implements TreeEntry {
    public File(FileIndex file, boolean hardLinked) {
      this(file, hardLinked, 0);
    }
  }

  /**
   * The directory opened last closes, with the names of the files and sub-directories the previous
   * snapshot had in it that this one drops (known only once the directory has been read to its
   * end).
   */
  record End(List<String> filesRemoved, List<String> subDirsRemoved) implements TreeEntry {
    public End {
      filesRemoved = filesRemoved == null ? List.of() : List.copyOf(filesRemoved);
      subDirsRemoved = subDirsRemoved == null ? List.of() : List.copyOf(subDirsRemoved);
    }
  }

  End END = new End(List.of(), List.of());
}
