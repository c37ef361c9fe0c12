package dev.strata.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;

/**
 * The operator's clock in tests: a file holding an instant (STRATA_CLOCK_FILE), replaced
 * atomically.
 */
final class TestClock {

  private final Path file;

  TestClock(Path file) {
    this.file = file;
  }

  Path file() {
    return file;
  }

  void set(Instant t) {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, t.toString());
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
