package dev.strata.engine.fs;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open directory: every operation on an entry is relative to this handle (openat, statx,
 * mkdirat, renameat...), so no path string is resolved again and no symlink is followed on the way,
 * whatever changes in the tree meanwhile. Children are opened with O_NOFOLLOW: a symlink where a
 * directory was is refused, never entered.
 *
 * <p>Reference counted: {@link #retain} for each user that outlives its opener (a file being read
 * by workers), each {@link #close} releases one; the descriptor closes with the last.
 */
public final class DirHandle implements AutoCloseable {

  private final int fd;
  private final String display;
  private final AtomicInteger refs = new AtomicInteger(1);

  private DirHandle(int fd, String display) {
    this.fd = fd;
    this.display = display;
  }

  /**
   * Opens a directory a person named (following symlinks in that path, as any command line does).
   */
  public static DirHandle open(Path dir) throws IOException {
    String abs = dir.toAbsolutePath().toString();
    return new DirHandle(
        Posix.openat(Posix.AT_FDCWD, abs, Posix.O_RDONLY | Posix.O_DIRECTORY, 0, abs), abs);
  }

  /**
   * Opens a sub-directory; a symlink (ELOOP) or anything else but a directory (ENOTDIR) is refused.
   */
  public DirHandle openDir(String name) throws IOException {
    String d = child(name);
    return new DirHandle(
        Posix.openat(fd, name, Posix.O_RDONLY | Posix.O_DIRECTORY | Posix.O_NOFOLLOW, 0, d), d);
  }

  /**
   * Opens a regular file to read; a symlink is refused, and a FIFO opened by mistake does not
   * block.
   */
  public FileHandle openRead(String name) throws IOException {
    String d = child(name);
    return new FileHandle(
        Posix.openat(fd, name, Posix.O_RDONLY | Posix.O_NOFOLLOW | Posix.O_NONBLOCK, 0, d),
        d,
        false);
  }

  /**
   * Creates a new file (never an existing one, never through a symlink), writable by this process
   * only.
   */
  public FileHandle createNew(String name) throws IOException {
    String d = child(name);
    return new FileHandle(
        Posix.openat(
            fd, name, Posix.O_WRONLY | Posix.O_CREAT | Posix.O_EXCL | Posix.O_NOFOLLOW, 0600, d),
        d,
        true);
  }

  public int fd() {
    return fd;
  }

  public String display() {
    return display;
  }

  public String child(String name) {
    return display.endsWith("/") ? display + name : display + "/" + name;
  }

  public Stat stat() throws IOException {
    return Posix.fstat(fd, display);
  }

  public Stat statAt(String name) throws IOException {
    return Posix.statx(fd, name, 0, child(name));
  }

  /** The entry's stat, or null when it does not exist. */
  public Stat statAtOrNull(String name) throws IOException {
    try {
      return statAt(name);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  public List<String> list() throws IOException {
    return Posix.list(fd, display);
  }

  public String readLink(String name) throws IOException {
    return Posix.readlinkat(fd, name, child(name));
  }

  public void mkdir(String name, int mode) throws IOException {
    Posix.mkdirat(fd, name, mode, child(name));
  }

  public void symlink(String target, String name) throws IOException {
    Posix.symlinkat(target, fd, name, child(name));
  }

  /**
   * Makes {@code name} here a hard link to {@code fromName} in {@code from}; symlinks are not
   * followed.
   */
  public void link(DirHandle from, String fromName, String name) throws IOException {
    Posix.linkat(from.fd, fromName, fd, name, child(name));
  }

  /** Renames {@code name} here to {@code toName} in {@code to}, replacing a file there. */
  public void rename(String name, DirHandle to, String toName) throws IOException {
    Posix.renameat(fd, name, to.fd, toName, to.child(toName));
  }

  public void unlink(String name) throws IOException {
    Posix.unlinkat(fd, name, false, child(name));
  }

  public void rmdir(String name) throws IOException {
    Posix.unlinkat(fd, name, true, child(name));
  }

  /** Owner of an entry itself (a symlink's own). */
  public void chownAt(String name, int uid, int gid) throws IOException {
    Posix.fchownat(fd, name, uid, gid, child(name));
  }

  /**
   * Modification time of an entry itself (a symlink's own, to the microsecond on most file
   * systems).
   */
  public void setMtimeAt(String name, long mtimeNanos) throws IOException {
    Posix.utimensatNoFollow(fd, name, mtimeNanos, child(name));
  }

  public void chmod(int mode) throws IOException {
    Posix.fchmod(fd, mode, display);
  }

  public void chown(int uid, int gid) throws IOException {
    Posix.fchown(fd, uid, gid, display);
  }

  public void setMtime(long mtimeNanos) throws IOException {
    Posix.futimens(fd, mtimeNanos, display);
  }

  public void fsync() throws IOException {
    Posix.fsync(fd, display);
  }

  /** Flushes the whole file system this directory is on to disk. */
  public void syncfs() throws IOException {
    Posix.syncfs(fd, display);
  }

  /** The extended attributes of an entry (a symlink's own); user.* and POSIX ACLs only. */
  public java.util.Map<String, String> xattrsAt(String name) throws IOException {
    return Xattrs.readAt(fd, name, child(name));
  }

  public java.util.Map<String, String> xattrs() throws IOException {
    return Xattrs.read(fd, display);
  }

  public void setXattrs(java.util.Map<String, String> wanted) throws IOException {
    Xattrs.apply(fd, wanted, display);
  }

  /** Removes an entry of any kind; a directory with everything in it, never following a symlink. */
  public void deleteTree(String name) throws IOException {
    Stat st = statAtOrNull(name);
    if (st == null) {
      return;
    }
    if (st.isDirectory()) {
      try (DirHandle sub = openDir(name)) {
        if ((st.mode() & 0300) != 0300) {
          sub.chmod(
              (st.mode() & 07777)
                  | 0700); // a non-root process cannot empty a directory it may not write
        }
        for (String child : sub.list()) {
          sub.deleteTree(child);
        }
      } catch (NoSuchFileException gone) {
        return;
      }
      rmdir(name);
    } else {
      try {
        unlink(name);
      } catch (NoSuchFileException gone) {
        // removed meanwhile
      }
    }
  }

  public DirHandle retain() {
    refs.incrementAndGet();
    return this;
  }

  @Override
  public void close() {
    if (refs.decrementAndGet() == 0) {
      Posix.close(fd);
    }
  }

  @Override
  public String toString() {
    return display;
  }
}
