package org.loomio.operator.reconcile;

import java.util.Collection;

/**
 * Takes known secret values out of text that goes into the status (a Job's log tail): a failing Rails
 * process may print its environment or a connection string, and the status is readable by anyone who may
 * read the LoomioDeployment.
 */
final class Redaction {

  static final String MASK = "[redacted]";
  /** Shorter values are not searched for (they would mask ordinary words). */
  private static final int MIN_LENGTH = 8;

  private Redaction() {}

  static String of(String text, Collection<String> secrets) {
    String out = text;
    for (String secret : secrets) {
      if (secret != null && secret.length() >= MIN_LENGTH) {
        out = out.replace(secret, MASK);
      }
    }
    return out;
  }
}
