package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import org.junit.jupiter.api.Test;

/** What the CLI skips at start-up, and that what it skips is not needed. */
class CliStartupTest {

  @Test
  void codedLoggingSetupDeclinesOutsideTheCli() {
    // The operator depends on this module and has its own logback.xml: the coded setup must leave
    // it to logback.
    String was = System.clearProperty(CliLogging.ACTIVE);
    try {
      LoggerContext context = new LoggerContext();
      CliLogging logging = new CliLogging();
      logging.setContext(context);
      assertThat(logging.configure(context))
          .isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
      assertThat(
              context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext())
          .isFalse();

      System.setProperty(CliLogging.ACTIVE, "true");
      assertThat(logging.configure(context))
          .isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
      assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR"))
          .isNotNull();
    } finally {
      if (was == null) {
        System.clearProperty(CliLogging.ACTIVE);
      } else {
        System.setProperty(CliLogging.ACTIVE, was);
      }
    }
  }

  @Test
  void aCommandLineBuildsOnlyTheCommandItNamesAndHelpListsThemAll() {
    assertThat(StrataCli.commandsFor(new String[] {"restore", "--latest", "--target", "t"}))
        .containsExactly(RestoreCommand.class);
    assertThat(StrataCli.commandsFor(new String[] {"--help", "gc", "--dry-run"}))
        .containsExactly(GcCommand.class);
    for (String[] all :
        new String[][] {
          {}, {"--version"}, {"help", "restore"}, {"completion", "bash"}, {"restor", "--latest"}
        }) {
      assertThat(StrataCli.commandsFor(all)).hasSize(15).contains(CompletionCommand.class);
    }

    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int rc =
        StrataCli.run(
            new String[] {"help"},
            new java.io.PrintWriter(out),
            new java.io.PrintWriter(err),
            null,
            java.util.Map.of());
    assertThat(rc).isZero();
    for (String name : StrataCli.COMMANDS.keySet()) {
      assertThat(out.toString()).contains("\n  " + name + " ");
    }
    // A command added alone still gets the inherited --help and --version, and the path converter.
    out.getBuffer().setLength(0);
    rc =
        StrataCli.run(
            new String[] {"restore", "--help"},
            new java.io.PrintWriter(out),
            new java.io.PrintWriter(err),
            null,
            java.util.Map.of());
    assertThat(rc).isZero();
    assertThat(out.toString()).contains("-V, --version");
    rc =
        StrataCli.run(
            new String[] {"restore", "--latest", "--source-id", "x", "--target", ""},
            new java.io.PrintWriter(out),
            new java.io.PrintWriter(err),
            null,
            java.util.Map.of());
    assertThat(rc).isEqualTo(StrataCli.USAGE);
    assertThat(err.toString()).contains("an empty path names no file");
  }
}
