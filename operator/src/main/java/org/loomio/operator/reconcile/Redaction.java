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

  /**
   * A masking of the given values and of every value in the given Secrets (the credentials, the Secrets the
   * spec references: SMTP, S3, secretEnv, an existingSecret).
   */
  static java.util.function.UnaryOperator<String> masking(Collection<String> values,
      Collection<io.fabric8.kubernetes.api.model.Secret> secrets) {
    java.util.List<String> all = new java.util.ArrayList<>(values);
    for (var secret : secrets) {
      if (secret.getData() != null) {
        secret.getData().values().forEach(v -> {
          try {
            all.add(new String(java.util.Base64.getDecoder().decode(v), java.nio.charset.StandardCharsets.UTF_8));
          } catch (IllegalArgumentException e) {
            all.add(v);
          }
        });
      }
      if (secret.getStringData() != null) {
        all.addAll(secret.getStringData().values());
      }
    }
    // longest first, so a value containing another is masked whole
    all.sort(java.util.Comparator.comparingInt(String::length).reversed());
    return text -> text == null ? null : of(text, all);
  }

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
