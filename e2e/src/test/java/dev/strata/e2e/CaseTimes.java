package dev.strata.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a test class adds to the end-to-end tier's wall time: prints each test's duration as it
 * ends, and when the class ends all of them with the class's whole time, its {@code @BeforeAll} and
 * {@code @AfterAll} (a {@code helm install}, say) included, the shared cluster's start excluded
 * when an earlier extension started it. Register it as a static field with
 * {@code @RegisterExtension} after the cluster's extension.
 */
final class CaseTimes
    implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

  private final String title;
  private final List<String> lines = new ArrayList<>();
  private Instant classStarted;
  private Instant caseStarted;

  CaseTimes(String title) {
    this.title = title;
  }

  private static double secondsSince(Instant start) {
    return Duration.between(start, Instant.now()).toMillis() / 1000.0;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    classStarted = Instant.now();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    caseStarted = Instant.now();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    String line =
        String.format(
            "  %-66s %6.1f s%n",
            context.getRequiredTestMethod().getName(), secondsSince(caseStarted));
    lines.add(line);
    System.out.print("case" + line);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    System.out.printf(
        "%n==== %s ====%n%s  %-66s %6.1f s%n",
        title,
        String.join("", lines),
        "the class, its @BeforeAll and @AfterAll included",
        secondsSince(classStarted));
  }
}
