package org.loomio.operator.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.reconcile.ClusterCapabilitiesProvider;
import org.loomio.operator.reconcile.LoomioOperator;
import org.loomio.operator.testing.CountingDispatcher;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.validation.CrdSchema;

/**
 * The benchmark (not a test): the operator against the in-process mock API server, N LoomioDeployments.
 * Prints the time until every stack is converged (all its objects exist and its status describes the
 * current generation), the API writes per stack, a restart over the converged stacks with one object deleted
 * while the operator was down (exactly one write, and the time from the start to it), and the heap after a forced
 * GC. Exits non-zero when the writes per stack exceed the floor (each object once, three Secrets, finalizer,
 * status) or the restart writes anything but the one repair.
 *
 * <pre>mvn -pl operator test-compile exec:java@bench -Dbench.stacks=100</pre>
 *
 * The mock server has no server-side apply, so this measures the operator with SSA off (the test-only
 * override): create/update traffic and the non-SSA matcher. Figures from the real API server are the
 * end-to-end suite's business.
 */
public final class OperatorBenchmark {

  /** The mock web server logs every request at INFO (java.util.logging); kept referenced so it stays quiet. */
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  public static void main(String[] args) throws Exception {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    int stacks = Integer.getInteger("bench.stacks", 100);
    int namespaces = Math.max(1, Math.min(10, stacks));
    org.loomio.operator.runtime.Logging.configure(
        System.getProperty("bench.log", "warn"), org.loomio.operator.runtime.Logging.Format.text);

    CountingDispatcher dispatcher = new CountingDispatcher();
    KubernetesMockServer server = new KubernetesMockServer(
        new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init();
    KubernetesClient client = server.createClient();
    try (InputStream crd = CrdSchema.class.getResourceAsStream(CrdSchema.CRD_RESOURCE)) {
      client.load(crd).create();
    }
    for (int n = 0; n < namespaces; n++) {
      client
          .namespaces()
          .resource(new NamespaceBuilder()
              .withNewMetadata()
              .withName("bench-" + n)
              .endMetadata()
              .build())
          .create();
    }
    ReconcileCounter counter = new ReconcileCounter();
    Operator operator = start(client, counter);

    dispatcher.clear();
    long t0 = System.nanoTime();
    for (int i = 0; i < stacks; i++) {
      LoomioDeployment r = Fixtures.minimal("s" + i);
      r.getMetadata().setNamespace("bench-" + (i % namespaces));
      r.getMetadata().setGeneration(null);
      client.resource(r).create();
    }
    List<HasMetadata> perStack = Fixtures.render(Fixtures.minimal("s0")).objects();
    int expectedObjects = perStack.size();
    List<Class<? extends HasMetadata>> kinds = perStack.stream()
        .<Class<? extends HasMetadata>>map(HasMetadata::getClass)
        .distinct()
        .toList();
    awaitConverged(client, kinds, stacks, namespaces, expectedObjects, Duration.ofMinutes(10));
    double convergeSeconds = (System.nanoTime() - t0) / 1e9;
    List<String> writes = dispatcher.writes();
    long operatorWrites =
        writes.stream().filter(w -> !w.startsWith("POST /apis/loomio.org/")).count();
    Map<String, Long> byKind = new java.util.TreeMap<>();
    writes.stream()
        .filter(w -> !w.startsWith("POST /apis/loomio.org/"))
        .forEach(w -> byKind.merge(kindOf(w), 1L, Long::sum));

    long heapWithOperator = usedHeapAfterGc();
    long reconcilesBefore = counter.total.get();

    operator.stop();
    long heapWithoutOperator = usedHeapAfterGc();
    // a restart over the converged stacks with one object deleted meanwhile: exactly one write, the
    // repair
    String victim = client
        .configMaps()
        .inNamespace("bench-0")
        .withLabel("app.kubernetes.io/instance", "s0")
        .list()
        .getItems()
        .get(0)
        .getMetadata()
        .getName();
    client.configMaps().inNamespace("bench-0").withName(victim).delete();
    dispatcher.clear();
    counter.seen.clear();
    long r0 = System.nanoTime();
    long reconcilesAtRestart = counter.total.get();
    operator = start(client, counter);
    double firstWriteSeconds = Double.NaN;
    while (counter.seen.size() < stacks) {
      if (Double.isNaN(firstWriteSeconds) && !dispatcher.writes().isEmpty()) {
        firstWriteSeconds = (System.nanoTime() - r0) / 1e9;
      }
      Thread.sleep(5);
    }
    double triagedSeconds = (System.nanoTime() - r0) / 1e9;
    // every stack the triage deferred is reconciled again, in full, 2 s later
    while (counter.total.get() - reconcilesAtRestart < stacks + counter.deferred()) {
      if (Double.isNaN(firstWriteSeconds) && !dispatcher.writes().isEmpty()) {
        firstWriteSeconds = (System.nanoTime() - r0) / 1e9;
      }
      Thread.sleep(5);
    }
    double resyncSeconds = (System.nanoTime() - r0) / 1e9;
    long deferredAtRestart = counter.deferred();
    Thread.sleep(2000); // deliberate quiet window: anything the resync triggered lands here
    List<String> resyncWrites = dispatcher.writes().stream()
        .filter(w -> !w.startsWith("POST /api/v1/namespaces/bench-0/events"))
        .toList();
    long heapAfterRestart = usedHeapAfterGc();
    operator.stop();
    client.close();
    server.destroy();
    // the floor: each object once, the three Secrets (credentials, backup key, signing key), the
    // finalizer, the status
    long floor = expectedObjects + 3 + 2;
    double perStackWithoutEvents = byKind.entrySet().stream()
            .filter(e -> !e.getKey().endsWith(" events"))
            .mapToLong(Map.Entry::getValue)
            .sum()
        / (double) stacks;
    boolean repairedOnce = resyncWrites.size() == 1
        && resyncWrites.get(0).equals("POST /api/v1/namespaces/bench-0/configmaps");

    System.out.printf(
        Locale.ROOT,
        "stacks                              %d (in %d namespaces, %d objects each)%n",
        stacks,
        namespaces,
        expectedObjects);
    System.out.printf(
        Locale.ROOT,
        "time to converge                    %.1f s (%.0f ms per stack)%n",
        convergeSeconds,
        convergeSeconds * 1000 / stacks);
    System.out.printf(
        Locale.ROOT,
        "API writes per stack                %.1f (%s)%n",
        operatorWrites / (double) stacks,
        byKind);
    System.out.printf(
        Locale.ROOT,
        "reconciles to converge              %d (%.1f per stack)%n",
        reconcilesBefore,
        reconcilesBefore / (double) stacks);
    System.out.printf(
        Locale.ROOT,
        "writes per stack without events     %.1f (floor %d: %d objects, 3 Secrets, finalizer,"
            + " status)%n",
        perStackWithoutEvents,
        floor,
        expectedObjects);
    System.out.printf(
        Locale.ROOT,
        "restart with 1 object deleted       %d writes (events aside) %s; first write %.2f s after"
            + " start, every stack triaged in %.1f s (%d deferred), every stack fully reconciled in"
            + " %.1f s%n",
        resyncWrites.size(),
        resyncWrites.subList(0, Math.min(5, resyncWrites.size())),
        firstWriteSeconds,
        triagedSeconds,
        deferredAtRestart,
        resyncSeconds);
    System.out.printf(
        Locale.ROOT,
        "heap after convergence              %d MiB (operator + in-process API server),"
            + " operator's share %d MiB (after the restart %d MiB)%n",
        heapWithOperator >> 20,
        Math.max(0, heapWithOperator - heapWithoutOperator) >> 20,
        Math.max(0, heapAfterRestart - heapWithoutOperator) >> 20);
    System.out.printf(
        Locale.ROOT,
        "JVM                                 %s, max heap %d MiB, %d CPUs, load %s%n",
        System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20,
        Runtime.getRuntime().availableProcessors(),
        loadAverage());
    boolean ok = repairedOnce && perStackWithoutEvents <= floor;
    if (!ok) {
      System.out.println(
          "FAILED: " + (repairedOnce ? "" : "the restart did not make exactly the one repair; ")
              + (perStackWithoutEvents <= floor ? "" : "more writes per stack than the floor"));
    }
    System.exit(ok ? 0 : 1);
  }

  private static Operator start(KubernetesClient client, ReconcileCounter counter) {
    counter.metrics = org.loomio.operator.reconcile.OperatorMetrics.inMemory();
    Operator operator = LoomioOperator.create(
        client,
        org.loomio.operator.reconcile.OperatorSettings.defaults().withNamespaces(Set.of()),
        ClusterCapabilitiesProvider.fixed(ClusterCapabilities.newest()),
        counter.metrics,
        null,
        o -> o.withSSABasedCreateUpdateMatchForDependentResources(false)
            .withUseSSAToPatchPrimaryResource(false)
            .withMetrics(counter));
    operator.start();
    return operator;
  }

  private static void awaitConverged(
      KubernetesClient client,
      List<Class<? extends HasMetadata>> kinds,
      int stacks,
      int namespaces,
      int objects,
      Duration max)
      throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline) {
      int converged = 0;
      for (int n = 0; n < namespaces; n++) {
        String ns = "bench-" + n;
        List<LoomioDeployment> all =
            client.resources(LoomioDeployment.class).inNamespace(ns).list().getItems();
        Map<String, Integer> owned = ownedPerStack(client, kinds, ns);
        for (LoomioDeployment r : all) {
          boolean status = r.getStatus() != null
              && r.getMetadata().getGeneration().equals(r.getStatus().getObservedGeneration());
          if (status && owned.getOrDefault(r.getMetadata().getName(), 0) >= objects) {
            converged++;
          }
        }
      }
      if (converged == stacks) {
        return;
      }
      // each poll lists every kind in every namespace, and the mock server scans all it stores for
      // each list:
      // polled often, the benchmark itself would be a good part of the mock's work at 500 stacks
      Thread.sleep(Math.max(100, stacks * 2L));
    }
    throw new IllegalStateException("not converged within " + max);
  }

  /** Objects per stack (by instance label), one list call per kind the stack has. */
  private static Map<String, Integer> ownedPerStack(
      KubernetesClient client, List<Class<? extends HasMetadata>> kinds, String ns) {
    Map<String, Integer> count = new HashMap<>();
    for (Class<? extends HasMetadata> kind : kinds) {
      for (HasMetadata o : client.resources(kind).inNamespace(ns).list().getItems()) {
        var labels = o.getMetadata().getLabels();
        if (labels != null && labels.get("app.kubernetes.io/instance") != null) {
          count.merge(labels.get("app.kubernetes.io/instance"), 1, Integer::sum);
        }
      }
    }
    return count;
  }

  private static String kindOf(String write) {
    String[] parts = write.split(" ", 2);
    String[] path = parts[1].split("/");
    int ns = java.util.Arrays.asList(path).indexOf("namespaces");
    String resource = ns >= 0 && path.length > ns + 2 ? path[ns + 2] : path[path.length - 1];
    boolean status = parts[1].endsWith("/status");
    return parts[0] + " " + resource + (status ? "/status" : "");
  }

  private static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
          .trim();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Counts reconciliations, and which resources have been reconciled since the last clear. */
  static final class ReconcileCounter implements Metrics {
    final AtomicLong total = new AtomicLong();
    final Set<String> seen = ConcurrentHashMap.newKeySet();
    /** The operator's own metrics: the first pass's decisions (RestartTriage). */
    volatile org.loomio.operator.reconcile.OperatorMetrics metrics;

    /** First reconciles after the start that the triage deferred (each is reconciled again, in full). */
    long deferred() {
      var c = metrics
          .registry()
          .find("loomio.operator.first.pass")
          .tag("decision", "deferred")
          .counter();
      return c == null ? 0 : (long) c.count();
    }

    @Override
    public void finishedReconciliation(HasMetadata resource, Map<String, Object> metadata) {
      total.incrementAndGet();
      seen.add(
          resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName());
    }
  }
}
