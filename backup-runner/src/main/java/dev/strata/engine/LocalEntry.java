package dev.strata.engine;

import dev.strata.engine.index.FileMetadata;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * One entry of a local directory as one lstat saw it (symlinks are never followed): its name, type,
 * metadata and, for a symlink, its target.
 */
public record LocalEntry(String name, Type type, FileMetadata metadata, String linkTarget) {

  public enum Type {
    FILE,
    DIRECTORY,
    SYMLINK,
    /** Sockets, FIFOs and devices: skipped with a warning. */
    OTHER
  }

  private static final String ATTRS = "unix:mode,uid,gid,size,lastModifiedTime";

  /** An entry as one statx through a directory handle saw it. */
  public static LocalEntry of(String name, dev.strata.engine.fs.Stat st, String linkTarget) {
    Type type =
        st.isFile()
            ? Type.FILE
            : st.isDirectory() ? Type.DIRECTORY : st.isSymlink() ? Type.SYMLINK : Type.OTHER;
    return new LocalEntry(name, type, st.metadata(), linkTarget);
  }

  /** Stats one path without following a final symlink. */
  public static LocalEntry stat(Path path) throws IOException {
    Map<String, Object> a = Files.readAttributes(path, ATTRS, LinkOption.NOFOLLOW_LINKS);
    int rawMode = (Integer) a.get("mode");
    Type type =
        switch (rawMode & 0170000) {
          case 0100000 -> Type.FILE;
          case 0040000 -> Type.DIRECTORY;
          case 0120000 -> Type.SYMLINK;
          default -> Type.OTHER;
        };
    long size = type == Type.FILE ? (Long) a.get("size") : 0;
    FileMetadata m =
        new FileMetadata(
            size,
            rawMode & 07777,
            toNanos((FileTime) a.get("lastModifiedTime")),
            (Integer) a.get("uid"),
            (Integer) a.get("gid"));
    String target = type == Type.SYMLINK ? Files.readSymbolicLink(path).toString() : null;
    String name = path.getFileName() == null ? "" : path.getFileName().toString();
    return new LocalEntry(name, type, m, target);
  }

  /** The entries of a directory, sorted by name; entries that vanish while listed are left out. */
  public static List<LocalEntry> list(Path dir) throws IOException {
    List<LocalEntry> out = new ArrayList<>();
    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
      for (Path child : children) {
        try {
          out.add(stat(child));
        } catch (NoSuchFileException gone) {
          // deleted between readdir and lstat: it is simply not part of this snapshot
        }
      }
    }
    out.sort(Comparator.comparing(LocalEntry::name));
    return out;
  }

  public static long toNanos(FileTime t) {
    Instant i = t.toInstant();
    return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
  }

  public static FileTime fromNanos(long nanos) {
    return FileTime.from(
        Instant.ofEpochSecond(
            Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)));
  }
}
