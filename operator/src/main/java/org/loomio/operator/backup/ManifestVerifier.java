package org.loomio.operator.backup;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The one check of whether a backup is this stack's own, shared by a restore (a named backup), the choice of
 * {@code latest}, retention and (later) restore drills. A backup passes when:
 * <ol>
 *   <li>its manifest ({@value Manifest#FILE_NAME}, at most {@link Manifest#MAX_BYTES}) has a detached signature
 *       ({@value Manifest#SIGNATURE_FILE}, at most {@link Manifest#MAX_SIGNATURE_BYTES}) that verifies against
 *       one of the trusted keys (the stack's signing public key) over the manifest's exact bytes; only then
 *       is the manifest parsed;
 *   <li>the manifest names this stack and this backup, and its {@code createdAt} is the time in the backup's
 *       name;
 *   <li>neither is later than now plus {@link #CLOCK_SKEW}: a backup dated in the future would otherwise be
 *       {@code latest} for as long as it exists.
 * </ol>
 * A backup without a signature (made before backups were signed) passes only when unsigned backups are allowed
 * (a restore naming it, with {@code allowUnsigned}) and it is dated before the trusted signing key was made
 * (plus {@link #CLOCK_SKEW}): every backup made since is signed, so an unsigned one dated later is a signed
 * one with its signature stripped. A present but bad signature never passes.
 */
public final class ManifestVerifier {

  /** How far a backup's time may be ahead of this clock: nodes' clocks differ by seconds, not minutes. */
  public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  /** A manifest that passed: signed by {@code signedBy} (a primary-key fingerprint), or unsigned (null). */
  public record Verified(Manifest manifest, String signedBy) {
    public boolean signed() {
      return signedBy != null;
    }
  }

  /** A backup that is not proven to be this stack's: the message says why. */
  public static final class RefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    public RefusedException(String message) {
      super(message);
    }
  }

  private final OpenPgp.Verifier keys;
  private final Clock clock;
  private final boolean allowUnsigned;

  public ManifestVerifier(OpenPgp.Verifier keys, Clock clock, boolean allowUnsigned) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.allowUnsigned = allowUnsigned;
  }

  /** The same keys and clock, refusing unsigned backups. */
  public ManifestVerifier signedOnly() {
    return allowUnsigned ? new ManifestVerifier(keys, clock, false) : this;
  }

  /**
   * Reads and verifies a backup's manifest at a destination.
   *
   * @throws RefusedException when it is not proven to be this stack's (or has no manifest)
   * @throws IOException when the destination cannot be read
   */
  public Verified read(Destination d, String backup) throws IOException {
    Optional<byte[]> json;
    Optional<byte[]> signature;
    try {
      json = d.readBounded(backup, Manifest.FILE_NAME, Manifest.MAX_BYTES);
      signature = d.readBounded(backup, Manifest.SIGNATURE_FILE, Manifest.MAX_SIGNATURE_BYTES);
    } catch (IllegalArgumentException e) {
      throw new RefusedException("backup " + backup + ": " + e.getMessage());
    }
    if (json.isEmpty()) {
      throw new RefusedException("backup " + backup + " at " + d.describe()
          + " is incomplete or gone (no manifest: it failed or is still running)");
    }
    return verify(d.stack(), backup, json.get(), signature.orElse(null));
  }

  /** Verifies a manifest's bytes and its signature (null: none) as {@link #read} does. */
  public Verified verify(String stack, String backup, byte[] json, byte[] signature)
      throws RefusedException {
    Instant named = BackupNames.parse(stack, backup)
        .orElseThrow(
            () -> new RefusedException("'" + backup + "' is not a backup name of stack " + stack));
    Instant latestAllowed = clock.instant().plus(CLOCK_SKEW);
    if (named.isAfter(latestAllowed)) {
      throw new RefusedException("backup " + backup + " is dated in the future (" + named + ", now "
          + clock.instant() + "): refused; no backup of this stack can be newer than now");
    }
    String signedBy = null;
    if (signature == null) {
      Instant signingSince = keys.oldestKeyCreated().plus(CLOCK_SKEW);
      if (named.isAfter(signingSince)) {
        throw new RefusedException(
            "backup " + backup + " has no signature (" + Manifest.SIGNATURE_FILE
                + ") although it is dated after the stack's signing key was made ("
                + keys.oldestKeyCreated()
                + "): every backup made since is signed, so this one's signature was removed; refused, whatever"
                + " allowUnsigned says");
      }
      if (!allowUnsigned) {
        throw new RefusedException(
            "backup " + backup + " has no signature (" + Manifest.SIGNATURE_FILE
                + "): nothing proves this stack made it. It is dated before the stack's signing key was made, so it"
                + " may be a backup from before backups were signed: restore it by its name with allowUnsigned: true,"
                + " after checking it yourself");
      }
    } else {
      try {
        signedBy = keys.verify(json, signature);
      } catch (OpenPgp.PgpException e) {
        throw new RefusedException("backup " + backup
            + ": its manifest's signature does not verify against the" + " stack's signing key ("
            + String.join(", ", keys.fingerprints()) + "): " + e.getMessage());
      }
    }
    Manifest m;
    try {
      m = Manifest.parse(json);
    } catch (IOException e) {
      throw new RefusedException("backup " + backup + ": " + e.getMessage());
    }
    if (!m.stack().equals(stack) || !m.backup().equals(backup)) {
      throw new RefusedException(
          "the manifest of " + backup + " names backup " + m.backup() + " of stack " + m.stack());
    }
    Instant created = m.createdAtInstant();
    if (created.isAfter(latestAllowed)) {
      throw new RefusedException("backup " + backup + " is dated in the future (createdAt "
          + created + ", now " + clock.instant() + "): refused");
    }
    if (!created.equals(named)) {
      throw new RefusedException("backup " + backup + ": its manifest's createdAt " + created
          + " is not the time in its name");
    }
    return new Verified(m, signedBy);
  }
}
