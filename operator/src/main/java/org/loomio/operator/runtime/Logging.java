package org.loomio.operator.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import java.util.Iterator;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets the log level and format at start (LOG_LEVEL, LOG_FORMAT). Text is for people at a terminal; JSON
 * (one object per line, logback's own encoder) is for log pipelines. Logs go to stderr either way.
 * Nothing the operator logs carries a secret value: messages name objects and keys only.
 */
public final class Logging {

  public enum Format {
    text,
    json
  }

  private Logging() {}

  public static void configure(String level, Format format) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return; // another slf4j binding (a test classpath): leave it alone
    }
    Level parsed = Level.toLevel(level.toUpperCase(Locale.ROOT), null);
    if (parsed == null) {
      throw new IllegalArgumentException(
          "unknown log level '" + level + "' (trace, debug, info, warn, error)");
    }
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(parsed);
    if (format == Format.json) {
      for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
        if (it.next() instanceof ConsoleAppender<ILoggingEvent> console) {
          JsonEncoder encoder = new JsonEncoder();
          encoder.setContext(context);
          // one readable message per line; not the template and its arguments, not logback's
          // bookkeeping
          encoder.setWithFormattedMessage(true);
          encoder.setWithMessage(false);
          encoder.setWithArguments(false);
          encoder.setWithContext(false);
          encoder.setWithSequenceNumber(false);
          encoder.setWithNanoseconds(false);
          encoder.start();
          console.stop();
          console.setEncoder(encoder);
          console.start();
        }
      }
    }
  }
}
