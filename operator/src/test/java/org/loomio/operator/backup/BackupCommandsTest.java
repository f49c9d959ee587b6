package org.loomio.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomio.operator.cli.BackupCommand;
import org.loomio.operator.cli.Main;
import org.loomio.operator.cli.RestoreCommand;
import picocli.CommandLine;

/** The backup and restore subcommands as the pods run them. */
class BackupCommandsTest {

  /** Some of these tests make the agent fail on purpose: its ERROR lines stay out of the build log. */
  @org.junit.jupiter.api.extension.RegisterExtension
  static final org.loomio.operator.testing.ExpectedLogs LOGS =
      org.loomio.operator.testing.ExpectedLogs.of("org.loomio.operator.backup");

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  record Run(int code, String out, String err) {
    JsonNode summary() throws Exception {
      String s = out.strip();
      return JSON.readTree(s.substring(s.lastIndexOf('\n') + 1));
    }
  }

  private static Run run(Object command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void bothCommandsAreRegisteredWithTheirOptions() {
    Run backup = run(new Main(), "backup", "--help");
    assertThat(backup.code()).isZero();
    assertThat(backup.out())
        .contains(
            "--stack",
            "--dump",
            "--uploads",
            "--secrets",
            "--recipients",
            "--passphrase-file",
            "--to-directory",
            "--to-s3",
            "--s3-endpoint",
            "--s3-bucket",
            "--s3-prefix",
            "--s3-region",
            "--s3-path-style",
            "--s3-sse",
            "--s3-kms-key-id",
            "--keep-last",
            "--keep-daily",
            "--keep-weekly",
            "--keep-monthly",
            "--loomio-image",
            "--postgres-version",
            "--uploads-location",
            "--scratch",
            "--termination-log",
            "--signing-key");
    Run restore = run(new Main(), "restore", "--help");
    assertThat(restore.code()).isZero();
    assertThat(restore.out())
        .contains(
            "--stack",
            "--backup",
            "--from-directory",
            "--from-s3",
            "--s3-bucket",
            "--private-key",
            "--passphrase-file",
            "--scratch",
            "--database-out",
            "--uploads",
            "--secret=NAMESPACE/NAME",
            "--secret-keys",
            "--secrets-to-summary",
            "--termination-log",
            "--verification-key",
            "--allow-unsigned");
    assertThat(run(new Main(), "backup", "--dump", "x").code())
        .isEqualTo(2); // usage: --stack etc. missing
  }

  @Test
  void backupAndRestoreThroughTheCommandLine() throws Exception {
    Path dump = AgentFixtures.fakeDump(tmp.resolve("database.dump"), 10_000);
    byte[] dumpBytes = Files.readAllBytes(dump);
    Path passphrase = Files.writeString(tmp.resolve("passphrase"), "pass phrase\n");
    Path backups = Files.createDirectories(tmp.resolve("backups"));
    Path scratch = Files.createDirectories(tmp.resolve("scratch"));
    Path signingKey =
        Files.writeString(tmp.resolve("signing.asc"), TestKeys.signing().secretKeyRing());
    Path verificationKey =
        Files.writeString(tmp.resolve("verification.asc"), TestKeys.signing().publicKeyRing());
    Run b = run(
        new BackupCommand(Map.of(), new BackupAgent()),
        "--stack",
        "team",
        "--dump",
        dump.toString(),
        "--signing-key",
        signingKey.toString(),
        "--passphrase-file",
        passphrase.toString(),
        "--to-directory",
        backups.toString(),
        "--scratch",
        scratch.toString(),
        "--termination-log",
        tmp.resolve("log").toString(),
        "--log-level",
        "warn");
    assertThat(b.code()).as(b.err() + b.out()).isZero();
    JsonNode summary = b.summary();
    assertThat(summary.path("complete").asBoolean()).isTrue();
    assertThat(summary.path("destinations").toString()).isEqualTo("[\"volume\"]");
    String name = summary.path("backup").asText();
    Manifest m = new DirectoryDestination(backups, "team").readManifest(name).orElseThrow();
    assertThat(m.uploadsLocation()).isEqualTo("none");
    assertThat(m.notes()).isEqualTo("This backup holds no uploads.");
    assertThat(m.objects()).extracting(Manifest.Entry::kind).containsExactly("database");

    Path out = tmp.resolve("restored.dump");
    Run r = run(
        new RestoreCommand(Map.of(), BackupAgent.Destinations.DEFAULT),
        "--stack",
        "team",
        "--backup",
        name,
        "--from-directory",
        backups.toString(),
        "--passphrase-file",
        passphrase.toString(),
        "--scratch",
        scratch.toString(),
        "--verification-key",
        verificationKey.toString(),
        "--database-out",
        out.toString(),
        "--termination-log",
        tmp.resolve("log2").toString(),
        "--log-level",
        "warn");
    assertThat(r.code()).as(r.err() + r.out()).isZero();
    assertThat(r.summary().path("restored").toString()).isEqualTo("[\"database\"]");
    assertThat(Files.readAllBytes(out)).isEqualTo(dumpBytes);
  }

  @Test
  void badCombinationsReportAJsonErrorAndExitCode1() throws Exception {
    Path dump = AgentFixtures.fakeDump(tmp.resolve("database.dump"), 100);
    Path passphrase = Files.writeString(tmp.resolve("passphrase"), "pass phrase");
    Path signingKey =
        Files.writeString(tmp.resolve("signing.asc"), TestKeys.signing().secretKeyRing());
    List<String> base = List.of(
        "--stack",
        "team",
        "--dump",
        dump.toString(),
        "--passphrase-file",
        passphrase.toString(),
        "--signing-key",
        signingKey.toString(),
        "--scratch",
        tmp.toString(),
        "--termination-log",
        tmp.resolve("log").toString(),
        "--log-level",
        "warn");

    Run noCredentials = run(
        new BackupCommand(Map.of(), new BackupAgent()), with(base, "--to-s3", "--s3-bucket", "b"));
    assertThat(noCredentials.code()).isEqualTo(1);
    assertThat(noCredentials.summary().path("complete").asBoolean(true)).isFalse();
    assertThat(noCredentials.summary().path("error").asText()).contains("AWS_ACCESS_KEY_ID");
    assertThat(Files.readString(tmp.resolve("log"))).contains("AWS_ACCESS_KEY_ID");

    Run strayFlag = run(
        new BackupCommand(Map.of(), new BackupAgent()),
        with(base, "--to-directory", tmp.toString(), "--s3-bucket", "b"));
    assertThat(strayFlag.summary().path("error").asText()).contains("without --to-s3");

    Run noDestination =
        run(new BackupCommand(Map.of(), new BackupAgent()), base.toArray(String[]::new));
    assertThat(noDestination.summary().path("error").asText()).contains("at least one destination");

    // every failed run deletes the plaintext dump (it sits in the pod's emptyDir): a new one for
    // the next run
    assertThat(dump).doesNotExist();
    AgentFixtures.fakeDump(dump, 100);
    Run s3Uploads = run(
        new BackupCommand(Map.of(), new BackupAgent()),
        with(
            base,
            "--to-directory",
            tmp.toString(),
            "--uploads",
            tmp.toString(),
            "--uploads-location",
            "s3"));
    assertThat(s3Uploads.summary().path("error").asText()).contains("do not pass --uploads");

    Run badSecret = run(
        new RestoreCommand(Map.of(), BackupAgent.Destinations.DEFAULT),
        "--stack",
        "team",
        "--backup",
        "latest",
        "--from-directory",
        tmp.toString(),
        "--passphrase-file",
        passphrase.toString(),
        "--verification-key",
        signingKey.toString(),
        "--scratch",
        tmp.toString(),
        "--database-out",
        tmp.resolve("db").toString(),
        "--secret",
        "no-namespace",
        "--termination-log",
        tmp.resolve("log").toString(),
        "--log-level",
        "warn");
    assertThat(badSecret.code()).isEqualTo(1);
    assertThat(badSecret.summary().path("error").asText()).contains("NAMESPACE/NAME");
    assertThat(badSecret.summary().path("restored")).isEmpty();
  }

  private static String[] with(List<String> base, String... more) {
    List<String> args = new ArrayList<>(base);
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }
}
