package org.loomio.operator.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import org.loomio.operator.backup.BackupAgent;
import org.loomio.operator.backup.DrillAgent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The restore drill's agent (run by the operator's drill pods): {@code drill prepare} picks, downloads, checks and
 * decrypts the newest signed backup for a throwaway PostgreSQL; {@code drill report} compares the restored
 * database with the backup's signed manifest. The result is one JSON line on stdout and in the termination log.
 */
@Command(
    name = "drill",
    mixinStandardHelpOptions = true,
    description = {
      "Restore drills (run by the operator's drill pods): prove that the newest signed backup restores.",
      "Result: one JSON line on stdout and in the termination log; exit code 1 when the drill failed."
    },
    subcommands = {DrillCommand.Prepare.class, DrillCommand.Report.class})
public final class DrillCommand implements Runnable {

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "name a step: prepare or report");
  }

  /** The first step: the newest backup signed by the stack's key, downloaded, checked and decrypted. */
  @Command(
      name = "prepare",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description =
          "Pick the newest backup whose manifest verifies against the stack's signing key, download its"
              + " objects bounded by the manifest, check their SHA-256, decrypt the dump for pg_restore and read the"
              + " uploads archive to its end.")
  public static final class Prepare implements Callable<Integer> {
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
        names = "--from-directory",
        paramLabel = "DIR",
        description = "Read backups from this directory.")
    Path fromDirectory;

    @Option(
        names = "--from-s3",
        description = "Read backups from the S3 bucket given by the --s3-* options.")
    boolean fromS3;

    @Mixin
    BackupCommand.S3Options s3;

    @Option(
        names = "--private-key",
        paramLabel = "FILE",
        description = "Armored OpenPGP private key(s).")
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
        description = "The stack's signing public key: only a backup signed by it is drilled.")
    Path verificationKey;

    @Option(
        names = "--scratch",
        required = true,
        paramLabel = "DIR",
        description = "Where downloads are checked.")
    Path scratch;

    @Option(
        names = "--database-out",
        required = true,
        paramLabel = "FILE",
        description = "Where the decrypted dump goes (for the restore step).")
    Path databaseOut;

    @Option(
        names = "--work",
        required = true,
        paramLabel = "DIR",
        description = "The directory shared with the next steps (expected.json).")
    Path work;

    @Option(
        names = "--termination-log",
        paramLabel = "FILE",
        defaultValue = "/dev/termination-log",
        description =
            "Where the JSON result goes when the drill fails here (default ${DEFAULT-VALUE}).")
    Path terminationLog;

    private final Map<String, String> env;
    private final BackupAgent.Destinations destinations;
    private final Clock clock;

    public Prepare() {
      this(System.getenv(), BackupAgent.Destinations.DEFAULT, Clock.systemUTC());
    }

    /** With another environment (S3 credentials), destinations and clock: for tests. */
    public Prepare(Map<String, String> env, BackupAgent.Destinations destinations, Clock clock) {
      this.env = env;
      this.destinations = destinations;
      this.clock = clock;
    }

    @Override
    public Integer call() {
      logging.configure();
      PrintWriter out = spec.commandLine().getOut();
      DrillAgent.PrepareOptions options;
      try {
        options = new DrillAgent.PrepareOptions(
            stack,
            fromDirectory,
            fromS3 ? s3.settings(env) : s3.unused(),
            privateKey,
            passphraseFile,
            verificationKey,
            scratch,
            databaseOut,
            work);
      } catch (IllegalArgumentException e) {
        DrillAgentResults.usage(e, terminationLog, out);
        return 1;
      }
      return new DrillAgent(destinations, clock).prepare(options, terminationLog, out);
    }
  }

  /** The last step: the restored database compared with the backup's signed manifest. */
  @Command(
      name = "report",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description =
          "Compare what the restore step found with what the backup's signed manifest recorded.")
  public static final class Report implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    LoggingOptions logging = new LoggingOptions();

    @Option(
        names = "--work",
        required = true,
        paramLabel = "DIR",
        description = "The steps' shared directory.")
    Path work;

    @Option(
        names = "--termination-log",
        paramLabel = "FILE",
        defaultValue = "/dev/termination-log",
        description = "Where the JSON result goes too (default ${DEFAULT-VALUE}).")
    Path terminationLog;

    @Override
    public Integer call() {
      logging.configure();
      return new DrillAgent(BackupAgent.Destinations.DEFAULT, Clock.systemUTC())
          .report(work, terminationLog, spec.commandLine().getOut());
    }
  }

  /** A failure before the drill ran: the same result line. */
  static final class DrillAgentResults {
    private DrillAgentResults() {}

    static void usage(IllegalArgumentException e, Path terminationLog, PrintWriter out) {
      DrillAgent.emitUsage(e.getMessage(), terminationLog, out);
    }
  }
}
