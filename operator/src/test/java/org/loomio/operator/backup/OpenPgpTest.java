package org.loomio.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Random;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPEncryptedDataGenerator;
import org.bouncycastle.openpgp.PGPEncryptedDataList;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyEncryptedData;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPDataEncryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyDataDecryptorFactory;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyKeyEncryptionMethodGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backup encryption: round trips, interoperability with the real gpg 2.2, and tampering. */
class OpenPgpTest {

  private static final int SIZE =
      6 * 1024 * 1024 + 12345; // several partial packets, not a multiple of 64 KiB
  private static final char[] PASSPHRASE = "correct horse battery staple ✓".toCharArray();

  @TempDir
  static Path dir;

  private static Path plain;
  private static OpenPgp.GeneratedKey alice;
  private static OpenPgp.GeneratedKey bob;

  @BeforeAll
  static void setUp() throws Exception {
    alice = TestKeys.alice();
    bob = TestKeys.bob();
    plain = dir.resolve("plain.bin");
    byte[] block = new byte[1 << 20];
    Random random = new Random(42);
    try (OutputStream out = Files.newOutputStream(plain)) {
      for (int written = 0; written < SIZE; written += block.length) {
        random.nextBytes(block);
        out.write(block, 0, Math.min(block.length, SIZE - written));
      }
    }
  }

  private static Path encrypt(OpenPgp.Encryptor encryptor, String name) throws Exception {
    Path out = dir.resolve(name);
    try (OutputStream file = Files.newOutputStream(out);
        OutputStream enc = encryptor.open(file, "plain.bin");
        InputStream in = Files.newInputStream(plain)) {
      in.transferTo(enc);
    }
    return out;
  }

  private static Path decrypt(OpenPgp.Decryptor decryptor, Path cipher, String name)
      throws Exception {
    Path out = dir.resolve(name);
    try (InputStream in = Files.newInputStream(cipher);
        OutputStream o = Files.newOutputStream(out)) {
      assertThat(decryptor.decrypt(in, o))
          .isEqualTo(Files.size(cipher) > 0 ? Files.size(plain) : 0);
    }
    return out;
  }

  private static void assertSameAsPlain(Path file) throws Exception {
    assertThat(Files.mismatch(plain, file)).as("decrypted content").isEqualTo(-1L);
  }

  @Test
  void generatesV4Curve25519KeysThatEncryptToTheSubkey() throws Exception {
    PGPPublicKeyRing ring = new PGPPublicKeyRing(
        PGPUtil.getDecoderStream(
            new ByteArrayInputStream(alice.publicKeyRing().getBytes(StandardCharsets.US_ASCII))),
        new BcKeyFingerprintCalculator());
    List<PGPPublicKey> keys = new java.util.ArrayList<>();
    ring.getPublicKeys().forEachRemaining(keys::add);
    assertThat(keys).hasSize(2).allSatisfy(k -> assertThat(k.getVersion()).isEqualTo(4));
    // Ed25519 (legacy EdDSA, what gpg 2.2 writes) certifies; Curve25519 ECDH encrypts
    assertThat(keys.get(0).getAlgorithm()).isEqualTo(PublicKeyAlgorithmTags.EDDSA_LEGACY);
    assertThat(keys.get(1).getAlgorithm()).isEqualTo(PublicKeyAlgorithmTags.ECDH);
    assertThat(alice.fingerprint())
        .matches("[0-9A-F]{40}")
        .isEqualTo(OpenPgp.fingerprint(keys.get(0)));
    assertThat(alice.publicKeyRing()).startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----");
    assertThat(alice.secretKeyRing()).startsWith("-----BEGIN PGP PRIVATE KEY BLOCK-----");
    assertThat(alice.toString()).doesNotContain("PRIVATE");

    List<OpenPgp.Recipient> recipients =
        OpenPgp.readRecipients(alice.publicKeyRing() + "\n" + bob.publicKeyRing());
    assertThat(recipients)
        .extracting(OpenPgp.Recipient::fingerprint)
        .containsExactly(alice.fingerprint(), bob.fingerprint());
    assertThat(recipients.get(0).encryptionKey().getKeyID())
        .isEqualTo(keys.get(1).getKeyID());
  }

  @Test
  void publicKeyModeRoundTripsAMultiMegabyteStreamAsSeipdV1WithoutCompression() throws Exception {
    Path cipher =
        encrypt(OpenPgp.encryptTo(OpenPgp.readRecipients(alice.publicKeyRing())), "pk.pgp");
    assertThat(Files.size(cipher)).isBetween((long) SIZE, SIZE + 4096L);
    assertSameAsPlain(
        decrypt(OpenPgp.decryptWithSecretKeys(alice.secretKeyRing()), cipher, "pk.out"));

    // the packets gpg 2.2 needs: SEIPD version 1 (MDC), AES-256, a literal packet directly inside
    try (InputStream in = Files.newInputStream(cipher)) {
      PGPEncryptedDataList list = (PGPEncryptedDataList) new BcPGPObjectFactory(in).nextObject();
      PGPPublicKeyEncryptedData ed = (PGPPublicKeyEncryptedData) list.get(0);
      assertThat(ed.getVersion()).isEqualTo(3); // PKESK v3 (v6 would need SEIPD v2)
      assertThat(ed.isIntegrityProtected()).isTrue();
      assertThat(ed.isAEAD()).isFalse();
      PGPSecretKeyRing secret = new PGPSecretKeyRing(
          PGPUtil.getDecoderStream(
              new ByteArrayInputStream(alice.secretKeyRing().getBytes(StandardCharsets.US_ASCII))),
          new BcKeyFingerprintCalculator());
      var factory = new BcPublicKeyDataDecryptorFactory(
          secret.getSecretKey(ed.getKeyIdentifier().getKeyId()).extractKeyPair(null));
      assertThat(ed.getSymmetricAlgorithm(factory)).isEqualTo(SymmetricKeyAlgorithmTags.AES_256);
      Object inner = new BcPGPObjectFactory(ed.getDataStream(factory)).nextObject();
      assertThat(inner).isInstanceOf(PGPLiteralData.class);
      assertThat(((PGPLiteralData) inner).getFormat()).isEqualTo(PGPLiteralData.BINARY);
    }
  }

  @Test
  void passphraseModeRoundTripsAMultiMegabyteStream() throws Exception {
    Path cipher = encrypt(OpenPgp.encryptWithPassphrase(PASSPHRASE), "pass.pgp");
    assertSameAsPlain(decrypt(OpenPgp.decryptWithPassphrase(PASSPHRASE), cipher, "pass.out"));
    assertThatThrownBy(() ->
            decrypt(OpenPgp.decryptWithPassphrase("wrong".toCharArray()), cipher, "wrong.out"))
        .isInstanceOf(OpenPgp.PgpException.class)
        .hasMessageContaining("wrong passphrase");
  }

  @Test
  void everyRecipientCanDecryptAloneAndOthersCannot() throws Exception {
    byte[] data = "to both".getBytes(StandardCharsets.UTF_8);
    byte[] cipher = encryptBytes(
        OpenPgp.encryptTo(OpenPgp.readRecipients(alice.publicKeyRing() + bob.publicKeyRing())),
        data);
    assertThat(decryptBytes(OpenPgp.decryptWithSecretKeys(alice.secretKeyRing()), cipher))
        .isEqualTo(data);
    assertThat(decryptBytes(OpenPgp.decryptWithSecretKeys(bob.secretKeyRing()), cipher))
        .isEqualTo(data);

    byte[] toBob =
        encryptBytes(OpenPgp.encryptTo(OpenPgp.readRecipients(bob.publicKeyRing())), data);
    assertThatThrownBy(
            () -> decryptBytes(OpenPgp.decryptWithSecretKeys(alice.secretKeyRing()), toBob))
        .isInstanceOf(OpenPgp.PgpException.class)
        .hasMessageContaining("none of the given private keys");
    assertThatThrownBy(() -> decryptBytes(OpenPgp.decryptWithPassphrase(PASSPHRASE), toBob))
        .isInstanceOf(OpenPgp.PgpException.class)
        .hasMessageContaining("not passphrase-encrypted");
  }

  @Test
  void refusesKeysInTheWrongPlace() {
    assertThatThrownBy(() -> OpenPgp.readRecipients(alice.secretKeyRing()))
        .isInstanceOf(OpenPgp.PgpException.class)
        .hasMessageContaining("never a private key");
    assertThatThrownBy(() -> OpenPgp.readRecipients("no key here"))
        .isInstanceOf(OpenPgp.PgpException.class)
        .hasMessageContaining("no ASCII-armored");
    assertThatThrownBy(() -> OpenPgp.decryptWithSecretKeys(alice.publicKeyRing()))
        .isInstanceOf(OpenPgp.PgpException.class)
        .hasMessageContaining("PRIVATE KEY BLOCK");
    String damaged =
        alice.publicKeyRing().replaceFirst("(?m)^([A-Za-z0-9+/]{10})[A-Za-z0-9+/]", "$1!");
    assertThatThrownBy(() -> OpenPgp.readRecipients(damaged))
        .isInstanceOf(OpenPgp.PgpException.class);
  }

  @Test
  void aFlippedByteOrATruncationFailsTheIntegrityCheck() throws Exception {
    Path cipher =
        encrypt(OpenPgp.encryptTo(OpenPgp.readRecipients(alice.publicKeyRing())), "tamper.pgp");
    byte[] bytes = Files.readAllBytes(cipher);
    OpenPgp.Decryptor decryptor = OpenPgp.decryptWithSecretKeys(alice.secretKeyRing());

    byte[] flipped = bytes.clone();
    flipped[flipped.length / 2] ^= 0x01;
    assertThatThrownBy(() -> decryptBytes(decryptor, flipped))
        .isInstanceOf(OpenPgp.PgpException.class)
        .hasMessageContaining("modified");

    for (int cut : new int[] {bytes.length / 2, bytes.length - 1, bytes.length - 22}) {
      byte[] truncated = Arrays.copyOf(bytes, cut);
      assertThatThrownBy(() -> decryptBytes(decryptor, truncated))
          .as("cut at %d", cut)
          .isInstanceOf(OpenPgp.PgpException.class)
          .satisfies(
              e -> assertThat(e.getMessage()).containsAnyOf("truncated", "damaged", "modified"));
    }

    Path pass = encrypt(OpenPgp.encryptWithPassphrase(PASSPHRASE), "tamper-pass.pgp");
    byte[] passFlipped = Files.readAllBytes(pass);
    passFlipped[passFlipped.length - 100] ^= (byte) 0x80;
    assertThatThrownBy(() -> decryptBytes(OpenPgp.decryptWithPassphrase(PASSPHRASE), passFlipped))
        .isInstanceOf(OpenPgp.PgpException.class);
  }

  @Test
  void refusesMessagesWithoutIntegrityProtection() throws Exception {
    PGPPublicKey key = OpenPgp.readRecipients(alice.publicKeyRing()).get(0).encryptionKey();
    PGPEncryptedDataGenerator gen = new PGPEncryptedDataGenerator(
        new BcPGPDataEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256)
            .setWithIntegrityPacket(false)
            .setSecureRandom(new SecureRandom()));
    gen.addMethod(new BcPublicKeyKeyEncryptionMethodGenerator(key));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream enc = gen.open(bytes, new byte[1 << 16])) {
      try (OutputStream lit = new PGPLiteralDataGenerator()
          .open(enc, PGPLiteralData.BINARY, "x", new Date(), new byte[1 << 16])) {
        lit.write("legacy".getBytes(StandardCharsets.UTF_8));
      }
    }
    assertThatThrownBy(() ->
            decryptBytes(OpenPgp.decryptWithSecretKeys(alice.secretKeyRing()), bytes.toByteArray()))
        .isInstanceOf(OpenPgp.PgpException.class)
        .hasMessageContaining("without integrity protection");
  }

  // ------------------------------------------------------------------------------------ gpg
  // interop

  @Test
  void stockGpgDecryptsBothModes() throws Exception {
    if (System.getenv("CI") != null) {
      org.junit.jupiter.api.Assertions.assertTrue(
          Gpg.available(), "CI must install gnupg (.ci/run)");
    }
    assumeTrue(Gpg.available(), "gpg is not installed");
    try (Gpg gpg = new Gpg(Files.createTempDirectory(dir, "gpg"))) {
      gpg.importKey(alice.secretKeyRing());
      Path pk =
          encrypt(OpenPgp.encryptTo(OpenPgp.readRecipients(alice.publicKeyRing())), "gpg-pk.pgp");
      Path pkOut = dir.resolve("gpg-pk.out");
      Gpg.Result r = gpg.ok("--verbose", "--decrypt", "--output", pkOut.toString(), pk.toString());
      assertSameAsPlain(pkOut);
      assertThat(r.err()).contains("AES256").doesNotContain("WARNING");
      // gpg's own view of the packets: PKESK v3, SEIPD v1 with MDC, a binary literal packet, no
      // compression
      String packets = gpg.ok("--list-packets", pk.toString()).out();
      assertThat(packets)
          .contains(
              ":pubkey enc packet: version 3",
              ":encrypted data packet:",
              "mdc_method: 2",
              ":literal data packet:")
          .doesNotContain("compressed packet", "aead");

      Path passFile = dir.resolve("passphrase.txt");
      Files.writeString(passFile, new String(PASSPHRASE) + "\n", StandardCharsets.UTF_8);
      Path pass = encrypt(OpenPgp.encryptWithPassphrase(PASSPHRASE), "gpg-pass.pgp");
      Path passOut = dir.resolve("gpg-pass.out");
      gpg.ok(
          "--pinentry-mode",
          "loopback",
          "--passphrase-file",
          passFile.toString(),
          "--decrypt",
          "--output",
          passOut.toString(),
          pass.toString());
      assertSameAsPlain(passOut);

      // gpg too refuses a tampered backup
      byte[] bytes = Files.readAllBytes(pk);
      bytes[bytes.length / 2] ^= 0x01;
      Path bad = Files.write(dir.resolve("gpg-bad.pgp"), bytes);
      assertThat(gpg.run(
                  "--decrypt", "--output", dir.resolve("gpg-bad.out").toString(), bad.toString())
              .code())
          .isNotZero();
    }
  }

  @Test
  void decryptsWhatStockGpgEncrypted() throws Exception {
    if (System.getenv("CI") != null) {
      org.junit.jupiter.api.Assertions.assertTrue(
          Gpg.available(), "CI must install gnupg (.ci/run)");
    }
    assumeTrue(Gpg.available(), "gpg is not installed");
    try (Gpg gpg = new Gpg(Files.createTempDirectory(dir, "gpg"))) {
      gpg.importKey(alice.publicKeyRing());
      // --compress-algo none: gpg compresses by default, and compressed messages are refused (a
      // compressed
      // packet is how a few KiB inflate to gigabytes; backups are never compressed), see
      // refusesCompressed...
      Path pk = dir.resolve("from-gpg.pgp");
      gpg.ok(
          "--trust-model",
          "always",
          "--compress-algo",
          "none",
          "--encrypt",
          "--recipient",
          alice.fingerprint(),
          "--output",
          pk.toString(),
          plain.toString());
      assertSameAsPlain(
          decrypt(OpenPgp.decryptWithSecretKeys(alice.secretKeyRing()), pk, "from-gpg.out"));
      Path compressed = dir.resolve("from-gpg-compressed.pgp");
      gpg.ok(
          "--trust-model",
          "always",
          "--compress-algo",
          "zlib",
          "--encrypt",
          "--recipient",
          alice.fingerprint(),
          "--output",
          compressed.toString(),
          plain.toString());
      assertThatThrownBy(() ->
              decrypt(OpenPgp.decryptWithSecretKeys(alice.secretKeyRing()), compressed, "c.out"))
          .isInstanceOf(OpenPgp.PgpException.class)
          .hasMessageContaining("refusing a compressed OpenPGP message");

      Path passFile = dir.resolve("passphrase-gpg.txt");
      Files.writeString(passFile, new String(PASSPHRASE) + "\n", StandardCharsets.UTF_8);
      Path sym = dir.resolve("from-gpg-sym.pgp");
      gpg.ok(
          "--pinentry-mode",
          "loopback",
          "--passphrase-file",
          passFile.toString(),
          "--symmetric",
          "--cipher-algo",
          "AES256",
          "--compress-algo",
          "none",
          "--output",
          sym.toString(),
          plain.toString());
      assertSameAsPlain(
          decrypt(OpenPgp.decryptWithPassphrase(PASSPHRASE), sym, "from-gpg-sym.out"));
    }
  }

  @Test
  void encryptsToAKeyThatStockGpgGenerated() throws Exception {
    if (System.getenv("CI") != null) {
      org.junit.jupiter.api.Assertions.assertTrue(
          Gpg.available(), "CI must install gnupg (.ci/run)");
    }
    assumeTrue(Gpg.available(), "gpg is not installed");
    try (Gpg gpg = new Gpg(Files.createTempDirectory(dir, "gpg"))) {
      // gpg 2.2's "future-default": an ed25519 primary (sign only) with a cv25519 encryption subkey
      gpg.ok(
          "--passphrase",
          "",
          "--pinentry-mode",
          "loopback",
          "--quick-generate-key",
          "Ops <ops@example.org>",
          "future-default",
          "default",
          "never");
      String publicKey = gpg.ok("--armor", "--export", "ops@example.org").out();
      List<OpenPgp.Recipient> recipients = OpenPgp.readRecipients(publicKey);
      assertThat(recipients).hasSize(1);
      assertThat(recipients.get(0).encryptionKey().isMasterKey()).isFalse();
      byte[] data = "for a gpg-made key".getBytes(StandardCharsets.UTF_8);
      Path cipher = Files.write(
          dir.resolve("to-gpg-key.pgp"), encryptBytes(OpenPgp.encryptTo(recipients), data));
      assertThat(gpg.ok("--decrypt", cipher.toString()).out()).isEqualTo("for a gpg-made key");

      String secretKey = gpg.ok(
              "--armor",
              "--pinentry-mode",
              "loopback",
              "--passphrase",
              "",
              "--export-secret-keys",
              "ops@example.org")
          .out();
      assertThat(decryptBytes(OpenPgp.decryptWithSecretKeys(secretKey), Files.readAllBytes(cipher)))
          .isEqualTo(data);
    }
  }

  static byte[] encryptBytes(OpenPgp.Encryptor encryptor, byte[] data) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream enc = encryptor.open(out, "data")) {
      enc.write(data);
    }
    return out.toByteArray();
  }

  static byte[] decryptBytes(OpenPgp.Decryptor decryptor, byte[] cipher) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    decryptor.decrypt(new ByteArrayInputStream(cipher), out);
    return out.toByteArray();
  }

  @Test
  void theIntegrityCheckHappensAtTheEndOfTheStream() throws Exception {
    byte[] data = new byte[300_000];
    new Random(7).nextBytes(data);
    byte[] cipher = encryptBytes(OpenPgp.encryptWithPassphrase(PASSPHRASE), data);
    cipher[cipher.length - 30] ^= 0x01; // inside the last chunk of data: only the MDC can tell
    try (InputStream in =
        OpenPgp.decryptWithPassphrase(PASSPHRASE).open(new ByteArrayInputStream(cipher))) {
      assertThat(in.readNBytes(1000)).hasSize(1000);
      assertThatThrownBy(() -> in.transferTo(OutputStream.nullOutputStream()))
          .isInstanceOf(OpenPgp.PgpException.class)
          .hasMessageContaining("MDC");
    }
  }

  @Test
  void decryptionStopsAtItsLimit() throws Exception {
    Path cipher =
        encrypt(OpenPgp.encryptTo(OpenPgp.readRecipients(alice.publicKeyRing())), "limited.pgp");
    try (InputStream in = Files.newInputStream(cipher)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThatThrownBy(
              () -> OpenPgp.decryptWithSecretKeys(alice.secretKeyRing()).decrypt(in, out, 1000))
          .isInstanceOf(OpenPgp.PgpException.class)
          .hasMessageContaining("exceeds its limit of 1000 bytes");
      assertThat(out.size()).isLessThanOrEqualTo(1000);
    }
    // exactly at the limit is fine; a limit of Long.MAX_VALUE is no limit
    try (InputStream in = Files.newInputStream(cipher)) {
      assertThat(OpenPgp.decryptWithSecretKeys(alice.secretKeyRing())
              .decrypt(in, OutputStream.nullOutputStream(), Files.size(plain)))
          .isEqualTo(Files.size(plain));
    }
    try (InputStream in = Files.newInputStream(cipher)) {
      assertThat(OpenPgp.decryptWithSecretKeys(alice.secretKeyRing())
              .decrypt(in, OutputStream.nullOutputStream(), Long.MAX_VALUE))
          .isEqualTo(Files.size(plain));
    }
  }

  @Test
  void signaturesVerifyOnlyAgainstTheSigningKeyAndOnlyOverTheSameBytes() throws Exception {
    OpenPgp.GeneratedKey stack = OpenPgp.generateSigningKey("stack");
    OpenPgp.GeneratedKey other = OpenPgp.generateSigningKey("other");
    byte[] data = "{\"backup\": \"team-20250105T020000Z\"}".getBytes(StandardCharsets.UTF_8);
    OpenPgp.Signer signer = OpenPgp.signerFrom(stack.secretKeyRing());
    byte[] sig = signer.sign(data);
    assertThat(new String(sig, StandardCharsets.US_ASCII))
        .startsWith("-----BEGIN PGP SIGNATURE-----");
    assertThat(signer.fingerprint()).isEqualTo(stack.fingerprint());
    assertThat(OpenPgp.verifierFrom(stack.publicKeyRing()).verify(data, sig))
        .isEqualTo(stack.fingerprint());
    assertThat(signer.verifier().verify(data, sig)).isEqualTo(stack.fingerprint());

    byte[] changed = data.clone();
    changed[3] ^= 1;
    assertThatThrownBy(() -> OpenPgp.verifierFrom(stack.publicKeyRing()).verify(changed, sig))
        .hasMessageContaining("does not match");
    assertThatThrownBy(() -> OpenPgp.verifierFrom(other.publicKeyRing()).verify(data, sig))
        .hasMessageContaining("not the stack's signing key")
        .hasMessageContaining(other.fingerprint());
    assertThatThrownBy(
            () -> OpenPgp.verifierFrom(stack.publicKeyRing()).verify(data, "garbage".getBytes()))
        .isInstanceOf(OpenPgp.PgpException.class);
    // the verification key is public: a private key there is refused; an encryption key cannot sign
    assertThatThrownBy(() -> OpenPgp.verifierFrom(stack.secretKeyRing()))
        .hasMessageContaining("only public keys");
    assertThatThrownBy(() -> OpenPgp.signerFrom(stack.publicKeyRing()))
        .hasMessageContaining("PRIVATE KEY BLOCK");
  }

  @Test
  void stockGpgVerifiesTheSignatureByHand() throws Exception {
    if (System.getenv("CI") != null) {
      org.junit.jupiter.api.Assertions.assertTrue(
          Gpg.available(), "CI must install gnupg (.ci/run)");
    }
    assumeTrue(Gpg.available(), "gpg is not installed");
    OpenPgp.GeneratedKey stack =
        OpenPgp.generateSigningKey("Loomio backups of loomio/team (signing)");
    Path manifest = Files.writeString(dir.resolve("manifest.json"), "{\"formatVersion\": 1}\n");
    Path sig = Files.write(
        dir.resolve("manifest.json.sig"),
        OpenPgp.signerFrom(stack.secretKeyRing()).sign(Files.readAllBytes(manifest)));
    try (Gpg gpg = new Gpg(Files.createTempDirectory(dir, "gpg"))) {
      gpg.importKey(stack.publicKeyRing());
      Gpg.Result ok = gpg.ok("--status-fd", "1", "--verify", sig.toString(), manifest.toString());
      assertThat(ok.out()).contains("[GNUPG:] GOODSIG", "[GNUPG:] VALIDSIG " + stack.fingerprint());
      Files.writeString(manifest, "{\"formatVersion\": 2}\n");
      Gpg.Result bad = gpg.run("--status-fd", "1", "--verify", sig.toString(), manifest.toString());
      assertThat(bad.code()).isNotZero();
      assertThat(bad.out()).contains("[GNUPG:] BADSIG");
    }
  }
}
