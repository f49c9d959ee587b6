package org.loomio.operator.render;

import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * SHA-256 digests of the Secret keys a stack reads, by Secret name and key. Pod templates carry a hash of
 * the digests of exactly the keys they consume, so a changed secret rolls exactly the pods that use it.
 * Digests, not values: nothing secret reaches the renderer except the generated Secret's own data.
 */
public final class SecretDigests {

  private static final SecretDigests NONE = new SecretDigests(Map.of());

  private final Map<String, Map<String, String>> digests;

  private SecretDigests(Map<String, Map<String, String>> digests) {
    this.digests = digests;
  }

  public static SecretDigests none() {
    return NONE;
  }

  /** Digests of every key of the given Secrets (data and stringData). */
  public static SecretDigests of(Collection<Secret> secrets) {
    Map<String, Map<String, String>> all = new TreeMap<>();
    for (Secret secret : secrets) {
      Map<String, String> keys = new TreeMap<>();
      if (secret.getData() != null) {
        secret.getData().forEach((k, v) -> keys.put(k, sha256(Base64.getDecoder().decode(v))));
      }
      if (secret.getStringData() != null) {
        secret.getStringData().forEach((k, v) -> keys.put(k, sha256(v.getBytes(StandardCharsets.UTF_8))));
      }
      all.put(secret.getMetadata().getName(), keys);
    }
    return new SecretDigests(all);
  }

  /** Digests of plain values (for credentials the operator holds in memory). */
  public SecretDigests with(String secretName, Map<String, String> values) {
    Map<String, Map<String, String>> all = new TreeMap<>(digests);
    Map<String, String> keys = new TreeMap<>();
    values.forEach((k, v) -> keys.put(k, sha256(v.getBytes(StandardCharsets.UTF_8))));
    all.put(secretName, keys);
    return new SecretDigests(all);
  }

  public Optional<String> digest(String secretName, String key) {
    return Optional.ofNullable(digests.getOrDefault(secretName, Map.of()).get(key));
  }

  public boolean hasSecret(String secretName) {
    return digests.containsKey(secretName);
  }

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
}
