package dev.strata.engine.store;

import dev.strata.engine.Names;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A store in a local directory: the embedded default that needs no server. Each key is a file under
 * the root. Writes go to a temporary name and are renamed into place, so a reader never sees half
 * an object.
 */
public final class LocalBlobStoreManager implements BlobStoreManager {

  private static final String TEMP_MARK = ".tmp-";

  /** A temporary name this class makes: the key's name, the mark, a random long in hex. */
  private static final java.util.regex.Pattern TEMP_NAME =
      java.util.regex.Pattern.compile(".+\\.tmp-[0-9a-f]{1,16}");

  private final Path root;

  public LocalBlobStoreManager(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  @Override
  public String location() {
    return root.toUri().toString();
  }

  /** Creates the store's directory if it is missing (a backup's first run), then checks it. */
  @Override
  public void initialize() {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new StoreException(
          StoreException.Kind.PERMANENT,
          "cannot create the store directory "
              + root
              + " ("
              + Names.reason(e, true)
              + "): choose a writable --store path",
          e);
    }
    checkAccess();
    if (!Files.isWritable(root)) {
      throw new StoreException(
          StoreException.Kind.PERMANENT, "the store directory " + root + " is not writable");
    }
  }

  /**
   * The store must exist: reading a store never creates one, so a typo fails instead of reporting
   * "no snapshots".
   */
  @Override
  public void checkAccess() {
    if (!Files.isDirectory(root)) {
      throw new StoreException(
          StoreException.Kind.PERMANENT,
          "the store directory "
              + root
              + " does not exist: check --store (a backup creates its store; nothing else does)");
    }
  }

  @Override
  public void put(String key, byte[] data, int length, byte[] sha256, Metadata metadata) {
    write(key, ByteBuffer.wrap(data, 0, length));
  }

  @Override
  public void putWithCrc32c(String key, ByteBuffer data, int crc32c, Metadata metadata) {
    write(key, data.duplicate());
  }

  private void write(String key, ByteBuffer buf) {
    Path target = resolve(key);
    Path temp =
        target.resolveSibling(
            target.getFileName()
                + TEMP_MARK
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    try {
      Files.createDirectories(target.getParent());
      try (FileChannel out =
          FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        while (buf.hasRemaining()) {
          out.write(buf);
        }
        // On disk before its name: a crash never leaves a blob or an index of the right name and
        // the wrong bytes.
        out.force(true);
      }
      try {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      if (key.startsWith(StoreLayout.SNAPSHOTS)) {
        // The commit point: its directory entry is on disk too (and, journals being ordered, the
        // blobs' renames before it).
        try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
          dir.force(true);
        }
      }
    } catch (IOException e) {
      deleteQuietly(temp);
      throw failure("write", key, e);
    }
  }

  @Override
  public byte[] get(String key, Metadata metadata) {
    try {
      return Files.readAllBytes(resolve(key));
    } catch (NoSuchFileException e) {
      throw new StoreException(
          StoreException.Kind.NOT_FOUND, "object " + key + " does not exist in " + location());
    } catch (IOException e) {
      throw failure("read", key, e);
    }
  }

  @Override
  public java.io.InputStream openRange(String key, long offset, long length, Metadata metadata) {
    try {
      FileChannel ch = FileChannel.open(resolve(key), StandardOpenOption.READ);
      try {
        if (offset + length > ch.size()) {
          throw new StoreException(
              StoreException.Kind.INTEGRITY,
              "range "
                  + offset
                  + "+"
                  + length
                  + " is outside the object "
                  + key
                  + " of "
                  + ch.size()
                  + " bytes in "
                  + location()
                  + ": the object is shorter than expected");
        }
        ch.position(offset);
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
      java.io.InputStream in = java.nio.channels.Channels.newInputStream(ch);
      return new java.io.FilterInputStream(in) {
        long left = length;

        @Override
        public int read() throws IOException {
          if (left <= 0) {
            return -1;
          }
          int b = super.read();
          if (b >= 0) {
            left--;
          }
          return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (left <= 0) {
            return -1;
          }
          int n = super.read(b, off, (int) Math.min(len, left));
          if (n > 0) {
            left -= n;
          }
          return n;
        }
      };
    } catch (NoSuchFileException e) {
      throw new StoreException(
          StoreException.Kind.NOT_FOUND, "object " + key + " does not exist in " + location());
    } catch (IOException e) {
      throw failure("read", key, e);
    }
  }

  @Override
  public Optional<ObjectInfo> stat(String key, Metadata metadata) {
    try {
      BasicFileAttributes a =
          Files.readAttributes(resolve(key), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return Optional.of(new ObjectInfo(key, a.size(), a.lastModifiedTime().toInstant()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw failure("stat", key, e);
    }
  }

  @Override
  public void delete(String key, Metadata metadata) {
    try {
      Files.deleteIfExists(resolve(key));
    } catch (IOException e) {
      throw failure("delete", key, e);
    }
  }

  @Override
  public void removeTTL(String key, Metadata metadata) {
    try {
      Files.setLastModifiedTime(resolve(key), FileTime.from(Instant.now()));
    } catch (NoSuchFileException e) {
      throw new StoreException(
          StoreException.Kind.NOT_FOUND, "object " + key + " does not exist in " + location());
    } catch (IOException e) {
      throw failure("touch", key, e);
    }
  }

  @Override
  public void list(String prefix, Consumer<ObjectInfo> consumer, Metadata metadata) {
    // Walk only the folder that holds the prefix, in key order, as S3 would list it.
    int slash = prefix.lastIndexOf('/');
    String folder = slash < 0 ? "" : prefix.substring(0, slash + 1);
    Path dir = folder.isEmpty() ? root : resolve(folder.substring(0, folder.length() - 1));
    try {
      walk(dir, folder, prefix, consumer);
    } catch (IOException e) {
      throw failure("list", prefix, e);
    }
  }

  private void walk(Path dir, String dirKey, String prefix, Consumer<ObjectInfo> consumer)
      throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      stream.forEach(children::add);
    } catch (NoSuchFileException e) {
      return;
    }
    children.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
    for (Path child : children) {
      String name = child.getFileName().toString();
      BasicFileAttributes a;
      try {
        a = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        continue; // deleted while we listed
      }
      if (a.isDirectory()) {
        String key = dirKey + name + "/";
        if (key.startsWith(prefix) || prefix.startsWith(key)) {
          walk(child, key, prefix, consumer);
        }
      } else if (a.isRegularFile() && !name.contains(TEMP_MARK)) {
        String key = dirKey + name;
        if (key.startsWith(prefix)) {
          consumer.accept(new ObjectInfo(key, a.size(), a.lastModifiedTime().toInstant()));
        }
      }
    }
  }

  /**
   * Deletes the temporary files of writes that died before their rename (a backup killed while it
   * wrote a pack), last written before {@code before}; a file named like one but not ours (its mark
   * not followed by hex digits) is left alone.
   */
  @Override
  public long deleteAbandonedWrites(Instant before, boolean dryRun) {
    long[] count = {0};
    try {
      Files.walkFileTree(
          root,
          new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path p, BasicFileAttributes a)
                throws IOException {
              if (a.isRegularFile()
                  && TEMP_NAME.matcher(p.getFileName().toString()).matches()
                  && a.lastModifiedTime().toInstant().isBefore(before)) {
                if (!dryRun) {
                  Files.deleteIfExists(p);
                }
                count[0]++;
              }
              return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path p, IOException e)
                throws IOException {
              if (e instanceof NoSuchFileException) {
                return java.nio.file.FileVisitResult.CONTINUE; // renamed or deleted meanwhile
              }
              throw e;
            }
          });
    } catch (IOException e) {
      throw failure("delete the temporary files of", "writes that died", e);
    }
    return count[0];
  }

  @Override
  public void close() {}

  private Path resolve(String key) {
    Path p = root.resolve(key).normalize();
    if (key.isEmpty() || key.startsWith("/") || !p.startsWith(root) || p.equals(root)) {
      throw new StoreException(StoreException.Kind.PERMANENT, "invalid object key '" + key + "'");
    }
    return p;
  }

  private StoreException failure(String op, String key, IOException e) {
    StoreException.Kind kind =
        e instanceof AccessDeniedException
            ? StoreException.Kind.PERMANENT
            : StoreException.Kind.TRANSIENT;
    return new StoreException(
        kind, "cannot " + op + " " + key + " in " + location() + ": " + Names.reason(e, true), e);
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort: a leftover temp file is skipped by list(); deleteAbandonedWrites takes it
    }
  }
}
