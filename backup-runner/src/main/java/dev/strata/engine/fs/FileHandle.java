package dev.strata.engine.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One open regular file. Its data moves through a {@link FileChannel} on the very same inode
 * (reopened through /proc/self/fd, which names the open file, not a path), and its metadata is read
 * and set on the descriptor: what is read, written and checked is one file, whatever happens to its
 * name meanwhile.
 */
public final class FileHandle implements AutoCloseable {

  private final int fd;
  private final String display;
  private final boolean write;
  private FileChannel channel;

  FileHandle(int fd, String display, boolean write) {
    this.fd = fd;
    this.display = display;
    this.write = write;
  }

  public int fd() {
    return fd;
  }

  public String display() {
    return display;
  }

  public Stat stat() throws IOException {
    return Posix.fstat(fd, display);
  }

  public synchronized FileChannel channel() throws IOException {
    if (channel == null) {
      channel =
          FileChannel.open(
              Path.of(Posix.procPath(fd, "")),
              write ? StandardOpenOption.WRITE : StandardOpenOption.READ);
    }
    return channel;
  }

  /**
   * Writes {@code buf[off, off+length)} at {@code offset} with system calls on the descriptor (no
   * channel is opened): for small writes, where opening a channel costs more than the write.
   */
  public void pwrite(byte[] buf, int off, int length, long offset) throws IOException {
    Posix.pwrite(fd, buf, off, length, offset, display);
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

  public void truncate(long size) throws IOException {
    Posix.ftruncate(fd, size, display);
  }

  public void fsync() throws IOException {
    Posix.fsync(fd, display);
  }

  public java.util.Map<String, String> xattrs() throws IOException {
    return Xattrs.read(fd, display);
  }

  public void setXattrs(java.util.Map<String, String> wanted) throws IOException {
    Xattrs.apply(fd, wanted, display);
  }

  @Override
  public synchronized void close() throws IOException {
    try {
      if (channel != null) {
        channel.close();
      }
    } finally {
      Posix.close(fd);
    }
  }
}
