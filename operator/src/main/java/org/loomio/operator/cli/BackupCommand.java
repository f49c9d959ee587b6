package org.loomio.operator.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.loomio.operator.backup.BackupAgent;
import org.loomio.operator.backup.Retention;
import org.loomio.operator.backup.S3Destination;
import org.loomio.operator.backup.Summary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The backup pod's agent: encrypts a database dump, the uploads and the credentials to one or more
 * destinations. The result is one JSON line on stdout and in the termination log, also when it fails
 * (exit code 1); wrong usage is exit code 2. S3 credentials come from the environment only, never flags.
 */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Back up a Loomio stack (run by the operator's backup pods): encrypt a pg_dump -Fc file, the uploads and a"
          + " mounted Secret with OpenPGP (readable by gpg 2.2), store them in a directory and/or an S3 bucket, verify"
          + " every object after upload, write the manifest last, and prune old backups by retention.",
      "S3 credentials: environment variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN).",
      "Result: one JSON line on stdout and in the termination log; exit code 1 on failure, 2 on wrong usage."
    })
public final class BackupCommand implements Callable<Integer> {

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
      names = "--dump",
      required = true,
      paramLabel = "FILE",
      description = "The pg_dump -Fc output (deleted once stored, or on failure).")
  Path dump;

  @Option(
      names = "--uploads",
      paramLabel = "DIR",
      description = "The uploads directory, archived as tar.")
  Path uploads;

  @Option(
      names = "--secrets",
      paramLabel = "DIR",
      description = "A mounted Secret: each file is a key.")
  Path secrets;

  @Option(
      names = "--recipients",
      paramLabel = "FILE",
      description = "Armored OpenPGP public key(s) to encrypt to (public-key mode).")
  Path recipients;

  @Option(
      names = "--passphrase-file",
      paramLabel = "FILE",
      description = "A passphrase to encrypt with instead.")
  Path passphraseFile;

  @Option(
      names = "--signing-key",
      required = true,
      paramLabel = "FILE",
      description =
          "The stack's armored OpenPGP signing (private) key: it signs the manifest (manifest.json.sig).")
  Path signingKey;

  @Option(
      names = "--to-directory",
      paramLabel = "DIR",
      description = "Store the backup in this directory.")
  Path toDirectory;

  @Option(
      names = "--to-s3",
      description = "Store the backup in the S3 bucket given by the --s3-* options.")
  boolean toS3;

  @Mixin
  S3Options s3;

  @Option(
      names = "--keep-last",
      paramLabel = "N",
      defaultValue = "7",
      description = "Keep the newest N complete backups (default ${DEFAULT-VALUE}).")
  int keepLast;

  @Option(
      names = "--keep-daily",
      paramLabel = "N",
      defaultValue = "7",
      description =
          "Keep the newest backup of each of the last N days with backups, UTC (default ${DEFAULT-VALUE}).")
  int keepDaily;

  @Option(
      names = "--keep-weekly",
      paramLabel = "N",
      defaultValue = "4",
      description = "... of each of the last N ISO weeks with backups (default ${DEFAULT-VALUE}).")
  int keepWeekly;

  @Option(
      names = "--keep-monthly",
      paramLabel = "N",
      defaultValue = "6",
      description = "... of each of the last N months with backups (default ${DEFAULT-VALUE}).")
  int keepMonthly;

  @Option(names = "--loomio-image", paramLabel = "IMAGE", description = "Recorded in the manifest.")
  String loomioImage;

  @Option(
      names = "--postgres-version",
      paramLabel = "MAJOR",
      description = "Recorded in the manifest.")
  Integer postgresVersion;

  @Option(
      names = "--uploads-location",
      paramLabel = "volume|s3|none",
      description =
          "Where the stack keeps uploads (default: volume with --uploads, else none). s3: they are in the"
              + " stack's bucket and not in this backup.")
  String uploadsLocation;

  @Option(
      names = "--database-facts",
      paramLabel = "FILE",
      description =
          "The database's facts read in the dump's snapshot (migration version, row counts, server"
              + " version), recorded in the signed manifest for restore drills.")
  Path databaseFacts;

  @Option(
      names = "--scratch",
      required = true,
      paramLabel = "DIR",
      description = "Where ciphertext is staged before upload (never plaintext).")
  Path scratch;

  @Option(
      names = "--termination-log",
      paramLabel = "FILE",
      defaultValue = "/dev/termination-log",
      description = "Where the JSON result goes too (default ${DEFAULT-VALUE}).")
  Path terminationLog;

  private final Map<String, String> env;
  private final BackupAgent agent;

  public BackupCommand() {
    this(System.getenv(), new BackupAgent());
  }

  /** With another environment (S3 credentials) and agent: for tests. */
  public BackupCommand(Map<String, String> env, BackupAgent agent) {
    this.env = env;
    this.agent = agent;
  }

  @Override
  public Integer call() {
    logging.configure();
    PrintWriter out = spec.commandLine().getOut();
    BackupAgent.Options options;
    try {
      options = new BackupAgent.Options(
          stack,
          dump,
          uploads,
          secrets,
          recipients,
          passphraseFile,
          toDirectory,
          toS3 ? s3.settings(env) : s3.unused(),
          new Retention.Policy(keepLast, keepDaily, keepWeekly, keepMonthly),
          loomioImage,
          postgresVersion,
          uploadsLocation,
          scratch,
          signingKey,
          databaseFacts);
    } catch (IllegalArgumentException e) {
      return S3Options.fail(e, terminationLog, out, "complete");
    }
    return agent.execute(options, terminationLog, out);
  }

  /** The S3 flags, shared by backup and restore. */
  public static final class S3Options {
    @Option(
        names = "--s3-endpoint",
        paramLabel = "URL",
        description = "S3 endpoint, e.g. https://minio.example.org (default: AWS).")
    String endpoint;

    @Option(names = "--s3-bucket", paramLabel = "BUCKET", description = "The bucket.")
    String bucket;

    @Option(
        names = "--s3-prefix",
        paramLabel = "PREFIX",
        defaultValue = "",
        description = "Key prefix under which backups go (default: none).")
    String prefix;

    @Option(
        names = "--s3-region",
        paramLabel = "REGION",
        defaultValue = "us-east-1",
        description = "Region (default ${DEFAULT-VALUE}).")
    String region;

    @Option(
        names = "--s3-path-style",
        description = "Path-style requests (most S3-compatible servers).")
    boolean pathStyle;

    @Option(
        names = "--s3-sse",
        paramLabel = "AES256|aws:kms",
        description = "Server-side encryption as well (a second layer under OpenPGP).")
    String sse;

    @Option(
        names = "--s3-kms-key-id",
        paramLabel = "ID",
        description = "The KMS key for --s3-sse aws:kms.")
    String kmsKeyId;

    @Option(
        names = "--s3-ca-file",
        paramLabel = "FILE",
        description =
            "PEM CA certificates an https endpoint's certificate must chain to (a server in the cluster"
                + " with its own CA) instead of the default ones.")
    Path caFile;

    S3Destination.Settings settings(Map<String, String> env) {
      URI uri = null;
      if (endpoint != null && !endpoint.isBlank()) {
        try {
          uri = new URI(endpoint.strip());
        } catch (URISyntaxException e) {
          throw new IllegalArgumentException("--s3-endpoint is not a URL: " + e.getMessage());
        }
      }
      return new S3Destination.Settings(
          uri,
          bucket,
          prefix,
          region,
          pathStyle,
          blankToNull(sse),
          blankToNull(kmsKeyId),
          env.get("AWS_ACCESS_KEY_ID"),
          env.get("AWS_SECRET_ACCESS_KEY"),
          env.get("AWS_SESSION_TOKEN"),
          caFile);
    }

    /** Without --to-s3 / --from-s3 the S3 flags must not be given: they would be silently ignored. */
    S3Destination.Settings unused() {
      if (bucket != null || endpoint != null || caFile != null) {
        throw new IllegalArgumentException(
            "--s3-bucket/--s3-endpoint given without --to-s3 or --from-s3");
      }
      return null;
    }

    private static String blankToNull(String s) {
      return s == null || s.isBlank() ? null : s.strip();
    }

    /** A failure before the agent runs: the same one-line JSON result, exit code 1. */
    static int fail(IllegalArgumentException e, Path terminationLog, PrintWriter out, String flag) {
      var node = Summary.object();
      node.putNull("backup");
      if (flag.equals("complete")) {
        node.put("complete", false);
      } else {
        node.putArray("restored");
      }
      node.put("error", e.getMessage());
      Summary.emit(Summary.fit(node, List.of()), terminationLog, out);
      return 1;
    }
  }
}
