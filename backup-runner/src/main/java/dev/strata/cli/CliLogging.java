package dev.strata.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The CLI's logging, set up in code when {@link StrataCli#main} runs (found by logback through
 * META-INF/services): the same as src/main/resources/logback.xml, one line per event on stderr,
 * Strata's loggers at {@code STRATA_LOG_LEVEL} (WARN by default), everything else at WARN. Parsing
 * that XML costs a tenth of a CLI run's start-up CPU. Anywhere else (the operator, which has its
 * own logback.xml; tests) it declines and logback reads its configuration files as usual.
 */
public final class CliLogging extends ContextAwareBase implements Configurator {

  /** Set by {@link StrataCli#main} before the first logger is made. */
  static final String ACTIVE = "strata.cli.logging";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (!Boolean.getBoolean(ACTIVE)) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{0} %msg%n");
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(stderr);
    context.getLogger("dev.strata").setLevel(level());
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * {@code STRATA_LOG_LEVEL} as logback.xml reads it: a system property first, then the
   * environment.
   */
  static Level level() {
    String v = System.getProperty("STRATA_LOG_LEVEL");
    if (v == null || v.isEmpty()) {
      v = System.getenv("STRATA_LOG_LEVEL");
    }
    return Level.toLevel(v == null || v.isEmpty() ? null : v.trim(), Level.WARN);
  }
}
