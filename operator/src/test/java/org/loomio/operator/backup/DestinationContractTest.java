package org.loomio.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every destination does; subclasses provide a fresh, empty one. */
abstract class DestinationContractTest {

  static final String STACK = "team";
  static final String B1 = "team-20250101T020000Z";
  static final String B2 = "team-20250102T020000Z";

  @TempDir
  Path tmp;

  /** A fresh destination for {@link #STACK} over empty storage. */
  abstract Destination destination() throws Exception;

  /** A fresh destination for {@link #STACK} whose listings take in at most {@code maxBackups}. */
  abstract Destination destination(int maxBackups) throws Exception;

  /** Puts raw bytes at a path relative to the destination's root/prefix, bypassing the destination. */
  abstract void putRaw(String relativeKey, byte[] content) throws Exception;

  /** Every key/path relative to the destination's root/prefix. */
  abstract List<String> rawKeys() throws Exception;

  static Manifest manifest(String backup, List<Manifest.Entry> entries) {
    return new Manifest(
        1,
        backup,
        STACK,
        BackupNames.parse(STACK, backup).orElseThrow().toString(),
        "loomio/loomio:3.5",
        15,
        "volume",
        null,
        new Manifest.Encryption("passphrase", null),
        entries);
  }

  Path file(String name, int size) throws Exception {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return Files.write(tmp.resolve(name), bytes);
  }

  @Test
  void storesVerifiesListsAndCompletesABackup() throws Exception {
    try (Destination d = destination()) {
      Path f = file("db", 300_000);
      Digests.Result sha = Digests.sha256(f);
      d.put(B1, "database.dump.pgp", f, sha.sha256());
      assertThat(d.list())
          .containsExactly(
              new Destination.Listing(B1, Instant.parse("2025-01-01T02:00:00Z"), false));
      assertThat(d.readManifest(B1)).isEmpty();
      try (InputStream in = d.open(B1, "database.dump.pgp")) {
        assertThat(Digests.sha256(in)).isEqualTo(sha);
      }
      assertThatThrownBy(() -> d.open(B1, "uploads.tar.pgp"))
          .isInstanceOf(NoSuchFileException.class);

      Manifest m = manifest(
          B1,
          List.of(new Manifest.Entry(
              "database.dump.pgp", "database", 299_000, sha.bytes(), sha.sha256())));
      d.writeManifest(m);
      assertThat(d.list())
          .containsExactly(
              new Destination.Listing(B1, Instant.parse("2025-01-01T02:00:00Z"), true));
      assertThat(d.readManifest(B1)).contains(m);
      assertThat(rawKeys())
          .containsExactlyInAnyOrder(B1 + "/database.dump.pgp", B1 + "/manifest.json");
    }
  }

  @Test
  void aChecksumMismatchAfterUploadIsAnError() throws Exception {
    try (Destination d = destination()) {
      Path f = file("db", 1000);
      assertThatThrownBy(() -> d.put(B1, "database.dump.pgp", f, "0".repeat(64)))
          .hasMessageContaining("does not match after upload");
    }
  }

  @Test
  void touchesOnlyThisStacksBackups() throws Exception {
    putRaw("other-20250101T020000Z/manifest.json", "{}".getBytes());
    putRaw("team-b-20250101T020000Z/manifest.json", "{}".getBytes());
    putRaw("team-2025/manifest.json", "{}".getBytes());
    putRaw("team-20250101T020000Z-copy/manifest.json", "{}".getBytes());
    putRaw("uploads/ab/cd/file", "x".getBytes());
    try (Destination d = destination()) {
      Path f = file("db", 10);
      String sha = Digests.sha256(f).sha256();
      d.put(B1, "database.dump.pgp", f, sha);
      d.put(B2, "database.dump.pgp", f, sha);
      d.put(B2, "uploads.tar.pgp", f, sha);
      d.writeManifest(
          manifest(B2, List.of(new Manifest.Entry("database.dump.pgp", "database", 1, 10, sha))));
      assertThat(d.list()).extracting(Destination.Listing::name).containsExactlyInAnyOrder(B1, B2);

      d.deleteBackup(B2);
      assertThat(d.list()).extracting(Destination.Listing::name).containsExactly(B1);
      for (String foreign :
          List.of("other-20250101T020000Z", "team-b-20250101T020000Z", "team-2025", "uploads")) {
        assertThatThrownBy(() -> d.deleteBackup(foreign))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.open(foreign, "manifest.json"))
            .isInstanceOf(IllegalArgumentException.class);
      }
      assertThatThrownBy(() -> d.open(B1, "../other-20250101T020000Z/manifest.json"))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(rawKeys())
          .containsExactlyInAnyOrder(
              "other-20250101T020000Z/manifest.json",
              "team-b-20250101T020000Z/manifest.json",
              "team-2025/manifest.json",
              "team-20250101T020000Z-copy/manifest.json",
              "uploads/ab/cd/file",
              B1 + "/database.dump.pgp");
    }
  }

  @Test
  void rejectsAManifestItCannotRead() throws Exception {
    putRaw(B1 + "/manifest.json", "{\"formatVersion\":2}".getBytes());
    try (Destination d = destination()) {
      assertThatThrownBy(() -> d.readManifest(B1))
          .hasMessageContaining("format 2 is not supported");
    }
  }

  /** Backup names are predictable: whoever else writes there could make millions; a listing stops at its limit. */
  @Test
  void aListingPastItsLimitIsAClearErrorNotAnEndlessOne() throws Exception {
    for (int day = 1; day <= 4; day++) {
      putRaw(String.format("team-202501%02dT020000Z/manifest.json", day), "{}".getBytes());
    }
    try (Destination d = destination(4)) {
      assertThat(d.list()).hasSize(4);
    }
    putRaw("team-20250105T020000Z/manifest.json", "{}".getBytes());
    try (Destination d = destination(4)) {
      assertThatThrownBy(d::list)
          .isInstanceOf(java.io.IOException.class)
          .hasMessageContaining("holds more than 4 backups of stack team");
    }
  }

  /** The read-back after an upload stops one byte past what was written. */
  @Test
  void theReadBackAfterAnUploadIsBounded() throws Exception {
    byte[] big = new byte[1 << 20];
    putRaw(B1 + "/database.dump.pgp", big);
    try (Destination d = destination()) {
      assertThatThrownBy(() -> d.verifyStored(B1, "database.dump.pgp", 10, "0".repeat(64)))
          .hasMessageContaining("stored 11 bytes");
      assertThatThrownBy(() -> d.verifySmall(B1, "database.dump.pgp", new byte[10]))
          .hasMessageContaining("does not match after writing (it is larger)");
    }
  }
}
