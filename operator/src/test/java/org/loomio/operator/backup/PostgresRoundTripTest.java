package org.loomio.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomio.operator.cli.BackupCommand;
import org.loomio.operator.cli.RestoreCommand;
import picocli.CommandLine;

/**
 * The whole path with a real PostgreSQL: seed a database, pg_dump -Fc, run the backup command (volume
 * and S3, public-key mode, uploads and a mounted Secret), then restore twice and compare every table:
 * (a) by hand, as an operator without the operator would: stock gpg and pg_restore; (b) with the restore
 * command, from S3, including the uploads.
 */
class PostgresRoundTripTest {

  /** The uploads fixture holds a symbolic link on purpose: the agent's warning about it stays out of the build log. */
  @org.junit.jupiter.api.extension.RegisterExtension
  static final org.loomio.operator.testing.ExpectedLogs LOGS =
      org.loomio.operator.testing.ExpectedLogs.of(BackupAgent.class);

  private static final String STACK = "team";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

  @TempDir
  static Path tmp;

  private static PostgresServer pg;
  private static S3Server s3;

  @BeforeAll
  static void start() throws Exception {
    pg = PostgresServer.startOrSkip(false);
    s3 = new S3Server();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (pg != null) {
        pg.close();
      }
    } finally {
      if (s3 != null) {
        s3.close();
      }
    }
  }

  private static final String SEED = """
      CREATE TABLE groups (id serial PRIMARY KEY, name text NOT NULL, handle text UNIQUE, created_at timestamptz NOT NULL);
      CREATE TABLE attachments (id bigserial PRIMARY KEY, group_id int NOT NULL REFERENCES groups(id), filename text,
                                content bytea, meta jsonb);
      CREATE TABLE comments (id serial PRIMARY KEY, group_id int REFERENCES groups(id), body text, tags text[],
                             score numeric(12,4), posted_on date);
      INSERT INTO groups (name, handle, created_at) VALUES
        ('Grüße aus Köln', 'koeln', '2024-01-02 03:04:05+00'),
        ('日本語のグループ 🌸', 'nihon', '2024-02-03 04:05:06+09'),
        ('Plain ''quoted'' \\ back\\slash', NULL, '2025-01-01 00:00:00+00');
      INSERT INTO attachments (group_id, filename, content, meta) VALUES
        (1, 'zeros.bin', '\\x000000ff00'::bytea, '{"k": "v", "n": [1, 2, 3]}'),
        (2, '写真.png', decode(repeat('89504e470d0a1a0a00ff', 20000), 'hex'), '{"unicode": "✓ 🌍"}'),
        (3, 'empty', ''::bytea, NULL),
        (3, 'null', NULL, 'null');
      INSERT INTO comments (group_id, body, tags, score, posted_on)
        SELECT 1 + (i % 3), 'comment ' || i || E' — ünïcödé\\ttab\\nnewline ' || repeat('x', i % 50),
               ARRAY['t' || (i % 7), 'ü'], i * 1.2345, date '2024-01-01' + i
        FROM generate_series(1, 2000) AS i;
      CREATE VIEW group_counts AS
        SELECT g.name, count(c.id) AS comments FROM groups g LEFT JOIN comments c ON c.group_id = g.id GROUP BY g.name;
      """;

  /** Every table's rows (text COPY, ordered by key), the view and the sequences: what must survive. */
  private static Map<String, String> contents(String database) throws Exception {
    Map<String, String> contents = new LinkedHashMap<>();
    List<String> tables = pg.psql(
            database, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1;")
        .lines()
        .toList();
    assertThat(tables).containsExactly("attachments", "comments", "groups");
    for (String table : tables) {
      contents.put(
          table, pg.psql(database, "COPY (SELECT * FROM " + table + " ORDER BY 1) TO STDOUT;"));
    }
    contents.put("view", pg.psql(database, "SELECT * FROM group_counts ORDER BY 1;"));
    contents.put(
        "sequences",
        pg.psql(
            database,
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1;"));
    return contents;
  }

  private record Run(int code, JsonNode summary, String out) {}

  private static Run run(Object command, String... args) throws Exception {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(out));
    int code = cli.execute(args);
    String text = out.toString().strip();
    String last = text.substring(text.lastIndexOf('\n') + 1);
    return new Run(code, last.startsWith("{") ? JSON.readTree(last) : null, text);
  }

  @Test
  void backupThenRestoreWithStockGpgAndWithTheRestoreCommand() throws Exception {
    pg.client("createdb", "loomio");
    pg.psql("loomio", SEED);
    Map<String, String> original = contents("loomio");
    assertThat(original.get("attachments")).contains("\\\\x000000ff00", "写真.png");
    assertThat(original.get("comments").lines()).hasSize(2000);

    Path scratch = Files.createDirectories(tmp.resolve("scratch"));
    Path dump = scratch.resolve("database.dump");
    pg.client("pg_dump", "--format=custom", "--no-owner", "--file=" + dump, "--dbname=loomio");
    Path uploads = AgentFixtures.uploads(tmp.resolve("uploads"));
    Map<String, String> uploadsTree = AgentFixtures.tree(uploads);
    uploadsTree.remove("link-out");
    Path secrets = AgentFixtures.secretsMount(Files.createDirectories(tmp.resolve("secrets")));
    OpenPgp.GeneratedKey key = TestKeys.alice();
    Path recipients = Files.writeString(tmp.resolve("recipients.asc"), key.publicKeyRing());
    OpenPgp.GeneratedKey signing = TestKeys.signing();
    Path signingKey = Files.writeString(tmp.resolve("signing.asc"), signing.secretKeyRing());
    Path verificationKey =
        Files.writeString(tmp.resolve("verification.asc"), signing.publicKeyRing());
    Path backups = Files.createDirectories(tmp.resolve("backups"));
    String bucket = "loomio-" + UUID.randomUUID();
    s3.createBucket(bucket);
    Path termination = tmp.resolve("termination-log");

    Run b = run(
        new BackupCommand(S3Server.env(), new BackupAgent()),
        "--stack",
        STACK,
        "--dump",
        dump.toString(),
        "--uploads",
        uploads.toString(),
        "--secrets",
        secrets.toString(),
        "--recipients",
        recipients.toString(),
        "--signing-key",
        signingKey.toString(),
        "--to-directory",
        backups.toString(),
        "--to-s3",
        "--s3-endpoint",
        s3.endpoint().toString(),
        "--s3-ca-file",
        s3.caFile().toString(),
        "--s3-bucket",
        bucket,
        "--s3-prefix",
        "stacks/team",
        "--s3-region",
        "eu-central-1",
        "--s3-path-style",
        "--keep-last",
        "3",
        "--loomio-image",
        "loomio/loomio:v3.0.11",
        "--postgres-version",
        "15",
        "--uploads-location",
        "volume",
        "--scratch",
        scratch.toString(),
        "--termination-log",
        termination.toString(),
        "--log-level",
        "warn");
    assertThat(b.code()).as(b.out()).isZero();
    assertThat(b.summary().path("complete").asBoolean()).isTrue();
    assertThat(Files.readString(termination).strip()).isEqualTo(b.summary().toString());
    String name = b.summary().path("backup").asText();
    assertThat(BackupNames.isBackupOf(STACK, name)).isTrue();
    assertThat(dump).doesNotExist();
    Manifest manifest =
        new DirectoryDestination(backups, STACK).readManifest(name).orElseThrow();
    assertThat(manifest.encryption())
        .isEqualTo(new Manifest.Encryption("publicKey", List.of(key.fingerprint())));

    // (a) without the operator: stock gpg decrypts, pg_restore restores; tar unpacks the uploads
    assertThat(Gpg.available()).as("gpg 2.2 is installed (Debian: gnupg)").isTrue();
    try (Gpg gpg = new Gpg(Files.createTempDirectory(tmp, "gpg"))) {
      // first the signature, with the exported signing public key, before decrypting anything
      gpg.importKey(signing.publicKeyRing());
      Gpg.Result verified = gpg.ok(
          "--trust-model",
          "always",
          "--status-fd",
          "1",
          "--verify",
          backups.resolve(name).resolve("manifest.json.sig").toString(),
          backups.resolve(name).resolve("manifest.json").toString());
      assertThat(verified.out()).contains("[GNUPG:] VALIDSIG " + signing.fingerprint());
      gpg.importKey(key.secretKeyRing());
      Path byHand = tmp.resolve("by-hand.dump");
      gpg.ok(
          "--decrypt",
          "--output",
          byHand.toString(),
          backups.resolve(name).resolve("database.dump.pgp").toString());
      pg.client("createdb", "restored_by_hand");
      pg.client(
          "pg_restore",
          "--clean",
          "--if-exists",
          "--no-owner",
          "--exit-on-error",
          "--dbname=restored_by_hand",
          byHand.toString());
      assertThat(contents("restored_by_hand")).isEqualTo(original);

      Path tar = tmp.resolve("uploads.tar");
      gpg.ok(
          "--decrypt",
          "--output",
          tar.toString(),
          backups.resolve(name).resolve("uploads.tar.pgp").toString());
      Path untarred = Files.createDirectories(tmp.resolve("untarred"));
      PostgresServer.exec(
          List.of("tar", "-xf", tar.toString(), "-C", untarred.toString()), Map.of(), null);
      assertThat(AgentFixtures.tree(untarred)).isEqualTo(uploadsTree);
      Map<String, String> secretsJson = JSON.readValue(
          gpg.ok("--decrypt", backups.resolve(name).resolve("secrets.json.pgp").toString())
              .out(),
          STRING_MAP);
      assertThat(secretsJson).hasSize(AgentFixtures.SECRETS.size());
      AgentFixtures.SECRETS.forEach((k, v) ->
          assertThat(Base64.getDecoder().decode(secretsJson.get(k))).as(k).isEqualTo(v));
    }

    // (b) the restore command, from S3
    Path privateKey = Files.writeString(tmp.resolve("private.asc"), key.secretKeyRing());
    Path restoreScratch = Files.createDirectories(tmp.resolve("restore-scratch"));
    Path databaseOut = restoreScratch.resolve("database.dump");
    Path restoredUploads = Files.createDirectories(tmp.resolve("restored-uploads"));
    Files.writeString(
        restoredUploads.resolve("uploaded-after-the-backup"), "replaced by the restore");
    Run r = run(
        new RestoreCommand(S3Server.env(), BackupAgent.Destinations.DEFAULT),
        "--stack",
        STACK,
        "--backup",
        "latest",
        "--from-s3",
        "--s3-endpoint",
        s3.endpoint().toString(),
        "--s3-ca-file",
        s3.caFile().toString(),
        "--s3-bucket",
        bucket,
        "--s3-prefix",
        "stacks/team",
        "--s3-region",
        "eu-central-1",
        "--s3-path-style",
        "--private-key",
        privateKey.toString(),
        "--verification-key",
        verificationKey.toString(),
        "--scratch",
        restoreScratch.toString(),
        "--database-out",
        databaseOut.toString(),
        "--uploads",
        restoredUploads.toString(),
        "--secrets-to-summary",
        "--termination-log",
        tmp.resolve("restore-termination-log").toString(),
        "--log-level",
        "warn");
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.summary().path("backup").asText()).isEqualTo(name);
    assertThat(r.summary().path("restored").toString()).isEqualTo("[\"database\",\"uploads\"]");
    pg.client("createdb", "restored_by_agent");
    pg.client(
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--exit-on-error",
        "--dbname=restored_by_agent",
        databaseOut.toString());
    assertThat(contents("restored_by_agent")).isEqualTo(original);
    assertThat(AgentFixtures.tree(restoredUploads)).isEqualTo(uploadsTree);
    try (var files = Files.list(restoreScratch)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList())
          .containsExactly("database.dump");
    }

    // the secrets object came back still encrypted and verified; the operator would decrypt it
    byte[] secretsObject =
        Base64.getDecoder().decode(r.summary().path("secretsObject").asText());
    assertThat(Digests.sha256(new java.io.ByteArrayInputStream(secretsObject)).sha256())
        .isEqualTo(manifest.object("secrets").orElseThrow().sha256());
    Map<String, String> fromSummary = JSON.readValue(
        OpenPgpTest.decryptBytes(OpenPgp.decryptWithSecretKeys(key.secretKeyRing()), secretsObject),
        STRING_MAP);
    assertThat(fromSummary.keySet())
        .containsExactlyInAnyOrderElementsOf(AgentFixtures.SECRETS.keySet());
    List<String> shown = new ArrayList<>(List.of(b.out(), r.out()));
    for (String text : shown) {
      for (byte[] value : AgentFixtures.SECRETS.values()) {
        assertThat(text).doesNotContain(new String(value, StandardCharsets.UTF_8));
      }
    }
  }
}
