package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the command line prints says no more than it knows: a usage error is one line and a pointer
 * to the command's help, not the whole help page.
 */
class CliHonestOutputTest {

  @TempDir Path tmp;

  CliUxTest.Run strata(String... args) {
    return CliUxTest.strata(Map.of("HOME", tmp.resolve("home").toString()), args);
  }

  String store() {
    return tmp.resolve("store").toUri().toString();
  }

  @Test
  void aUsageErrorIsOneLineAndAPointerToTheCommandsHelp() {
    CliUxTest.Run two = strata("forget", "--store", store(), "A", "B");
    assertThat(two.code()).isEqualTo(StrataCli.USAGE);
    assertThat(two.err())
        .isEqualTo(
            "strata: Unmatched argument at index 4: 'B'\n"
                + "Run `strata forget --help` for its options.\n");
    assertThat(two.out()).isEmpty();

    // Every command's parse errors go the same way, with picocli's suggestion kept.
    CliUxTest.Run unknown = strata("snapshots", "--store", store(), "--jsn");
    assertThat(unknown.code()).isEqualTo(StrataCli.USAGE);
    assertThat(unknown.err())
        .startsWith("strata: Unknown option: '--jsn'\n")
        .contains("--json")
        .endsWith("Run `strata snapshots --help` for its options.\n")
        .doesNotContain("Usage:");
    CliUxTest.Run missing = strata("diff", "--store", store(), "latest");
    assertThat(missing.err())
        .startsWith("strata: Missing required option: '--source=DIR'\n")
        .endsWith("Run `strata diff --help` for its options.\n")
        .hasLineCount(2);
    CliUxTest.Run subKey = strata("key", "list", "--store", store(), "extra");
    assertThat(subKey.err())
        .endsWith("Run `strata key list --help` for its options.\n")
        .hasLineCount(2);

    // strata alone still lists the commands, in its one line.
    CliUxTest.Run none = strata();
    assertThat(none.code()).isEqualTo(StrataCli.USAGE);
    assertThat(none.err())
        .startsWith("strata: name a command: backup, restore,")
        .endsWith("Run `strata --help` for its options.\n")
        .hasLineCount(2);
  }
}
