package org.loomio.operator.secrets;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A PostgreSQL SCRAM-SHA-256 password verifier ({@code SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>},
 * RFC 5802/7677, the form PostgreSQL stores). {@code ALTER ROLE ... PASSWORD '<verifier>'} sets the password
 * without the password itself ever reaching the server. The generated passwords are ASCII hex, for which
 * SASLprep changes nothing.
 */
public final class ScramVerifier {

  /** PostgreSQL's default iteration count (scram_iterations). */
  public static final int ITERATIONS = 4096;

  private ScramVerifier() {}

  public static String of(String password, SecureRandom random) {
    byte[] salt = new byte[16];
    random.nextBytes(salt);
    return of(password, salt, ITERATIONS);
  }

  static String of(String password, byte[] salt, int iterations) {
    try {
      SecretKeyFactory pbkdf2 = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
      byte[] salted = pbkdf2
          .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256))
          .getEncoded();
      byte[] clientKey = hmac(salted, "Client Key");
      byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
      byte[] serverKey = hmac(salted, "Server Key");
      Base64.Encoder b64 = Base64.getEncoder();
      return "SCRAM-SHA-256$" + iterations + ":" + b64.encodeToString(salt) + "$"
          + b64.encodeToString(storedKey) + ":" + b64.encodeToString(serverKey);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "PBKDF2WithHmacSHA256 and HmacSHA256 are part of every Java runtime", e);
    }
  }

  private static byte[] hmac(byte[] key, String text) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
  }
}
