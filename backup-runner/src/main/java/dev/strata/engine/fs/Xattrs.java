package dev.strata.engine.fs;

import java.io.IOException;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The extended attributes a snapshot keeps: user attributes ({@code user.*}) and POSIX ACLs ({@code
 * system.posix_acl_access}, and a directory's {@code system.posix_acl_default}), as the kernel
 * stores them. Other namespaces are the system's (SELinux labels, file capabilities, trusted.*) and
 * are neither saved nor touched. In an index they are a map from name to the value in base64.
 */
public final class Xattrs {

  public static final String ACL_ACCESS = "system.posix_acl_access";
  public static final String ACL_DEFAULT = "system.posix_acl_default";

  private Xattrs() {}

  public static boolean kept(String name) {
    return name.startsWith("user.") || name.equals(ACL_ACCESS) || name.equals(ACL_DEFAULT);
  }

  /** The kept attributes of an open file or directory; null when it has none (the usual case). */
  static Map<String, String> read(int fd, String display) throws IOException {
    Map<String, String> out = null;
    for (String name : Posix.flistxattr(fd, display)) {
      if (kept(name)) {
        out = out == null ? new TreeMap<>() : out;
        out.put(name, Base64.getEncoder().encodeToString(Posix.fgetxattr(fd, name, display)));
      }
    }
    return out == null ? null : Collections.unmodifiableMap(out);
  }

  /**
   * The kept attributes of an entry of a directory, read through the directory's handle; null when
   * none.
   */
  static Map<String, String> readAt(int dirfd, String entry, String display) throws IOException {
    List<String> names = Posix.llistxattr(dirfd, entry, display);
    if (names.isEmpty()) {
      return null;
    }
    Map<String, String> out = null;
    for (String name : names) {
      if (kept(name)) {
        out = out == null ? new TreeMap<>() : out;
        out.put(
            name, Base64.getEncoder().encodeToString(Posix.lgetxattr(dirfd, entry, name, display)));
      }
    }
    return out == null ? null : Collections.unmodifiableMap(out);
  }

  /**
   * Makes an open file's kept attributes exactly {@code wanted} (null: none): sets what is wanted,
   * removes what is not (an ACL inherited from a parent's default ACL, say). A file system that
   * cannot store them is refused loudly.
   */
  static void apply(int fd, Map<String, String> wanted, String display) throws IOException {
    Map<String, String> want = wanted == null ? Map.of() : wanted;
    List<String> present;
    try {
      present = Posix.flistxattr(fd, display);
    } catch (PosixException e) {
      if (want.isEmpty()) {
        return;
      }
      throw e;
    }
    for (String name : present) {
      if (kept(name) && !want.containsKey(name)) {
        Posix.fremovexattr(fd, name, display);
      }
    }
    for (Map.Entry<String, String> e : want.entrySet()) {
      try {
        Posix.fsetxattr(fd, e.getKey(), Base64.getDecoder().decode(e.getValue()), display);
      } catch (PosixException failed) {
        if (failed.errno() == Posix.EOPNOTSUPP) {
          throw new PosixException(
              "keep "
                  + (e.getKey().startsWith("user.")
                      ? "the extended attribute " + e.getKey()
                      : "the POSIX ACL " + e.getKey())
                  + " of the snapshot's",
              display
                  + " (the target's file system does not support it; restore onto one that does)",
              Posix.EOPNOTSUPP);
        }
        throw failed;
      }
    }
  }
}
