package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.e2e.support.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * An option of the kubectl plugin given without its value is refused before anything runs, with a
 * message that names it (bash's {@code set -u} used to end the script with "$2: unbound variable"
 * and exit 1). No cluster is needed: the check comes first.
 */
class PluginOptionsTest {

  /** Every option that takes a value, with the command it belongs to. */
  static final List<List<String>> VALUED =
      List.of(
          List.of("ls", "-n"),
          List.of("ls", "--namespace"),
          List.of("snapshot", "-n"),
          List.of("snapshot", "--path"),
          List.of("snapshot", "--store"),
          List.of("snapshot", "--name"),
          List.of("snapshot", "--statefulset"),
          List.of("snapshot", "-l"),
          List.of("snapshot", "--selector"),
          List.of("snapshot", "--template"),
          List.of("snapshot", "--ttl"),
          List.of("sync", "-n"),
          List.of("restore", "-n"),
          List.of("restore", "--to"),
          List.of("restore", "--size"),
          List.of("restore", "--mode"),
          List.of("restore", "--path"),
          List.of("restore", "--as-of"),
          List.of("restore", "--name"),
          List.of("version", "-n"),
          List.of("version", "--namespace"));

  @Test
  void anOptionWithoutItsValueIsRefusedByName() {
    for (List<String> args : VALUED) {
      List<String> command =
          new ArrayList<>(List.of("/bin/bash", PluginVersionOfflineTest.PLUGIN.toString()));
      command.addAll(args);
      // KUBECTL points nowhere: had the plugin gone on, it would have failed differently.
      CommandResult r =
          CommandResult.run(
              command, Map.of("KUBECTL", "/nonexistent/kubectl"), Duration.ofSeconds(30));
      assertThat(r.exitCode()).as("%s: %s", args, r.stderr()).isEqualTo(2);
      assertThat(r.stderr())
          .as("%s", args)
          .isEqualTo("kubectl strata: " + args.get(1) + " needs a value\n");
      assertThat(r.stdout()).as("%s", args).isEmpty();
    }
  }

  @Test
  void everyOptionThatTakesAValueChecksForIt() throws IOException {
    // An option added later without the check would fail as before: this finds it in the script.
    Pattern takesValue = Pattern.compile("^\\s+[-\\w|]+\\).*\"\\$2\".*shift 2");
    List<String> unchecked =
        Files.readAllLines(PluginVersionOfflineTest.PLUGIN).stream()
            .filter(line -> takesValue.matcher(line).find())
            .filter(line -> !line.contains("optval \"$@\";"))
            .toList();
    assertThat(unchecked).isEmpty();
    long options =
        Files.readAllLines(PluginVersionOfflineTest.PLUGIN).stream()
            .filter(line -> takesValue.matcher(line).find())
            .count();
    assertThat(options).as("options with a value in the script").isEqualTo(18);
  }
}
