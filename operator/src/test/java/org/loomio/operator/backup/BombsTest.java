package org.loomio.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.bcpg.CompressionAlgorithmTags;
import org.bouncycastle.openpgp.PGPCompressedDataGenerator;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Decompression bombs and oversized objects, each fed in a JVM of its own with a 64 MiB heap ({@link BombRunner})
 * to the code that reads it: the restore agent and the operator's own decryption of the credentials
 * (LoomioRestoreReconciler.restoreSecrets). Each must be refused with a clear message, never an
 * OutOfMemoryError (the child exits on one, -XX:+ExitOnOutOfMemoryError) and never restored.
 */
class BombsTest {

  private static final long GIB = 1L << 30;

  @TempDir
  static Path dir;
  /** 1 GiB of zeros, compressed twice and encrypted: about 2 KiB, small enough for a termination message. */
  static byte[] nestedBomb;
  /** 1 GiB of zeros, compressed once and encrypted: about 1 MiB, what gpg's default compression makes. */
  static byte[] bomb;

  @BeforeAll
  static void makeBombs() throws Exception {
    Files.writeString(dir.resolve("private.asc"), TestKeys.alice().secretKeyRing());
    Files.writeString(dir.resolve("verification.asc"), TestKeys.signing().publicKeyRing());
    nestedBomb = zeros(2);
    bomb = zeros(1);
    Files.write(dir.resolve("bomb.pgp"), nestedBomb);

    DirectoryDestination dest =
        new DirectoryDestination(Files.createDirectories(dir.resolve("backups")), "team");
    byte[] fineDump = "PGDMP a fine dump".getBytes(StandardCharsets.US_ASCII);
    // the database object is a bomb (the manifest, correctly signed, claims 1000 bytes of
    // plaintext)
    signed(
        dest,
        "team-20250101T000000Z",
        List.of(entry(dest, "team-20250101T000000Z", "database", bomb, 1000)));
    // the credentials object is a bomb
    signed(
        dest,
        "team-20250102T000000Z",
        List.of(
            entry(dest, "team-20250102T000000Z", "database", encrypt(fineDump), fineDump.length),
            entry(dest, "team-20250102T000000Z", "secrets", bomb, 100)));
    // a 1 GiB manifest, a 1 GiB signature, a 1 GiB object the manifest says is 1000 bytes (sparse
    // files)
    Files.createDirectories(dir.resolve("backups/team-20250103T000000Z"));
    sparse(dir.resolve("backups/team-20250103T000000Z/manifest.json"));
    signed(
        dest,
        "team-20250104T000000Z",
        List.of(
            entry(dest, "team-20250104T000000Z", "database", encrypt(fineDump), fineDump.length)));
    sparse(dir.resolve("backups/team-20250104T000000Z/manifest.json.sig"));
    Manifest.Entry small =
        entry(dest, "team-20250105T000000Z", "database", encrypt(fineDump), fineDump.length);
    sparse(dir.resolve("backups/team-20250105T000000Z/database.dump.pgp"));
    signed(dest, "team-20250105T000000Z", List.of(small));
    // a signed manifest claiming 10 MiB of credentials
    signed(
        dest,
        "team-20250106T000000Z",
        List.of(
            small,
            new Manifest.Entry("secrets.json.pgp", "secrets", 10L << 20, 100, small.sha256())));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "operator-credentials           | refusing a compressed OpenPGP message",
        "operator-credentials-oversized | larger than a termination message",
        "termination-message            | neither message is taken for a summary",
        "team-20250101T000000Z          | refusing a compressed OpenPGP message",
        "team-20250102T000000Z          | refusing a compressed OpenPGP message",
        "team-20250103T000000Z          | manifest.json is larger than 1048576 bytes",
        "team-20250104T000000Z          | manifest.json.sig is larger than 16384 bytes",
        "team-20250105T000000Z          | does not match its manifest",
        "team-20250106T000000Z          | the credentials object is larger than 65536 bytes"
      })
  void isRefusedCleanlyIn64MiB(String bomb, String why) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(
        java,
        "-Xmx64m",
        "-XX:+ExitOnOutOfMemoryError",
        "-Dlogback.configurationFile=none",
        "-cp",
        System.getProperty("java.class.path"),
        BombRunner.class.getName(),
        bomb,
        dir.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out)
        .as(out)
        .doesNotContain("OutOfMemoryError")
        .contains("REFUSED")
        .contains(why);
    if (bomb.equals("team-20250105T000000Z")) {
      // the 1 GiB object was read to one byte past the manifest's size, no further
      Manifest m = new DirectoryDestination(dir.resolve("backups"), "team")
          .readManifest(bomb)
          .orElseThrow();
      assertThat(out).contains("(" + (m.objects().get(0).bytes() + 1) + " bytes, sha256");
    }
  }

  @org.junit.jupiter.api.Test
  void theBombsAreWhatTheyClaim() throws Exception {
    // small on the wire, 1 GiB when inflated: the nested one fits a termination message
    assertThat(nestedBomb.length).isLessThan(3 * 1024);
    assertThat(bomb.length).isLessThan(2 * 1024 * 1024);
  }

  private static byte[] zeros(int compressions) throws Exception {
    ByteArrayOutputStream cipher = new ByteArrayOutputStream();
    // as gpg writes it (SEIPD with MDC to alice's key), with compressed packets inside
    org.bouncycastle.openpgp.PGPEncryptedDataGenerator generator =
        new org.bouncycastle.openpgp.PGPEncryptedDataGenerator(
            new org.bouncycastle.openpgp.operator.bc.BcPGPDataEncryptorBuilder(
                    org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags.AES_256)
                .setWithIntegrityPacket(true));
    generator.addMethod(
        new org.bouncycastle.openpgp.operator.bc.BcPublicKeyKeyEncryptionMethodGenerator(
            OpenPgp.readRecipients(TestKeys.alice().publicKeyRing()).get(0).encryptionKey()));
    try (OutputStream encrypted = generator.open(cipher, new byte[1 << 16])) {
      List<PGPCompressedDataGenerator> generators = new ArrayList<>();
      OutputStream out = encrypted;
      for (int i = 0; i < compressions; i++) {
        PGPCompressedDataGenerator g = new PGPCompressedDataGenerator(CompressionAlgorithmTags.ZIP);
        generators.add(g);
        out = g.open(out, new byte[1 << 16]);
      }
      PGPLiteralDataGenerator literal = new PGPLiteralDataGenerator();
      OutputStream lit = literal.open(out, PGPLiteralData.BINARY, "zeros", GIB, new Date());
      byte[] block = new byte[1 << 20];
      for (long written = 0; written < GIB; written += block.length) {
        lit.write(block);
      }
      literal.close();
      for (int i = generators.size() - 1; i >= 0; i--) {
        generators.get(i).close();
      }
    }
    return cipher.toByteArray();
  }

  private static byte[] encrypt(byte[] plain) throws Exception {
    ByteArrayOutputStream cipher = new ByteArrayOutputStream();
    try (OutputStream out = OpenPgp.encryptTo(
            OpenPgp.readRecipients(TestKeys.alice().publicKeyRing()))
        .open(cipher, "x")) {
      out.write(plain);
    }
    return cipher.toByteArray();
  }

  private static Manifest.Entry entry(
      Destination dest, String backup, String kind, byte[] cipher, long plain) throws Exception {
    Path file = dir.resolve(backup + "-" + kind + ".pgp");
    Files.write(file, cipher);
    Digests.Result sha = Digests.sha256(file);
    String object = Manifest.OBJECT_NAMES.get(kind);
    dest.put(backup, object, file, sha.sha256());
    return new Manifest.Entry(object, kind, plain, sha.bytes(), sha.sha256());
  }

  private static void signed(Destination dest, String backup, List<Manifest.Entry> entries)
      throws Exception {
    String created = BackupNames.parse("team", backup).orElseThrow().toString();
    Manifest m = new Manifest(
        1,
        backup,
        "team",
        created,
        null,
        15,
        "none",
        null,
        new Manifest.Encryption("publicKey", List.of(TestKeys.alice().fingerprint())),
        entries);
    dest.writeManifest(m, OpenPgp.signerFrom(TestKeys.signing().secretKeyRing()).sign(m.toJson()));
  }

  private static void sparse(Path file) throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(GIB);
    }
  }
}
