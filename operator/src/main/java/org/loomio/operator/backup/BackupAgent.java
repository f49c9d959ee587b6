package org.loomio.operator.backup;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backup pod's agent ({@code loomio-operator backup}). It takes the {@code pg_dump -Fc} file an init
 * container wrote, the uploads directory and the credentials Secret's mount; encrypts each into a staged
 * ciphertext file (uploads are archived as tar straight into the encryption, so their plaintext never
 * touches the disk) while hashing the ciphertext; uploads each to every destination and verifies it;
 * deletes the plaintext dump and the staged files; writes the manifest last; and prunes by retention.
 * Its result is one JSON line on stdout and in the termination log.
 *
 * <p>No secret value, passphrase or key material is ever logged or printed: messages name files,
 * objects, sizes and checksums only.
 */
public final class BackupAgent {

  private static final Logger LOG = LoggerFactory.getLogger(BackupAgent.class);
  /** A Kubernetes Secret key; anything else in the mount (e.g. {@code ..data}) is not a key. */
  private static final Pattern SECRET_KEY = Pattern.compile("[-._a-zA-Z0-9]+");

  private static final byte[] PG_DUMP_MAGIC = "PGDMP".getBytes(StandardCharsets.US_ASCII);
  /** Largest key file read (armored keys are a few KiB; a recipients file with many keys stays far below). */
  static final int MAX_KEY_BYTES = 1 << 20;

  /**
   * What to back up and where.
   *
   * @param uploads the uploads directory, or null
   * @param secrets a mounted Secret's directory, or null
   * @param recipients armored public keys (public-key mode), or null
   * @param passphraseFile the passphrase (passphrase mode), or null; exactly one of the two
   * @param toDirectory a backup directory, or null
   * @param toS3 a bucket, or null; at least one destination
   * @param uploadsLocation volume, s3 or none; null derives it from {@code uploads}
   * @param scratch where ciphertext is staged before upload
   * @param signingKey the stack's armored signing (secret) key: it signs the manifest
   * @param databaseFacts the facts the dump step read in the dump's snapshot ({@link DatabaseFactsQuery}), or null;
   *     recorded in the signed manifest for restore drills
   */
  public record Options(
      String stack,
      Path dump,
      Path uploads,
      Path secrets,
      Path recipients,
      Path passphraseFile,
      Path toDirectory,
      S3Destination.Settings toS3,
      Retention.Policy retention,
      String loomioImage,
      Integer postgresVersion,
      String uploadsLocation,
      Path scratch,
      Path signingKey,
      Path databaseFacts) {

    /** Without database facts. */
    public Options(
        String stack,
        Path dump,
        Path uploads,
        Path secrets,
        Path recipients,
        Path passphraseFile,
        Path toDirectory,
        S3Destination.Settings toS3,
        Retention.Policy retention,
        String loomioImage,
        Integer postgresVersion,
        String uploadsLocation,
        Path scratch,
        Path signingKey) {
      this(
          stack,
          dump,
          uploads,
          secrets,
          recipients,
          passphraseFile,
          toDirectory,
          toS3,
          retention,
          loomioImage,
          postgresVersion,
          uploadsLocation,
          scratch,
          signingKey,
          null);
    }
  }

  /** Largest facts file read (a few hundred bytes for Loomio's main tables). */
  static final int MAX_FACTS_BYTES = 64 << 10;

  /** A completed backup. */
  public record Result(
      String backup,
      Instant createdAt,
      List<String> destinations,
      List<Manifest.Entry> objects,
      List<String> pruned,
      List<String> warnings,
      String signedBy) {}

  /** A failed backup: its name if it got that far, and a message without secrets. */
  public static final class BackupFailedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String backup;

    BackupFailedException(String backup, String message, Throwable cause) {
      super(message, cause);
      this.backup = backup;
    }

    public String backup() {
      return backup;
    }
  }

  /** Opens destinations; tests replace it (e.g. smaller S3 parts). */
  public interface Destinations {
    Destination s3(S3Destination.Settings settings, String stack) throws IOException;

    Destinations DEFAULT = S3Destination::new;
  }

  private final Clock clock;
  private final Destinations destinations;

  public BackupAgent() {
    this(Clock.systemUTC(), Destinations.DEFAULT);
  }

  public BackupAgent(Clock clock, Destinations destinations) {
    this.clock = clock;
    this.destinations = destinations;
  }

  /** Runs a backup and reports it (stdout and termination log); returns the exit code. */
  public int execute(Options options, Path terminationLog, PrintWriter out) {
    ObjectNode summary = Summary.object();
    try {
      Result r = run(options);
      summary.put("backup", r.backup());
      summary.put("complete", true);
      summary.put("createdAt", r.createdAt().toString());
      summary.put("signedBy", r.signedBy());
      ArrayNode dests = summary.putArray("destinations");
      r.destinations().forEach(dests::add);
      ArrayNode objects = summary.putArray("objects");
      for (Manifest.Entry e : r.objects()) {
        objects.addObject().put("name", e.name()).put("bytes", e.bytes()).put("sha256", e.sha256());
      }
      ArrayNode pruned = summary.putArray("pruned");
      r.pruned().forEach(pruned::add);
      if (!r.warnings().isEmpty()) {
        ArrayNode warnings = summary.putArray("warnings");
        r.warnings().forEach(warnings::add);
      }
      Summary.emit(Summary.fit(summary, List.of("pruned", "warnings")), terminationLog, out);
      return 0;
    } catch (BackupFailedException e) {
      LOG.error("backup failed: {}", e.getMessage());
      summary.put("backup", e.backup());
      summary.put("complete", false);
      summary.put("error", e.getMessage());
      Summary.emit(Summary.fit(summary, List.of()), terminationLog, out);
      return 1;
    }
  }

  /**
   * Runs a backup, in steps: read the facts and keys, open the destinations, stage every object encrypted, store
   * each everywhere, write the signed manifest last, and prune by retention. Any failure is a
   * {@link BackupFailedException} and leaves no complete backup; whatever happens, no plaintext stays.
   */
  public Result run(Options o) throws BackupFailedException {
    String name = null;
    Path staging = null;
    List<Destination> opened = new ArrayList<>();
    PlaintextFiles plaintext = new PlaintextFiles();
    try {
      plaintext.register(o.dump());
      OpenPgp.Encryptor encryptor = validate(o);
      List<String> warnings = new ArrayList<>();
      Manifest.DatabaseFacts facts = factsOrWarning(o, warnings);
      OpenPgp.Signer signer = OpenPgp.signerFrom(readKey(o.signingKey(), "--signing-key"));
      ManifestVerifier verifier = new ManifestVerifier(signer.verifier(), clock, false);
      Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
      name = BackupNames.name(o.stack(), now);
      String uploadsLocation = uploadsLocation(o);
      open(o, name, opened);

      staging = plaintext.register(Files.createDirectories(o.scratch().resolve(name + ".staging")));
      List<Staged> staged = stageAll(o, encryptor, staging);
      store(name, opened, staged);
      // every object is stored and verified everywhere: the plaintext dump and the staged copies go
      // now
      deletePlaintextDump(o.dump());
      deleteTree(staging);
      staging = null;

      List<Manifest.Entry> entries = staged.stream().map(Staged::entry).toList();
      Manifest manifest = new Manifest(
          Manifest.FORMAT_VERSION,
          name,
          o.stack(),
          now.toString(),
          o.loomioImage(),
          o.postgresVersion(),
          uploadsLocation,
          Manifest.notesFor(uploadsLocation),
          new Manifest.Encryption(
              encryptor.mode(),
              encryptor.mode().equals(Manifest.MODE_PUBLIC_KEY)
                  ? encryptor.recipientFingerprints()
                  : null),
          entries,
          facts);
      writeManifest(name, manifest, signer, verifier, opened);

      Set<String> pruned = new LinkedHashSet<>();
      for (Destination d : opened) {
        prune(d, verifier, o.retention(), now, name, pruned, warnings);
      }
      return new Result(
          name,
          now,
          opened.stream().map(Destination::kind).toList(),
          entries,
          List.copyOf(pruned),
          warnings,
          signer.fingerprint());
    } catch (IOException | RuntimeException e) {
      throw new BackupFailedException(name, Summary.message(e), e);
    } finally {
      cleanUp(o, staging, opened, plaintext);
    }
  }

  /**
   * The database's facts, or null with a warning: what the live database holds is the app's to write, so facts
   * that do not check out (a migration version that is not one) cost the drill its checks, never the backup.
   */
  private static Manifest.DatabaseFacts factsOrWarning(Options o, List<String> warnings) {
    try {
      return readFacts(o.databaseFacts());
    } catch (IOException e) {
      String factsWarning =
          "the database's facts are not recorded (restore drills will skip their checks): "
              + Summary.message(e);
      LOG.warn(factsWarning);
      warnings.add(factsWarning);
      return null;
    }
  }

  /**
   * Opens every destination into {@code opened} (closed at the end, even when one fails to open), none of which
   * may hold a backup of this name yet.
   */
  private void open(Options o, String name, List<Destination> opened) throws IOException {
    if (o.toDirectory() != null) {
      opened.add(new DirectoryDestination(o.toDirectory(), o.stack()));
    }
    if (o.toS3() != null) {
      opened.add(destinations.s3(o.toS3(), o.stack()));
    }
    for (Destination d : opened) {
      if (d.list().stream().anyMatch(l -> l.name().equals(name))) {
        throw new IOException(d.describe() + " already holds a backup named " + name
            + " (two backups in the same second?)");
      }
    }
  }

  /** Stages the dump, the uploads and the credentials, each encrypted into {@code staging}. */
  private static List<Staged> stageAll(Options o, OpenPgp.Encryptor encryptor, Path staging)
      throws IOException {
    List<Staged> staged = new ArrayList<>();
    staged.add(stage(
        encryptor,
        staging,
        Manifest.KIND_DATABASE,
        "database.dump",
        out -> copyFile(o.dump(), out)));
    if (o.uploads() != null) {
      staged.add(stage(
          encryptor,
          staging,
          Manifest.KIND_UPLOADS,
          "uploads.tar",
          out -> writeTar(o.uploads(), out)));
    }
    if (o.secrets() != null) {
      staged.add(stage(
          encryptor,
          staging,
          Manifest.KIND_SECRETS,
          "secrets.json",
          out -> writeSecrets(o.secrets(), out)));
    }
    return staged;
  }

  /** Stores every staged object at every destination, each verified there. */
  private static void store(String name, List<Destination> opened, List<Staged> staged)
      throws IOException {
    for (Destination d : opened) {
      for (Staged s : staged) {
        d.put(name, s.entry().name(), s.file(), s.entry().sha256());
        LOG.info(
            "{}: stored {} at {} ({} bytes, sha256 {}, verified)",
            name,
            s.entry().name(),
            d.describe(),
            s.entry().bytes(),
            s.entry().sha256());
      }
    }
  }

  /** Signs the manifest and writes it, after its signature, at every destination; then reads it back verified. */
  private static void writeManifest(
      String name,
      Manifest manifest,
      OpenPgp.Signer signer,
      ManifestVerifier verifier,
      List<Destination> opened)
      throws IOException {
    byte[] signature = signer.sign(manifest.toJson());
    for (Destination d : opened) {
      d.writeManifest(
          manifest, signature); // the signature, then the manifest: complete from now on at d
      verifier.read(d, name); // what a restore will check, checked now
      LOG.info("{}: complete at {}, signed by {}", name, d.describe(), signer.fingerprint());
    }
  }

  /**
   * A failed run leaves no plaintext behind either (the pod's emptyDir outlives a failed container): the dump
   * and the staged files go, the destinations are closed.
   */
  private static void cleanUp(
      Options o, Path staging, List<Destination> opened, PlaintextFiles plaintext) {
    if (o.dump() != null) {
      try {
        deletePlaintextDump(o.dump());
      } catch (IOException e) {
        LOG.warn("could not delete the plaintext dump {}: {}", o.dump(), e.toString());
      }
    }
    if (staging != null) {
      try {
        deleteTree(staging);
      } catch (IOException e) {
        LOG.warn("could not delete the staged files in {}: {}", staging, e.toString());
      }
    }
    for (Destination d : opened) {
      try {
        d.close();
      } catch (IOException | RuntimeException e) {
        LOG.debug("closing {}: {}", d.describe(), e.toString());
      }
    }
    plaintext.close();
  }

  /**
   * The database facts the dump step wrote (one JSON line from {@link DatabaseFactsQuery#SQL}), bounded and checked
   * like a manifest's; null without {@code --database-facts}. The file is deleted once read.
   */
  static Manifest.DatabaseFacts readFacts(Path file) throws IOException {
    if (file == null) {
      return null;
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_FACTS_BYTES + 1);
    } catch (NoSuchFileException e) {
      throw new IOException(
          "the database facts " + file + " are missing: the dump step did not record them");
    }
    if (bytes.length > MAX_FACTS_BYTES) {
      throw new IOException(
          "the database facts " + file + " are larger than " + MAX_FACTS_BYTES + " bytes");
    }
    Manifest.DatabaseFacts facts;
    try {
      facts = Summary.JSON.readValue(bytes, Manifest.DatabaseFacts.class);
    } catch (IOException e) {
      throw new IOException("the database facts " + file + " are not the dump step's JSON");
    }
    if (facts == null) {
      throw new IOException("the database facts " + file + " are empty");
    }
    Files.deleteIfExists(file);
    facts.validate();
    LOG.info(
        "database facts: PostgreSQL {}, migration {}, {} tables counted",
        facts.serverMajor(),
        facts.migrationVersion(),
        facts.rowCounts().size());
    return facts;
  }

  /** An armored key file, bounded (a key is a few KiB). */
  static String readKey(Path file, String flag) throws IOException {
    if (file == null) {
      throw new IllegalArgumentException(flag + " is required");
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_KEY_BYTES + 1);
      if (bytes.length > MAX_KEY_BYTES) {
        throw new IOException(
            flag + " " + file + " is larger than " + MAX_KEY_BYTES + " bytes: not a key file");
      }
      return new String(bytes, StandardCharsets.US_ASCII);
    }
  }

  private OpenPgp.Encryptor validate(Options o) throws IOException {
    BackupNames.requireValidStack(o.stack());
    if ((o.recipients() == null) == (o.passphraseFile() == null)) {
      throw new IllegalArgumentException(
          "give exactly one of --recipients (public keys) and --passphrase-file");
    }
    if (o.toDirectory() == null && o.toS3() == null) {
      throw new IllegalArgumentException(
          "give at least one destination: --to-directory and/or --to-s3");
    }
    if (o.retention() == null) {
      throw new IllegalArgumentException("no retention policy");
    }
    requireDump(o.dump());
    if (o.uploads() != null && !Files.isDirectory(o.uploads())) {
      throw new NoSuchFileException(
          o.uploads().toString(), null, "uploads directory does not exist");
    }
    if (o.secrets() != null && !Files.isDirectory(o.secrets())) {
      throw new NoSuchFileException(
          o.secrets().toString(), null, "secrets directory does not exist");
    }
    if (o.scratch() == null || !Files.isDirectory(o.scratch())) {
      throw new NoSuchFileException(
          String.valueOf(o.scratch()), null, "scratch directory does not exist");
    }
    uploadsLocation(o);
    if (o.recipients() != null) {
      List<OpenPgp.Recipient> recipients =
          OpenPgp.readRecipients(readKey(o.recipients(), "--recipients"));
      LOG.info(
          "encrypting to {} recipient key(s): {}",
          recipients.size(),
          recipients.stream().map(OpenPgp.Recipient::fingerprint).toList());
      return OpenPgp.encryptTo(recipients);
    }
    char[] passphrase = readPassphrase(o.passphraseFile());
    try {
      return OpenPgp.encryptWithPassphrase(passphrase);
    } finally {
      Arrays.fill(passphrase, '\0');
    }
  }

  private static String uploadsLocation(Options o) {
    String location = o.uploadsLocation() != null
        ? o.uploadsLocation()
        : o.uploads() != null ? Manifest.UPLOADS_VOLUME : Manifest.UPLOADS_NONE;
    if (!Manifest.UPLOADS_LOCATIONS.contains(location)) {
      throw new IllegalArgumentException(
          "--uploads-location must be volume, s3 or none, not '" + location + "'");
    }
    if (location.equals(Manifest.UPLOADS_VOLUME) != (o.uploads() != null)) {
      throw new IllegalArgumentException(
          location.equals(Manifest.UPLOADS_VOLUME)
              ? "--uploads-location volume needs --uploads DIR"
              : "--uploads-location " + location
                  + ": uploads are not backed up here, so do not pass --uploads");
    }
    return location;
  }

  private static void requireDump(Path dump) throws IOException {
    if (dump == null || !Files.isRegularFile(dump)) {
      throw new NoSuchFileException(String.valueOf(dump), null, "database dump does not exist");
    }
    if (Files.size(dump) == 0) {
      throw new IOException("database dump " + dump + " is empty: pg_dump failed");
    }
    byte[] head = new byte[PG_DUMP_MAGIC.length];
    try (InputStream in = Files.newInputStream(dump)) {
      if (in.readNBytes(head, 0, head.length) != head.length
          || !Arrays.equals(head, PG_DUMP_MAGIC)) {
        throw new IOException(
            "database dump " + dump + " is not a pg_dump custom-format archive (pg_dump -Fc)");
      }
    }
  }

  /**
   * A passphrase file's content as characters: UTF-8, without one trailing newline (what {@code echo}
   * and editors add; gpg's --passphrase-file reads the first line the same way).
   */
  public static char[] readPassphrase(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    try {
      int end = bytes.length;
      if (end > 0 && bytes[end - 1] == '\n') {
        end--;
        if (end > 0 && bytes[end - 1] == '\r') {
          end--;
        }
      }
      if (end == 0) {
        throw new IOException("the passphrase file " + file + " is empty");
      }
      for (int i = 0; i < end; i++) {
        if (bytes[i] == '\n') {
          throw new IOException("the passphrase file " + file + " has more than one line");
        }
      }
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes, 0, end));
      char[] passphrase = new char[chars.remaining()];
      chars.get(passphrase);
      Arrays.fill(chars.array(), '\0');
      return passphrase;
    } catch (CharacterCodingException e) {
      throw new IOException("the passphrase file " + file + " is not UTF-8");
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  // --------------------------------------------------------------------------------------------
  // staging

  private record Staged(Path file, Manifest.Entry entry) {}

  @FunctionalInterface
  private interface Writer {
    void write(OutputStream plaintext) throws IOException;
  }

  /** Encrypts what {@code writer} writes into {@code <staging>/<object>}, hashing the ciphertext. */
  private static Staged stage(
      OpenPgp.Encryptor encryptor, Path staging, String kind, String literalName, Writer writer)
      throws IOException {
    String object = Manifest.OBJECT_NAMES.get(kind);
    Path file = staging.resolve(object);
    Digests.Result cipher;
    long plain;
    try (Digests.HashingOutputStream hashed =
        new Digests.HashingOutputStream(new BufferedOutputStream(
            Files.newOutputStream(file, StandardOpenOption.CREATE_NEW), OpenPgp.BUFFER_SIZE))) {
      Digests.CountingOutputStream counted;
      try (OutputStream encrypted = encryptor.open(hashed, literalName)) {
        counted = new Digests.CountingOutputStream(encrypted);
        writer.write(new FilterOutputStream(counted) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
          }

          @Override
          public void close() throws IOException {
            flush(); // writers may close their stream; the encryption is finished here, not by them
          }
        });
      }
      plain = counted.count();
      hashed.flush();
      cipher = hashed.result();
    }
    LOG.info("encrypted {} ({} bytes) into {} ({} bytes)", kind, plain, object, cipher.bytes());
    return new Staged(
        file, new Manifest.Entry(object, kind, plain, cipher.bytes(), cipher.sha256()));
  }

  private static void copyFile(Path file, OutputStream out) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[OpenPgp.BUFFER_SIZE];
      int r;
      while ((r = in.read(buffer)) >= 0) {
        out.write(buffer, 0, r);
      }
    }
  }

  /**
   * The uploads directory as a POSIX tar (long names and big files in PAX headers), in sorted order.
   * Regular files and directories only: symbolic links and special files are skipped (Loomio writes none,
   * and a restore must not create links). Loomio may add or delete files while this runs: a file deleted
   * before it is opened is skipped, and each file contributes exactly the bytes it had when opened.
   */
  private static void writeTar(Path root, OutputStream out) throws IOException {
    TarArchiveOutputStream tar = new TarArchiveOutputStream(out, StandardCharsets.UTF_8.name());
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    tar.setAddPaxHeadersForNonAsciiNames(true);
    int[] skipped = new int[1];
    addDirectory(tar, root, "", skipped);
    tar.finish();
    if (skipped[0] > 0) {
      LOG.warn(
          "uploads: skipped {} entries that are neither regular files nor directories", skipped[0]);
    }
  }

  private static void addDirectory(
      TarArchiveOutputStream tar, Path dir, String prefix, int[] skipped) throws IOException {
    List<Path> children;
    try (Stream<Path> list = Files.list(dir)) {
      children = list.sorted().toList();
    }
    byte[] buffer = new byte[OpenPgp.BUFFER_SIZE];
    for (Path child : children) {
      String name = prefix + child.getFileName();
      BasicFileAttributes attrs;
      try {
        attrs = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        continue; // deleted meanwhile
      }
      if (attrs.isDirectory()) {
        TarArchiveEntry entry = new TarArchiveEntry(name + "/");
        entry.setModTime(attrs.lastModifiedTime());
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
        addDirectory(tar, child, name + "/", skipped);
      } else if (attrs.isRegularFile()) {
        FileChannel ch;
        try {
          ch = FileChannel.open(child, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
          continue;
        }
        try (ch;
            InputStream in = Channels.newInputStream(ch)) {
          long size = ch.size();
          TarArchiveEntry entry = new TarArchiveEntry(name);
          entry.setSize(size);
          entry.setModTime(attrs.lastModifiedTime());
          tar.putArchiveEntry(entry);
          long left = size;
          while (left > 0) {
            int r = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (r < 0) {
              throw new IOException("uploads: " + name + " shrank while it was archived");
            }
            tar.write(buffer, 0, r);
            left -= r;
          }
          tar.closeArchiveEntry();
        }
      } else {
        skipped[0]++;
      }
    }
  }

  /**
   * Keys of the credentials Secret that never go into a backup: the operator's hash key (whoever decrypts a
   * backup could test password guesses against the roll-out hashes with it) and the passwords of the stack's
   * own PostgreSQL and Redis, which a restore keeps as they are (it writes back only the application's keys).
   * Whoever holds a key the backup is encrypted to gets nothing a restore does not need.
   */
  static final Set<String> NEVER_BACKED_UP =
      Set.of("OPERATOR_HASH_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD");

  /**
   * A mounted Secret as one JSON object: each regular file is a key (its name) and its value, base64
   * encoded as in a Secret's {@code data}, so binary values survive. Kubernetes' own {@code ..data} and
   * {@code ..<timestamp>} entries are skipped; the key files are links into them and are followed. The
   * {@link #NEVER_BACKED_UP} keys are left out.
   */
  private static void writeSecrets(Path dir, OutputStream out) throws IOException {
    Map<String, String> data = new TreeMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String key = p.getFileName().toString();
        if (key.startsWith("..")
            || !SECRET_KEY.matcher(key).matches()
            || !Files.isRegularFile(p)
            || NEVER_BACKED_UP.contains(key)) {
          continue;
        }
        byte[] value = Files.readAllBytes(p);
        data.put(key, Base64.getEncoder().encodeToString(value));
        Arrays.fill(value, (byte) 0);
      }
    }
    byte[] json = Summary.JSON.writeValueAsBytes(data);
    if (json.length > Manifest.MAX_SECRETS_BYTES) {
      Arrays.fill(json, (byte) 0);
      throw new IOException("the credentials Secret is larger than " + Manifest.MAX_SECRETS_BYTES
          + " bytes as JSON" + " (" + data.size()
          + " keys): a restore refuses credentials that large, so the backup does too");
    }
    try {
      out.write(json);
    } finally {
      Arrays.fill(json, (byte) 0);
    }
    LOG.info("secrets: {} keys {}", data.size(), data.keySet()); // key names only
    data.clear();
  }

  // ------------------------------------------------------------------------------------------
  // cleanup

  private static void deletePlaintextDump(Path dump) throws IOException {
    if (Files.deleteIfExists(dump)) {
      LOG.info("deleted the plaintext dump {}", dump);
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> children = Files.list(root)) {
        for (Path child : children.toList()) {
          deleteTree(child);
        }
      }
    }
    Files.deleteIfExists(root);
  }

  /**
   * Deletes what retention no longer keeps, among what is provably this stack's: complete backups whose
   * manifests verify against the stack's signing key, and incomplete ones (no manifest) under its own names.
   * A complete backup that does not verify (unsigned from before signing, forged, dated in the future) is
   * neither deleted nor counted, and is reported once as a warning.
   */
  private static void prune(
      Destination d,
      ManifestVerifier verifier,
      Retention.Policy policy,
      Instant now,
      String current,
      Set<String> pruned,
      List<String> warnings) {
    try {
      List<Retention.Candidate> candidates = new ArrayList<>();
      List<String> unproven = new ArrayList<>();
      for (Destination.Listing l : d.list()) {
        if (l.complete()) {
          try {
            verifier.read(d, l.name());
          } catch (ManifestVerifier.RefusedException e) {
            unproven.add(l.name());
            continue;
          }
        }
        candidates.add(new Retention.Candidate(l.name(), l.createdAt(), l.complete()));
      }
      if (!unproven.isEmpty()) {
        LOG.info(
            "retention leaves {} backup(s) at {} alone: not signed by this stack's key: {}",
            unproven.size(),
            d.describe(),
            unproven);
      }
      for (String name : Retention.toDelete(d.stack(), candidates, policy, now, current)) {
        d.deleteBackup(name);
        pruned.add(name);
        LOG.info("pruned {} from {}", name, d.describe());
      }
    } catch (IOException | RuntimeException e) {
      // the new backup is complete: a failed prune is reported, not a failed backup
      warnings.add("pruning " + d.describe() + " failed: " + Summary.message(e));
      LOG.warn("pruning {} failed: {}", d.describe(), e.toString());
    }
  }
}
