package org.loomio.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.backup.BackupJob;
import org.loomio.operator.render.backup.BackupPodTemplate;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.testing.Fixtures;

/**
 * Restore drills end to end with a real PostgreSQL and real OpenPGP: a seeded database is dumped by the backup
 * pod's own dump script (facts and dump in one snapshot), backed up by the agent (signed manifest with the
 * facts), then drilled: the drill's prepare step, its restore script against a scratch server this test starts,
 * and the report. A good backup passes every check; a dump lacking one table's rows whose signed manifest records
 * the original count fails at rowCounts naming that table; a backup signed by another key is refused.
 */
class DrillAgentTest {

  /** Drills fail and pass over forgeries here on purpose; the uploads fixture holds a link the backup skips. */
  @org.junit.jupiter.api.extension.RegisterExtension
  static final org.loomio.operator.testing.ExpectedLogs LOGS =
      org.loomio.operator.testing.ExpectedLogs.of(BackupAgent.class, DrillAgent.class);

  private static final String STACK = "team";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path tmp;

  private static PostgresServer live;
  private static PostgresServer scratchServer;
  private static int n;

  @BeforeAll
  static void start() throws Exception {
    live = PostgresServer.startOrSkip(false);
    scratchServer = new PostgresServer(live.bin());
    live.client("createdb", "loomio");
    live.psql("loomio", """
        CREATE TABLE schema_migrations (version varchar PRIMARY KEY);
        INSERT INTO schema_migrations VALUES ('20240101000000'), ('20240402015741'), ('20231231000000');
        CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);
        CREATE TABLE groups (id serial PRIMARY KEY, name text);
        CREATE TABLE comments (id serial PRIMARY KEY, body text, user_id int REFERENCES users(id));
        CREATE TABLE not_a_main_table (id int);
        INSERT INTO users (email) SELECT 'u' || i || '@example.org' FROM generate_series(1, 40) i;
        INSERT INTO groups (name) SELECT 'group ' || i FROM generate_series(1, 7) i;
        INSERT INTO comments (body, user_id) SELECT 'comment ' || i, 1 + i % 40 FROM generate_series(1, 500) i;
        INSERT INTO not_a_main_table SELECT generate_series(1, 3);
        """);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (live != null) {
        live.close();
      }
    } finally {
      if (scratchServer != null) {
        scratchServer.close();
      }
    }
  }

  /** The backup pod's dump script as rendered, run against the live server: writes the dump and the facts. */
  private static void dump(Path dump, Path facts) throws Exception {
    LoomioDeployment r = Fixtures.resource(STACK, "host: a.example.org");
    RenderContext ctx = new RenderContext(
            ResolvedSpec.of(r, ImageDefaults.BUILT_IN),
            ClusterCapabilities.newest(),
            Fixtures.credentials(r),
            SecretDigests.none())
        .withBackupPublicKey("-----BEGIN PGP PUBLIC KEY BLOCK-----\n...");
    PodSpec pod = BackupJob.render(ctx, "0123abcd").getSpec().getTemplate().getSpec();
    Container c = pod.getInitContainers().stream()
        .filter(x -> x.getName().equals("dump"))
        .findFirst()
        .orElseThrow();
    String script = c.getCommand()
        .get(2)
        .replace(BackupPodTemplate.DUMP, dump.toString())
        .replace(BackupPodTemplate.FACTS, facts.toString());
    int major = Integer.parseInt(live.psql("loomio", "SHOW server_version_num;").strip()) / 10000;
    bash(
        script,
        Map.of(
            "PGHOST",
            "127.0.0.1",
            "PGPORT",
            Integer.toString(live.port()),
            "PGUSER",
            "postgres",
            "PGDATABASE",
            "loomio",
            "EXPECTED_MAJOR",
            Integer.toString(major)));
  }

  private static String bash(String script, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    pb.environment().putAll(env);
    pb.environment().put("PATH", live.bin() + ":" + System.getenv("PATH"));
    pb.environment().put("DATABASE_FACTS_SQL", DatabaseFactsQuery.SQL);
    Process p = pb.start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  /** A backup by the agent into its own directory, signed by {@code signing}. */
  private static Path backup(Path dump, Path facts, OpenPgp.GeneratedKey signing, Instant at)
      throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("case-" + (++n)));
    Path backups = Files.createDirectories(dir.resolve("backups"));
    Path scratch = Files.createDirectories(dir.resolve("staging"));
    Path recipients =
        Files.writeString(dir.resolve("recipients.asc"), TestKeys.alice().publicKeyRing());
    Path signingKey = Files.writeString(dir.resolve("signing.asc"), signing.secretKeyRing());
    Path uploads = AgentFixtures.uploads(dir.resolve("uploads"));
    new BackupAgent(Clock.fixed(at, ZoneOffset.UTC), BackupAgent.Destinations.DEFAULT)
        .run(new BackupAgent.Options(
            STACK,
            dump,
            uploads,
            null,
            recipients,
            null,
            backups,
            null,
            new Retention.Policy(10, 0, 0, 0),
            "loomio/loomio:v3.0.11",
            15,
            "volume",
            scratch,
            signingKey,
            facts));
    return backups;
  }

  private record Drill(int prepareCode, int reportCode, JsonNode result) {
    JsonNode check(String name) {
      for (JsonNode c : result.path("checks")) {
        if (c.path("name").asText().equals(name)) {
          return c;
        }
      }
      throw new AssertionError("no check " + name + " in " + result);
    }
  }

  /** The drill's three steps: prepare (the agent), restore (the pod's script, on the scratch server), report. */
  private static Drill drill(Path backups) throws Exception {
    Path dir = Files.createDirectories(backups.resolveSibling("drill"));
    Path scratch = Files.createDirectories(dir.resolve("scratch"));
    Path work = scratch.resolve("drill");
    Path dumpOut = scratch.resolve("database.dump");
    Path privateKey =
        Files.writeString(dir.resolve("private.asc"), TestKeys.alice().secretKeyRing());
    Path verification =
        Files.writeString(dir.resolve("verification.asc"), TestKeys.signing().publicKeyRing());
    Path termination = dir.resolve("termination-log");
    StringWriter out = new StringWriter();
    DrillAgent agent = new DrillAgent(BackupAgent.Destinations.DEFAULT, Clock.systemUTC());
    int prepared = agent.prepare(
        new DrillAgent.PrepareOptions(
            STACK, backups, null, privateKey, null, verification, scratch, dumpOut, work),
        termination,
        new PrintWriter(out));
    if (prepared != 0) {
      assertThat(dumpOut).as("no plaintext dump is left behind").doesNotExist();
      return new Drill(prepared, -1, JSON.readTree(Files.readString(termination)));
    }
    assertThat(dumpOut).exists();
    String script = "set -euo pipefail\n"
        + BackupPodTemplate.DRILL_RESTORE_SCRIPT
            .replace(BackupPodTemplate.DRILL_WORK, work.toString())
            .replace(BackupPodTemplate.DUMP, dumpOut.toString());
    bash(
        script,
        Map.of(
            "PGHOST",
            "127.0.0.1",
            "PGPORT",
            Integer.toString(scratchServer.port()),
            "PGUSER",
            "postgres"));
    assertThat(dumpOut).as("the restore step removes the plaintext dump").doesNotExist();
    int reported = agent.report(work, termination, new PrintWriter(out));
    String line = Files.readString(termination).strip();
    assertThat(line.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThan(4096);
    return new Drill(prepared, reported, JSON.readTree(line));
  }

  @Test
  void aRealBackupOfASeededDatabasePassesEveryCheck() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("good"));
    Path dump = dir.resolve("database.dump");
    Path facts = dir.resolve("facts.json");
    dump(dump, facts);
    Manifest.DatabaseFacts recorded =
        JSON.readValue(Files.readString(facts), Manifest.DatabaseFacts.class);
    assertThat(recorded.migrationVersion()).isEqualTo("20240402015741");
    assertThat(recorded.rowCounts())
        .containsExactlyEntriesOf(
            new java.util.TreeMap<>(Map.of("comments", 500L, "groups", 7L, "users", 40L)));
    Path backups = backup(dump, facts, TestKeys.signing(), Instant.now().minusSeconds(60));
    Manifest manifest = new DirectoryDestination(backups, STACK)
        .readManifest(new DirectoryDestination(backups, STACK).list().get(0).name())
        .orElseThrow();
    assertThat(manifest.database()).as("the facts are in the signed manifest").isEqualTo(recorded);

    Drill d = drill(backups);
    assertThat(d.reportCode()).as(d.result().toString()).isZero();
    assertThat(d.result().path("result").asText()).isEqualTo("Passed");
    assertThat(d.result().path("backup").asText()).isEqualTo(manifest.backup());
    for (String check : DrillAgent.CHECKS) {
      assertThat(d.check(check).path("result").asText())
          .as(check + ": " + d.check(check))
          .isEqualTo("Passed");
    }
    assertThat(d.check("rowCounts").path("detail").asText()).contains("3 tables, 547 rows");
    assertThat(d.check("migrationVersion").path("detail").asText()).isEqualTo("20240402015741");
  }

  @Test
  void aDumpLackingOneTablesRowsFailsAtRowCountsNamingThatTable() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("short"));
    Path facts = dir.resolve("facts.json");
    dump(dir.resolve("original.dump"), facts); // the facts of the full database
    // a dump of the same database without the comments' rows, correctly hashed and signed with the
    // stack's key
    live.client("createdb", "--template=loomio", "short");
    live.psql("short", "DELETE FROM comments;");
    Path dump = dir.resolve("database.dump");
    live.client("pg_dump", "--format=custom", "--no-owner", "--file=" + dump, "--dbname=short");
    Path backups = backup(dump, facts, TestKeys.signing(), Instant.now().minusSeconds(60));

    Drill d = drill(backups);
    assertThat(d.reportCode()).isEqualTo(1);
    assertThat(d.result().path("result").asText()).isEqualTo("Failed");
    assertThat(d.result().path("failedCheck").asText()).isEqualTo("rowCounts");
    assertThat(d.check("rowCounts").path("detail").asText())
        .isEqualTo("comments: 0 rows restored, the backup recorded 500");
    assertThat(d.check("restore").path("result").asText()).isEqualTo("Passed");
    assertThat(d.check("migrationVersion").path("result").asText()).isEqualTo("Passed");
  }

  @Test
  void aBackupSignedByAnotherKeyIsRefusedAndANewerForgeryIsPassedOver() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("forged"));
    Path facts = dir.resolve("facts.json");
    Path dump = dir.resolve("database.dump");
    dump(dump, facts);
    // valid encryption to the stack's key, a complete manifest, signed by Mallory's key
    Path backups = backup(dump, facts, TestKeys.otherSigning(), Instant.now().minusSeconds(60));
    Drill refused = drill(backups);
    assertThat(refused.prepareCode()).isEqualTo(1);
    assertThat(refused.result().path("failedCheck").asText()).isEqualTo("backup");
    assertThat(refused.check("backup").path("detail").asText())
        .contains("does not verify against the stack's signing key");

    // the same bucket with an older backup by the stack itself: the drill passes over the forgery
    dump(dump, facts);
    Path own = backup(dump, facts, TestKeys.signing(), Instant.now().minus(Duration.ofHours(2)));
    try (var list = Files.list(own)) {
      for (Path p : list.toList()) {
        copyTree(p, backups.resolve(p.getFileName()));
      }
    }
    Drill passed = drill(backups);
    assertThat(passed.result().path("result").asText())
        .as(passed.result().toString())
        .isEqualTo("Passed");
    assertThat(passed.check("backup").path("detail").asText()).contains("passed over 1 newer");
  }

  @Test
  void aBackupWithoutFactsSaysWhichChecksItCouldNotMake() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("old"));
    Path dump = dir.resolve("database.dump");
    live.client("pg_dump", "--format=custom", "--no-owner", "--file=" + dump, "--dbname=loomio");
    Path backups = backup(dump, null, TestKeys.signing(), Instant.now().minusSeconds(60));
    Drill d = drill(backups);
    assertThat(d.reportCode()).as(d.result().toString()).isZero();
    assertThat(d.result().path("result").asText()).isEqualTo("Passed");
    assertThat(d.check("rowCounts").path("result").asText()).isEqualTo("Skipped");
    assertThat(d.check("migrationVersion").path("result").asText()).isEqualTo("Skipped");
    assertThat(d.result().path("message").asText())
        .isEqualTo("could not check: migrationVersion, rowCounts");
  }

  @Test
  void beforeTheFirstBackupThereIsNothingToDrillWhichIsNoFailure() throws Exception {
    Path backups = Files.createDirectories(tmp.resolve("empty/backups"));
    Path dir = Files.createDirectories(backups.resolveSibling("drill"));
    Path scratch = Files.createDirectories(dir.resolve("scratch"));
    Path verification =
        Files.writeString(dir.resolve("verification.asc"), TestKeys.signing().publicKeyRing());
    Path privateKey =
        Files.writeString(dir.resolve("private.asc"), TestKeys.alice().secretKeyRing());
    Path termination = dir.resolve("termination-log");
    DrillAgent agent = new DrillAgent(BackupAgent.Destinations.DEFAULT, Clock.systemUTC());
    PrintWriter out = new PrintWriter(new StringWriter());
    assertThat(agent.prepare(
            new DrillAgent.PrepareOptions(
                STACK,
                backups,
                null,
                privateKey,
                null,
                verification,
                scratch,
                scratch.resolve("database.dump"),
                scratch.resolve("drill")),
            termination,
            out))
        .isZero();
    assertThat(scratch.resolve("database.dump")).doesNotExist();
    assertThat(agent.report(scratch.resolve("drill"), termination, out)).isZero();
    JsonNode result = JSON.readTree(Files.readString(termination));
    assertThat(result.path("result").asText()).isEqualTo("NoBackup");
    assertThat(result.path("message").asText()).contains("no complete backup of stack team");
  }

  /**
   * The pod's own restore step as rendered, whole: initdb, a server listening on no TCP address (its socket in
   * the run directory only), the restore as a role that is not a superuser, the facts, the server stopped. As the
   * pod runs it as a user that is not root, the test runs it as {@code postgres} when it is root itself.
   */
  @Test
  void thePodsOwnThrowawayServerRestoresOnASocketOnly() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("pod"));
    Path dump = dir.resolve("database.dump");
    Path facts = dir.resolve("facts.json");
    dump(dump, facts);
    Path backups = backup(dump, facts, TestKeys.signing(), Instant.now().minusSeconds(60));
    // outside the test's private temporary directory: the server's user must reach it
    Path drillDir = Files.createTempDirectory("loomio-drill-");
    try {
      drillInThePodsOwnServer(backups, drillDir);
    } finally {
      BackupAgent.deleteTree(drillDir);
    }
  }

  private static void drillInThePodsOwnServer(Path backups, Path drillDir) throws Exception {
    Path scratch = Files.createDirectories(drillDir.resolve("scratch"));
    Path work = scratch.resolve("drill");
    Path termination = drillDir.resolve("termination-log");
    DrillAgent agent = new DrillAgent(BackupAgent.Destinations.DEFAULT, Clock.systemUTC());
    PrintWriter out = new PrintWriter(new StringWriter());
    assertThat(agent.prepare(
            new DrillAgent.PrepareOptions(
                STACK,
                backups,
                null,
                Files.writeString(
                    drillDir.resolve("private.asc"), TestKeys.alice().secretKeyRing()),
                null,
                Files.writeString(
                    drillDir.resolve("verification.asc"), TestKeys.signing().publicKeyRing()),
                scratch,
                scratch.resolve("database.dump"),
                work),
            termination,
            out))
        .isZero();
    Path data = Files.createDirectories(drillDir.resolve("drill-db"));
    Path run = Files.createDirectories(drillDir.resolve("drill-run"));
    Path podTmp = Files.createDirectories(drillDir.resolve("tmp"));
    String script = BackupPodTemplate.DRILL_SCRIPT
        .replace(BackupPodTemplate.DRILL_DATA, data.toString())
        .replace(BackupPodTemplate.DRILL_RUN, run.toString())
        .replace(BackupPodTemplate.DRILL_WORK, work.toString())
        .replace(BackupPodTemplate.DUMP, scratch.resolve("database.dump").toString())
        .replace("/tmp/drill-", podTmp + "/drill-");
    List<String> command = new java.util.ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      PostgresServer.exec(List.of("chown", "-R", "postgres", drillDir.toString()), Map.of(), null);
      command.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    command.addAll(List.of(
        "env",
        "PATH=" + live.bin() + ":/usr/bin:/bin",
        "DATABASE_FACTS_SQL=" + DatabaseFactsQuery.SQL,
        "bash",
        "-c",
        script));
    PostgresServer.exec(command, Map.of(), null);
    assertThat(scratch.resolve("database.dump"))
        .as("the plaintext dump is gone")
        .doesNotExist();
    assertThat(run.resolve(".s.PGSQL.5432")).as("the server was stopped").doesNotExist();
    assertThat(Files.readString(data.resolve("server.log")))
        .doesNotContain("listening on IPv4")
        .contains("listening on Unix socket");
    assertThat(agent.report(work, termination, out)).isZero();
    JsonNode result = JSON.readTree(Files.readString(termination));
    assertThat(result.path("result").asText()).as(result.toString()).isEqualTo("Passed");
  }

  /** The app writes schema_migrations: a version that is not one costs the drill its checks, never the backup. */
  @Test
  void factsThatDoNotCheckOutAreLeftOutOfTheManifestWithAWarningAndTheBackupCompletes()
      throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("odd"));
    Path dump = AgentFixtures.fakeDump(dir.resolve("database.dump"), 4096);
    Path facts = Files.writeString(
        dir.resolve("facts.json"),
        "{\"serverMajor\":15,\"migrationVersion\":\"x'; DROP TABLE users\",\"rowCounts\":{\"users\":1}}");
    Path backups = backup(dump, facts, TestKeys.signing(), Instant.now().minusSeconds(60));
    DirectoryDestination d = new DirectoryDestination(backups, STACK);
    Manifest m = d.readManifest(d.list().get(0).name()).orElseThrow();
    assertThat(m.database()).isNull();
    assertThat(LOGS.messages())
        .anySatisfy(l -> assertThat(l)
            .contains("the database's facts are not recorded")
            .contains("database.migrationVersion is not a migration version"));
  }

  private static void copyTree(Path from, Path to) throws Exception {
    if (Files.isDirectory(from)) {
      Files.createDirectories(to);
      try (var list = Files.list(from)) {
        for (Path p : list.toList()) {
          copyTree(p, to.resolve(p.getFileName()));
        }
      }
    } else {
      Files.copy(from, to);
    }
  }
}
