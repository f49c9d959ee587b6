package org.loomio.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.loomio.operator.runtime.OperatorSettings;
import picocli.CommandLine;

/** The run command's settings, as flags (the chart sets the same through environment variables). */
class RunCommandTest {

  private static OperatorSettings settings(String... args) {
    RunCommand command = new RunCommand();
    new CommandLine(command).parseArgs(args);
    return command.settings();
  }

  @Test
  void flagsBecomeSettings() {
    OperatorSettings s = settings("--namespaces", "team-a, team-b", "--resync-period", "90s",
        "--default-loomio-image", "registry.example.org/loomio:3.5.2",
        "--default-postgres-repository", "registry.example.org/postgres",
        "--default-redis-image", "registry.example.org/redis:8.4",
        "--leader-election", "--lease-namespace", "loomio-system", "--lease-name", "ops");
    assertThat(s.namespaces()).containsExactlyInAnyOrder("team-a", "team-b");
    assertThat(s.resyncPeriod()).isEqualTo(Duration.ofSeconds(90));
    assertThat(s.images().loomio()).hasToString("registry.example.org/loomio:3.5.2");
    assertThat(s.images().postgresRepository()).isEqualTo("registry.example.org/postgres");
    assertThat(s.leaderElection()).hasValueSatisfying(le -> {
      assertThat(le.leaseNamespace()).isEqualTo("loomio-system");
      assertThat(le.leaseName()).isEqualTo("ops");
      assertThat(le.identity()).isNotBlank();
    });
  }

  @Test
  void withoutFlagsItWatchesEverythingWithBuiltInImagesAndNoLease() {
    OperatorSettings s = settings("--namespaces", "", "--default-loomio-image", "", "--leader-election", "false");
    assertThat(s.namespaces()).isEmpty();
    assertThat(s.images().loomio()).hasToString("loomio/loomio:3.5");
    assertThat(s.resyncPeriod()).isEqualTo(OperatorSettings.DEFAULT_RESYNC);
    assertThat(s.leaderElection()).isEmpty();
  }

  @Test
  void aBadValueStopsTheOperatorAtStartWithItsName() {
    for (String[] args : new String[][] {
        {"run", "--resync-period", "soon"},
        {"run", "--default-loomio-image", "loomio/loomio"},
        {"run", "--log-level", "loud"},
        {"run", "--leader-election", "--lease-namespace", ""}}) {
      StringWriter err = new StringWriter();
      CommandLine cli = new CommandLine(new Main());
      cli.setErr(new PrintWriter(err));
      assertThat(cli.execute(args)).as(String.join(" ", args)).isEqualTo(2);
      assertThat(err.toString()).as(String.join(" ", args)).containsAnyOf("duration", "tag is required",
          "log level", "namespace");
    }
  }
}
