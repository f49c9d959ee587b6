package org.loomio.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one check restores, latest and retention share: signature first, then names and time. */
class ManifestVerifierTest {

  private static Manifest manifest(String stack, String backup, String createdAt) {
    return new Manifest(
        1,
        backup,
        stack,
        createdAt,
        null,
        15,
        "none",
        null,
        new Manifest.Encryption("passphrase", null),
        List.of());
  }

  private static ManifestVerifier verifier(String now, boolean allowUnsigned) throws Exception {
    return new ManifestVerifier(
        OpenPgp.verifierFrom(TestKeys.signing().publicKeyRing()),
        AgentFixtures.at(now),
        allowUnsigned);
  }

  private static byte[] sign(Manifest m) throws Exception {
    return OpenPgp.signerFrom(TestKeys.signing().secretKeyRing()).sign(m.toJson());
  }

  @Test
  void acceptsTheStacksOwnSignedManifestAndNothingElse() throws Exception {
    Manifest m = manifest("team", "team-20250105T020000Z", "2025-01-05T02:00:00Z");
    ManifestVerifier v = verifier("2025-01-06T00:00:00Z", false);
    ManifestVerifier.Verified ok = v.verify("team", m.backup(), m.toJson(), sign(m));
    assertThat(ok.signed()).isTrue();
    assertThat(ok.signedBy()).isEqualTo(TestKeys.signing().fingerprint());
    assertThat(ok.manifest()).isEqualTo(m);

    // signed, but for another backup or stack, or at another time than its name: a replayed
    // manifest
    Manifest renamed = manifest("team", "team-20250105T020000Z", "2025-01-05T02:00:01Z");
    assertThatThrownBy(() -> v.verify("team", renamed.backup(), renamed.toJson(), sign(renamed)))
        .isInstanceOf(ManifestVerifier.RefusedException.class)
        .hasMessageContaining("is not the time in its name");
    assertThatThrownBy(() -> v.verify("team", "team-20250104T020000Z", m.toJson(), sign(m)))
        .hasMessageContaining("names backup team-20250105T020000Z");
    Manifest other = manifest("other", "other-20250105T020000Z", "2025-01-05T02:00:00Z");
    assertThatThrownBy(() -> v.verify("team", "team-20250105T020000Z", other.toJson(), sign(other)))
        .hasMessageContaining("names backup other-20250105T020000Z of stack other");
    assertThatThrownBy(() -> v.verify("team", "other-20250105T020000Z", m.toJson(), sign(m)))
        .hasMessageContaining("is not a backup name of stack team");
    // a signature over other bytes (whitespace added) does not cover this manifest
    byte[] reformatted = (new String(m.toJson()) + "\n").getBytes();
    assertThatThrownBy(() -> v.verify("team", m.backup(), reformatted, sign(m)))
        .hasMessageContaining("does not match");
  }

  @Test
  void theFutureStartsFiveMinutesAheadOfTheClock() throws Exception {
    Manifest m = manifest("team", "team-20250105T020000Z", "2025-01-05T02:00:00Z");
    assertThat(ManifestVerifier.CLOCK_SKEW).isEqualTo(Duration.ofMinutes(5));
    Instant created = Instant.parse("2025-01-05T02:00:00Z");
    assertThat(verifier(created.minus(Duration.ofMinutes(5)).toString(), false)
            .verify("team", m.backup(), m.toJson(), sign(m))
            .signed())
        .isTrue();
    assertThatThrownBy(
            () -> verifier(created.minus(Duration.ofMinutes(5)).minusSeconds(1).toString(), false)
                .verify("team", m.backup(), m.toJson(), sign(m)))
        .hasMessageContaining("dated in the future");
  }

  @Test
  void unsignedOnlyWhenAllowedAndABadSignatureNever() throws Exception {
    Manifest m = manifest("team", "team-20250105T020000Z", "2025-01-05T02:00:00Z");
    assertThatThrownBy(() ->
            verifier("2025-02-01T00:00:00Z", false).verify("team", m.backup(), m.toJson(), null))
        .hasMessageContaining("has no signature");
    ManifestVerifier allowing = verifier("2025-02-01T00:00:00Z", true);
    assertThat(allowing.verify("team", m.backup(), m.toJson(), null).signed()).isFalse();
    assertThatThrownBy(() -> allowing.signedOnly().verify("team", m.backup(), m.toJson(), null))
        .hasMessageContaining("has no signature");
    byte[] forged = OpenPgp.signerFrom(TestKeys.otherSigning().secretKeyRing()).sign(m.toJson());
    assertThatThrownBy(() -> allowing.verify("team", m.backup(), m.toJson(), forged))
        .hasMessageContaining("not the stack's signing key");
  }

  /**
   * An unsigned backup dated after the signing key was made is a signed one whose signature someone removed
   * (every backup made since is signed): refused even with allowUnsigned.
   */
  @Test
  void anUnsignedBackupDatedAfterTheSigningKeyWasMadeIsAStrippedSignature() throws Exception {
    Instant keyMade = OpenPgp.verifierFrom(TestKeys.signing().publicKeyRing()).oldestKeyCreated();
    java.time.format.DateTimeFormatter stamp = java.time.format.DateTimeFormatter.ofPattern(
            "yyyyMMdd'T'HHmmss'Z'")
        .withZone(java.time.ZoneOffset.UTC);
    Instant later =
        keyMade.plus(Duration.ofMinutes(6)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Manifest stripped = manifest("team", "team-" + stamp.format(later), later.toString());
    ManifestVerifier allowing = verifier(later.plus(Duration.ofDays(1)).toString(), true);
    assertThatThrownBy(() -> allowing.verify("team", stripped.backup(), stripped.toJson(), null))
        .isInstanceOf(ManifestVerifier.RefusedException.class)
        .hasMessageContaining("dated after the stack's signing key was made")
        .hasMessageContaining("whatever allowUnsigned says");
    // within the clock allowance of the key's making, or before it: an old backup, restorable when
    // allowed
    Instant before =
        keyMade.minus(Duration.ofDays(30)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Manifest old = manifest("team", "team-" + stamp.format(before), before.toString());
    assertThat(allowing.verify("team", old.backup(), old.toJson(), null).signed())
        .isFalse();
  }
}
