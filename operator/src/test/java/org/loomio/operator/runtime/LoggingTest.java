package org.loomio.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LoggingTest {

  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

  @AfterEach
  void reset() throws Exception {
    context.reset();
    new ch.qos.logback.classic.util.ContextInitializer(context).autoConfig();
  }

  @Test
  void jsonLinesCarryTheFormattedMessage() {
    Logging.configure("debug", Logging.Format.json);
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.DEBUG);
    var appender = (ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent>)
        root.iteratorForAppenders().next();
    assertThat(appender.getEncoder()).isInstanceOf(JsonEncoder.class);
    LoggingEvent event = new LoggingEvent(
        "x", root, Level.INFO, "stack {} is {}", null, new Object[] {"team", "Ready"});
    String line = new String(appender.getEncoder().encode(event), StandardCharsets.UTF_8);
    assertThat(line)
        .contains("\"formattedMessage\":\"stack team is Ready\"")
        .contains("\"level\":\"INFO\"")
        .doesNotContain("arguments")
        .doesNotContain("sequenceNumber")
        .endsWith("\n");
    assertThat(line.strip()).doesNotContain("\n");
  }

  @Test
  void anUnknownLevelIsRefused() {
    assertThatThrownBy(() -> Logging.configure("loud", Logging.Format.text))
        .hasMessageContaining("unknown log level");
  }
}
