package dev.strata.engine.fs;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.Locale;

/**
 * The Linux system calls the engine makes by file descriptor, relative to directory handles, never
 * following a symlink where it matters: the JDK has no {@code openat}, {@code statx}, {@code
 * mkdirat}, {@code linkat}, {@code fchown} or extended-attribute calls on a descriptor. Names are
 * passed and returned as UTF-8 bytes. Errors become {@link NoSuchFileException}, {@link
 * FileAlreadyExistsException} or {@link PosixException} carrying errno.
 *
 * <p>Supports Linux on x86-64 and arm64, where some open flags differ; anything else is refused
 * when first used.
 */
public final class Posix {

  private Posix() {}

  public static final int AT_FDCWD = -100;
  public static final int AT_SYMLINK_NOFOLLOW = 0x100;
  public static final int AT_REMOVEDIR = 0x200;
  public static final int AT_EMPTY_PATH = 0x1000;

  public static final int O_RDONLY = 0;
  public static final int O_WRONLY = 1;
  public static final int O_CREAT = 0100;
  public static final int O_EXCL = 0200;
  public static final int O_NONBLOCK = 04000;
  public static final int O_CLOEXEC = 02000000;
  public static final int O_DIRECTORY;
  public static final int O_NOFOLLOW;

  public static final int ENOENT = 2;
  public static final int EPERM = 1;
  public static final int EACCES = 13;
  public static final int EEXIST = 17;
  public static final int EXDEV = 18;
  public static final int ENOTDIR = 20;
  public static final int EISDIR = 21;
  public static final int ERANGE = 34;
  public static final int ENOTEMPTY = 39;
  public static final int ELOOP = 40;
  public static final int ENODATA = 61;
  public static final int EOPNOTSUPP = 95;
  public static final int ENOSYS = 38;

  static {
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
    if (!linux
        || !(arch.equals("amd64")
            || arch.equals("x86_64")
            || arch.equals("aarch64")
            || arch.equals("arm64"))) {
      throw new UnsupportedOperationException(
          "Strata's engine runs on Linux on x86-64 or arm64 only (this is "
              + System.getProperty("os.name")
              + " on "
              + arch
              + ")");
    }
    boolean arm = arch.equals("aarch64") || arch.equals("arm64");
    O_DIRECTORY = arm ? 040000 : 0200000;
    O_NOFOLLOW = arm ? 0100000 : 0400000;
  }

  /** The C library's functions, bound once (direct mapping: no reflection per call). */
  static final class Libc {
    static {
      Native.register(Libc.class, NativeLibrary.getInstance("c"));
    }

    static native int openat(int dirfd, byte[] path, int flags, int mode);

    static native int close(int fd);

    static native int dup(int fd);

    static native int statx(int dirfd, byte[] path, int flags, int mask, byte[] buf);

    static native int mkdirat(int dirfd, byte[] path, int mode);

    static native int symlinkat(byte[] target, int newdirfd, byte[] linkpath);

    static native long readlinkat(int dirfd, byte[] path, byte[] buf, long size);

    static native int linkat(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags);

    static native int renameat(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath);

    static native int unlinkat(int dirfd, byte[] path, int flags);

    static native int fchownat(int dirfd, byte[] path, int uid, int gid, int flags);

    static native int fchown(int fd, int uid, int gid);

    static native int fchmod(int fd, int mode);

    static native int utimensat(int dirfd, byte[] path, long[] times, int flags);

    static native int futimens(int fd, long[] times);

    static native int fsync(int fd);

    static native int syncfs(int fd);

    static native long pwrite(int fd, Pointer buf, long count, long offset);

    static native int geteuid();

    static native int getegid();

    static native int ftruncate(int fd, long length);

    static native long flistxattr(int fd, byte[] list, long size);

    static native long fgetxattr(int fd, byte[] name, byte[] value, long size);

    static native int fsetxattr(int fd, byte[] name, byte[] value, long size, int flags);

    static native int fremovexattr(int fd, byte[] name);

    static native long llistxattr(byte[] path, byte[] list, long size);

    static native long lgetxattr(byte[] path, byte[] name, byte[] value, long size);

    static native Pointer fdopendir(int fd);

    static native Pointer readdir64(Pointer dir);

    static native int closedir(Pointer dir);
  }

  /** A NUL-terminated UTF-8 name for the C library. */
  public static byte[] c(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[b.length + 1];
    System.arraycopy(b, 0, out, 0, b.length);
    return out;
  }

  static int errno() {
    return Native.getLastError();
  }

  /** Turns a failed call's errno into an exception that names the operation and the path. */
  static IOException error(String op, String path) {
    return error(op, path, errno());
  }

  static IOException error(String op, String path, int errno) {
    return switch (errno) {
      case ENOENT -> new NoSuchFileException(path);
      case EEXIST -> new FileAlreadyExistsException(path);
      default -> new PosixException(op, path, errno);
    };
  }

  static int check(int rc, String op, String path) throws IOException {
    if (rc < 0) {
      throw error(op, path);
    }
    return rc;
  }

  public static void close(int fd) {
    Libc.close(fd);
  }

  /**
   * Opens a path relative to a directory handle (or {@link #AT_FDCWD}); returns the new descriptor.
   */
  public static int openat(int dirfd, String name, int flags, int mode, String display)
      throws IOException {
    return check(Libc.openat(dirfd, c(name), flags | O_CLOEXEC, mode), "open", display);
  }

  private static final int STATX_BASIC_STATS = 0x7ff;

  /**
   * statx of a name relative to a directory handle, not following a final symlink; "" with
   * AT_EMPTY_PATH: the fd.
   */
  public static Stat statx(int dirfd, String name, int flags, String display) throws IOException {
    byte[] buf = new byte[256];
    check(
        Libc.statx(dirfd, c(name), flags | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buf),
        "stat",
        display);
    return Stat.fromStatx(buf);
  }

  public static Stat fstat(int fd, String display) throws IOException {
    return statx(fd, "", AT_EMPTY_PATH, display);
  }

  /**
   * The names in a directory, without "." and "..", as the kernel returns them; the handle stays
   * open.
   */
  public static java.util.List<String> list(int dirfd, String display) throws IOException {
    int dup = check(Libc.dup(dirfd), "list", display);
    Pointer dir = Libc.fdopendir(dup);
    if (dir == null) {
      int e = errno();
      Libc.close(dup);
      throw error("list", display, e);
    }
    java.util.List<String> names = new java.util.ArrayList<>();
    try {
      // A duplicated descriptor shares its offset with the handle: start from the beginning
      // whatever it was.
      rewind(dir);
      while (true) {
        Pointer ent = Libc.readdir64(dir);
        if (ent == null) {
          break;
        }
        // struct dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name: the same on
        // x86-64 and arm64.
        long len = ent.indexOf(19, (byte) 0);
        String name = new String(ent.getByteArray(19, (int) len), StandardCharsets.UTF_8);
        if (!name.equals(".") && !name.equals("..")) {
          names.add(name);
        }
      }
    } finally {
      Libc.closedir(dir);
    }
    return names;
  }

  private static void rewind(Pointer dir) {
    RewindHolder.rewinddir(dir);
  }

  static final class RewindHolder {
    static {
      Native.register(RewindHolder.class, NativeLibrary.getInstance("c"));
    }

    static native void rewinddir(Pointer dir);
  }

  public static void mkdirat(int dirfd, String name, int mode, String display) throws IOException {
    check(Libc.mkdirat(dirfd, c(name), mode), "mkdir", display);
  }

  public static void symlinkat(String target, int dirfd, String name, String display)
      throws IOException {
    check(Libc.symlinkat(c(target), dirfd, c(name)), "symlink", display);
  }

  public static String readlinkat(int dirfd, String name, String display) throws IOException {
    for (int size = 256; ; size *= 4) {
      byte[] buf = new byte[size];
      long n = Libc.readlinkat(dirfd, c(name), buf, size);
      if (n < 0) {
        throw error("readlink", display);
      }
      if (n < size) {
        return new String(buf, 0, (int) n, StandardCharsets.UTF_8);
      }
      if (size > 1 << 20) {
        throw new PosixException("readlink", display, ERANGE);
      }
    }
  }

  public static void linkat(int fromDir, String from, int toDir, String to, String display)
      throws IOException {
    check(Libc.linkat(fromDir, c(from), toDir, c(to), 0), "link", display);
  }

  public static void renameat(int fromDir, String from, int toDir, String to, String display)
      throws IOException {
    check(Libc.renameat(fromDir, c(from), toDir, c(to)), "rename", display);
  }

  public static void unlinkat(int dirfd, String name, boolean directory, String display)
      throws IOException {
    check(Libc.unlinkat(dirfd, c(name), directory ? AT_REMOVEDIR : 0), "remove", display);
  }

  public static void fchownat(int dirfd, String name, int uid, int gid, String display)
      throws IOException {
    check(Libc.fchownat(dirfd, c(name), uid, gid, AT_SYMLINK_NOFOLLOW), "chown", display);
  }

  public static void fchown(int fd, int uid, int gid, String display) throws IOException {
    check(Libc.fchown(fd, uid, gid), "chown", display);
  }

  public static void fchmod(int fd, int mode, String display) throws IOException {
    check(Libc.fchmod(fd, mode), "chmod", display);
  }

  private static long[] times(long mtimeNanos) {
    // atime: UTIME_OMIT (leave it); mtime as given.
    return new long[] {
      0,
      (1L << 30) - 2,
      Math.floorDiv(mtimeNanos, 1_000_000_000L),
      Math.floorMod(mtimeNanos, 1_000_000_000L)
    };
  }

  public static void futimens(int fd, long mtimeNanos, String display) throws IOException {
    check(Libc.futimens(fd, times(mtimeNanos)), "set times of", display);
  }

  public static void utimensatNoFollow(int dirfd, String name, long mtimeNanos, String display)
      throws IOException {
    check(
        Libc.utimensat(dirfd, c(name), times(mtimeNanos), AT_SYMLINK_NOFOLLOW),
        "set times of",
        display);
  }

  public static void fsync(int fd, String display) throws IOException {
    check(Libc.fsync(fd), "fsync", display);
  }

  /** The most one {@link #pwrite} call copies into native memory at a time. */
  static final int WRITE_BUFFER = 64 * 1024;

  /**
   * Native memory for {@link #pwrite}, one per thread. JNA passes a byte[] to C by copying all of
   * it in and back out (JNI's Get/ReleaseByteArrayElements), whatever the length written: a 4 KiB
   * file written from a 1 MiB buffer copied 2 MiB.
   */
  private static final ThreadLocal<com.sun.jna.Memory> WRITE_BUFFERS =
      ThreadLocal.withInitial(() -> new com.sun.jna.Memory(WRITE_BUFFER));

  /**
   * Writes {@code buf[off, off+length)} at {@code offset} (all of it: a short write is retried).
   */
  public static void pwrite(int fd, byte[] buf, int off, int length, long offset, String display)
      throws IOException {
    com.sun.jna.Memory m = WRITE_BUFFERS.get();
    int at = off;
    int left = length;
    long pos = offset;
    while (left > 0) {
      int piece = Math.min(left, WRITE_BUFFER);
      m.write(0, buf, at, piece);
      int done = 0;
      while (done < piece) {
        long n = Libc.pwrite(fd, m.share(done), piece - done, pos + done);
        if (n < 0) {
          throw error("write", display);
        }
        if (n == 0) {
          throw new IOException("write " + display + ": no progress (pwrite wrote 0 bytes)");
        }
        done += (int) n;
      }
      at += piece;
      left -= piece;
      pos += piece;
    }
  }

  public static int geteuid() {
    return Libc.geteuid();
  }

  public static int getegid() {
    return Libc.getegid();
  }

  /**
   * Flushes every dirty page and inode of the file system that holds {@code fd} (one call for a
   * whole restore).
   */
  public static void syncfs(int fd, String display) throws IOException {
    check(Libc.syncfs(fd), "syncfs", display);
  }

  public static void ftruncate(int fd, long length, String display) throws IOException {
    check(Libc.ftruncate(fd, length), "truncate", display);
  }

  /** Names of a descriptor's extended attributes; none where the file system has none. */
  public static java.util.List<String> flistxattr(int fd, String display) throws IOException {
    return splitNames(
        listInto(
            () -> Libc.flistxattr(fd, null, 0),
            buf -> Libc.flistxattr(fd, buf, buf.length),
            display));
  }

  /**
   * Names of the extended attributes of a name in a directory (a symlink's own, never its
   * target's).
   */
  public static java.util.List<String> llistxattr(int dirfd, String name, String display)
      throws IOException {
    byte[] path = c(procPath(dirfd, name));
    return splitNames(
        listInto(
            () -> Libc.llistxattr(path, null, 0),
            buf -> Libc.llistxattr(path, buf, buf.length),
            display));
  }

  public static byte[] fgetxattr(int fd, String attr, String display) throws IOException {
    byte[] n = c(attr);
    return getInto(
        () -> Libc.fgetxattr(fd, n, null, 0),
        buf -> Libc.fgetxattr(fd, n, buf, buf.length),
        display);
  }

  public static byte[] lgetxattr(int dirfd, String name, String attr, String display)
      throws IOException {
    byte[] path = c(procPath(dirfd, name));
    byte[] n = c(attr);
    return getInto(
        () -> Libc.lgetxattr(path, n, null, 0),
        buf -> Libc.lgetxattr(path, n, buf, buf.length),
        display);
  }

  public static void fsetxattr(int fd, String attr, byte[] value, String display)
      throws IOException {
    if (Libc.fsetxattr(fd, c(attr), value, value.length, 0) < 0) {
      throw new PosixException("set extended attribute " + attr + " of", display, errno());
    }
  }

  /** Removes an attribute; one that is not there (or a file system without any) is no error. */
  public static void fremovexattr(int fd, String attr, String display) throws IOException {
    if (Libc.fremovexattr(fd, c(attr)) < 0) {
      int e = errno();
      if (e != ENODATA && e != EOPNOTSUPP) {
        throw new PosixException("remove extended attribute " + attr + " of", display, e);
      }
    }
  }

  /**
   * The path through /proc that reaches {@code name} inside the directory handle {@code dirfd},
   * without re-resolving it.
   */
  public static String procPath(int dirfd, String name) {
    return "/proc/self/fd/" + dirfd + (name.isEmpty() ? "" : "/" + name);
  }

  private interface BufCall {
    long call(byte[] buf);
  }

  private interface Probe {
    long call();
  }

  private static byte[] listInto(Probe probe, BufCall fill, String display) throws IOException {
    for (int attempt = 0; attempt < 5; attempt++) {
      long size = probe.call();
      if (size < 0) {
        int e = errno();
        if (e == EOPNOTSUPP || e == ENODATA) {
          return new byte[0];
        }
        throw new PosixException("list extended attributes of", display, e);
      }
      if (size == 0) {
        return new byte[0];
      }
      byte[] buf = new byte[(int) size];
      long n = fill.call(buf);
      if (n >= 0) {
        return java.util.Arrays.copyOf(buf, (int) n);
      }
      if (errno() != ERANGE) {
        throw new PosixException("list extended attributes of", display, errno());
      }
    }
    throw new PosixException("list extended attributes of", display, ERANGE);
  }

  private static byte[] getInto(Probe probe, BufCall fill, String display) throws IOException {
    for (int attempt = 0; attempt < 5; attempt++) {
      long size = probe.call();
      if (size < 0) {
        throw new PosixException("read extended attribute of", display, errno());
      }
      byte[] buf = new byte[(int) size];
      long n = fill.call(buf);
      if (n >= 0) {
        return java.util.Arrays.copyOf(buf, (int) n);
      }
      if (errno() != ERANGE) {
        throw new PosixException("read extended attribute of", display, errno());
      }
    }
    throw new PosixException("read extended attribute of", display, ERANGE);
  }

  private static java.util.List<String> splitNames(byte[] list) {
    java.util.List<String> names = new java.util.ArrayList<>();
    ByteArrayOutputStream cur = new ByteArrayOutputStream();
    for (byte b : list) {
      if (b == 0) {
        if (cur.size() > 0) {
          names.add(cur.toString(StandardCharsets.UTF_8));
        }
        cur.reset();
      } else {
        cur.write(b);
      }
    }
    return names;
  }
}
