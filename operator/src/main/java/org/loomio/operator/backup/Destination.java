package org.loomio.operator.backup;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Where backups are kept: a directory (a mounted volume) or an S3 bucket. Layout, under the directory or
 * the key prefix: {@code <backup>/manifest.json}, {@code <backup>/database.dump.pgp},
 * {@code <backup>/uploads.tar.pgp}, {@code <backup>/secrets.json.pgp}, where {@code <backup>} is
 * {@code <stack>-<yyyyMMddTHHmmssZ>}.
 *
 * <p>A destination belongs to one stack: it lists only that stack's backup names, and refuses to read or
 * delete anything whose first path segment is not one of them, so a shared bucket or volume is safe.
 */
public interface Destination extends Closeable {

  /** One backup found at a destination; complete exactly when its manifest exists. */
  record Listing(String name, Instant createdAt, boolean complete) {}

  /**
   * The most backups a listing takes in: a daily backup for 27 years, or hourly for one. Names are
   * predictable, so whoever can write to the bucket or volume could create millions; past this limit a
   * listing is refused with a clear error instead of filling the agent's memory.
   */
  int MAX_BACKUPS = 10_000;

  /** The most objects one backup's deletion takes in (a backup has at most six). */
  int MAX_OBJECTS_PER_BACKUP = 1_000;

  /** "volume" or "s3": what the summary calls this destination. */
  String kind();

  /** Where it is, for messages (never credentials). */
  String describe();

  String stack();

  /**
   * Stores {@code file} as {@code <backup>/<object>}, then reads it back and compares its SHA-256 with
   * {@code sha256} (computed while the file was written); a mismatch is an error.
   */
  void put(String backup, String object, Path file, String sha256) throws IOException;

  /** Reads {@code <backup>/<object>}; a missing object is a {@link java.nio.file.NoSuchFileException}. */
  InputStream open(String backup, String object) throws IOException;

  /** This stack's backups, in no particular order. */
  List<Listing> list() throws IOException;

  /** Deletes every object of one of this stack's backups, the manifest first. */
  void deleteBackup(String backup) throws IOException;

  /**
   * The manifest of a backup, or empty if it has none (incomplete or absent); parsed, NOT verified: what a
   * restore or retention trusts comes from {@link ManifestVerifier}.
   */
  default Optional<Manifest> readManifest(String backup) throws IOException {
    Optional<byte[]> json = readBounded(backup, Manifest.FILE_NAME, Manifest.MAX_BYTES);
    return json.isEmpty() ? Optional.empty() : Optional.of(Manifest.parse(json.get()));
  }

  /**
   * Writes the detached signature {@code <backup>/manifest.json.sig} (unless {@code signature} is null, as
   * operators before signed backups did), then the manifest (last, making the backup complete), and checks
   * that both read back identically.
   */
  void writeManifest(Manifest manifest, byte[] signature) throws IOException;

  /** An unsigned manifest, as operators before signed backups wrote them (tests make such backups). */
  default void writeManifest(Manifest manifest) throws IOException {
    writeManifest(manifest, null);
  }

  /**
   * A small object whole ({@code <backup>/manifest.json} or its signature), or empty if it does not exist;
   * never more than {@code max} bytes are read: a larger one is an error, not a memory exhaustion.
   */
  default Optional<byte[]> readBounded(String backup, String object, int max) throws IOException {
    try (InputStream in = open(backup, object)) {
      byte[] bytes = in.readNBytes(max + 1);
      if (bytes.length > max) {
        throw new IOException(describe() + ": " + backup + "/" + object + " is larger than " + max
            + " bytes (refused: no backup writes one that large)");
      }
      return Optional.of(bytes);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /**
   * Reads a small object back after writing it (the manifest, its signature) and compares it byte for
   * byte; reads at most one byte more than was written.
   */
  default void verifySmall(String backup, String object, byte[] written) throws IOException {
    Optional<byte[]> stored;
    try {
      stored = readBounded(backup, object, written.length);
    } catch (IOException e) {
      throw new IOException(
          describe() + ": " + backup + "/" + object
              + " does not match after writing (it is larger)",
          e);
    }
    if (stored.isEmpty() || !Arrays.equals(stored.get(), written)) {
      throw new IOException(
          describe() + ": " + backup + "/" + object + " does not match after writing");
    }
  }

  /** The error for a listing past its limit ({@link #MAX_BACKUPS}). */
  static IOException tooManyBackups(Destination d, int limit) {
    return new IOException(
        d.describe() + " holds more than " + limit + " backups of stack " + d.stack()
            + " (refused: nothing this operator writes makes that many; has someone else written backup names here?"
            + " Remove the extra ones, or use a prefix or volume of this stack's own)");
  }

  @Override
  default void close() throws IOException {}

  /**
   * The guard before any access: {@code backup} must be one of {@code stack}'s backup names and
   * {@code object} one of the object names a backup has (never a path of its own).
   */
  static void checkKey(String stack, String backup, String object) {
    BackupNames.requireBackupOf(stack, backup);
    if (!Manifest.OBJECT_NAMES.containsValue(object)
        && !Manifest.FILE_NAME.equals(object)
        && !Manifest.SIGNATURE_FILE.equals(object)) {
      throw new IllegalArgumentException("'" + object + "' is not a backup object name");
    }
  }

  /**
   * Reads an object back and compares its SHA-256: the check after every upload. Reads at most one byte
   * more than was written: a larger object (replaced meanwhile) is a mismatch, not an endless read.
   */
  default void verifyStored(String backup, String object, long bytes, String sha256)
      throws IOException {
    Digests.Result stored;
    try (InputStream in = new BoundedInputStream(open(backup, object), bytes + 1)) {
      stored = Digests.sha256(in);
    }
    if (stored.bytes() != bytes || !stored.sha256().equals(sha256)) {
      throw new IOException(describe() + ": " + backup + "/" + object
          + " does not match after upload (stored " + stored.bytes() + " bytes, sha256 "
          + stored.sha256() + "; expected " + bytes + " bytes, sha256 " + sha256 + ")");
    }
  }
}
