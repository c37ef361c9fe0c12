package dev.strata.engine.fs;

import dev.strata.engine.index.FileMetadata;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What one statx saw of one inode: its identity (device and inode number), type and mode, owner,
 * link count, size, allocated blocks, and modification and change times in nanoseconds.
 */
public record Stat(
    long dev,
    long ino,
    int mode,
    int uid,
    int gid,
    long nlink,
    long size,
    long blocks,
    long mtimeNanos,
    long ctimeNanos) {

  public static final int S_IFMT = 0170000;
  public static final int S_IFREG = 0100000;
  public static final int S_IFDIR = 0040000;
  public static final int S_IFLNK = 0120000;

  static Stat fromStatx(byte[] raw) {
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
    long nlink = Integer.toUnsignedLong(b.getInt(16));
    int uid = b.getInt(20);
    int gid = b.getInt(24);
    int mode = b.getShort(28) & 0xffff;
    long ino = b.getLong(32);
    long size = b.getLong(40);
    long blocks = b.getLong(48);
    long ctime = b.getLong(96) * 1_000_000_000L + Integer.toUnsignedLong(b.getInt(104));
    long mtime = b.getLong(112) * 1_000_000_000L + Integer.toUnsignedLong(b.getInt(120));
    long dev =
        (Integer.toUnsignedLong(b.getInt(136)) << 32) | Integer.toUnsignedLong(b.getInt(140));
    return new Stat(dev, ino, mode, uid, gid, nlink, size, blocks, mtime, ctime);
  }

  public boolean isFile() {
    return (mode & S_IFMT) == S_IFREG;
  }

  public boolean isDirectory() {
    return (mode & S_IFMT) == S_IFDIR;
  }

  public boolean isSymlink() {
    return (mode & S_IFMT) == S_IFLNK;
  }

  /** The same inode. */
  public boolean sameFile(Stat o) {
    return o != null && dev == o.dev && ino == o.ino;
  }

  /**
   * The same inode, not written, truncated, chmodded or renamed in between (ctime moves on any of
   * those).
   */
  public boolean sameVersion(Stat o) {
    return sameFile(o)
        && size == o.size
        && mtimeNanos == o.mtimeNanos
        && ctimeNanos == o.ctimeNanos;
  }

  /**
   * What an index records: size (0 for anything but a regular file), permission bits, mtime and
   * owner.
   */
  public FileMetadata metadata() {
    return new FileMetadata(isFile() ? size : 0, mode & 07777, mtimeNanos, uid, gid);
  }
}
