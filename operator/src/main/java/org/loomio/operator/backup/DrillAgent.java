package org.loomio.operator.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The restore drill's agent ({@code loomio-operator drill prepare|report}). A drill pod runs three steps:
 * <ol>
 *   <li>{@code prepare} (this agent): picks the newest backup whose manifest verifies against the stack's signing
 *       key ({@link ManifestVerifier}: forged, unsigned and future-dated backups are passed over, exactly as a
 *       restore of {@code latest} does), downloads its database and uploads objects bounded by the manifest's
 *       sizes, checks their SHA-256, decrypts the dump (integrity-checked, bounded) for the next step and reads
 *       the uploads archive to its end, checking every entry; it writes what it found and what the manifest
 *       expects to {@value #EXPECTED_FILE};
 *   <li>{@code restore} (the PostgreSQL image, {@code BackupPodTemplate#DRILL_RESTORE_SCRIPT}): starts a throwaway
 *       server on an emptyDir, restores the dump as a role that is not a superuser, and reads the restored
 *       database's facts with {@link DatabaseFactsQuery#SQL};
 *   <li>{@code report} (this agent): compares the restored facts with the signed manifest's and writes the
 *       result, one JSON line, to the termination log.
 * </ol>
 * Checks, in order: {@code backup}, {@code download}, {@code decrypt}, {@code uploads}, {@code postgresVersion},
 * {@code restore}, {@code migrationVersion}, {@code rowCounts}. A check that cannot be made (a manifest from
 * before drills records no facts) is Skipped and said so, never failed.
 */
public final class DrillAgent {

  private static final Logger LOG = LoggerFactory.getLogger(DrillAgent.class);

  public static final String EXPECTED_FILE = "expected.json";
  public static final String FACTS_FILE = "facts.json";
  public static final String RESTORE_EXIT_FILE = "restore.exit";
  public static final String RESTORE_LOG_FILE = "restore.log";

  public static final String PASSED = "Passed";
  public static final String FAILED = "Failed";
  public static final String SKIPPED = "Skipped";
  /** The result of a drill that found no complete backup at all (before a new stack's first backup). */
  public static final String NO_BACKUP = "NoBackup";

  public static final List<String> CHECKS = List.of(
      "backup",
      "download",
      "decrypt",
      "uploads",
      "postgresVersion",
      "restore",
      "migrationVersion",
      "rowCounts");
  /** Longest detail of one check in the result. */
  static final int MAX_DETAIL = 300;
  /** Largest file of the restore step read (facts, exit code, the head of pg_restore's errors). */
  static final int MAX_STEP_FILE = 64 << 10;

  /**
   * The prepare step.
   *
   * @param work the directory shared with the next steps ({@value #EXPECTED_FILE} goes there)
   * @param databaseOut where the decrypted dump goes, for the restore step
   */
  public record PrepareOptions(
      String stack,
      Path fromDirectory,
      S3Destination.Settings fromS3,
      Path privateKey,
      Path passphraseFile,
      Path verificationKey,
      Path scratch,
      Path databaseOut,
      Path work) {}

  /** One check's outcome. */
  public record Check(String name, String result, String detail) {
    public Check {
      detail = detail == null
          ? null
          : detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) + "..." : detail;
    }
  }

  private final BackupAgent.Destinations destinations;
  private final Clock clock;

  public DrillAgent(BackupAgent.Destinations destinations, Clock clock) {
    this.destinations = destinations;
    this.clock = clock;
  }

  // -------------------------------------------------------------------------------------------
  // prepare

  /**
   * Runs the prepare step: picks the backup, downloads and checks what is drilled, decrypts the dump for the
   * restore step, reads the uploads archive, and writes what it found and expects; on failure the drill's result
   * goes to the termination log and the exit code is 1. Whatever happens, the scratch files go.
   */
  public int prepare(PrepareOptions o, Path terminationLog, PrintWriter out) {
    List<Check> checks = new ArrayList<>();
    String backup = null;
    RunFiles files = new RunFiles(LOG, "the drill's scratch files");
    try {
      validate(o);
      Files.createDirectories(o.work());
      Files.deleteIfExists(o.work().resolve(EXPECTED_FILE));
      ManifestVerifier verifier = new ManifestVerifier(
          OpenPgp.verifierFrom(BackupAgent.readKey(o.verificationKey(), "--verification-key")),
          clock,
          false);
      OpenPgp.Decryptor decryptor = o.privateKey() != null
          ? OpenPgp.decryptWithSecretKeys(BackupAgent.readKey(o.privateKey(), "--private-key"))
          : RestoreAgent.decryptWithPassphrase(o.passphraseFile());
      Destination source = files.source(
          o.fromDirectory() != null
              ? new DirectoryDestination(o.fromDirectory(), o.stack())
              : destinations.s3(o.fromS3(), o.stack()));

      // 1. the newest backup signed by the stack's key
      Manifest m = pick(o, source, verifier, checks, out);
      if (m == null) {
        return 0;
      }
      backup = m.backup();

      // 2. download and check what is drilled, before decrypting anything
      Path work = files.directory(Files.createDirectories(o.scratch().resolve(backup + ".drill")));
      Manifest.Entry db = m.object(Manifest.KIND_DATABASE).orElse(null);
      if (db == null) {
        throw failed(checks, "download", "backup " + backup + " holds no database object");
      }
      Manifest.Entry uploads = m.object(Manifest.KIND_UPLOADS).orElse(null);
      Path dbFile;
      Path uploadsFile = null;
      try {
        dbFile = RestoreAgent.download(source, backup, db, work);
        if (uploads != null) {
          uploadsFile = RestoreAgent.download(source, backup, uploads, work);
        }
      } catch (IOException e) {
        throw failed(checks, "download", Summary.message(e));
      }
      checks.add(new Check(
          "download", PASSED, "every object matches its size and SHA-256 in the manifest"));

      // 3. decrypt the dump for the restore step
      Path partial = files.file(
          o.databaseOut().resolveSibling("." + o.databaseOut().getFileName() + ".partial"));
      decryptDump(decryptor, db, dbFile, partial, checks);

      // 4. the uploads archive: every entry, to its end
      checkUploads(decryptor, m, uploads, uploadsFile, checks);

      Files.move(partial, o.databaseOut(), StandardCopyOption.REPLACE_EXISTING);
      files.forget(partial);
      writeExpected(o, m, checks);
      out.println("drill: prepared " + backup);
      out.flush();
      return 0;
    } catch (DrillFailed e) {
      return fail(backup, checks, terminationLog, out);
    } catch (IOException | RuntimeException e) {
      if (checks.isEmpty() || !checks.get(checks.size() - 1).result().equals(FAILED)) {
        checks.add(new Check(next(checks), FAILED, Summary.message(e)));
      }
      return fail(backup, checks, terminationLog, out);
    } finally {
      files.close();
    }
  }

  private static void validate(PrepareOptions o) throws IOException {
    BackupNames.requireValidStack(o.stack());
    if ((o.fromDirectory() == null) == (o.fromS3() == null)) {
      throw new IllegalArgumentException("give exactly one source: --from-directory or --from-s3");
    }
    if ((o.privateKey() == null) == (o.passphraseFile() == null)) {
      throw new IllegalArgumentException("give exactly one of --private-key and --passphrase-file");
    }
    if (o.work() == null || o.scratch() == null || !Files.isDirectory(o.scratch())) {
      throw new NoSuchFileException(
          String.valueOf(o.scratch()), null, "the scratch directory must exist");
    }
  }

  /**
   * The manifest of the newest backup signed by the stack's key (check {@code backup}); null when there is no
   * complete backup at all (a new stack, before its first backup), which is written as such for the report.
   */
  private static Manifest pick(
      PrepareOptions o,
      Destination source,
      ManifestVerifier verifier,
      List<Check> checks,
      PrintWriter out)
      throws IOException, DrillFailed {
    List<String> refused = new ArrayList<>();
    ManifestVerifier.Verified verified;
    try {
      verified = newestVerified(source, verifier, refused);
    } catch (ManifestVerifier.RefusedException e) {
      if (refused.isEmpty()) {
        // no complete backup at all (a new stack, before its first backup): nothing to drill yet
        ObjectNode expected = Summary.object();
        expected.put("noBackup", true);
        expected.put("message", e.getMessage());
        Files.writeString(
            o.work().resolve(EXPECTED_FILE), expected.toString(), StandardCharsets.UTF_8);
        out.println("drill: " + e.getMessage());
        out.flush();
        return null;
      }
      throw failed(checks, "backup", e.getMessage());
    }
    Manifest m = verified.manifest();
    checks.add(new Check(
        "backup",
        PASSED,
        m.backup() + " signed by " + verified.signedBy()
            + (refused.isEmpty()
                ? ""
                : "; passed over " + refused.size() + " newer: " + refused.get(0))));
    LOG.info("drill: {} (signed by {})", m.backup(), verified.signedBy());
    return m;
  }

  /** Decrypts the dump to {@code partial} (check {@code decrypt}), then deletes its ciphertext. */
  private static void decryptDump(
      OpenPgp.Decryptor decryptor, Manifest.Entry db, Path dbFile, Path partial, List<Check> checks)
      throws IOException, DrillFailed {
    try {
      long n;
      try (InputStream in =
              new BufferedInputStream(Files.newInputStream(dbFile), OpenPgp.BUFFER_SIZE);
          OutputStream out2 =
              new BufferedOutputStream(Files.newOutputStream(partial), OpenPgp.BUFFER_SIZE)) {
        n = decryptor.decrypt(in, out2, db.plaintextBytes());
      }
      RestoreAgent.requireSize(db, n);
    } catch (IOException e) {
      throw failed(checks, "decrypt", Summary.message(e));
    }
    Files.deleteIfExists(dbFile);
    checks.add(new Check(
        "decrypt",
        PASSED,
        "the dump decrypts and passes its integrity check (" + db.plaintextBytes() + " bytes)"));
  }

  /** Reads the uploads archive to its end, checking every entry (check {@code uploads}). */
  private static void checkUploads(
      OpenPgp.Decryptor decryptor,
      Manifest m,
      Manifest.Entry uploads,
      Path uploadsFile,
      List<Check> checks)
      throws DrillFailed {
    if (uploads == null) {
      checks.add(new Check(
          "uploads",
          SKIPPED,
          "the backup holds no uploads (uploads location: " + m.uploadsLocation() + ")"));
      return;
    }
    try {
      RestoreAgent.requireSize(
          uploads, RestoreAgent.extract(decryptor, uploadsFile, null, uploads.plaintextBytes()));
    } catch (IOException e) {
      throw failed(checks, "uploads", Summary.message(e));
    }
    checks.add(new Check(
        "uploads",
        PASSED,
        "the archive decrypts, lists and verifies (" + uploads.plaintextBytes() + " bytes)"));
  }

  /** What the report compares the restored database with: the manifest's facts and the checks so far. */
  private static void writeExpected(PrepareOptions o, Manifest m, List<Check> checks)
      throws IOException {
    ObjectNode expected = Summary.object();
    expected.put("backup", m.backup());
    expected.put("createdAt", m.createdAt());
    if (m.postgresVersion() != null) {
      expected.put("postgresVersion", m.postgresVersion());
    }
    if (m.database() != null) {
      expected.set("database", Summary.JSON.valueToTree(m.database()));
    }
    ArrayNode done = expected.putArray("checks");
    checks.forEach(c -> done.add(Summary.JSON.valueToTree(c)));
    Files.writeString(o.work().resolve(EXPECTED_FILE), expected.toString(), StandardCharsets.UTF_8);
  }

  /** A failed check: recorded, and the drill stops there. */
  private static DrillFailed failed(List<Check> checks, String check, String detail) {
    checks.add(new Check(check, FAILED, detail));
    return new DrillFailed(detail);
  }

  private static String next(List<Check> checks) {
    return CHECKS.get(Math.min(checks.size(), CHECKS.size() - 1));
  }

  private static final class DrillFailed extends Exception {
    private static final long serialVersionUID = 1L;

    DrillFailed(String message) {
      super(message);
    }
  }

  /** The newest complete backup that verifies (signed by the stack's key, not dated in the future). */
  static ManifestVerifier.Verified newestVerified(
      Destination source, ManifestVerifier verifier, List<String> refused) throws IOException {
    List<Destination.Listing> complete = source.list().stream()
        .filter(Destination.Listing::complete)
        .sorted(Comparator.comparing(Destination.Listing::createdAt).reversed())
        .toList();
    for (Destination.Listing l : complete) {
      try {
        return verifier.read(source, l.name());
      } catch (ManifestVerifier.RefusedException e) {
        LOG.warn("drill: passing over {}: {}", l.name(), e.getMessage());
        refused.add(e.getMessage());
      }
    }
    throw new ManifestVerifier.RefusedException(
        "no complete backup of stack " + source.stack() + " at "
            + source.describe() + " is signed by the stack's key"
            + (refused.isEmpty()
                ? ""
                : " (refused " + refused.size() + ": " + refused.get(0)
                    + (refused.size() > 1 ? "; ..." : "") + ")"));
  }

  // --------------------------------------------------------------------------------------------
  // report

  /** Compares what the restore step found with what the prepare step expected; writes the drill's result. */
  public int report(Path work, Path terminationLog, PrintWriter out) {
    List<Check> checks = new ArrayList<>();
    String backup = null;
    try {
      JsonNode expected = Summary.JSON.readTree(readBounded(work.resolve(EXPECTED_FILE)));
      if (expected.path("noBackup").asBoolean(false)) {
        ObjectNode node = Summary.object();
        node.put("drill", true);
        node.put("result", NO_BACKUP);
        node.put("message", expected.path("message").asText("no complete backup yet"));
        Summary.emit(Summary.fit(node, List.of()), terminationLog, out);
        return 0;
      }
      backup = expected.path("backup").asText(null);
      for (JsonNode c : expected.path("checks")) {
        checks.add(new Check(
            c.path("name").asText(), c.path("result").asText(), c.path("detail").asText(null)));
      }
      Manifest.DatabaseFacts recorded = expected.hasNonNull("database")
          ? Summary.JSON.treeToValue(expected.get("database"), Manifest.DatabaseFacts.class)
          : null;
      Integer recordedMajor = recorded != null && recorded.serverMajor() != null
          ? recorded.serverMajor()
          : expected.hasNonNull("postgresVersion")
              ? expected.get("postgresVersion").asInt()
              : null;

      Path exitFile = work.resolve(RESTORE_EXIT_FILE);
      Integer exit =
          Files.exists(exitFile) ? Integer.valueOf(readBounded(exitFile).strip()) : null;
      Manifest.DatabaseFacts restored = null;
      Path factsFile = work.resolve(FACTS_FILE);
      if (Files.exists(factsFile) && Files.size(factsFile) > 0) {
        restored =
            Summary.JSON.readValue(readBounded(factsFile).strip(), Manifest.DatabaseFacts.class);
      }
      checks.addAll(compare(recordedMajor, recorded, exit, restoreError(work), restored));
    } catch (IOException | RuntimeException e) {
      checks.add(new Check(
          next(checks),
          FAILED,
          "the drill's steps left no readable result: " + Summary.message(e)));
    }
    boolean failed = checks.stream().anyMatch(c -> c.result().equals(FAILED));
    emit(backup, checks, terminationLog, out);
    return failed ? 1 : 0;
  }

  /** The checks made on the restored database. */
  static List<Check> compare(
      Integer recordedMajor,
      Manifest.DatabaseFacts recorded,
      Integer restoreExit,
      String restoreError,
      Manifest.DatabaseFacts restored) {
    List<Check> checks = new ArrayList<>();
    Integer scratchMajor = restored == null ? null : restored.serverMajor();
    if (recordedMajor == null) {
      checks.add(
          new Check("postgresVersion", SKIPPED, "the manifest records no PostgreSQL version"));
    } else if (scratchMajor == null) {
      checks.add(new Check("postgresVersion", SKIPPED, "the scratch server's version is unknown"));
    } else if (!recordedMajor.equals(scratchMajor)) {
      checks.add(
          new Check(
              "postgresVersion",
              FAILED,
              "the backup was taken from PostgreSQL " + recordedMajor
                  + ", the drill ran PostgreSQL " + scratchMajor
                  + " (the stack's configured version): the drill proves"
                  + " backups of the configured version; the next backup after the version change is drilled as usual"));
    } else {
      checks.add(new Check("postgresVersion", PASSED, "PostgreSQL " + scratchMajor));
    }
    boolean restoredOk = restoreExit != null && restoreExit == 0;
    if (restoreExit == null) {
      checks.add(new Check("restore", FAILED, "pg_restore did not run"));
    } else if (!restoredOk) {
      checks.add(new Check(
          "restore",
          FAILED,
          "pg_restore exited with code " + restoreExit
              + (restoreError == null ? "" : ": " + restoreError)));
    } else {
      checks.add(
          new Check("restore", PASSED, "pg_restore completed as a role that is not a superuser"));
    }
    if (!restoredOk || restored == null) {
      String why =
          !restoredOk ? "the restore failed" : "the restored database's facts could not be read";
      checks.add(new Check("migrationVersion", restoredOk ? FAILED : SKIPPED, why));
      checks.add(new Check("rowCounts", restoredOk ? FAILED : SKIPPED, why));
      return checks;
    }
    if (recorded == null) {
      String why =
          "the manifest records no database facts (a backup from before restore drills): not checked";
      checks.add(new Check("migrationVersion", SKIPPED, why));
      checks.add(new Check("rowCounts", SKIPPED, why));
      return checks;
    }
    if (recorded.migrationVersion() == null) {
      checks.add(new Check(
          "migrationVersion", SKIPPED, "the backed-up database had no schema_migrations table"));
    } else if (!recorded.migrationVersion().equals(restored.migrationVersion())) {
      checks.add(new Check(
          "migrationVersion",
          FAILED,
          "restored " + restored.migrationVersion() + ", the backup recorded "
              + recorded.migrationVersion()));
    } else {
      checks.add(new Check("migrationVersion", PASSED, recorded.migrationVersion()));
    }
    Map<String, Long> got = restored.rowCounts() == null ? Map.of() : restored.rowCounts();
    List<String> differ = new ArrayList<>();
    long rows = 0;
    for (Map.Entry<String, Long> e : new TreeMap<>(recorded.rowCounts()).entrySet()) {
      Long n = got.get(e.getKey());
      rows += e.getValue();
      if (n == null) {
        differ.add(e.getKey() + ": missing, the backup recorded " + e.getValue() + " rows");
      } else if (!n.equals(e.getValue())) {
        differ.add(e.getKey() + ": " + n + " rows restored, the backup recorded " + e.getValue());
      }
    }
    if (!differ.isEmpty()) {
      checks.add(new Check("rowCounts", FAILED, String.join("; ", differ)));
    } else if (recorded.rowCounts().isEmpty()) {
      checks.add(new Check(
          "rowCounts", SKIPPED, "the backed-up database had none of Loomio's main tables"));
    } else {
      checks.add(new Check(
          "rowCounts",
          PASSED,
          recorded.rowCounts().size() + " tables, " + rows + " rows, as recorded"));
    }
    return checks;
  }

  /**
   * The first line in which pg_restore reported an error, without what follows it: the DETAIL and CONTEXT lines
   * that may quote the backed-up rows are never read into the result.
   */
  static String restoreError(Path work) {
    Path log = work.resolve(RESTORE_LOG_FILE);
    try {
      if (!Files.exists(log)) {
        return null;
      }
      for (String line : readBounded(log).split("\n")) {
        if (line.contains("error:")) {
          String l = line.strip();
          return l.length() > 200 ? l.substring(0, 200) + "..." : l;
        }
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }

  private static String readBounded(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] b = in.readNBytes(MAX_STEP_FILE);
      return new String(b, StandardCharsets.UTF_8);
    }
  }

  private int fail(String backup, List<Check> checks, Path terminationLog, PrintWriter out) {
    emit(backup, checks, terminationLog, out);
    return 1;
  }

  /** Wrong usage (a flag missing or contradictory): a failed drill at its first check. */
  public static void emitUsage(String message, Path terminationLog, PrintWriter out) {
    emit(
        null, List.of(new Check("backup", FAILED, "wrong usage: " + message)), terminationLog, out);
  }

  /** The drill's result: {"drill":true,"backup":…,"result":…,"failedCheck":…,"checks":[…],"message":…}. */
  static void emit(String backup, List<Check> checks, Path terminationLog, PrintWriter out) {
    ObjectNode node = Summary.object();
    node.put("drill", true);
    node.put("backup", backup);
    Check failed =
        checks.stream().filter(c -> c.result().equals(FAILED)).findFirst().orElse(null);
    node.put("result", failed == null ? PASSED : FAILED);
    if (failed != null) {
      node.put("failedCheck", failed.name());
      node.put("error", failed.name() + ": " + failed.detail());
    } else {
      List<String> skipped = checks.stream()
          .filter(c -> c.result().equals(SKIPPED))
          .map(Check::name)
          .toList();
      if (!skipped.isEmpty()) {
        node.put("message", "could not check: " + String.join(", ", skipped));
      }
    }
    ArrayNode array = node.putArray("checks");
    checks.forEach(c -> array.add(Summary.JSON.valueToTree(c)));
    if (failed != null) {
      LOG.error("drill failed at {}: {}", failed.name(), failed.detail());
    }
    Summary.emit(Summary.fit(node, List.of("checks")), terminationLog, out);
  }
}
