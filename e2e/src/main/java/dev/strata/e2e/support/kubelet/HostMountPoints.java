package dev.strata.e2e.support.kubelet;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Mount points on the host for container paths that do not exist there (say {@code /data}): a bind
 * mount needs an existing target, even inside a private mount namespace, because the file system is
 * shared. Only what this class created is removed on {@link #removeCreated()}, and only when empty,
 * deepest first.
 */
final class HostMountPoints {

  private final List<Path> created = new ArrayList<>();

  synchronized void ensureDirectory(Path target) throws IOException {
    if (Files.isDirectory(target)) {
      return;
    }
    if (Files.exists(target)) {
      throw new IOException("mount point " + target + " exists on the host and is not a directory");
    }
    List<Path> missing = new ArrayList<>();
    for (Path p = target; p != null && !Files.exists(p); p = p.getParent()) {
      missing.add(0, p);
    }
    for (Path dir : missing) {
      Files.createDirectory(dir);
      created.add(dir);
    }
  }

  synchronized void ensureFile(Path target) throws IOException {
    if (Files.isRegularFile(target)) {
      return;
    }
    if (Files.exists(target)) {
      throw new IOException(
          "mount point " + target + " exists on the host and is not a regular file");
    }
    ensureDirectory(target.getParent());
    Files.createFile(target);
    created.add(target);
  }

  synchronized void removeCreated() {
    for (int i = created.size() - 1; i >= 0; i--) {
      try {
        Files.deleteIfExists(created.get(i));
      } catch (DirectoryNotEmptyException e) {
        // Something else put files there since; leave it.
      } catch (IOException e) {
        // Still mounted somewhere or vanished: nothing more to do.
      }
    }
    created.clear();
  }
}
