package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * GNU tar (Debian's /usr/bin/tar, always there), as an independent reader of the archives Strata
 * writes.
 */
public final class GnuTar {

  private GnuTar() {}

  /**
   * {@code tar --numeric-owner -xf archive -C dir}: run by root (as the tests are), GNU tar keeps
   * owners and modes (setuid too) by default, and nanosecond mtimes from the pax headers.
   */
  public static void extract(Path archive, Path dir) {
    run(List.of("tar", "--numeric-owner", "-xf", archive.toString(), "-C", dir.toString()));
  }

  /** {@code tar --numeric-owner --full-time -tvf archive}: one line per entry. */
  public static List<String> listVerbose(Path archive) {
    return run(List.of("tar", "--numeric-owner", "--full-time", "-tvf", archive.toString()))
        .lines()
        .toList();
  }

  /** {@code tar -tf archive}: the names, as tar reads them. */
  public static List<String> names(Path archive) {
    return run(List.of("tar", "-tf", archive.toString())).lines().toList();
  }

  private static String run(List<String> command) {
    try {
      Path out = Files.createTempFile("gnu-tar-", ".out");
      try {
        ProcessBuilder builder =
            new ProcessBuilder(new ArrayList<>(command))
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        // pax names are UTF-8; in the C locale tar would write them in another form.
        builder.environment().put("LC_ALL", "C.UTF-8");
        Process p = builder.start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("%s finished", command).isTrue();
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("%s: %s", command, text).isZero();
        return text;
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
