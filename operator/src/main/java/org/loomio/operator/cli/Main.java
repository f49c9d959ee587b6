package org.loomio.operator.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar loomio-operator.jar <command>}: render, run. */
@Command(
    name = "loomio-operator",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Turns a LoomioDeployment into a complete, hardened Loomio installation.",
    subcommands = {
      RenderCommand.class,
      RunCommand.class,
      BackupCommand.class,
      RestoreCommand.class,
      DrillCommand.class,
      CdsTrainingCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit code (tests call this). */
  public static int execute(String... args) {
    return new CommandLine(new Main()).execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: render or run");
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"loomio-operator " + (v == null ? "(development build)" : v)};
    }
  }
}
