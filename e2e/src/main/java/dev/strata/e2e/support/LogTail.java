package dev.strata.e2e.support;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The last lines of a log file, read from its end so that large logs cost little. */
public final class LogTail {

  private LogTail() {}

  public static String lastLines(Path file, int lines) {
    return lastLines(file, lines, 64 * 1024);
  }

  /**
   * At most {@code lines} lines and {@code maxBytes} bytes from the end of {@code file}; "" if
   * absent.
   */
  public static String lastLines(Path file, int lines, int maxBytes) {
    if (!Files.isRegularFile(file)) {
      return "";
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      int size = (int) Math.min(length, maxBytes);
      byte[] buffer = new byte[size];
      raf.seek(length - size);
      raf.readFully(buffer);
      String text = new String(buffer, StandardCharsets.UTF_8);
      List<String> all = Arrays.asList(text.split("\n", -1));
      if (!all.isEmpty() && all.get(all.size() - 1).isEmpty()) {
        all = all.subList(0, all.size() - 1);
      }
      int from = Math.max(0, all.size() - lines);
      return String.join("\n", all.subList(from, all.size()));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
  }
}
