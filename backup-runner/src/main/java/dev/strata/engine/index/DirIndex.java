package dev.strata.engine.index;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * One directory of a snapshot: its name (empty for the root), its metadata, the files and
 * sub-directories present, and the names of those the previous snapshot had that this one drops
 * (kept so clean-up and `strata diff` know what went), and, when it has any, its user extended
 * attributes and POSIX ACLs (access and default; name to base64 value).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DirIndex(
    String name,
    FileMetadata metadata,
    List<FileIndex> filesPresent,
    List<String> filesRemoved,
    List<DirIndex> subDirsPresent,
    List<String> subDirsRemoved,
    Map<String, String> xattrs) {

  public DirIndex(
      String name,
      FileMetadata metadata,
      List<FileIndex> filesPresent,
      List<String> filesRemoved,
      List<DirIndex> subDirsPresent,
      List<String> subDirsRemoved) {
    this(name, metadata, filesPresent, filesRemoved, subDirsPresent, subDirsRemoved, null);
  }

  public DirIndex {
    xattrs = xattrs == null || xattrs.isEmpty() ? null : Map.copyOf(xattrs);
    filesPresent = filesPresent == null ? List.of() : List.copyOf(filesPresent);
    filesRemoved = filesRemoved == null ? List.of() : List.copyOf(filesRemoved);
    subDirsPresent = subDirsPresent == null ? List.of() : List.copyOf(subDirsPresent);
    subDirsRemoved = subDirsRemoved == null ? List.of() : List.copyOf(subDirsRemoved);
  }

  /**
   * The present file of that name, or null. Linear: directories are small and this runs once per
   * directory.
   */
  public FileIndex file(String fileName) {
    for (FileIndex f : filesPresent) {
      if (f.name().equals(fileName)) {
        return f;
      }
    }
    return null;
  }

  public DirIndex subDir(String dirName) {
    for (DirIndex d : subDirsPresent) {
      if (d.name().equals(dirName)) {
        return d;
      }
    }
    return null;
  }
}
