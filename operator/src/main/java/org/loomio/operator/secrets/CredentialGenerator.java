package org.loomio.operator.secrets;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.loomio.operator.model.Credentials;

/**
 * Makes new credential values: 32 random bytes from {@link SecureRandom}, hex-encoded (as Loomio's own
 * {@code create_env.sh} does with {@code SecureRandom.hex(32)}), and the VAPID key pair for web push as
 * web-push's {@code generate_key} encodes it: a P-256 pair, the public key as the 65-byte uncompressed
 * point and the private key as the 32-byte scalar, both URL-safe Base64 without padding.
 */
public final class CredentialGenerator {

  private final SecureRandom random;

  public CredentialGenerator() {
    this(new SecureRandom());
  }

  public CredentialGenerator(SecureRandom random) {
    this.random = random;
  }

  /** 32 random bytes as 64 hex characters. */
  public String hex32() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** A fresh VAPID pair: {@code VAPID_PUBLIC_KEY} and {@code VAPID_PRIVATE_KEY}. */
  public Map<String, String> vapidKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      KeyPair pair = generator.generateKeyPair();
      ECPublicKey pub = (ECPublicKey) pair.getPublic();
      ECPrivateKey priv = (ECPrivateKey) pair.getPrivate();
      byte[] point = new byte[65];
      point[0] = 0x04;
      System.arraycopy(unsigned32(pub.getW().getAffineX()), 0, point, 1, 32);
      System.arraycopy(unsigned32(pub.getW().getAffineY()), 0, point, 33, 32);
      Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
      Map<String, String> keys = new LinkedHashMap<>();
      keys.put(Credentials.VAPID_PUBLIC_KEY, b64.encodeToString(point));
      keys.put(Credentials.VAPID_PRIVATE_KEY, b64.encodeToString(unsigned32(priv.getS())));
      return keys;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("P-256 is part of every Java runtime", e);
    }
  }

  /** A value for one credential key; the VAPID pair is made with {@link #vapidKeyPair()}. */
  public String valueFor(String key) {
    if (key.startsWith("VAPID_")) {
      throw new IllegalArgumentException("the VAPID keys are a pair; use vapidKeyPair()");
    }
    return hex32();
  }

  /** A big-endian unsigned integer in exactly 32 bytes (left-padded, sign byte dropped). */
  static byte[] unsigned32(BigInteger value) {
    byte[] raw = value.toByteArray();
    byte[] out = new byte[32];
    if (raw.length > 33 || (raw.length == 33 && raw[0] != 0)) {
      throw new IllegalArgumentException("value does not fit 32 bytes");
    }
    int copy = Math.min(raw.length, 32);
    System.arraycopy(raw, raw.length - copy, out, 32 - copy, copy);
    return out;
  }
}
