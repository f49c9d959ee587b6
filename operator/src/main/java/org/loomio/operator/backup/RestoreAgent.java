package org.loomio.operator.backup;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The restore pod's agent ({@code loomio-operator restore}). It finds the backup (a name, or the newest
 * complete one), downloads every object it restores to scratch and checks each against the manifest's
 * SHA-256 and size BEFORE decrypting anything; then decrypts everything, verifying OpenPGP integrity,
 * and checks the uploads archive entry by entry; and only when all of that passed does it restore:
 * the database dump to {@code --database-out} (for a later {@code pg_restore}), the chosen keys into a
 * Kubernetes Secret, and the uploads (emptying the directory first). A damaged, truncated or modified
 * backup therefore fails with nothing restored.
 *
 * <p>Secret values are never logged or printed; only key names are.
 */
public final class RestoreAgent {

  private static final Logger LOG = LoggerFactory.getLogger(RestoreAgent.class);
  public static final String LATEST = "latest";

  /**
   * What to restore and from where.
   *
   * @param backup a backup name, or {@value #LATEST} for the newest complete backup
   * @param fromDirectory or {@code fromS3}: exactly one source
   * @param privateKey armored secret key ring(s), or {@code passphraseFile}: exactly one
   * @param databaseOut where the decrypted pg_dump archive goes
   * @param uploads the uploads directory to restore into, or null to leave the uploads alone
   * @param secretNamespace the Secret to merge {@code secretKeys} into, or null
   * @param secretsToSummary whether the verified, still encrypted secrets object goes into the summary
   *     (base64) for the operator to decrypt itself
   * @param verificationKey armored public key(s) a backup's manifest must be signed by (the stack's signing key)
   * @param allowUnsigned whether a backup without a signature (made before backups were signed) is restored;
   *     only for a named backup, never {@value #LATEST}
   */
  public record Options(
      String stack,
      String backup,
      Path fromDirectory,
      S3Destination.Settings fromS3,
      Path privateKey,
      Path passphraseFile,
      Path scratch,
      Path databaseOut,
      Path uploads,
      String secretNamespace,
      String secretName,
      List<String> secretKeys,
      boolean secretsToSummary,
      Path verificationKey,
      boolean allowUnsigned) {}

  /**
   * A restore that went through.
   *
   * @param signedBy the fingerprint of the key that signed its manifest, or null for an unsigned backup
   * @param refused newer backups that {@value #LATEST} passed over, each with why
   */
  public record Result(
      String backup,
      String createdAt,
      String source,
      List<String> restored,
      List<Manifest.Entry> objects,
      String secretsObject,
      String signedBy,
      List<String> refused) {}

  /** A failed restore: the backup if known, what had been restored before the failure, a message. */
  public static final class RestoreFailedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String backup;
    private final List<String> restored;

    RestoreFailedException(String backup, List<String> restored, String message, Throwable cause) {
      super(message, cause);
      this.backup = backup;
      this.restored = List.copyOf(restored);
    }

    /** Whether the backup was refused as not proven to be the stack's (nothing was downloaded or restored). */
    public boolean refused() {
      return getCause() instanceof ManifestVerifier.RefusedException;
    }

    public String backup() {
      return backup;
    }

    public List<String> restored() {
      return restored;
    }
  }

  private final Supplier<KubernetesClient> kubernetes;
  private final BackupAgent.Destinations destinations;
  private final Clock clock;

  /** @param kubernetes opened only when a Secret is to be restored */
  public RestoreAgent(
      Supplier<KubernetesClient> kubernetes, BackupAgent.Destinations destinations) {
    this(kubernetes, destinations, Clock.systemUTC());
  }

  public RestoreAgent(
      Supplier<KubernetesClient> kubernetes, BackupAgent.Destinations destinations, Clock clock) {
    this.kubernetes = kubernetes;
    this.destinations = destinations;
    this.clock = clock;
  }

  /** Runs a restore and reports it (stdout and termination log); returns the exit code. */
  public int execute(Options options, Path terminationLog, PrintWriter out) {
    ObjectNode summary = Summary.object();
    try {
      Result r = run(options);
      summary.put("backup", r.backup());
      ArrayNode restored = summary.putArray("restored");
      r.restored().forEach(restored::add);
      summary.put("createdAt", r.createdAt());
      summary.put("source", r.source());
      if (r.signedBy() != null) {
        summary.put("signedBy", r.signedBy());
      } else {
        summary.put("unsigned", true);
      }
      if (!r.refused().isEmpty()) {
        ArrayNode refused = summary.putArray("refusedBackups");
        r.refused().forEach(refused::add);
      }
      ArrayNode objects = summary.putArray("objects");
      for (Manifest.Entry e : r.objects()) {
        objects.addObject().put("name", e.name()).put("bytes", e.bytes()).put("sha256", e.sha256());
      }
      if (r.secretsObject() != null) {
        summary.put("secretsObject", r.secretsObject());
      }
      String line = Summary.fit(summary, List.of("refusedBackups"));
      if (line.getBytes(StandardCharsets.UTF_8).length + 1 > Summary.LIMIT) {
        throw new RestoreFailedException(
            r.backup(),
            r.restored(),
            "the encrypted secrets object is too large for" + " the termination message ("
                + Summary.LIMIT + " bytes): use fewer recipients",
            null);
      }
      Summary.emit(line, terminationLog, out);
      return 0;
    } catch (RestoreFailedException e) {
      LOG.error("restore failed: {}", e.getMessage());
      ObjectNode failed = Summary.object();
      failed.put("backup", e.backup());
      ArrayNode restored = failed.putArray("restored");
      e.restored().forEach(restored::add);
      failed.put("error", e.getMessage());
      if (e.refused()) {
        failed.put("refused", true);
      }
      Summary.emit(Summary.fit(failed, List.of()), terminationLog, out);
      return 1;
    }
  }

  /** Downloaded and checked objects, by kind. */
  private record Downloaded(Manifest.Entry entry, Path file) {}

  /** What the decryption step leaves for the restore step: the dump still partial, and the secrets. */
  private record Decrypted(
      Path databasePartial,
      long databaseBytes,
      Map<String, String> secrets,
      String secretsObject) {}

  /**
   * Restores a backup, in steps: open the key, the verifier and the source; resolve the backup and check it can be
   * decrypted and holds what is restored; download and check every object; decrypt everything; and only then
   * restore. Whatever happens, the scratch files go and the source is closed.
   */
  public Result run(Options o) throws RestoreFailedException {
    String name = null;
    List<String> restored = new ArrayList<>();
    RunFiles files = new RunFiles(LOG, "the scratch files");
    try {
      validate(o);
      OpenPgp.Decryptor decryptor = o.privateKey() != null
          ? OpenPgp.decryptWithSecretKeys(
              Files.readString(o.privateKey(), StandardCharsets.US_ASCII))
          : decryptWithPassphrase(o.passphraseFile());
      ManifestVerifier verifier = new ManifestVerifier(
          OpenPgp.verifierFrom(BackupAgent.readKey(o.verificationKey(), "--verification-key")),
          clock,
          o.allowUnsigned());
      Destination source = files.source(
          o.fromDirectory() != null
              ? new DirectoryDestination(o.fromDirectory(), o.stack())
              : destinations.s3(o.fromS3(), o.stack()));
      List<String> refusedNewer = new ArrayList<>();
      ManifestVerifier.Verified verified = resolve(source, o, verifier, refusedNewer);
      name = verified.manifest().backup();
      Manifest manifest = verified.manifest();
      List<String> kinds = check(o, verified);

      // 1. download and check every object before anything is decrypted
      Path work = files.directory(Files.createDirectories(o.scratch().resolve(name + ".restore")));
      Map<String, Downloaded> objects = new LinkedHashMap<>();
      for (String kind : kinds) {
        Manifest.Entry entry = manifest.object(kind).orElseThrow();
        objects.put(kind, new Downloaded(entry, download(source, name, entry, work)));
      }
      LOG.info("{}: every object matches its manifest checksum", name);

      // 2. decrypt everything (integrity-checked) before restoring anything
      Decrypted decrypted = decrypt(o, decryptor, objects, files);
      LOG.info("{}: every object decrypts and passes its integrity check", name);

      // 3. restore
      restore(o, name, decryptor, objects, decrypted, files, restored);
      return new Result(
          name,
          manifest.createdAt(),
          source.kind(),
          List.copyOf(restored),
          objects.values().stream().map(Downloaded::entry).toList(),
          decrypted.secretsObject(),
          verified.signedBy(),
          List.copyOf(refusedNewer));
    } catch (IOException | RuntimeException e) {
      throw new RestoreFailedException(
          name,
          restored,
          Summary.message(e)
              + (restored.isEmpty()
                  ? "; nothing was restored"
                  : "; already restored: " + String.join(", ", restored)),
          e);
    } finally {
      // a failure after the dump was written (uploads, credentials): the pod fails, pg_restore
      // never
      // runs, and the dump goes too
      files.close();
    }
  }

  /**
   * Logs who signed the backup; checks it is encrypted in the mode of the key given and holds every kind of object
   * that is restored, and returns those kinds.
   */
  private static List<String> check(Options o, ManifestVerifier.Verified verified)
      throws IOException {
    Manifest manifest = verified.manifest();
    String name = manifest.backup();
    if (verified.signed()) {
      LOG.info("{}: manifest signed by {}", name, verified.signedBy());
    } else {
      LOG.warn(
          "{}: restoring an UNSIGNED backup (allowed by --allow-unsigned): nothing proves this stack made it",
          name);
    }
    String mode = manifest.encryption().mode();
    if (mode.equals(Manifest.MODE_PASSPHRASE) != (o.passphraseFile() != null)) {
      throw new IOException("backup " + name + " is encrypted in " + mode + " mode: give "
          + (mode.equals(Manifest.MODE_PASSPHRASE)
              ? "--passphrase-file"
              : "--private-key (a recipient's private key"
                  + (manifest.encryption().recipients() == null
                      ? ""
                      : ", one of " + manifest.encryption().recipients())
                  + ")"));
    }

    List<String> kinds = new ArrayList<>(List.of(Manifest.KIND_DATABASE));
    if (o.uploads() != null) {
      kinds.add(Manifest.KIND_UPLOADS);
    }
    if (o.secretName() != null || o.secretsToSummary()) {
      kinds.add(Manifest.KIND_SECRETS);
    }
    for (String kind : kinds) {
      if (manifest.object(kind).isEmpty()) {
        throw new IOException("backup " + name + " holds no " + kind
            + (kind.equals(Manifest.KIND_UPLOADS)
                ? " (uploads location: " + manifest.uploadsLocation() + ")"
                : ""));
      }
    }
    return kinds;
  }

  /**
   * Decrypts the dump to a partial file beside {@code --database-out}, the secrets into memory, and reads the
   * uploads archive to its end without writing it (a dry run: every entry, the size and the MDC).
   */
  private static Decrypted decrypt(
      Options o, OpenPgp.Decryptor decryptor, Map<String, Downloaded> objects, RunFiles files)
      throws IOException {
    Downloaded db = objects.get(Manifest.KIND_DATABASE);
    Path databasePartial = files.file(
        o.databaseOut().resolveSibling("." + o.databaseOut().getFileName() + ".partial"));
    long dbBytes;
    try (InputStream in =
            new BufferedInputStream(Files.newInputStream(db.file()), OpenPgp.BUFFER_SIZE);
        OutputStream out =
            new BufferedOutputStream(Files.newOutputStream(databasePartial), OpenPgp.BUFFER_SIZE)) {
      dbBytes = decryptor.decrypt(in, out, db.entry().plaintextBytes());
    }
    requireSize(db.entry(), dbBytes);
    Map<String, String> secrets = null;
    String secretsObject = null;
    if (objects.containsKey(Manifest.KIND_SECRETS)) {
      Downloaded s = objects.get(Manifest.KIND_SECRETS);
      secrets = readSecrets(decryptor, s, o.secretKeys());
      if (o.secretsToSummary()) {
        secretsObject = Base64.getEncoder().encodeToString(Files.readAllBytes(s.file()));
      }
    }
    if (objects.containsKey(Manifest.KIND_UPLOADS)) {
      Downloaded u = objects.get(Manifest.KIND_UPLOADS);
      // a dry run: checks every entry, the size and the MDC
      requireSize(u.entry(), extract(decryptor, u.file(), null, u.entry().plaintextBytes()));
    }
    return new Decrypted(databasePartial, dbBytes, secrets, secretsObject);
  }

  /**
   * Restores what was decrypted: the dump to {@code --database-out} (handed on to pg_restore once all else is
   * restored), the keys into the Secret, the uploads into their emptied directory; each kind goes into
   * {@code restored} once it is.
   */
  private void restore(
      Options o,
      String name,
      OpenPgp.Decryptor decryptor,
      Map<String, Downloaded> objects,
      Decrypted decrypted,
      RunFiles files,
      List<String> restored)
      throws IOException {
    Path written = files.file(o.databaseOut());
    Files.move(
        decrypted.databasePartial(),
        o.databaseOut(),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    files.forget(decrypted.databasePartial());
    restored.add(Manifest.KIND_DATABASE);
    LOG.info(
        "{}: database dump written to {} ({} bytes)",
        name,
        o.databaseOut(),
        decrypted.databaseBytes());
    Map<String, String> secrets = decrypted.secrets();
    if (o.secretName() != null) {
      mergeSecret(o, secrets);
      restored.add(Manifest.KIND_SECRETS);
    }
    if (secrets != null) {
      secrets.clear();
    }
    if (objects.containsKey(Manifest.KIND_UPLOADS)) {
      emptyDirectory(o.uploads());
      Downloaded u = objects.get(Manifest.KIND_UPLOADS);
      extract(decryptor, u.file(), o.uploads(), u.entry().plaintextBytes());
      restored.add(Manifest.KIND_UPLOADS);
      LOG.info("{}: uploads restored into {}", name, o.uploads());
    }
    // the dump is pg_restore's now (its container removes it, whatever happens)
    files.handOver(written);
  }

  private static void validate(Options o) throws IOException {
    BackupNames.requireValidStack(o.stack());
    if (o.backup() == null
        || !(o.backup().equals(LATEST) || BackupNames.isBackupOf(o.stack(), o.backup()))) {
      throw new IllegalArgumentException(
          "--backup must be '" + LATEST + "' or a backup name of stack " + o.stack() + " ("
              + o.stack() + "-YYYYMMDDTHHMMSSZ), not '" + o.backup() + "'");
    }
    if ((o.fromDirectory() == null) == (o.fromS3() == null)) {
      throw new IllegalArgumentException("give exactly one source: --from-directory or --from-s3");
    }
    if ((o.privateKey() == null) == (o.passphraseFile() == null)) {
      throw new IllegalArgumentException("give exactly one of --private-key and --passphrase-file");
    }
    if (o.verificationKey() == null) {
      throw new IllegalArgumentException(
          "--verification-key is required: the stack's signing public key, which"
              + " every backup's manifest must be signed by");
    }
    if (o.allowUnsigned() && o.backup().equals(LATEST)) {
      throw new IllegalArgumentException("--allow-unsigned needs a backup named with --backup: '"
          + LATEST + "' only ever picks a signed backup");
    }
    if (o.scratch() == null || !Files.isDirectory(o.scratch())) {
      throw new NoSuchFileException(
          String.valueOf(o.scratch()), null, "scratch directory does not exist");
    }
    if (o.databaseOut() == null) {
      throw new IllegalArgumentException("--database-out is required");
    }
    Path outDir = o.databaseOut().toAbsolutePath().getParent();
    if (!Files.isDirectory(outDir) || Files.isDirectory(o.databaseOut())) {
      throw new NoSuchFileException(
          o.databaseOut().toString(),
          null,
          "--database-out must be a file in an existing directory");
    }
    if (o.uploads() != null && !Files.isDirectory(o.uploads(), LinkOption.NOFOLLOW_LINKS)) {
      throw new NoSuchFileException(
          o.uploads().toString(), null, "uploads directory does not exist");
    }
    boolean keys = o.secretKeys() != null && !o.secretKeys().isEmpty();
    if ((o.secretName() != null) != keys
        || (o.secretName() != null) != (o.secretNamespace() != null)) {
      throw new IllegalArgumentException("--secret NAMESPACE/NAME and --secret-keys go together");
    }
  }

  static OpenPgp.Decryptor decryptWithPassphrase(Path file) throws IOException {
    char[] passphrase = BackupAgent.readPassphrase(file);
    try {
      return OpenPgp.decryptWithPassphrase(passphrase);
    } finally {
      Arrays.fill(passphrase, '\0');
    }
  }

  /**
   * The backup to restore and its verified manifest: the one named, which must be complete and pass the
   * verifier, or the newest complete one that passes (signed by the stack's key, not dated in the future);
   * the newer ones passed over go into {@code refused}, each with why.
   */
  private static ManifestVerifier.Verified resolve(
      Destination source, Options o, ManifestVerifier verifier, List<String> refused)
      throws IOException {
    List<Destination.Listing> found = source.list();
    if (o.backup().equals(LATEST)) {
      ManifestVerifier signedOnly = verifier.signedOnly();
      List<Destination.Listing> complete = found.stream()
          .filter(Destination.Listing::complete)
          .sorted(Comparator.comparing(Destination.Listing::createdAt).reversed())
          .toList();
      for (Destination.Listing l : complete) {
        try {
          return signedOnly.read(source, l.name());
        } catch (ManifestVerifier.RefusedException e) {
          LOG.warn("latest: passing over {}: {}", l.name(), e.getMessage());
          refused.add(e.getMessage());
        }
      }
      throw new ManifestVerifier.RefusedException("no complete backup of stack " + o.stack()
          + " at "
          + source.describe() + " is signed by the stack's key"
          + (refused.isEmpty()
              ? ""
              : " (refused " + refused.size() + ": "
                  + String.join("; ", refused.subList(0, Math.min(3, refused.size())))
                  + (refused.size() > 3 ? "; ..." : "") + ")"));
    }
    Destination.Listing listing = found.stream()
        .filter(l -> l.name().equals(o.backup()))
        .findFirst()
        .orElseThrow(
            () -> new IOException("backup " + o.backup() + " not found at " + source.describe()));
    if (!listing.complete()) {
      throw new IOException("backup " + o.backup() + " at " + source.describe()
          + " is incomplete (no manifest: it failed or is still running)");
    }
    return verifier.read(source, listing.name());
  }

  /** Downloads one object into {@code dir} and checks its size and SHA-256 against the manifest. */
  static Path download(Destination source, String backup, Manifest.Entry entry, Path dir)
      throws IOException {
    Path file = dir.resolve(entry.name());
    Digests.Result got;
    try (InputStream in = source.open(backup, entry.name());
        Digests.HashingOutputStream out = new Digests.HashingOutputStream(
            new BufferedOutputStream(Files.newOutputStream(file), OpenPgp.BUFFER_SIZE))) {
      // never more than the manifest's size plus one byte: a larger object fails the check below,
      // unread
      copy(in, out, entry.bytes() + 1);
      out.flush();
      got = out.result();
    }
    if (got.bytes() != entry.bytes() || !got.sha256().equals(entry.sha256())) {
      throw new IOException(
          "object " + entry.name() + " of backup " + backup + " at " + source.describe()
              + " does not match its manifest (" + got.bytes() + " bytes, sha256 " + got.sha256()
              + "; expected "
              + entry.bytes() + " bytes, sha256 " + entry.sha256()
              + "): it is damaged, truncated or was modified");
    }
    return file;
  }

  private static void copy(InputStream in, OutputStream out, long max) throws IOException {
    byte[] buffer = new byte[OpenPgp.BUFFER_SIZE];
    long left = max;
    int r;
    while (left > 0 && (r = in.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0) {
      out.write(buffer, 0, r);
      left -= r;
    }
  }

  static void requireSize(Manifest.Entry entry, long plaintextBytes) throws IOException {
    if (plaintextBytes != entry.plaintextBytes()) {
      throw new IOException(entry.name() + " decrypts to " + plaintextBytes
          + " bytes, the manifest says " + entry.plaintextBytes());
    }
  }

  /** Decrypts the secrets object; every requested key must be in it. Values stay in memory only. */
  private static Map<String, String> readSecrets(
      OpenPgp.Decryptor decryptor, Downloaded s, List<String> wanted) throws IOException {
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    long n;
    try (InputStream in = Files.newInputStream(s.file())) {
      n = decryptor.decrypt(
          in, plain, Math.min(s.entry().plaintextBytes(), Manifest.MAX_SECRETS_BYTES));
    }
    requireSize(s.entry(), n);
    byte[] json = plain.toByteArray();
    Map<String, String> data;
    try {
      data = Summary.JSON.readValue(json, new TypeReference<LinkedHashMap<String, String>>() {});
    } catch (IOException e) {
      // never the parser's message: it quotes the input, which is secret
      throw new IOException("the backed-up secrets are not a JSON object of base64 values");
    } finally {
      Arrays.fill(json, (byte) 0);
    }
    for (Map.Entry<String, String> e : data.entrySet()) {
      try {
        Base64.getDecoder().decode(e.getValue() == null ? "" : e.getValue());
      } catch (IllegalArgumentException bad) {
        throw new IOException("the backed-up secret key " + e.getKey() + " is not base64");
      }
    }
    if (wanted != null) {
      List<String> missing = wanted.stream().filter(k -> !data.containsKey(k)).toList();
      if (!missing.isEmpty()) {
        throw new IOException("the backed-up secrets have no key(s) " + missing + " (they have "
            + data.keySet() + ")");
      }
    }
    return data;
  }

  /** Puts exactly the requested keys into the Secret (optimistic lock on its resourceVersion). */
  private void mergeSecret(Options o, Map<String, String> backedUp) throws IOException {
    String ref = o.secretNamespace() + "/" + o.secretName();
    KubernetesClient client = kubernetes.get();
    try {
      Secret secret = client
          .secrets()
          .inNamespace(o.secretNamespace())
          .withName(o.secretName())
          .get();
      if (secret == null) {
        throw new IOException("Secret " + ref + " not found");
      }
      Map<String, String> data =
          new LinkedHashMap<>(secret.getData() == null ? Map.of() : secret.getData());
      for (String key : o.secretKeys()) {
        data.put(key, backedUp.get(key));
      }
      secret.setData(data);
      secret.setStringData(null);
      // update() sends the resourceVersion read above: a concurrent change fails (409) instead of
      // being lost
      client.secrets().inNamespace(o.secretNamespace()).resource(secret).update();
      LOG.info("Secret {}: restored keys {}", ref, o.secretKeys());
    } catch (KubernetesClientException e) {
      throw new IOException(
          "updating Secret " + ref + " failed: HTTP " + e.getCode()
              + (e.getStatus() != null && e.getStatus().getReason() != null
                  ? " " + e.getStatus().getReason()
                  : ""),
          e);
    }
  }

  /**
   * Reads the decrypted uploads tar and checks every entry; with {@code target} null only checks (and
   * reaches the end, so the MDC is verified), otherwise extracts into {@code target}. Only regular files
   * and directories with relative names inside the target are accepted. Returns the tar's size.
   */
  static long extract(OpenPgp.Decryptor decryptor, Path archive, Path target, long maxBytes)
      throws IOException {
    Path root = target == null ? null : target.toAbsolutePath().normalize();
    byte[] buffer = new byte[OpenPgp.BUFFER_SIZE];
    try (InputStream cipher =
            new BufferedInputStream(Files.newInputStream(archive), OpenPgp.BUFFER_SIZE);
        InputStream plain = decryptor.open(cipher)) {
      CountingInputStream counted = new CountingInputStream(plain, maxBytes);
      TarArchiveInputStream tar = new TarArchiveInputStream(counted, StandardCharsets.UTF_8.name());
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        String name = checkEntry(entry);
        if (root == null) {
          continue;
        }
        Path path = root.resolve(name).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
          throw new IOException(
              "uploads archive entry '" + name + "' points outside the uploads directory");
        }
        if (entry.isDirectory()) {
          Files.createDirectories(path);
        } else {
          Files.createDirectories(path.getParent());
          try (OutputStream out = Files.newOutputStream(
              path,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE,
              LinkOption.NOFOLLOW_LINKS)) {
            int r;
            while ((r = tar.read(buffer)) >= 0) {
              out.write(buffer, 0, r);
            }
          }
          Files.setLastModifiedTime(path, entry.getLastModifiedTime());
        }
      }
      // the tar's trailing blocks and then the OpenPGP end: reading to the end verifies the MDC
      counted.transferTo(OutputStream.nullOutputStream());
      return counted.count;
    }
  }

  private static String checkEntry(TarArchiveEntry entry) throws IOException {
    String name = entry.getName();
    if (!entry.isDirectory() && !entry.isFile()) {
      throw new IOException(
          "uploads archive entry '" + name + "' is neither a file nor a directory (refused)");
    }
    if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.indexOf('\0') >= 0) {
      throw new IOException(
          "uploads archive entry '" + name + "' has an absolute or invalid path (refused)");
    }
    String trimmed = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    for (String segment : trimmed.split("/", -1)) {
      if (segment.isEmpty() || segment.equals("..") || segment.equals(".")) {
        throw new IOException(
            "uploads archive entry '" + name + "' has an empty, '.' or '..' segment (refused)");
      }
    }
    return trimmed;
  }

  /** Deletes everything inside {@code dir} (a mount point, so not the directory itself), following no links. */
  private static void emptyDirectory(Path dir) throws IOException {
    try (Stream<Path> children = Files.list(dir)) {
      for (Path child : children.toList()) {
        BackupAgent.deleteTree(child);
      }
    }
  }

  private static final class CountingInputStream extends InputStream {
    private final InputStream in;
    private final long max;
    long count;

    CountingInputStream(InputStream in, long max) {
      this.in = in;
      this.max = max;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int r = in.read(b, off, len);
      if (r > 0) {
        count(r);
      }
      return r;
    }

    private void count(int n) throws IOException {
      count += n;
      if (count > max) {
        throw new IOException(
            "the uploads archive decrypts to more than the manifest's " + max + " bytes (refused)");
      }
    }
  }
}
