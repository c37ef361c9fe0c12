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
}
