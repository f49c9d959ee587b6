package org.loomio.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.reconcile.OperatorSettings;
import org.loomio.operator.validation.TenantPolicy;
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
    OperatorSettings s = settings(
        "--namespaces",
        "team-a, team-b",
        "--resync-period",
        "90s",
        "--default-loomio-image",
        "registry.example.org/loomio:3.5.2",
        "--default-postgres-repository",
        "registry.example.org/postgres",
        "--default-redis-image",
        "registry.example.org/redis:8.4",
        "--leader-election",
        "--lease-namespace",
        "loomio-system",
        "--lease-name",
        "ops");
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
  void reconcileThreadsAreASettingFrom1To200() {
    assertThat(settings("--reconcile-threads", "8").reconcileThreads()).isEqualTo(8);
    for (String bad : new String[] {"0", "201"}) {
      StringWriter err = new StringWriter();
      CommandLine cli = new CommandLine(new Main());
      cli.setErr(new PrintWriter(err));
      assertThat(cli.execute("run", "--reconcile-threads", bad)).isEqualTo(2);
      assertThat(err.toString())
          .contains("--reconcile-threads (RECONCILE_THREADS): " + bad + " is not 1 to 200");
    }
  }

  /**
   * The image's class-data sharing training (operator/Dockerfile): no cluster, no network, exit code 0 (a
   * failing RUN would fail the image build), a stack rendered and read back.
   */
  @Test
  @org.junit.jupiter.api.Timeout(
      value = 120,
      threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
  void theCdsTrainingLoadsAStartWithoutAClusterAndSucceeds() {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out));
    assertThat(cli.execute("cds-training")).isEqualTo(0);
    assertThat(out.toString())
        .containsPattern("cds-training: loaded a start's classes, rendered [1-9][0-9] objects");
    assertThat(new CommandLine(new Main()).getUsageMessage())
        .as("hidden: no user's command")
        .doesNotContain("cds-training");
  }

  @Test
  void withoutFlagsItWatchesEverythingWithBuiltInImagesAndNoLease() {
    OperatorSettings s =
        settings("--namespaces", "", "--default-loomio-image", "", "--leader-election", "false");
    assertThat(s.namespaces()).isEmpty();
    assertThat(s.images().loomio()).hasToString("loomio/loomio:3.5");
    assertThat(s.resyncPeriod()).isEqualTo(OperatorSettings.DEFAULT_RESYNC);
    assertThat(s.reconcileThreads()).isEqualTo(OperatorSettings.DEFAULT_RECONCILE_THREADS);
    assertThat(s.leaderElection()).isEmpty();
  }

  @Test
  void tenancyFlagsBecomeThePolicyForTheDefaultImages() {
    OperatorSettings s = settings(
        "--default-loomio-image",
        "registry.example.org/mirror/loomio:3.5.2",
        "--default-agent-image",
        "registry.example.org/ops/loomio-operator:1.0.0",
        "--allowed-image-repositories",
        "registry.example.org/team/*, quay.io/acme/loomio",
        "--built-in-image-repositories=false",
        "--allow-security-annotations",
        "--allow-system-priority-classes=true",
        "--allow-control-plane-tolerations",
        "true",
        "--allowed-pod-annotations",
        "example.org/*, team.example.org/owner");
    TenantPolicy p = s.tenancy();
    assertThat(p.images()).isEqualTo(s.images());
    assertThat(p.agentImage()).isEqualTo("registry.example.org/ops/loomio-operator:1.0.0");
    assertThat(p.allowedImageRepositories())
        .containsExactly(
            "registry.example.org/mirror/loomio",
            "postgres",
            "redis",
            "registry.example.org/ops/loomio-operator",
            "registry.example.org/team/*",
            "quay.io/acme/loomio");
    assertThat(p.allowSecurityAnnotations()).isTrue();
    assertThat(p.allowSystemPriorityClasses()).isTrue();
    assertThat(p.allowControlPlaneTolerations()).isTrue();
    assertThat(p.allowedPodAnnotations())
        .containsExactly("example.org/*", "team.example.org/owner");
  }

  @Test
  void withoutTenancyFlagsThePolicyIsTheDefault() {
    OperatorSettings s = settings(
        "--allowed-image-repositories",
        "",
        "--default-redis-image",
        "registry.example.org/redis:8.4");
    assertThat(s.tenancy()).isEqualTo(TenantPolicy.defaults(s.images()));
    assertThat(s.tenancy().admitsRepository("registry.example.org/redis")).isTrue();
    assertThat(OperatorSettings.defaults().tenancy())
        .isEqualTo(TenantPolicy.defaults(ImageDefaults.BUILT_IN));
  }

  /**
   * The chart's environment, read the way the run command reads its own ({@code ${env:NAME}} defaults), gives
   * the policy its values say: the chart and the command agree on every name.
   */
  @Test
  void theChartsTenancyValuesBecomeTheOperatorsPolicy() {
    var container = org.loomio.operator.chart.Chart.one(
            org.loomio.operator.chart.Chart.template("""
        operator: {defaultImages: {loomio: registry.example.org/mirror/loomio:3.5}}
        tenancy:
          allowedImageRepositories: [registry.example.org/team/*, quay.io/acme/loomio]
          builtInImageRepositories: false
          allowSecurityAnnotations: true
          allowedPodAnnotations: [example.org/*, cluster-autoscaler.kubernetes.io/safe-to-evict]
          allowSystemPriorityClasses: false
          allowControlPlaneTolerations: true
          requireSecretConsent: false
          nginxControllerConfigMap: ingress-nginx/ingress-nginx-controller
        """),
            io.fabric8.kubernetes.api.model.apps.Deployment.class)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0);
    java.util.Map<String, String> env = new java.util.HashMap<>();
    container.getEnv().stream()
        .filter(e -> e.getValue() != null)
        .forEach(e -> env.put(e.getName(), e.getValue()));
    RunCommand command = new RunCommand();
    CommandLine cli = new CommandLine(command);
    // the annotations' defaults as written (${env:NAME:-fallback}), resolved against the chart's
    // environment
    cli.setInterpolateVariables(false);
    java.util.regex.Pattern variable =
        java.util.regex.Pattern.compile("^\\$\\{env:([A-Z_]+)(?::-(.*))?}$");
    cli.setDefaultValueProvider(arg -> {
      var m = variable.matcher(String.valueOf(arg.defaultValue()));
      return !m.matches()
          ? null
          : env.getOrDefault(m.group(1), m.group(2) == null ? "" : m.group(2));
    });
    cli.parseArgs();
    TenantPolicy p = command.settings().tenancy();
    assertThat(p.images().loomio()).hasToString("registry.example.org/mirror/loomio:3.5");
    assertThat(p.allowedImageRepositories())
        .startsWith("registry.example.org/mirror/loomio", "postgres", "redis")
        .endsWith("registry.example.org/team/*", "quay.io/acme/loomio")
        .doesNotContain("loomio/loomio");
    assertThat(p.builtInImageRepositories()).isFalse();
    assertThat(p.agentImage()).isEqualTo(env.get("DEFAULT_AGENT_IMAGE"));
    assertThat(p.allowSecurityAnnotations()).isTrue();
    assertThat(p.allowSystemPriorityClasses()).isFalse();
    assertThat(p.requireSecretConsent()).isFalse();
    assertThat(p.nginxControllerConfigMap()).isEqualTo("ingress-nginx/ingress-nginx-controller");
    assertThat(p.allowControlPlaneTolerations()).isTrue();
    assertThat(p.allowedPodAnnotations())
        .containsExactly("example.org/*", "cluster-autoscaler.kubernetes.io/safe-to-evict");
  }

  /** The chart's CloudNativePG values, monitoring and API-server addresses reach the operator's settings. */
  @Test
  void theChartsCloudNativePGValuesBecomeTheOperatorsSettings() {
    var container = org.loomio.operator.chart.Chart.one(
            org.loomio.operator.chart.Chart.template("""
        cloudNativePG: {operatorNamespace: databases}
        metrics: {serviceMonitor: {enabled: true}}
        networkPolicy:
          apiServer: {cidrs: [172.20.0.1/32], ports: [6443]}
          ingressNamespaces: [monitoring]
        """),
            io.fabric8.kubernetes.api.model.apps.Deployment.class)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0);
    java.util.Map<String, String> env = new java.util.HashMap<>();
    container.getEnv().stream()
        .filter(e -> e.getValue() != null)
        .forEach(e -> env.put(e.getName(), e.getValue()));
    RunCommand command = new RunCommand();
    CommandLine cli = new CommandLine(command);
    cli.setInterpolateVariables(false);
    java.util.regex.Pattern variable =
        java.util.regex.Pattern.compile("^\\$\\{env:([A-Z_]+)(?::-(.*))?}$");
    cli.setDefaultValueProvider(arg -> {
      var m = variable.matcher(String.valueOf(arg.defaultValue()));
      return !m.matches()
          ? null
          : env.getOrDefault(m.group(1), m.group(2) == null ? "" : m.group(2));
    });
    cli.parseArgs();
    var c = command.settings().cloudNativePG();
    assertThat(c.operatorNamespace()).isEqualTo("databases");
    assertThat(c.podMonitor()).isTrue();
    assertThat(c.monitoringNamespaces()).containsExactly("monitoring");
    assertThat(c.apiServer())
        .singleElement()
        .satisfies(b -> assertThat(b.getCidr()).isEqualTo("172.20.0.1/32"));
    assertThat(c.apiServerPorts()).containsExactly(6443);
    // never every address
    assertThat(org.assertj.core.api.Assertions.catchThrowable(
            () -> new org.loomio.operator.model.CloudNativePGSettings(
                "cnpg-system",
                false,
                java.util.List.of(),
                java.util.List.of(new org.loomio.operator.api.v1alpha1.CidrBlock(
                    "0.0.0.0/0", java.util.List.of())),
                null)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * A health or metrics port another process holds: one line naming the flag, its variable and the port, exit
   * code 2, no stack trace; nothing is left listening (the health server bound first is closed again).
   */
  @Test
  @org.junit.jupiter.api.Timeout(
      value = 60,
      threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
  void aPortThatCannotBeBoundIsOneLineNamingItsSettingAndExitCodeTwo() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
      int port = taken.getLocalPort();
      int free;
      try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
        free = probe.getLocalPort();
      }
      for (String[] args : new String[][] {
        {"run", "--health-port", String.valueOf(port), "--metrics-port", "-1"},
        {"run", "--health-port", String.valueOf(free), "--metrics-port", String.valueOf(port)}
      }) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute(args)).as(String.join(" ", args)).isEqualTo(2);
        String flag = args[2].equals(String.valueOf(port))
            ? "--health-port (HEALTH_PORT)"
            : "--metrics-port (METRICS_PORT)";
        assertThat(err.toString())
            .as(String.join(" ", args))
            .isEqualTo("error: " + flag + ": port " + port
                + " cannot be bound (Address already in use); choose another port or free this one (-1 serves none)"
                + System.lineSeparator());
      }
      // the health server of the second run, bound before the metrics port failed, was closed again
      try (java.net.ServerSocket again = new java.net.ServerSocket(free)) {
        assertThat(again.getLocalPort()).isEqualTo(free);
      }
    }
  }

  @Test
  void aBadValueStopsTheOperatorAtStartWithItsName() {
    for (String[] args : new String[][] {
      {"run", "--resync-period", "soon"},
      {"run", "--default-loomio-image", "loomio/loomio"},
      {"run", "--log-level", "loud"},
      {"run", "--leader-election", "--lease-namespace", ""},
      {"run", "--allowed-image-repositories", "registry.example.org/mirror*"},
      {"run", "--allow-security-annotations", "maybe"},
      {"run", "--allowed-pod-annotations", "example.org/a b"},
      {"run", "--health-port", "70000"},
      {"run", "--metrics-port", "-2"}
    }) {
      StringWriter err = new StringWriter();
      CommandLine cli = new CommandLine(new Main());
      cli.setErr(new PrintWriter(err));
      assertThat(cli.execute(args)).as(String.join(" ", args)).isEqualTo(2);
      assertThat(err.toString())
          .as(String.join(" ", args))
          .containsAnyOf(
              "duration",
              "tag is required",
              "log level",
              "namespace",
              "'registry.example.org/mirror*'",
              "maybe",
              "allowed pod annotation 'example.org/a b'",
              "--health-port: 70000 is not a port",
              "--metrics-port: -2 is not a port");
    }
  }
}
