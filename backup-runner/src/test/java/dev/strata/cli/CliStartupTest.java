package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What the CLI skips at start-up, and that what it skips is not needed. */
class CliStartupTest {

  @Test
  void aCommandLineNamingACommandBuildsThatCommandOnly() {
    CommandLine one = StrataCli.commandLine(new String[] {"backup", "--store", "file:///x"});
    assertThat(one.getSubcommands()).containsOnlyKeys("backup");
    // The inherited standard options stay: --help and --version work on the command.
    assertThat(one.getSubcommands().get("backup").getCommandSpec().findOption("--help")).isNotNull();
    assertThat(one.getSubcommands().get("backup").getCommandSpec().findOption("--version")).isNotNull();
    assertThat(one.getSubcommands().get("backup").getCommandSpec().qualifiedName()).isEqualTo("strata backup");
  }

  @Test
  void anythingElseBuildsEveryCommand() {
    for (String[] args : new String[][] {{}, {"help", "backup"}, {"--help"}, {"bakup"}}) {
      assertThat(StrataCli.commandLine(args).getSubcommands())
          .containsKeys("init", "backup", "restore", "snapshots", "show", "diff", "verify", "forget", "gc", "key", "help");
    }
  }

  @Test
  void codedLoggingSetupDeclinesOutsideTheCli() {
    // The operator depends on this module and has its own logback.xml: the coded setup must leave it to logback.
    String was = System.clearProperty(CliLogging.ACTIVE);
    try {
      LoggerContext context = new LoggerContext();
      CliLogging logging = new CliLogging();
      logging.setContext(context);
      assertThat(logging.configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
      assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();

      System.setProperty(CliLogging.ACTIVE, "true");
      assertThat(logging.configure(context)).isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
      assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNotNull();
    } finally {
      if (was == null) {
        System.clearProperty(CliLogging.ACTIVE);
      } else {
        System.setProperty(CliLogging.ACTIVE, was);
      }
    }
  }
}
