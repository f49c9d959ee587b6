package org.loomio.operator.backup;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * One bomb, fed in a JVM of its own ({@code -Xmx64m}, started by {@link BombsTest}) to the code that must refuse
 * it: prints {@code REFUSED <message>} and exits 0 on a clean refusal; anything else (accepted, a different
 * failure, an OutOfMemoryError with {@code -XX:+ExitOnOutOfMemoryError}) exits non-zero.
 */
public final class BombRunner {

  /** The backups whose manifests list credentials: restored with --secrets-to-summary, as the operator asks. */
  private static final java.util.Set<String> HOLDS_SECRETS =
      java.util.Set.of("team-20250102T000000Z", "team-20250106T000000Z");

  private BombRunner() {}

  public static void main(String[] args) throws Exception {
    String bomb = args[0];
    Path dir = Path.of(args[1]);
    try {
      switch (bomb) {
        case "operator-credentials" -> {
          // the operator's own path: LoomioRestoreReconciler.restoreSecrets decrypts what the agent
          // hands back
          org.loomio.operator.reconcile.BombAccess.decryptCredentials(
              Files.readString(dir.resolve("private.asc")),
              Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve("bomb.pgp"))));
          accepted();
        }
        case "operator-credentials-oversized" -> {
          org.loomio.operator.reconcile.BombAccess.decryptCredentials(
              Files.readString(dir.resolve("private.asc")), "A".repeat(8 * 1024 * 1024));
          accepted();
        }
        case "termination-message" -> {
          String huge = "{\"backup\":\"" + "x".repeat(16 * 1024 * 1024) + "\"}";
          String deep = "[".repeat(4000);
          if (org.loomio.operator.reconcile.BackupObserver.summary(huge).isPresent()
              || org.loomio.operator.reconcile.BackupObserver.summary(deep).isPresent()) {
            accepted();
          }
          System.out.println("REFUSED neither message is taken for a summary");
        }
        default -> restore(bomb, dir);
      }
    } catch (Exception e) {
      System.out.println("REFUSED " + e.getMessage());
    }
    System.exit(0);
  }

  /** The restore agent on the backup directory {@code dir/backups}: it must fail with a message, cleanly. */
  private static void restore(String backup, Path dir) throws Exception {
    Path out = Files.createDirectories(dir.resolve("out-" + backup));
    Path scratch = Files.createDirectories(dir.resolve("scratch-" + backup));
    RestoreAgent.Options o = new RestoreAgent.Options(
        "team",
        backup.equals("latest") ? "latest" : backup,
        dir.resolve("backups"),
        null,
        dir.resolve("private.asc"),
        null,
        scratch,
        out.resolve("database.dump"),
        null,
        null,
        null,
        null,
        HOLDS_SECRETS.contains(backup),
        dir.resolve("verification.asc"),
        false);
    StringWriter line = new StringWriter();
    int code = new RestoreAgent(() -> null, BackupAgent.Destinations.DEFAULT)
        .execute(o, null, new PrintWriter(line));
    if (code == 0) {
      accepted();
    }
    String summary = line.toString().strip();
    if (Files.exists(out.resolve("database.dump"))) {
      System.out.println("RESTORED SOMETHING " + summary);
      System.exit(5);
    }
    System.out.println(
        "REFUSED " + new String(summary.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
  }

  private static void accepted() {
    System.out.println("ACCEPTED");
    System.exit(3);
  }
}
