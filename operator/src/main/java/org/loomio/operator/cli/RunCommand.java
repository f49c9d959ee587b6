package org.loomio.operator.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.loomio.operator.api.v1alpha1.CidrBlock;
import org.loomio.operator.api.v1alpha1.Cidrs;
import org.loomio.operator.client.HttpVersionChoice;
import org.loomio.operator.client.OperatorClient;
import org.loomio.operator.model.CloudNativePGSettings;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.reconcile.OperatorMetrics;
import org.loomio.operator.reconcile.OperatorSettings;
import org.loomio.operator.runtime.HttpEndpoints;
import org.loomio.operator.runtime.OperatorRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Runs the operator against the current kubeconfig (or the in-cluster service account). Every flag has an
 * environment variable, which is how the Helm chart configures it.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run the operator: reconcile every LoomioDeployment in the watched namespaces until stopped.",
      "Connects with the current kubeconfig (KUBECONFIG, ~/.kube/config) or, in a pod, its service account.",
      "Every option defaults to the environment variable named in its description."
    })
public final class RunCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  LoggingOptions logging = new LoggingOptions();

  @Option(
      names = "--namespaces",
      paramLabel = "NS[,NS...]",
      split = ",",
      defaultValue = "${env:WATCH_NAMESPACES}",
      description = "Namespaces to watch (WATCH_NAMESPACES; empty: all namespaces).")
  String[] namespaces;

  @Mixin
  ImageOptions images = new ImageOptions();

  @Mixin
  TenancyOptions tenancy = new TenancyOptions();

  @Option(
      names = "--resync-period",
      paramLabel = "DURATION",
      defaultValue = "${env:RESYNC_PERIOD:-10m}",
      description =
          "Longest time between two reconciles of a stack, e.g. 90s, 10m, 1h (RESYNC_PERIOD;"
              + " default ${DEFAULT-VALUE}).")
  String resyncPeriod;

  @Option(
      names = "--reconcile-threads",
      paramLabel = "N",
      defaultValue = "${env:RECONCILE_THREADS:-" + OperatorSettings.DEFAULT_RECONCILE_THREADS + "}",
      description = "How many stacks are reconciled at once, 1 to "
          + OperatorSettings.MAX_RECONCILE_THREADS
          + " (RECONCILE_THREADS; default ${DEFAULT-VALUE}; see docs/performance.md).")
  int reconcileThreads;

  @Option(
      names = "--leader-election",
      paramLabel = "BOOL",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "${env:LEADER_ELECTION:-false}",
      description =
          "Reconcile only while holding a Lease, so several replicas can run (LEADER_ELECTION;"
              + " default ${DEFAULT-VALUE}).")
  boolean leaderElection;

  @Option(
      names = "--lease-namespace",
      paramLabel = "NS",
      defaultValue = "${env:POD_NAMESPACE}",
      description = "Namespace of the Lease (POD_NAMESPACE).")
  String leaseNamespace;

  @Option(
      names = "--lease-name",
      paramLabel = "NAME",
      defaultValue =
          "${env:LEASE_NAME:-" + OperatorSettings.LeaderElection.DEFAULT_LEASE_NAME + "}",
      description = "Name of the Lease (LEASE_NAME; default ${DEFAULT-VALUE}).")
  String leaseName;

  @Option(
      names = "--cnpg-operator-namespace",
      paramLabel = "NS",
      defaultValue = "${env:CNPG_OPERATOR_NAMESPACE:-cnpg-system}",
      description =
          "Namespace of CloudNativePG's operator, which the stacks' CloudNativePG instances admit on 8000 and"
              + " 5432 (CNPG_OPERATOR_NAMESPACE; default ${DEFAULT-VALUE}).")
  String cnpgOperatorNamespace;

  @Option(
      names = "--cnpg-pod-monitor",
      paramLabel = "BOOL",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "${env:CNPG_POD_MONITOR:-false}",
      description =
          "Ask CloudNativePG for a PodMonitor of each stack's Cluster, and admit Prometheus (the"
              + " --monitoring-namespaces) to its metrics port (CNPG_POD_MONITOR; default ${DEFAULT-VALUE}).")
  boolean cnpgPodMonitor;

  @Option(
      names = "--monitoring-namespaces",
      paramLabel = "NS[,NS...]",
      split = ",",
      defaultValue = "${env:MONITORING_NAMESPACES}",
      description = "Namespaces Prometheus runs in (MONITORING_NAMESPACES).")
  String[] monitoringNamespaces;

  @Option(
      names = "--api-server-cidrs",
      paramLabel = "CIDR[,CIDR...]",
      split = ",",
      defaultValue = "${env:API_SERVER_CIDRS}",
      description =
          "The Kubernetes API server's addresses, which the stacks' CloudNativePG instances may reach"
              + " (API_SERVER_CIDRS; none: they may not, and the NetworkPolicies condition says so).")
  String[] apiServerCidrs;

  @Option(
      names = "--api-server-ports",
      paramLabel = "PORT[,PORT...]",
      split = ",",
      defaultValue = "${env:API_SERVER_PORTS:-443,6443}",
      description = "The ports of those addresses (API_SERVER_PORTS; default ${DEFAULT-VALUE}).")
  Integer[] apiServerPorts;

  @Option(
      names = "--health-port",
      paramLabel = "PORT",
      defaultValue = "${env:HEALTH_PORT:-8081}",
      description =
          "Port of /healthz and /readyz (HEALTH_PORT; default ${DEFAULT-VALUE}; -1: none).")
  int healthPort;

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      defaultValue = "${env:METRICS_PORT:-8080}",
      description =
          "Port of /metrics, Prometheus format (METRICS_PORT; default ${DEFAULT-VALUE}; -1: none).")
  int metricsPort;

  @Override
  public Integer call() throws Exception {
    OperatorSettings settings;
    try {
      logging.configure();
      settings = settings();
      checkPort("--health-port", healthPort);
      checkPort("--metrics-port", metricsPort);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    OperatorMetrics metrics = OperatorMetrics.prometheus();
    boolean http11 = HttpVersionChoice.preferHttp11(System.getenv(), System.getProperties());
    KubernetesClient client = OperatorClient.build(b -> {
      b.addOrReplaceInterceptor("api-errors", metrics.apiErrorCounter());
      if (http11) {
        b.preferHttp11(); // HttpVersionChoice: the informers' lists are decrypted in parallel
      }
    });
    CountDownLatch stopped = new CountDownLatch(1);
    OperatorRuntime runtime;
    try {
      runtime = OperatorRuntime.start(
          client,
          metrics,
          settings,
          new OperatorRuntime.Ports(healthPort, metricsPort),
          null,
          // lost the Lease while running: exit non-zero (a fresh thread; never from a shutdown
          // hook)
          () -> new Thread(() -> System.exit(1), "lost-lease-exit").start(),
          null);
    } catch (HttpEndpoints.PortUnavailableException e) {
      client.close();
      spec.commandLine().getErr().println("error: " + portMessage(e));
      spec.commandLine().getErr().flush();
      return 2;
    }
    Runtime.getRuntime()
        .addShutdownHook(new Thread(
            () -> {
              runtime.close();
              client.close();
              stopped.countDown();
            },
            "shutdown"));
    stopped.await();
    return 0;
  }

  /** A port is 0 to 65535, or -1 for none. */
  private static void checkPort(String flag, int port) {
    if (port < -1 || port > 65535) {
      throw new IllegalArgumentException(
          flag + ": " + port + " is not a port (0 to 65535, or -1 to serve none)");
    }
  }

  /** One line: the flag, its variable, the port, the reason, what to do. */
  static String portMessage(HttpEndpoints.PortUnavailableException e) {
    String setting = e.endpoint() == HttpEndpoints.Endpoint.HEALTH
        ? "--health-port (HEALTH_PORT)"
        : "--metrics-port (METRICS_PORT)";
    return setting + ": port " + e.port() + " cannot be bound (" + e.reason()
        + "); choose another port or free" + " this one (-1 serves none)";
  }

  OperatorSettings settings() {
    Set<String> watched = new LinkedHashSet<>();
    if (namespaces != null) {
      Arrays.stream(namespaces).map(String::trim).filter(s -> !s.isEmpty()).forEach(watched::add);
    }
    if (reconcileThreads < 1 || reconcileThreads > OperatorSettings.MAX_RECONCILE_THREADS) {
      throw new IllegalArgumentException("--reconcile-threads (RECONCILE_THREADS): "
          + reconcileThreads + " is not 1 to " + OperatorSettings.MAX_RECONCILE_THREADS);
    }
    ImageDefaults defaultImages = images.images();
    OperatorSettings settings = OperatorSettings.defaults()
        .withNamespaces(watched)
        .withImages(defaultImages)
        .withTenancy(tenancy.policy(defaultImages))
        .withResyncPeriod(OperatorSettings.parseDuration(resyncPeriod))
        .withReconcileThreads(reconcileThreads)
        .withCloudNativePG(cloudNativePG());
    if (leaderElection) {
      String identity = firstNonBlank(
          System.getenv("POD_NAME"),
          System.getenv("HOSTNAME"),
          "loomio-operator-" + UUID.randomUUID());
      settings = settings.withLeaderElection(new OperatorSettings.LeaderElection(
          leaseName,
          leaseNamespace,
          identity,
          Duration.ofSeconds(15),
          Duration.ofSeconds(10),
          Duration.ofSeconds(2)));
    }
    return settings;
  }

  /** The CloudNativePG settings; an address range that is no CIDR, or a /0, is an IllegalArgumentException. */
  CloudNativePGSettings cloudNativePG() {
    List<CidrBlock> cidrs = new ArrayList<>();
    for (String c : apiServerCidrs == null ? new String[0] : apiServerCidrs) {
      String cidr = c.trim();
      if (cidr.isEmpty()) {
        continue;
      }
      if (Cidrs.parse(cidr).isEmpty()) {
        throw new IllegalArgumentException(
            "--api-server-cidrs (API_SERVER_CIDRS): '" + cidr + "' is not a CIDR");
      }
      cidrs.add(new CidrBlock(cidr, List.of()));
    }
    List<String> monitoring = monitoringNamespaces == null
        ? List.of()
        : Arrays.stream(monitoringNamespaces)
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .toList();
    List<Integer> ports = apiServerPorts == null
        ? List.of()
        : Arrays.stream(apiServerPorts).filter(Objects::nonNull).toList();
    return new CloudNativePGSettings(
        cnpgOperatorNamespace, cnpgPodMonitor, monitoring, cidrs, ports);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (!blank(v)) {
        return v;
      }
    }
    throw new IllegalStateException();
  }
}
