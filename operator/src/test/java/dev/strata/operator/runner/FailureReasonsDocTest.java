package dev.strata.operator.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.report.RunError.Cause;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The reason table people read (docs/snapshots.md) is the mapping the operator applies: every
 * cause, its reason.
 */
class FailureReasonsDocTest {

  static final Path DOC = Path.of("..", "docs", "snapshots.md");
  static final Pattern ROW =
      Pattern.compile("^\\| `(\\w+)` \\| `([A-Z_]+)` \\|", Pattern.MULTILINE);

  @Test
  void theDocumentedTableIsTheMapping() throws IOException {
    String doc = Files.readString(DOC);
    String table = doc.substring(doc.indexOf("### Why a run failed"));
    Map<Cause, String> documented = new EnumMap<>(Cause.class);
    Matcher m = ROW.matcher(table);
    while (m.find()) {
      assertThat(documented.put(Cause.valueOf(m.group(2)), m.group(1)))
          .as("%s is listed once", m.group(2))
          .isNull();
    }
    assertThat(documented).isEqualTo(FailureReasons.all());
  }

  @Test
  void reasonsAreDistinctWords() {
    assertThat(FailureReasons.all().values())
        .doesNotHaveDuplicates()
        .allMatch(r -> r.matches("[A-Z][A-Za-z]+"));
    assertThat(FailureReasons.reason(null)).isEqualTo("RunnerFailed");
  }
}
