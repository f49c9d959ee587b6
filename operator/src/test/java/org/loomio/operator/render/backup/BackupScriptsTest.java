package org.loomio.operator.render.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioRestoreSpec;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.testing.Fixtures;

/**
 * The shell of the backup's dump container and the restore's pg_restore container, run by bash as rendered
 * (the dump's path moved into a temporary directory) with stand-ins for psql, pg_dump and pg_restore that write
 * a partial dump and then succeed, fail or hang: the plaintext dump is gone after every failure and after
 * SIGTERM (what the kubelet sends at the Job's deadline or the pod's deletion), and the tool is stopped too.
 */
class BackupScriptsTest {

  @TempDir
  Path tmp;

  private Path dump;

  @BeforeEach
  void tools() throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    dump = tmp.resolve("work/db.dump");
    Files.createDirectories(dump.getParent());
    // the version check (--command), or the snapshot's coprocess: the snapshot id, then the
    // database facts
    Files.writeString(bin.resolve("psql"), """
        #!/bin/bash
        for a in "$@"; do case $a in --command=*) echo 150004; exit 0;; esac; done
        while read -r line; do
          case $line in
            *pg_export_snapshot*) echo 00000003-00000007-1;;
            *json_build_object*) echo '{"serverMajor":15,"migrationVersion":null,"rowCounts":{}}';;
          esac
        done
        """);
    Files.setPosixFilePermissions(
        bin.resolve("psql"), PosixFilePermissions.fromString("rwxr-xr-x"));
    tool(bin, "pg_dump", """
        for a in "$@"; do case $a in --file=*) f=${a#--file=};; esac; done
        printf 'PGDMP partial' > "$f"
        """);
    // --list --file=<list> writes a table of contents (one extension entry, one table's data)
    tool(bin, "pg_restore", """
        out=
        for a in "$@"; do case $a in --file=*) out=${a#--file=};; esac; f=$a; done
        test -s "$f"
        if [ -n "$out" ]; then printf '1; 3079 1 EXTENSION - citext \\n2; 0 1 TABLE DATA public t loomio\\n' > "$out"; fi
        """);
  }

  /** A stand-in: its script, then the mode: ok, fail, or hang (its pid in a file, for the test to check). */
  private void tool(Path bin, String name, String body) throws Exception {
    Path f = bin.resolve(name);
    Files.writeString(
        f,
        "#!/bin/bash\n" + body + "\necho $$ > \"$FAKE_DIR/" + name + ".pid\"\n"
            + "case ${FAKE_MODE:-ok} in ok) exit 0;; fail) exit 1;; hang) exec sleep 600;; esac\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static PodSpec backupPod() {
    LoomioDeployment r = Fixtures.resource("team", "host: a.example.org");
    return BackupJob.render(ctx(r), "0123abcd").getSpec().getTemplate().getSpec();
  }

  private static PodSpec restorePod() {
    LoomioDeployment r = Fixtures.resource("team", "host: a.example.org");
    return RestoreJob.render(
            ctx(r),
            "0123abcd",
            "latest",
            LoomioRestoreSpec.Source.volume,
            true,
            new org.loomio.operator.api.v1alpha1.SecretKeyRef("team-backup-key", "private.asc"),
            false,
            new org.loomio.operator.api.v1alpha1.SecretKeyRef(
                "team-backup-signing-key", "public.asc"),
            false)
        .getSpec()
        .getTemplate()
        .getSpec();
  }

  private static RenderContext ctx(LoomioDeployment r) {
    return new RenderContext(
            ResolvedSpec.of(r, ImageDefaults.BUILT_IN),
            ClusterCapabilities.newest(),
            Fixtures.credentials(r),
            SecretDigests.none())
        .withBackupPublicKey("-----BEGIN PGP PUBLIC KEY BLOCK-----\n...");
  }

  private static String script(PodSpec pod, String container) {
    List<Container> all = new ArrayList<>(pod.getInitContainers());
    all.addAll(pod.getContainers());
    Container c =
        all.stream().filter(x -> x.getName().equals(container)).findFirst().orElseThrow();
    assertThat(c.getCommand()).hasSize(3).startsWith("/bin/bash", "-c");
    return c.getCommand().get(2);
  }

  private Process start(String script, String mode) throws Exception {
    Files.deleteIfExists(tmp.resolve("pg_dump.pid"));
    Files.deleteIfExists(tmp.resolve("pg_restore.pid"));
    String local = script
        .replace(BackupPodTemplate.DUMP, dump.toString())
        .replace(BackupPodTemplate.FACTS, dump.resolveSibling("facts.json").toString());
    assertThat(local).doesNotContain(BackupPodTemplate.DUMP);
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", local)
        .redirectErrorStream(true)
        .redirectOutput(tmp.resolve("out.txt").toFile());
    pb.environment().put("PATH", tmp.resolve("bin") + ":" + System.getenv("PATH"));
    pb.environment().put("EXPECTED_MAJOR", "15");
    pb.environment().put("DATABASE_FACTS_SQL", org.loomio.operator.backup.DatabaseFactsQuery.SQL);
    pb.environment().put("PGDATABASE", "loomio");
    pb.environment().put("FAKE_DIR", tmp.toString());
    pb.environment().put("FAKE_MODE", mode);
    return pb.start();
  }

  private int run(String script, String mode) throws Exception {
    Process p = start(script, mode);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }

  /** Waits until the stand-in hangs, then sends SIGTERM to the container's shell. */
  private int terminated(String script, String tool) throws Exception {
    Process p = start(script, "hang");
    Path pid = tmp.resolve(tool + ".pid");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Files.exists(pid) && Files.size(pid) > 0 && Files.exists(dump));
    p.destroy(); // SIGTERM
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("the shell exits on SIGTERM").isTrue();
    long toolPid = Long.parseLong(Files.readString(pid).strip());
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(
                ProcessHandle.of(toolPid).map(ProcessHandle::isAlive).orElse(false))
            .as(tool + " is stopped")
            .isFalse());
    return p.exitValue();
  }

  @Test
  void aDumpThatSucceedsStaysForTheAgent() throws Exception {
    assertThat(run(script(backupPod(), "dump"), "ok")).isZero();
    assertThat(dump).hasContent("PGDMP partial");
    // the facts read in the dump's snapshot, for the agent to sign into the manifest
    assertThat(dump.resolveSibling("facts.json"))
        .hasContent("{\"serverMajor\":15,\"migrationVersion\":null,\"rowCounts\":{}}\n");
  }

  @Test
  void aFailedDumpLeavesNoPartialDump() throws Exception {
    assertThat(run(script(backupPod(), "dump"), "fail")).isNotZero();
    assertThat(dump).doesNotExist();
  }

  @Test
  void aDumpStoppedBySigtermLeavesNoPartialDumpAndStopsPgDump() throws Exception {
    assertThat(terminated(script(backupPod(), "dump"), "pg_dump")).isEqualTo(143);
    assertThat(dump).doesNotExist();
  }

  @Test
  void theRestoredDumpIsRemovedAfterSuccessFailureAndSigterm() throws Exception {
    String script = script(restorePod(), "pg-restore");
    Files.writeString(dump, "PGDMP plaintext");
    assertThat(run(script, "ok")).isZero();
    assertThat(dump).doesNotExist();

    Files.writeString(dump, "PGDMP plaintext");
    assertThat(run(script, "fail")).isNotZero();
    assertThat(dump).doesNotExist();

    Files.writeString(dump, "PGDMP plaintext");
    assertThat(terminated(script, "pg_restore")).isEqualTo(143);
    assertThat(dump).doesNotExist();
  }

  @Test
  void aRestoreRefusedByTheVersionCheckRemovesTheDumpToo() throws Exception {
    String script = script(restorePod(), "pg-restore");
    Files.writeString(dump, "PGDMP plaintext");
    Process p = start(script.replace("\"$EXPECTED_MAJOR\"", "16"), "ok");
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(1);
    assertThat(Files.readString(tmp.resolve("out.txt")))
        .contains("but the backup client and spec expect major");
    assertThat(dump).doesNotExist();
  }
}
