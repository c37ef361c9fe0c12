package dev.strata.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files: the expected output lives next to the input under src/test/resources/golden. Run the tests with
 * {@code -Dgolden.update=true} to rewrite them after an intended change, then review the diff.
 */
public final class Golden {
  public static final Path ROOT = Path.of("src/test/resources/golden");

  private Golden() {}

  public static void assertMatches(Path expected, String actual) throws IOException {
    if (Boolean.getBoolean("golden.update") || !Files.exists(expected)) {
      Files.writeString(expected, actual);
      if (!Boolean.getBoolean("golden.update")) {
        throw new AssertionError("wrote the missing golden file " + expected + ": review it and run again");
      }
    }
    assertThat(actual).as("%s (rerun with -Dgolden.update=true to accept a change)", expected).isEqualTo(Files.readString(expected));
  }
}
