package org.loomio.operator.backup;

/** Keys generated once per test JVM: RSA-3072 generation takes a second or two each. */
final class TestKeys {

  private static OpenPgp.GeneratedKey alice;
  private static OpenPgp.GeneratedKey bob;

  private static OpenPgp.GeneratedKey signing;
  private static OpenPgp.GeneratedKey otherSigning;

  private TestKeys() {}

  /** A stack's signing key. */
  static synchronized OpenPgp.GeneratedKey signing() throws Exception {
    if (signing == null) {
      signing = OpenPgp.generateSigningKey("Loomio backups of loomio/team (signing)");
    }
    return signing;
  }

  /** Someone else's signing key: what a forger has. */
  static synchronized OpenPgp.GeneratedKey otherSigning() throws Exception {
    if (otherSigning == null) {
      otherSigning = OpenPgp.generateSigningKey("Mallory <mallory@example.org>");
    }
    return otherSigning;
  }

  static synchronized OpenPgp.GeneratedKey alice() throws Exception {
    if (alice == null) {
      alice = OpenPgp.generateKey("Alice <alice@example.org>");
    }
    return alice;
  }

  static synchronized OpenPgp.GeneratedKey bob() throws Exception {
    if (bob == null) {
      bob = OpenPgp.generateKey("Bob <bob@example.org>");
    }
    return bob;
  }
}
