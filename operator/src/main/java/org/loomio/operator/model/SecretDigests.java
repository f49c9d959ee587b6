package org.loomio.operator.model;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed digests (HMAC-SHA256) of the Secret keys a stack reads, by Secret name and key. Pod templates carry a
 * hash of the digests of exactly the keys they consume, so a changed secret rolls exactly the pods that use it.
 * Keyed, with a random key per stack that lives in the stack's own Secret ({@link Credentials#HASH_KEY}): the
 * annotation is readable by anyone who may read the pods, and a bare hash of a value a person chose (a database
 * password in {@code existingSecret}) would let them test guesses offline. Digests, not values: nothing secret
 * reaches the renderer except the generated Secret's own data.
 */
public final class SecretDigests {

  /** The key of {@link #none()}: only placeholder values (the CLI) or none at all are ever digested with it. */
  private static final byte[] NO_KEY = new byte[32];

  private static final SecretDigests NONE = new SecretDigests(NO_KEY, Map.of());

  private final byte[] key;
  private final Map<String, Map<String, String>> digests;

  private SecretDigests(byte[] key, Map<String, Map<String, String>> digests) {
    this.key = key;
    this.digests = digests;
  }

  /** No referenced Secrets (the CLI, the backup and restore Jobs, tests). */
  public static SecretDigests none() {
    return NONE;
  }

  /** Keyed digests of every key of the given Secrets (data and stringData). */
  public static SecretDigests keyed(byte[] key, Collection<Secret> secrets) {
    if (key == null || key.length < 16) {
      throw new IllegalArgumentException("the digest key must have at least 16 bytes");
    }
    Map<String, Map<String, String>> all = new TreeMap<>();
    for (Secret secret : secrets) {
      Map<String, String> keys = new TreeMap<>();
      if (secret.getData() != null) {
        secret
            .getData()
            .forEach((k, v) -> keys.put(k, hmac(key, Base64.getDecoder().decode(v))));
      }
      if (secret.getStringData() != null) {
        secret
            .getStringData()
            .forEach((k, v) -> keys.put(k, hmac(key, v.getBytes(StandardCharsets.UTF_8))));
      }
      all.put(secret.getMetadata().getName(), keys);
    }
    return new SecretDigests(key.clone(), all);
  }

  /** Digests of plain values (for credentials the operator holds in memory), with the same key. */
  public SecretDigests with(String secretName, Map<String, String> values) {
    Map<String, Map<String, String>> all = new TreeMap<>(digests);
    Map<String, String> keys = new TreeMap<>();
    values.forEach((k, v) -> keys.put(k, hmac(key, v.getBytes(StandardCharsets.UTF_8))));
    all.put(secretName, keys);
    return new SecretDigests(key, all);
  }

  public Optional<String> digest(String secretName, String key) {
    return Optional.ofNullable(digests.getOrDefault(secretName, Map.of()).get(key));
  }

  public boolean hasSecret(String secretName) {
    return digests.containsKey(secretName);
  }

  /** SHA-256 of non-secret text (names, settings, the combined keyed digests). */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  public static String sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String hmac(byte[] key, byte[] value) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(value));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }
}
