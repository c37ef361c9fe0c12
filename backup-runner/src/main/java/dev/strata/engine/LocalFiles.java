package dev.strata.engine;

import dev.strata.engine.index.FileMetadata;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.util.Map;

/** File-system operations a restore needs, none of which ever follows a symlink. */
final class LocalFiles {

  private static final boolean ROOT = detectRoot();

  private LocalFiles() {}

  static boolean runningAsRoot() {
    return ROOT;
  }

  /** Deletes a file, a symlink (not what it points to) or a whole directory tree. */
  static void deleteTree(Path p) throws IOException {
    LocalEntry e;
    try {
      e = LocalEntry.stat(p);
    } catch (NoSuchFileException gone) {
      return;
    }
    if (e.type() == LocalEntry.Type.DIRECTORY) {
      makeWritable(p, e);
      try (DirectoryStream<Path> children = Files.newDirectoryStream(p)) {
        for (Path c : children) {
          deleteTree(c);
        }
      }
    }
    Files.deleteIfExists(p);
  }

  /**
   * A non-root process cannot change a directory it may not write: open it up until its final mode
   * is applied.
   */
  static void makeWritable(Path dir, LocalEntry e) throws IOException {
    if (!ROOT && (e.metadata().mode() & 0300) != 0300) {
      Files.setAttribute(dir, "unix:mode", e.metadata().mode() | 0700, LinkOption.NOFOLLOW_LINKS);
    }
  }

  /**
   * Applies mode, owner (as root only) and mtime; for a symlink only owner and mtime, on the link
   * itself. Owner and mode are changed only where they differ: one lstat instead of up to three
   * system calls (the JDK opens a file to change its mode without following links), on every file a
   * restore writes.
   */
  static void apply(Path p, FileMetadata m, boolean symlink) throws IOException {
    Map<String, Object> now =
        Files.readAttributes(p, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
    boolean chowned = false;
    if (ROOT && (Integer) now.get("uid") != m.uid()) {
      Files.setAttribute(p, "unix:uid", m.uid(), LinkOption.NOFOLLOW_LINKS);
      chowned = true;
    }
    if (ROOT && (Integer) now.get("gid") != m.gid()) {
      Files.setAttribute(p, "unix:gid", m.gid(), LinkOption.NOFOLLOW_LINKS);
      chowned = true;
    }
    // A chown clears the setuid and setgid bits, so after one the mode is set whatever it was.
    if (!symlink && (chowned || ((Integer) now.get("mode") & 07777) != m.mode())) {
      Files.setAttribute(p, "unix:mode", m.mode(), LinkOption.NOFOLLOW_LINKS);
    }
    BasicFileAttributeView view =
        Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    try {
      view.setTimes(LocalEntry.fromNanos(m.mtimeNanos()), null, null);
    } catch (IOException | UnsupportedOperationException e) {
      if (!symlink) {
        throw e;
      }
      // Some systems cannot set a symlink's own times; its target and owner are what matter.
    }
  }

  private static boolean detectRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | RuntimeException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }
}
