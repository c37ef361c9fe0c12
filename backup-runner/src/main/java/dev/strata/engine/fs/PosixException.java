package dev.strata.engine.fs;

import java.io.IOException;

/**
 * A system call that failed, with its errno: "cannot chmod a/b: Operation not permitted (EPERM)".
 */
public final class PosixException extends IOException {

  private final int errno;

  public PosixException(String op, String path, int errno) {
    super("cannot " + op + " " + path + ": " + describe(errno));
    this.errno = errno;
  }

  public int errno() {
    return errno;
  }

  static String describe(int errno) {
    return switch (errno) {
      case Posix.EPERM -> "operation not permitted (EPERM)";
      case Posix.EACCES -> "permission denied (EACCES)";
      case Posix.EXDEV -> "on another file system (EXDEV)";
      case Posix.ENOTDIR -> "not a directory (ENOTDIR)";
      case Posix.EISDIR -> "is a directory (EISDIR)";
      case Posix.ENOTEMPTY -> "directory not empty (ENOTEMPTY)";
      case Posix.ELOOP -> "is a symlink (ELOOP)";
      case Posix.ENODATA -> "no such attribute (ENODATA)";
      case Posix.EOPNOTSUPP -> "not supported by this file system (EOPNOTSUPP)";
      case Posix.ENOSYS -> "not supported by this kernel (ENOSYS)";
      case Posix.ERANGE -> "value too large (ERANGE)";
      default -> "errno " + errno;
    };
  }
}
