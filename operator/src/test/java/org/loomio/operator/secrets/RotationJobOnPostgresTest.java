package org.loomio.operator.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loomio.operator.backup.PostgresServer;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.base.Rotation;
import org.loomio.operator.render.workload.RotationJob;
import org.loomio.operator.testing.Fixtures;

/**
 * The rendered password rotation Job's script, run as it runs in its pod, against a real PostgreSQL whose bootstrap
 * superuser is {@code loomio} and which asks TCP clients for a SCRAM password: signed in as the superuser, it changes
 * the app role's password with the operator's verifier, is idempotent, and fails when the superuser password does not
 * sign in (without the app's current password: the rotation never needs it).
 */
class RotationJobOnPostgresTest {

  private static final String SUPERUSER = "superuser-password-0123";
  private static PostgresServer pg;
  private static Path dir;

  @BeforeAll
  static void start() throws Exception {
    var bin = PostgresServer.binaries();
    if (System.getenv("CI") != null) {
      org.junit.jupiter.api.Assertions.assertTrue(
          bin.isPresent(), "CI must install PostgreSQL (.ci/run)");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(
        bin.isPresent(), "PostgreSQL binaries are not installed");
    pg = new PostgresServer(bin.get(), true, ResolvedSpec.EMBEDDED_USER);
    pg.psql(
        "postgres",
        "ALTER ROLE " + ResolvedSpec.EMBEDDED_USER + " PASSWORD '" + SUPERUSER + "';"
            + " CREATE ROLE " + ResolvedSpec.EMBEDDED_APP_USER
            + " LOGIN PASSWORD 'old-password-0123';"
            + " CREATE DATABASE " + ResolvedSpec.EMBEDDED_DATABASE + " OWNER "
            + ResolvedSpec.EMBEDDED_APP_USER + ";");
    dir = Files.createTempDirectory("rotate-");
  }

  @AfterAll
  static void stop() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void theJobChangesThePasswordWithAVerifierOnceAndThenFindsItDone() throws Exception {
    String next = new CredentialGenerator().hex32();
    String verifier = ScramVerifier.of(next, new SecureRandom());

    Run first = run(SUPERUSER, next, verifier);
    assertThat(first.exit).as(first.output).isZero();
    assertThat(first.message).isEqualTo("password changed");
    assertThat(signsIn(ResolvedSpec.EMBEDDED_APP_USER, "old-password-0123")).isFalse();
    assertThat(signsIn(ResolvedSpec.EMBEDDED_APP_USER, next)).isTrue();
    assertThat(signsIn(ResolvedSpec.EMBEDDED_USER, SUPERUSER))
        .as("the superuser's password stays")
        .isTrue();
    // PostgreSQL stored our verifier as given: the password itself never reached it
    assertThat(pg.psql(
                "postgres",
                "SELECT rolpassword FROM pg_authid WHERE rolname = '"
                    + ResolvedSpec.EMBEDDED_APP_USER + "'")
            .strip())
        .isEqualTo(verifier);

    Run again = run(SUPERUSER, next, verifier);
    assertThat(again.exit).as(again.output).isZero();
    assertThat(again.message).isEqualTo("password already changed by an earlier run");

    Run lost = run("wrong-password-1", "wrong-password-2", verifier);
    assertThat(lost.exit).isEqualTo(1);
    assertThat(lost.message)
        .startsWith("the superuser password does not sign in as " + ResolvedSpec.EMBEDDED_USER);
    assertThat(signsIn(ResolvedSpec.EMBEDDED_APP_USER, next))
        .as("a failed run changes nothing")
        .isTrue();
    assertThat(first.output + again.output + lost.output)
        .as("no password is printed")
        .doesNotContain(next)
        .doesNotContain(SUPERUSER);
  }

  @Test
  void verifiersAreSaltedAndInPostgresFormat() {
    String a = ScramVerifier.of("same", new SecureRandom());
    String b = ScramVerifier.of("same", new SecureRandom());
    assertThat(a)
        .matches(
            "^SCRAM-SHA-256\\$4096:[A-Za-z0-9+/=]{24}\\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$");
    assertThat(a).isNotEqualTo(b);
  }

  private record Run(int exit, String message, String output) {}

  /** The container of the rendered Job, executed here with the environment its pod would have. */
  private Run run(String superuser, String next, String verifier) throws Exception {
    var resource = Fixtures.minimal("team");
    ResolvedSpec spec = ResolvedSpec.of(resource, ImageDefaults.BUILT_IN);
    RenderContext ctx = new RenderContext(
        spec, ClusterCapabilities.newest(), Credentials.placeholders(spec), SecretDigests.none());
    Container c = RotationJob.render(ctx, new Rotation("t1", "uid-1"))
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0);
    Path log = Files.createTempFile(dir, "termination-", ".log");
    // the wait for a role setup that has not run yet, shortened
    String script = c.getCommand()
        .get(2)
        .replace("/dev/termination-log", log.toString())
        .replace("sleep 10", "sleep 0");
    Map<String, String> env = new HashMap<>();
    c.getEnv().stream()
        .filter(e -> e.getValue() != null)
        .forEach(e -> env.put(e.getName(), e.getValue()));
    env.put("PGHOST", "127.0.0.1");
    env.put("PGPORT", Integer.toString(pg.port()));
    // the secretKeyRef variables, by the names the container declares
    List<String> fromSecrets = new ArrayList<>();
    c.getEnv().stream()
        .filter(e -> e.getValueFrom() != null)
        .forEach(e -> fromSecrets.add(e.getName()));
    assertThat(fromSecrets)
        .containsExactly("SUPERUSER_PASSWORD", "NEW_PASSWORD", "NEW_PASSWORD_SCRAM");
    env.put("SUPERUSER_PASSWORD", superuser);
    env.put("NEW_PASSWORD", next);
    env.put("NEW_PASSWORD_SCRAM", verifier);
    ProcessBuilder pb = new ProcessBuilder(c.getCommand().get(0), c.getCommand().get(1), script)
        .redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    pb.environment().putAll(env);
    pb.environment().put("PATH", pg.bin() + ":" + System.getenv("PATH"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), Files.readString(log).strip(), out);
  }

  private boolean signsIn(String user, String password) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(
            pg.bin().resolve("psql").toString(), "-w", "-X", "-q", "-c", "select 1")
        .redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    pb.environment()
        .putAll(Map.of(
            "PGHOST",
            "127.0.0.1",
            "PGPORT",
            Integer.toString(pg.port()),
            "PGUSER",
            user,
            "PGDATABASE",
            ResolvedSpec.EMBEDDED_DATABASE,
            "PGPASSWORD",
            password));
    Process p = pb.start();
    p.getInputStream().readAllBytes();
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
  }
}
