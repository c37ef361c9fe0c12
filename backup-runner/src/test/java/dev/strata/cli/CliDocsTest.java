package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every `strata` command in the shell examples of the README and docs/cli.md parses as written: a
 * renamed or removed option, or a command that does not exist, fails here before a user pastes it.
 */
class CliDocsTest {

  static final Path ROOT = Path.of("..");

  @Test
  void everyDocumentedCommandParses() throws IOException {
    int checked = 0;
    for (String doc : new String[] {"README.md", "docs/cli.md"}) {
      for (String line : shellLines(Files.readString(ROOT.resolve(doc)))) {
        List<String> words = words(line);
        if (words.isEmpty() || !words.get(0).equals("strata")) {
          continue;
        }
        String[] args = words.subList(1, words.size()).toArray(String[]::new);
        CommandLine cli = StrataCli.commandLine(new StrataCli(Settings.of(Map.of()), null), args);
        try {
          cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
          throw new AssertionError(doc + ": `" + line + "` does not parse: " + e.getMessage(), e);
        }
        checked++;
      }
    }
    assertThat(checked).as("strata commands found in the docs").isGreaterThanOrEqualTo(15);
  }

  /** The lines of ```sh blocks, continuation lines joined, a leading "$ " dropped. */
  static List<String> shellLines(String markdown) {
    List<String> out = new ArrayList<>();
    boolean in = false;
    StringBuilder pending = new StringBuilder();
    for (String line : markdown.split("\n")) {
      if (line.startsWith("```")) {
        in = line.strip().equals("```sh");
        continue;
      }
      if (!in) {
        continue;
      }
      String l = line.startsWith("$ ") ? line.substring(2) : line;
      if (l.endsWith("\\")) {
        pending.append(l, 0, l.length() - 1).append(' ');
        continue;
      }
      out.add(pending.append(l).toString().strip());
      pending.setLength(0);
    }
    return out;
  }

  /** Shell words up to a pipe, redirection, comment or command separator; quotes removed. */
  static List<String> words(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    boolean any = false;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          w.append(c);
        }
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
        any = true;
      } else if (c == ' ' || c == '\t') {
        if (any) {
          out.add(w.toString());
          w.setLength(0);
          any = false;
        }
      } else if (c == '|' || c == '>' || c == '<' || c == '#' || c == ';' || c == '&') {
        break;
      } else {
        w.append(c);
        any = true;
      }
    }
    if (any) {
      out.add(w.toString());
    }
    return out;
  }
}
