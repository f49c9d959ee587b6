package org.loomio.operator.cli;

import org.loomio.operator.runtime.Logging;
import picocli.CommandLine.Option;

/** --log-level and --log-format, shared by run, backup and restore (LOG_LEVEL and LOG_FORMAT by default). */
public final class LoggingOptions {

  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      defaultValue = "${env:LOG_LEVEL:-info}",
      description = "trace, debug, info, warn or error (LOG_LEVEL; default ${DEFAULT-VALUE}).")
  String logLevel;

  @Option(
      names = "--log-format",
      paramLabel = "FORMAT",
      defaultValue = "${env:LOG_FORMAT:-text}",
      description = "text or json, one object per line (LOG_FORMAT; default ${DEFAULT-VALUE}).")
  Logging.Format logFormat;

  /** Applies them; an unknown level is an IllegalArgumentException naming it. */
  void configure() {
    Logging.configure(logLevel, logFormat);
  }
}
