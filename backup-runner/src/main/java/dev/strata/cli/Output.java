package dev.strata.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.strata.engine.index.IndexCodec;
import java.io.PrintWriter;
import java.util.Locale;

/** What commands print: results to stdout (JSON with --json), everything else to stderr. */
final class Output {

  private Output() {}

  static void json(PrintWriter out, Object value) {
    try {
      out.println(IndexCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String compactJson(Object value) {
    try {
      return IndexCodec.mapper().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String bytes(long n) {
    return dev.strata.engine.Sizes.human(n);
  }


  static String rate(double bytesPerSecond) {
    return String.format(Locale.ROOT, "%.0f MB/s", bytesPerSecond / 1e6);
  }
}
