package dev.strata.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Prometheus's promtool (built by e2e/tools/install.sh): checks rule files and runs rule unit
 * tests.
 */
public final class Promtool {

  private final Path binary;
  private final Path workDir;

  private Promtool(Path binary, Path workDir) {
    this.binary = binary;
    this.workDir = workDir;
  }

  public static Promtool in(Path workDir) {
    return new Promtool(Tools.installed().require(Tools.PROMTOOL), workDir);
  }

  /** {@code promtool check rules}: every expression parses, every rule is well formed. */
  public CommandResult checkRules(String rulesYaml) {
    return run(List.of("check", "rules", write("rules.yml", rulesYaml).toString()));
  }

  /** {@code promtool test rules}: the test file names its rule files relative to itself. */
  public CommandResult testRules(String rulesYaml, String testYaml) {
    write("rules.yml", rulesYaml);
    return run(List.of("test", "rules", write("test.yml", testYaml).toString()));
  }

  private CommandResult run(List<String> args) {
    List<String> command = new java.util.ArrayList<>(List.of(binary.toString()));
    command.addAll(args);
    return CommandResult.run(command, Map.of("HOME", workDir.toString()), Duration.ofSeconds(60));
  }

  private Path write(String name, String content) {
    try {
      Files.createDirectories(workDir);
      return Files.writeString(workDir.resolve(name), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
