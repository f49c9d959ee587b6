package org.loomio.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.render.Stack;
import org.loomio.operator.render.StackRenderer;
import org.loomio.operator.testing.Fixtures;

/**
 * The end-to-end suite's benchmark mode (not part of a normal run):
 *
 * <pre>mvn -B -Pe2e -DskipUnitTests -De2e.bench=true -Dit.test=BenchmarkIT -De2e.bench.stacks=20 verify</pre>
 *
 * Creates N LoomioDeployments on the real API server and prints the time until every stack has all its
 * objects and a current status, the writes per stack from the audit log, the writes in a quiet 30 s, the
 * operator's live heap after a forced GC ({@code jcmd GC.class_histogram}), and a restart with one object
 * deleted while the operator was down: the time from the launch to the repair, and its writes (exactly one);
 * then applies the very same objects (rendered by the same code) with {@code kubectl apply --server-side} as the
 * baseline. Times are printed with the load average, never asserted; the writes are asserted.
 */
@EnabledIfSystemProperty(named = "e2e.bench", matches = "true")
class BenchmarkIT {

  /**
   * Watch-fed caches of the operator's namespace: the stacks and every kind a stack renders (objects with
   * the instance label). The convergence check reads them locally. It used to list every kind from etcd
   * every 200 ms, which put a load on the API server in the operator's window only (kubectl's window has no
   * poll): at 200 stacks about 60 lists of each kind, some 8000 objects each time.
   */
  private static final class Watched implements AutoCloseable {
    private final List<
            io.fabric8.kubernetes.client.informers.SharedIndexInformer<? extends HasMetadata>>
        owned = new java.util.ArrayList<>();
    private final io.fabric8.kubernetes.client.informers.SharedIndexInformer<LoomioDeployment>
        stacks;

    Watched(KubernetesClient k, List<HasMetadata> sample, String ns) {
      for (Class<? extends HasMetadata> kind : sample.stream()
          .<Class<? extends HasMetadata>>map(HasMetadata::getClass)
          .distinct()
          .toList()) {
        owned.add(k.resources(kind).inNamespace(ns).withLabel(INSTANCE).inform());
      }
      stacks = k.resources(LoomioDeployment.class).inNamespace(ns).inform();
    }

    List<LoomioDeployment> stacks() {
      return stacks.getStore().list();
    }

    java.util.Map<String, Integer> ownedPerStack() {
      java.util.Map<String, Integer> count = new java.util.HashMap<>();
      for (var informer : owned) {
        for (HasMetadata o : informer.getStore().list()) {
          count.merge(o.getMetadata().getLabels().get(INSTANCE), 1, Integer::sum);
        }
      }
      return count;
    }

    @Override
    public void close() {
      owned.forEach(io.fabric8.kubernetes.client.informers.SharedIndexInformer::close);
      stacks.close();
    }
  }

  private static final String INSTANCE = "app.kubernetes.io/instance";

  /**
   * One round per reconcile thread setting in {@code -De2e.bench.threads=50,8,4} (default: the operator's
   * default), each with its own {@code kubectl} baseline right after it, so every ratio compares runs under the
   * same load.
   */
  @Test
  void operatorAgainstKubectlApply() throws Exception {
    int n = Integer.getInteger("e2e.bench.stacks", 10);
    Rig rig = new Rig();
    KubernetesClient k = rig.admin();
    ClusterCapabilities rigApis =
        org.loomio.operator.reconcile.ClusterCapabilitiesProvider.discover(k);
    rig.installCrdsAsDocumented();
    String threadList = System.getProperty("e2e.bench.threads", "");
    List<String> failed = new java.util.ArrayList<>();
    for (String threads : threadList.isBlank() ? new String[] {""} : threadList.split(",")) {
      try {
        round(rig, k, rigApis, n, threads.trim());
      } catch (AssertionError e) {
        // every round runs; the rounds' failures are reported together
        failed.add(
            (threads.isBlank() ? "default threads" : threads + " threads") + ": " + e.getMessage());
      }
    }
    assertThat(failed).as("rounds that failed").isEmpty();
  }

  private void round(
      Rig rig, KubernetesClient k, ClusterCapabilities rigApis, int n, String threads)
      throws Exception {
    String label = threads.isEmpty() ? "default threads" : threads + " threads";
    String run = "bench" + Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    String operatorNs = run + "-operator";
    String kubectlNs = run + "-kubectl";
    rig.restrictedNamespace(operatorNs);
    rig.restrictedNamespace(kubectlNs);

    try (OperatorProcess operator =
        new OperatorProcess(rig, Path.of("target/e2e/bench-operator.log"))) {
      if (!threads.isEmpty()) {
        operator.withEnv("RECONCILE_THREADS", threads);
      }
      // for example -XX:SharedArchiveFile=… to start as the image does, or a JFR recording
      String javaOptions = System.getProperty("e2e.bench.javaOptions", "");
      if (!javaOptions.isBlank()) {
        operator.withEnv("JAVA_TOOL_OPTIONS", javaOptions);
      }
      String loadAtStart = Files.readString(Path.of("/proc/loadavg")).trim();
      operator.start();
      long mark = rig.auditMark();
      var requestsAtStart = rig.jsonRequests();
      var rigCpuAtStart = rig.controlPlaneCpuSeconds();
      double operatorCpuAtStart = operator.cpuSeconds();
      List<HasMetadata> sample =
          StackRenderer.renderForDisplay(Fixtures.minimal("s0"), rigApis).objects();
      int perStack = sample.size();
      Watched watched = new Watched(k, sample, operatorNs);
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        LoomioDeployment r = Fixtures.minimal("s" + i);
        r.getMetadata().setNamespace(operatorNs);
        r.getMetadata().setGeneration(null);
        k.resource(r).create();
      }
      try (watched) {
        await()
            .atMost(Duration.ofMinutes(10))
            .pollInterval(Duration.ofMillis(100))
            .untilAsserted(() -> {
              var owned = watched.ownedPerStack();
              var stacks = watched.stacks();
              assertThat(stacks).hasSize(n);
              for (LoomioDeployment now : stacks) {
                assertThat(now.getStatus()).isNotNull();
                assertThat(now.getStatus().getObservedGeneration())
                    .isEqualTo(now.getMetadata().getGeneration());
                // at least: the rendered stack holds the credentials Secret only, the cluster also
                // the operator's key Secrets
                assertThat(owned.getOrDefault(now.getMetadata().getName(), 0))
                    .isGreaterThanOrEqualTo(perStack);
              }
            });
      }
      double operatorSeconds = (System.nanoTime() - t0) / 1e9;
      var operatorRequests = Rig.requestsBetween(requestsAtStart, rig.jsonRequests());
      // until the control plane is idle again: its controllers' work on the stacks counts
      var rigCpuOperator = cpuBetween(rigCpuAtStart, settledCpu(rig));
      double operatorIdleSeconds = (System.nanoTime() - t0) / 1e9 - IDLE_PROBE_SECONDS;
      double operatorCpu = operator.cpuSeconds() - operatorCpuAtStart;
      Thread.sleep(5000); // let late writes land before counting
      List<Rig.Write> converging =
          rig.writesSince(mark, Rig.OPERATOR_USER, ns -> ns.equals(operatorNs));
      int operatorWrites = converging.size();
      // what made the operator reconcile: its reconciles, and the writes of the cluster's
      // controllers
      // to the stacks' objects (each one an update event for an informer of the operator's)
      double reconciles = operator.metric("operator_sdk_reconciliations_started_total");
      java.util.Map<String, Long> controllerWrites = new java.util.TreeMap<>();
      rig.writesByAnyoneSince(mark, ns -> ns.equals(operatorNs)).stream()
          .filter(w -> !w.user().equals(Rig.OPERATOR_USER) && !w.user().equals("kubernetes-admin"))
          .forEach(w -> controllerWrites.merge(w.verb() + " " + w.resource(), 1L, Long::sum));
      long refused = converging.stream().filter(w -> w.code() >= 400).count();
      long quietMark = rig.auditMark();
      Thread.sleep(30_000); // the deliberate quiet window
      List<Rig.Write> quiet =
          rig.writesSince(quietMark, Rig.OPERATOR_USER, ns -> ns.equals(operatorNs));
      String heap = liveHeap(rig, operator.pid());

      // a restart with one object deleted in the stack listed first and one in the stack listed
      // last (the API server lists by name): the best and the worst turn in the restart's pass
      operator.stop();
      List<String> victims = List.of(
          "s0-config",
          java.util.stream.IntStream.range(0, n)
                  .mapToObj(i -> "s" + i)
                  .max(java.util.Comparator.naturalOrder())
                  .orElseThrow()
              + "-config");
      for (String victim : victims) {
        k.configMaps().inNamespace(operatorNs).withName(victim).delete();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> k.configMaps().inNamespace(operatorNs).withName(victim).get() == null);
      }
      long restartMark = rig.auditMark();
      java.time.Instant launchedAt = java.time.Instant.now();
      long launched = System.nanoTime();
      operator.start();
      double readySeconds = (System.nanoTime() - launched) / 1e9;
      // the API server's receive times, not the poll's (reading the audit log takes a while)
      java.util.Map<String, String> repaired = new java.util.TreeMap<>();
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500)).until(() -> {
        for (Rig.Write w :
            rig.writesSince(restartMark, Rig.OPERATOR_USER, ns -> ns.equals(operatorNs))) {
          repaired.putIfAbsent(
              w.name(),
              String.format(
                  Locale.ROOT, "%.1f", Duration.between(launchedAt, w.at()).toMillis() / 1000.0));
        }
        return repaired.keySet().containsAll(victims);
      });
      Thread.sleep(20_000); // every other stack is reconciled meanwhile; nothing else may change
      List<Rig.Write> restartWrites =
          rig.writesSince(restartMark, Rig.OPERATOR_USER, ns -> ns.equals(operatorNs));

      StringBuilder yaml = new StringBuilder();
      int objects = 0;
      for (int i = 0; i < n; i++) {
        LoomioDeployment r = Fixtures.minimal("s" + i);
        r.getMetadata().setNamespace(kubectlNs);
        Stack stack = StackRenderer.renderForDisplay(r, rigApis);
        for (HasMetadata o : stack.objects()) {
          yaml.append(Serialization.asYaml(o));
          objects++;
        }
      }
      Path file = Files.writeString(Path.of("target/e2e/bench-kubectl.yaml"), yaml.toString());
      long kubectlMark = rig.auditMark();
      var requestsBeforeKubectl = rig.jsonRequests();
      var rigCpuBeforeKubectl = rig.controlPlaneCpuSeconds();
      long t1 = System.nanoTime();
      rig.run(
          List.of(
              rig.kubectl().toString(),
              "apply",
              "--server-side",
              "--field-manager=baseline",
              "-f",
              file.toString()),
          Duration.ofMinutes(10));
      double kubectlSeconds = (System.nanoTime() - t1) / 1e9;
      var kubectlRequests = Rig.requestsBetween(requestsBeforeKubectl, rig.jsonRequests());
      var rigCpuKubectl = cpuBetween(rigCpuBeforeKubectl, settledCpu(rig));
      double kubectlIdleSeconds = (System.nanoTime() - t1) / 1e9 - IDLE_PROBE_SECONDS;
      int kubectlWrites = rig.writesSince(
              kubectlMark, "kubernetes-admin", ns -> ns.equals(kubectlNs))
          .size();

      rig.deleteNamespaces(List.of(operatorNs, kubectlNs));
      // the next round starts on an idle API server (the operator removes its finalizers)
      await()
          .atMost(Duration.ofMinutes(10))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> k.namespaces().withName(operatorNs).get() == null
              && k.namespaces().withName(kubectlNs).get() == null);
      System.out.printf(
          Locale.ROOT,
          "bench: %d stacks on kube-apiserver v1.20 (the k8s rig), %s; load average at the"
              + " start %s%n",
          n,
          label,
          loadAtStart);
      System.out.printf(
          Locale.ROOT,
          "bench: operator                     %.1f s to converge, %.1f writes per stack"
              + " (objects, finalizer, status; events are not audited), %d of them answered 4xx/5xx"
              + " and retried%n",
          operatorSeconds,
          operatorWrites / (double) n,
          refused);
      System.out.printf(
          Locale.ROOT,
          "bench: reconciles to converge       %.1f per stack (all controllers of the operator)%n",
          reconciles / n);
      System.out.printf(
          Locale.ROOT,
          "bench: the cluster's writes to the stacks' objects while they converged, per stack: %s%n",
          controllerWrites.entrySet().stream()
              .map(e ->
                  e.getKey() + " " + String.format(Locale.ROOT, "%.1f", e.getValue() / (double) n))
              .collect(java.util.stream.Collectors.joining(", ")));
      System.out.printf(
          Locale.ROOT,
          "bench: kubectl apply --server-side  %.1f s for the same %d objects, %.1f writes per"
              + " stack (ratio %.2f)%n",
          kubectlSeconds,
          objects,
          kubectlWrites / (double) n,
          operatorSeconds / kubectlSeconds);
      System.out.printf(
          Locale.ROOT,
          "bench: CPU per stack                from the operator's start until the control plane"
              + " was idle: %s, the operator %.0f ms; from kubectl's start until idle: %s%n",
          perStackMs(rigCpuOperator, n),
          operatorCpu * 1000 / n,
          perStackMs(rigCpuKubectl, n));
      System.out.printf(
          Locale.ROOT,
          "bench: until the control plane is idle  operator %.1f s, kubectl %.1f s (ratio %.2f; the"
              + " cluster's controllers go on with kubectl's objects after it returns)%n",
          operatorIdleSeconds,
          kubectlIdleSeconds,
          operatorIdleSeconds / kubectlIdleSeconds);
      System.out.printf(
          Locale.ROOT,
          "bench: API requests per stack while the operator converged (JSON; the LISTs and"
              + " WATCHes of a namespace are the benchmark's own watches): %s%n",
          perStack(operatorRequests, n));
      System.out.printf(
          Locale.ROOT,
          "bench: API requests per stack while kubectl applied (JSON; the restarted operator's are"
              + " among them): %s%n",
          perStack(kubectlRequests, n));
      System.out.printf(
          Locale.ROOT, "bench: quiet 30 s                   %d writes%n", quiet.size());
      System.out.printf(Locale.ROOT, "bench: live heap after forced GC    %s%n", heap);
      System.out.printf(
          Locale.ROOT,
          "bench: restart, 2 objects deleted   ready %.1f s; repaired after the launch (s): %s;"
              + " writes %s%n",
          readySeconds,
          repaired,
          restartWrites);
      System.out.printf(
          Locale.ROOT,
          "bench: load average                 %s%n",
          Files.readString(Path.of("/proc/loadavg")).trim());
      assertThat(quiet).as("writes in a quiet 30 s").isEmpty();
      assertThat(restartWrites)
          .as("writes after a restart with two deleted objects: one each")
          .map(w -> w.resource() + " " + w.name())
          .containsExactlyInAnyOrderElementsOf(
              victims.stream().map(v -> "configmaps " + v).toList());
      // each object once (the rendered stack holds the credentials Secret already), the backup and
      // signing key
      // Secrets, the finalizer, the status; a 409 or a 500 of a loaded API server is retried and
      // counted, hence the
      // small allowance
      assertThat(operatorWrites / (double) n)
          .as("writes per stack")
          .isLessThanOrEqualTo(perStack + 4 + 0.5);
    }
  }

  /** How long the control plane must be (nearly) idle to count as done. */
  private static final int IDLE_PROBE_SECONDS = 3;

  /**
   * The control plane's CPU once it has used under a fifth of a core for 3 s (its controllers have finished with
   * what was applied; no kubelet runs, so no pod ever changes after that), or after 2 minutes.
   */
  private static java.util.Map<String, Double> settledCpu(Rig rig) throws InterruptedException {
    var last = rig.controlPlaneCpuSeconds();
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      Thread.sleep(IDLE_PROBE_SECONDS * 1000L);
      var now = rig.controlPlaneCpuSeconds();
      double used = total(now) - total(last);
      last = now;
      if (used < 0.6) {
        break;
      }
    }
    return last;
  }

  private static double total(java.util.Map<String, Double> seconds) {
    return seconds.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  private static java.util.Map<String, Double> cpuBetween(
      java.util.Map<String, Double> before, java.util.Map<String, Double> after) {
    java.util.Map<String, Double> between = new java.util.LinkedHashMap<>();
    after.forEach((name, s) -> between.put(name, s - before.getOrDefault(name, 0.0)));
    return between;
  }

  private static String perStackMs(java.util.Map<String, Double> seconds, int n) {
    return seconds.entrySet().stream()
        .map(e -> e.getKey() + String.format(Locale.ROOT, " %.0f ms", e.getValue() * 1000 / n))
        .collect(java.util.stream.Collectors.joining(", "));
  }

  /** Requests by kind per stack, the most first, those under one in twenty stacks left out. */
  private static String perStack(java.util.Map<String, Double> requests, int n) {
    return requests.entrySet().stream()
        .filter(e -> e.getValue() / n >= 0.05)
        .sorted(java.util.Map.Entry.<String, Double>comparingByValue().reversed())
        .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%.2f", e.getValue() / n))
        .collect(java.util.stream.Collectors.joining(", "));
  }

  /** The operator's live heap: a full GC and the class histogram's total ({@code jcmd}), and GC.heap_info's "used". */
  private static String liveHeap(Rig rig, long pid) {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    // The serial collector (the JVM's choice with one CPU, as in the chart) leaves dead objects
    // in place as int[] fillers where compacting would move little ("dead wood": up to
    // MarkSweepDeadRatio, 5 % of the old generation) and compacts fully only every
    // MarkSweepAlwaysCompactCount'th (4th) full GC. A histogram counts those fillers as live
    // (13 MiB of int[] at 200 stacks), so the live heap is the smallest of four histograms in a
    // row, each after its own full GC. G1 compacts fully every time.
    String histogram = null;
    long first = -1;
    long smallest = Long.MAX_VALUE;
    for (int gc = 0; gc < 4; gc++) {
      String h =
          rig.run(List.of(jcmd, Long.toString(pid), "GC.class_histogram"), Duration.ofMinutes(2));
      String[] hl = h.strip().split("\n");
      long bytes = Long.parseLong(hl[hl.length - 1].trim().split("\\s+")[2]);
      if (first < 0) {
        first = bytes;
      }
      if (bytes < smallest) {
        smallest = bytes;
        histogram = h;
      }
    }
    String[] lines = histogram.strip().split("\n");
    try {
      Files.writeString(Path.of("target/e2e/bench-histogram.txt"), histogram);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    // the largest classes (the histogram is sorted by bytes): what a difference between two runs is
    // made of
    StringBuilder largest = new StringBuilder();
    for (String line : lines) {
      String[] cols = line.trim().split("\\s+");
      if (cols.length >= 4
          && cols[0].matches("\\d+:")
          && Integer.parseInt(cols[0].replace(":", "")) <= 6) {
        largest
            .append(largest.length() == 0 ? "" : ", ")
            .append(cols[3])
            .append(' ')
            .append(Long.parseLong(cols[2]) >> 20)
            .append(" MiB");
      }
    }
    rig.run(List.of(jcmd, Long.toString(pid), "GC.run"), Duration.ofMinutes(2));
    String info = rig.run(List.of(jcmd, Long.toString(pid), "GC.heap_info"), Duration.ofMinutes(1));
    // every generation's "used" (the serial collector, which the JVM picks with one CPU, prints the
    // young and the old generation apart; G1 one line), not the metaspace's
    long usedKib = 0;
    boolean found = false;
    for (String line : info.split("\n")) {
      java.util.regex.Matcher used =
          java.util.regex.Pattern.compile("used (\\d+)K").matcher(line);
      if (!line.strip().startsWith("Metaspace")
          && !line.strip().startsWith("class space")
          && used.find()) {
        usedKib += Long.parseLong(used.group(1));
        found = true;
      }
    }
    return String.format(
        Locale.ROOT,
        "%d MiB live objects (the smallest of four class histograms, the first %d MiB; largest: %s;"
            + " all in target/e2e/bench-histogram.txt), %s MiB used after GC.run",
        smallest >> 20,
        first >> 20,
        largest,
        found ? Long.toString(usedKib >> 10) : "?");
  }
}
