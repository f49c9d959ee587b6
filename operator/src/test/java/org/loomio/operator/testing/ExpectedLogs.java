package org.loomio.operator.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * For tests that make the code fail on purpose (an agent given a bad backup, a stack whose names are taken):
 * what the named loggers write during each test is kept here instead of the build log, where it would read
 * like a real failure. A test may assert on it ({@link #messages()}); if the test fails, it is printed after
 * all, marked, to help find out why.
 *
 * <pre>{@code @RegisterExtension static final ExpectedLogs LOGS = ExpectedLogs.of(RestoreAgent.class);}</pre>
 */
public final class ExpectedLogs implements BeforeEachCallback, AfterEachCallback {

  private final List<String> sources;
  private final List<Logger> loggers = new ArrayList<>();
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();

  private ExpectedLogs(List<String> sources) {
    this.sources = sources;
  }

  public static ExpectedLogs of(Class<?>... sources) {
    return new ExpectedLogs(java.util.Arrays.stream(sources).map(Class::getName).toList());
  }

  /**
   * The loggers of whole packages. A test's own appender on the same logger still sees every event (only the
   * way up to the console is cut).
   */
  public static ExpectedLogs of(String... loggerNames) {
    return new ExpectedLogs(List.of(loggerNames));
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    captured.list.clear();
    captured.start();
    for (String source : sources) {
      Logger logger = (Logger) LoggerFactory.getLogger(source);
      logger.addAppender(captured);
      logger.setAdditive(false);
      loggers.add(logger);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    for (Logger logger : loggers) {
      logger.detachAppender(captured);
      logger.setAdditive(true);
    }
    loggers.clear();
    captured.stop();
    if (context.getExecutionException().isPresent()) {
      for (String line : messages()) {
        System.err.println("[log of the failed test " + context.getDisplayName() + "] " + line);
      }
    }
  }

  /** What the loggers wrote during the current test, as {@code LEVEL logger - message}. */
  public List<String> messages() {
    return captured.list.stream()
        .map(e -> e.getLevel() + " " + e.getLoggerName().replaceAll(".*\\.", "") + " - "
            + e.getFormattedMessage())
        .toList();
  }
}
