package dev.strata.e2e.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Test trees: {@link #seed} writes a deterministic tree (nested directories, files of a few bytes
 * to MBs, an empty directory, a symlink, distinct modes and mtimes); {@link #describe} captures
 * what a byte-identical copy must reproduce, so two trees compare with one equals.
 */
public final class DirectoryTree {

  private DirectoryTree() {}

  /**
   * One entry: type, content digest or link target, permission bits, and mtime in whole seconds.
   */
  public record Entry(
      String type, long size, String content, String permissions, long mtimeSeconds) {}

  /**
   * Writes the seed tree into {@code root}, about {@code megabytes} MB in all; returns the file
   * count.
   */
  public static int seed(Path root, long seed, int megabytes) {
    Random random = new Random(seed);
    int files = 0;
    try {
      Files.createDirectories(root);
      long mtime = 1_700_000_000L;
      for (int i = 0; i < megabytes; i++) {
        Path file = root.resolve("sst/" + String.format("%06d.sst", i));
        write(file, random, 1024 * 1024 - random.nextInt(4096));
        Files.setLastModifiedTime(file, FileTime.fromMillis((mtime + i) * 1000));
        files++;
      }
      for (int i = 0; i < 20; i++) {
        Path file = root.resolve("meta/level" + (i % 3) + "/deep/er/file-" + i + ".txt");
        write(file, random, random.nextInt(2000));
        files++;
      }
      Path empty = root.resolve("meta/empty-dir");
      Files.createDirectories(empty);
      Path zero = root.resolve("meta/zero-bytes");
      Files.write(zero, new byte[0]);
      files++;
      Path script = root.resolve("bin/run.sh");
      Files.createDirectories(script.getParent());
      Files.writeString(script, "#!/bin/sh\necho state\n");
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
      files++;
      Path link = root.resolve("CURRENT");
      Files.createSymbolicLink(link, Path.of("sst/000000.sst"));
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, Random content, int size) throws IOException {
    Files.createDirectories(file.getParent());
    byte[] buffer = new byte[8192];
    try (OutputStream out = Files.newOutputStream(file)) {
      int left = size;
      while (left > 0) {
        content.nextBytes(buffer);
        int n = Math.min(left, buffer.length);
        out.write(buffer, 0, n);
        left -= n;
      }
    }
  }

  /** Relative path to entry for everything under {@code root} (root itself excluded), sorted. */
  public static Map<String, Entry> describe(Path root) {
    Map<String, Entry> entries = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        if (path.equals(root)) {
          continue;
        }
        String relative = root.relativize(path).toString();
        String permissions =
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
        if (Files.isSymbolicLink(path)) {
          entries.put(
              relative, new Entry("symlink", 0, Files.readSymbolicLink(path).toString(), "", 0));
        } else if (Files.isDirectory(path)) {
          entries.put(relative, new Entry("dir", 0, "", permissions, 0));
        } else {
          long mtime = Files.getLastModifiedTime(path).toMillis() / 1000;
          entries.put(
              relative, new Entry("file", Files.size(path), sha256(path), permissions, mtime));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return entries;
  }

  /** Sum of the regular files' sizes. */
  public static long totalBytes(Map<String, Entry> tree) {
    return tree.values().stream().filter(e -> e.type().equals("file")).mapToLong(Entry::size).sum();
  }

  private static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[65536];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
