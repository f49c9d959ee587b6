package org.loomio.operator.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.loomio.operator.backup.BackupAgent;
import org.loomio.operator.backup.RestoreAgent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The restore pod's agent: verifies and decrypts a backup, writes the database dump for pg_restore,
 * restores the uploads and, if asked, chosen keys of a Secret. One JSON line on stdout and in the
 * termination log, also on failure (exit code 1).
 */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Restore a Loomio backup (run by the operator's restore pods): download every object and check it against"
          + " the manifest's SHA-256 before decrypting anything, decrypt (integrity-checked), then write the database"
          + " dump for pg_restore, restore the uploads and, if asked, chosen keys of a Kubernetes Secret. Nothing is"
          + " restored unless every object checks out.",
      "S3 credentials: environment variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN).",
      "Result: one JSON line on stdout and in the termination log; exit code 1 on failure, 2 on wrong usage."
    })
public final class RestoreCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  LoggingOptions logging = new LoggingOptions();

  @Option(
      names = "--stack",
      required = true,
      paramLabel = "NAME",
      description = "The LoomioDeployment's name.")
  String stack;

  @Option(
      names = "--backup",
      required = true,
      paramLabel = "NAME|latest",
      description = "The backup's name, or latest: the newest complete backup.")
  String backup;

  @Option(
      names = "--from-directory",
      paramLabel = "DIR",
      description = "Read the backup from this directory.")
  Path fromDirectory;

  @Option(
      names = "--from-s3",
      description = "Read the backup from the S3 bucket given by the --s3-* options.")
  boolean fromS3;

  @Mixin
  BackupCommand.S3Options s3;

  @Option(
      names = "--private-key",
      paramLabel = "FILE",
      description = "Armored OpenPGP private key(s) (public-key mode backups).")
  Path privateKey;

  @Option(
      names = "--passphrase-file",
      paramLabel = "FILE",
      description = "The passphrase (passphrase mode).")
  Path passphraseFile;

  @Option(
      names = "--verification-key",
      required = true,
      paramLabel = "FILE",
      description =
          "Armored OpenPGP public key(s): a backup's manifest must carry a valid signature by one of them"
              + " (the stack's signing key).")
  Path verificationKey;

  @Option(
      names = "--allow-unsigned",
      description =
          "Also restore a backup without a signature (made before backups were signed); only with a named"
              + " --backup, never latest.")
  boolean allowUnsigned;

  @Option(
      names = "--scratch",
      required = true,
      paramLabel = "DIR",
      description = "Where the downloaded ciphertext is checked before decryption.")
  Path scratch;

  @Option(
      names = "--database-out",
      required = true,
      paramLabel = "FILE",
      description = "Where the decrypted pg_dump archive goes (for pg_restore).")
  Path databaseOut;

  @Option(
      names = "--uploads",
      paramLabel = "DIR",
      description = "Restore the uploads into this directory (its contents are replaced).")
  Path uploads;

  @Option(
      names = "--secret",
      paramLabel = "NAMESPACE/NAME",
      description =
          "Merge --secret-keys from the backed-up secrets into this Secret (needs API access).")
  String secret;

  @Option(
      names = "--secret-keys",
      paramLabel = "KEY",
      split = ",",
      description = "The keys to restore into --secret; other keys stay as they are.")
  List<String> secretKeys;

  @Option(
      names = "--secrets-to-summary",
      description =
          "Put the verified, still encrypted secrets object (base64) into the result line, for the operator.")
  boolean secretsToSummary;

  @Option(
      names = "--termination-log",
      paramLabel = "FILE",
      defaultValue = "/dev/termination-log",
      description = "Where the JSON result goes too (default ${DEFAULT-VALUE}).")
  Path terminationLog;

  private final Map<String, String> env;
  private final BackupAgent.Destinations destinations;

  public RestoreCommand() {
    this(System.getenv(), BackupAgent.Destinations.DEFAULT);
  }

  /** With another environment (S3 credentials) and destinations: for tests. */
  public RestoreCommand(Map<String, String> env, BackupAgent.Destinations destinations) {
    this.env = env;
    this.destinations = destinations;
  }

  @Override
  public Integer call() {
    logging.configure();
    PrintWriter out = spec.commandLine().getOut();
    RestoreAgent.Options options;
    try {
      String ns = null;
      String name = null;
      if (secret != null) {
        int slash = secret.indexOf('/');
        if (slash <= 0 || slash == secret.length() - 1 || secret.indexOf('/', slash + 1) >= 0) {
          throw new IllegalArgumentException(
              "--secret must be NAMESPACE/NAME, not '" + secret + "'");
        }
        ns = secret.substring(0, slash);
        name = secret.substring(slash + 1);
      }
      options = new RestoreAgent.Options(
          stack,
          backup,
          fromDirectory,
          fromS3 ? s3.settings(env) : s3.unused(),
          privateKey,
          passphraseFile,
          scratch,
          databaseOut,
          uploads,
          ns,
          name,
          secretKeys == null
              ? null
              : secretKeys.stream().map(String::strip).filter(k -> !k.isEmpty()).toList(),
          secretsToSummary,
          verificationKey,
          allowUnsigned);
    } catch (IllegalArgumentException e) {
      return BackupCommand.S3Options.fail(e, terminationLog, out, "restored");
    }
    KubernetesClient[] client = new KubernetesClient[1];
    try {
      return new RestoreAgent(() -> client[0] = new KubernetesClientBuilder().build(), destinations)
          .execute(options, terminationLog, out);
    } finally {
      if (client[0] != null) {
        client[0].close();
      }
    }
  }
}
