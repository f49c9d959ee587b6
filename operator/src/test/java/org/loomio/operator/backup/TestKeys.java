package org.loomio.operator.backup;

/** Keys generated once per test JVM: RSA-3072 generation takes a second or two each. */
final class TestKeys {

  private static OpenPgp.GeneratedKey alice;
  private static OpenPgp.GeneratedKey bob;

  private TestKeys() {}

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
